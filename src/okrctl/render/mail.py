"""The messages `okrctl send` delivers: the digest (plain text from the report's Markdown, HTML
with inline styles, charts as PNG parts), a nudge per owner, and the digest's summary for chat."""

from __future__ import annotations

import html
import re
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

from okrctl.model.counts import counted
from okrctl.render.charts import Chart, reaching
from okrctl.render.links import checkin_link
from okrctl.render.textformat import (
    days,
    days_ago,
    format_value,
    has_controls,
    one_line,
    value_in_unit,
)
from okrctl.views.nudges import Nudge, Nudges, Quiet
from okrctl.views.report import ReportRequest

IMAGE_STYLE = "display:block;width:100%;max-width:640px;height:auto;border:0;"
"""A chart as wide as the message up to 640 px: on a phone it shrinks instead of scrolling
sideways (the width and height attributes are for clients that ignore CSS)."""


def digest_subject(request: ReportRequest) -> str:
    snapshot = request.snapshot  # (its period and moment: the card's, without scoring it)
    return f"{request.title} — {snapshot.period.name} — {snapshot.moment.as_of.isoformat()}"


def digest_message(
    request: ReportRequest, context: dict[str, Any], sender: str, to: list[str]
) -> tuple[EmailMessage, str | None]:
    """The rendered report as one email: text/plain (the Markdown) and text/html (styled
    inline), each chart a PNG the HTML shows by `cid:`; and, when its HTML is too long for
    Gmail to show whole, a note saying what readers will not see (`clipping_note`)."""
    from okrctl.render.html import to_html
    from okrctl.render.markdown import render
    from okrctl.render.png_charts import chart_png

    charts: dict[str, Chart] = {}
    as_of = request.running_as_of
    markdown = render(request.template, context, request.user_templates, charts=charts, as_of=as_of)
    images: list[tuple[str, bytes]] = []

    def as_image(chart: Chart) -> str:
        cid = make_msgid(domain="okrctl.invalid")
        images.append((cid, chart_png(chart)))
        alt = chart.title.replace('"', "'")
        return (
            f'<p><img src="cid:{cid[1:-1]}" alt="{alt}" width="640" height="260" '
            f'style="{IMAGE_STYLE}"></p>\n'
        )

    charts = reaching(charts, request.running_as_of)
    page = to_html(markdown, digest_subject(request), charts, draw=as_image)
    message = _envelope(sender, to, digest_subject(request))
    message.set_content(markdown)
    message.add_alternative(page, subtype="html")
    html_part = message.get_body(preferencelist=("html",))
    assert isinstance(html_part, EmailMessage)
    for cid, png in images:
        html_part.add_related(png, maintype="image", subtype="png", cid=cid)
    return message, clipping_note(page)


GMAIL_CLIPS_AT = 102_000
"""Gmail shows a message's first 102 KB of HTML and hides the rest behind "[Message clipped]
View entire message"; most readers never click it."""

_SECTION = re.compile(r"<h2\b[^>]*>(.*?)</h2>", re.DOTALL)


def clipping_note(page: str) -> str | None:
    """None when the digest's HTML fits under Gmail's clip; else its size, the section the
    clip falls in and the sections after it, and what to do."""
    encoded = page.encode()
    size = len(encoded)
    if size <= GMAIL_CLIPS_AT:
        return None
    shown = len(encoded[:GMAIL_CLIPS_AT].decode(errors="ignore"))  # (in characters)
    sections = [(m.start(), _text(m.group(1))) for m in _SECTION.finditer(page)]
    cut = [title for start, title in sections if start < shown][-1:]
    hidden = [title for start, title in sections if start >= shown]
    where = f" in “{cut[0]}”" if cut else ""
    verb = "goes" if len(hidden) == 1 else "go"
    unseen = f", and {_quoted(hidden)} {verb} unseen" if hidden else ""
    return (
        f"the digest's HTML is {_size(size)} and Gmail shows only its first 102 KB: it cuts "
        f"the digest short{where}{unseen}; send a digest per pillar or team "
        "(okrctl send digest SCOPE), or mail a link to `okrctl site`"
    )


def _text(fragment: str) -> str:
    """A heading's words, for a terminal: no tags, no entities, no control characters."""
    return one_line(html.unescape(re.sub(r"<[^>]+>", "", fragment))).strip()


def _quoted(titles: list[str]) -> str:
    quoted = [f"“{title}”" for title in titles]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _size(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 1_000_000 else f"{size / 1000:.0f} KB"


def digest_summary(request: ReportRequest, context: dict[str, Any]) -> str:
    """The digest in a few lines, for a chat channel: the company objectives and what needs
    attention."""
    from okrctl.render.markdown import icon

    lines = [f"*{digest_subject(request)}*"]
    company = context["company"]["unit"]
    for objective in company["all_objectives"] if company else []:
        score = "no score" if objective["score"] is None else f"{objective['score']:.2f}"
        words = (objective["status"] or "not scored").replace("_", " ")
        lines.append(f"{icon(objective['status'])} {objective['title']}: {score} ({words})")
    attention = context["attention"]
    counts = [
        (len(attention["off_track"]), "objective", "off track"),
        (len(attention["critical_kpis"]), "KPI", "critical"),
        (len(attention["stale"]), "number", "stale"),
    ]  # ("1 objectives off track" and "15202 numbers stale" were said so)
    said = [f"{counted(n, noun)} {state}" for n, noun, state in counts if n]
    lines.append("Needs attention: " + (", ".join(said) if said else "nothing"))
    return "\n".join(lines)


def nudge_message(nudge: Nudge, nudges: Nudges, sender: str) -> EmailMessage:
    """One owner's quiet numbers, each with the command that checks it in."""
    assert nudge.address is not None
    count = len(nudge.quiet)
    subject = (
        f"{nudges.company}: {count} number{'s' if count != 1 else ''} to check in ({nudges.period})"
    )
    message = _envelope(sender, [nudge.address], subject)
    lines = [
        f"Hi {one_line(nudge.name)},",
        "",
        f"these have had no check-in for more than {days(nudges.stale_after_days)} "
        f"(as of {nudges.as_of.isoformat()}). Even an unchanged number is worth confirming:",
        "",
    ]
    rows = []
    for quiet in nudge.quiet:
        shown = "no value yet" if quiet.value is None else value_in_unit(quiet.value, quiet.unit)
        last = _last_heard(quiet)
        command = f"okrctl checkin {quiet.ref} {_example(quiet)}"
        link = checkin_link(nudges.repository_url, quiet.ref)
        lines += [
            f"- {quiet.title} ({quiet.kind} {quiet.ref}): {shown}, {last}",
            f"    {command}",
        ]
        if link is not None:
            lines.append(f"    or in the browser: {link}")
        rows.append((quiet, shown, last, command, link))
    lines += ["", "Thank you!"]
    message.set_content("\n".join(lines) + "\n")
    message.add_alternative(_nudge_html(nudge, nudges, rows), subtype="html")
    return message


def _last_heard(quiet: Quiet) -> str:
    """`last check-in 2026-11-02, 35 days ago`, counted on the calendar from the date shown, as
    `show` counts it (whole days gone by said "34 days" beside that date); `no check-in in 66
    days` for a number never checked in."""
    seen = quiet.last_checkin
    if seen is None:
        return f"no check-in in {quiet.said}"
    return f"last check-in {seen.day.isoformat()}, {days_ago(seen.days_ago)}"


def _nudge_html(
    nudge: Nudge, nudges: Nudges, rows: list[tuple[Any, str, str, str, str | None]]
) -> str:
    from html import escape

    items = "".join(
        f"<li><b>{escape(q.title)}</b> ({escape(q.kind)} <code>{escape(q.ref)}</code>): "
        f"{escape(shown)}, {escape(last)}<br>"
        f'<code style="background:#f6f8fa;padding:2px 4px;">{escape(command)}</code>'
        + (f' or <a href="{escape(link)}">check in in the browser</a>' if link else "")
        + "</li>"
        for q, shown, last, command, link in rows
    )
    return (
        '<!DOCTYPE html><html><body style="font-family:Helvetica,Arial,sans-serif;'
        f'font-size:15px;color:#1f2328;"><p>Hi {escape(one_line(nudge.name))},</p>'
        f"<p>these have had no check-in for more than {days(nudges.stale_after_days)} (as of "
        f"{nudges.as_of.isoformat()}). Even an unchanged number is worth confirming:</p>"
        f"<ul>{items}</ul><p>Thank you!</p></body></html>"
    )


def _example(quiet: Any) -> str:
    """The command's value: the last one, to confirm it (a milestone: its state)."""
    if quiet.milestone:
        return "done" if quiet.value else "undone"
    return "VALUE" if quiet.value is None else format_value(quiet.value)


def address_problem(address: str) -> str | None:
    """Why `address` cannot be a recipient, or None: a line break or another control character
    would forge headers, and anything but one `name@domain` is not an address."""
    from email.utils import getaddresses

    if has_controls(address):
        return "it holds a line break or another control character"
    parsed = getaddresses([address])
    if len(parsed) != 1 or "@" not in parsed[0][1] or " " in parsed[0][1]:
        return "it is not one email address"
    return None


def _envelope(sender: str, to: list[str], subject: str) -> EmailMessage:
    from email.utils import formatdate

    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(dict.fromkeys(to))
    message["Subject"] = " ".join(one_line(subject).split())  # one line, as a header must be
    message["Date"] = formatdate(localtime=True)  # the sender's own offset, as mail clients do
    message["Message-ID"] = make_msgid(domain="okrctl.invalid")
    return message
