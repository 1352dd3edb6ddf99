"""Links that open the repository's check-in form with a number filled in (docs/checkin.md):
GitHub fills an issue form's fields from the query (`?template=…&ref=…`)."""

from __future__ import annotations

from urllib.parse import urlencode

FORM = "okr-checkin.yml"


def checkin_link(repository: str | None, ref: str) -> str | None:
    """The new-issue address of the check-in form for `ref`; None without a web address."""
    if not repository:
        return None
    query = urlencode({"template": FORM, "title": f"Check-in: {ref}", "ref": ref})
    return f"{repository}/issues/new?{query}"
