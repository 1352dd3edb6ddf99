"""Rebuild the pictures of a browser check-in in docs/checkin.md (needs Debian's chromium):

.venv/bin/python docs/screenshots/checkin.py

No GitHub is reachable from here, so the pictures are drawn from the real parts, not taken from
github.com: the form from the issue form `okrctl init` scaffolds (its fields, descriptions and
placeholders, filled in as a "Check in" link fills them), and the reply that
`okrctl checkin --from-event` writes for that issue on the demo, rendered from its Markdown.
GitHub frames both in its own page; what they say is what these pictures show.
"""

from __future__ import annotations

import html
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from markdown_it import MarkdownIt
from ruamel.yaml import YAML

HERE = Path(__file__).resolve().parent
FORM = HERE.parents[1] / "src/okrctl/commands/scaffold_files/top/.github/ISSUE_TEMPLATE"
REF = "signups/effortless-funding/funded-rate"
FILLED = {"ref": REF, "value": "42", "confidence": "0.65", "note": "Instant ACH on for 40%."}
STYLE = """
body { font: 15px/1.5 system-ui, sans-serif; color: #1f2328; margin: 24px; max-width: 760px; }
.box { border: 1px solid #d0d7de; border-radius: 6px; padding: 16px 20px; }
h1 { font-size: 20px; margin: 0 0 4px; } .meta { color: #59636e; margin-bottom: 16px; }
label { font-weight: 600; display: block; margin-top: 16px; }
.req { color: #d1242f; } .desc { color: #59636e; font-size: 13px; }
.field { border: 1px solid #d0d7de; border-radius: 6px; padding: 5px 12px; margin-top: 6px;
  background: #f6f8fa; min-height: 22px; } .ph { color: #8c959f; }
textarea, .area { min-height: 60px; }
.button { display: inline-block; margin-top: 20px; background: #1f883d; color: white;
  border-radius: 6px; padding: 5px 16px; font-weight: 600; }
.who { font-weight: 600; } .when { color: #59636e; }
code { background: #eff1f3; border-radius: 4px; padding: 1px 4px; font-size: 13px; }
a { color: #0969da; text-decoration: none; }
"""


def form_page() -> str:
    """The scaffolded form, field by field, filled as a "Check in" link (ref) and a person
    (value, confidence, note) fill it."""
    form = YAML(typ="safe").load((FORM / "okr-checkin.yml").read_text())
    parts = [f"<h1>{html.escape(form['name'])}</h1>",
             f"<div class=meta>{html.escape(form['description'])}</div>"]  # fmt: skip
    parts.append("<label>Add a title</label><div class=field>Check-in: " + REF + "</div>")
    for field in form["body"]:
        attributes = field["attributes"]
        if field["type"] == "markdown":
            parts.append(f"<p>{html.escape(attributes['value'])}</p>")
            continue
        required = field.get("validations", {}).get("required")
        value = FILLED.get(field["id"], "")
        shown = html.escape(value) or f"<span class=ph>{attributes.get('placeholder', '')}</span>"
        area = " area" if field["type"] == "textarea" else ""
        parts.append(
            f"<label>{html.escape(attributes['label'])}"
            f"{' <span class=req>*</span>' if required else ''}</label>"
            f"<div class=desc>{MarkdownIt().renderInline(attributes['description'])}</div>"
            f"<div class='field{area}'>{shown}</div>"
        )
    parts.append("<span class=button>Create</span>")
    return page("<div class=box>" + "".join(parts) + "</div>")


def reply_page(reply: str) -> str:
    """The reply `--from-event` wrote, rendered from its Markdown as a comment."""
    body = MarkdownIt("commonmark").enable("table").render(reply)
    head = "<div class=meta><span class=who>github-actions</span> <span class=when>bot</span>"
    return page(f"<div class=box>{head}</div>{body}</div>")


def page(body: str) -> str:
    return f"<!doctype html><meta charset=utf-8><style>{STYLE}</style>{body}"


def the_reply(folder: Path) -> str:
    """Check in on the demo from an issue opened with the form: the reply okrctl writes."""
    okrctl = [sys.executable, "-m", "okrctl"]
    demo = folder / "demo"
    subprocess.run([*okrctl, "demo", str(demo)], check=True, capture_output=True)
    body = "\n\n".join(
        f"### {label}\n\n{FILLED[key]}"
        for key, label in [("ref", "Key result or KPI"), ("value", "Value"),
                           ("confidence", "Confidence"), ("note", "Note")]
    )  # fmt: skip
    event = {
        "action": "opened",
        "issue": {"number": 7, "html_url": "https://github.com/acme/okrs/issues/7",
                  "body": body, "author_association": "MEMBER",
                  "user": {"login": "samokafor", "id": 4242}},
    }  # fmt: skip
    (folder / "event.json").write_text(json.dumps(event))
    environment = {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/okrs"}
    subprocess.run(
        [*okrctl, "checkin", "--from-event", str(folder / "event.json"), "--reply",
         str(folder / "reply.md"), "--repo", str(demo)],
        check=True, capture_output=True, env={**os.environ, **environment},
    )  # fmt: skip
    return (folder / "reply.md").read_text()


def main() -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("chromium is not installed (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        pages = {"checkin-form": (form_page(), 820, 780),
                 "checkin-reply": (reply_page(the_reply(folder)), 820, 200)}  # fmt: skip
        for shot, (text, width, height) in pages.items():
            source = folder / f"{shot}.html"
            source.write_text(text)
            subprocess.run(
                [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                 f"--user-data-dir={folder / 'profile'}", f"--window-size={width},{height}",
                 f"--screenshot={HERE / (shot + '.png')}", source.as_uri()],
                check=True, capture_output=True, timeout=120,
            )  # fmt: skip
            print(f"docs/screenshots/{shot}.png")


if __name__ == "__main__":
    main()
