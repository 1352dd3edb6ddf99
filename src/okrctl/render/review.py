"""`okrctl review` for people: plain text for the terminal, Markdown for the job summary and the
sticky pull-request comment (GitHub-flavoured tables, kept under GitHub's 65,536-character
limit by summarising the longest sections), and workflow annotations on HEAD's lines
(docs/review.md)."""

from __future__ import annotations

from typing import Any

from okrctl.model.findings import Finding, Severity
from okrctl.render.github import escape
from okrctl.render.markdown import value as checkin_value_text
from okrctl.render.textformat import cell, columns, moved_unseen, score_text, words
from okrctl.views.review import Checkin, Credit, Delta, FailOn, Move, Place, Review, ScopeChange

MARKER = "<!-- okrctl-review -->"
"""The first line of the comment: the workflow finds its own comment by it, and edits it."""

COMMENT_LIMIT = 65_536
"""GitHub's limit on a comment's body, in characters."""

ANNOTATIONS_PER_KIND = 10

KIND_WORDS = {
    FailOn.ERROR: ("new error", "new errors"),
    FailOn.WARNING: ("new warning", "new warnings"),
    FailOn.GOALPOST: ("goal-post moved", "goal-posts moved"),
    FailOn.SCOPE: ("scope change", "scope changes"),
    FailOn.BACKWARDS: ("check-in against its target", "check-ins against their targets"),
    FailOn.JUMP: ("jump", "jumps"),
    FailOn.CONFIDENCE: ("confidence drop", "confidence drops"),
    FailOn.OWNER: ("check-in by someone else", "check-ins by someone else"),
}


# --- the words of each item ----------------------------------------------------------------


def value(raw: Any, unit: str | None = None) -> str:
    """A setting or value as people say it: a band written out, a list joined, else as a
    check-in value reads (done / not done, none, the number with its unit)."""
    if isinstance(raw, dict):
        return "{" + ", ".join(f"{k}: {value(v, unit)}" for k, v in raw.items()) + "}"
    if isinstance(raw, list):
        return ", ".join(map(str, raw)) or "nothing"
    return checkin_value_text(raw, unit)


def move_change(move: Move) -> str:
    return f"{move.field} {value(move.old, move.unit)} → {value(move.new, move.unit)}"


def move_effect(move: Move) -> str:
    effect = move.effect
    parts = []
    if effect.old_score is not None or effect.new_score is not None:
        what = "objective score" if move.field == "weight" else "score"
        parts.append(f"{what} {score_text(effect.old_score)} → {score_text(effect.new_score)}")
    if effect.old_status is not None or effect.new_status is not None:
        old, new = words(effect.old_status), words(effect.new_status)
        parts.append(f"{old} → {new}" if old != new else f"still {new}")
    return ", ".join(parts) or "no score yet"


def scope_detail(item: ScopeChange) -> str:
    if item.change == "renamed":
        return f"unit {item.old} → {item.new} (its refs follow)"
    if item.change == "realigned":
        text = f"from {value(item.old)} to {value(item.new)}"
        for parent, was, now in item.left:
            text += f"; {parent} now has {now} supporter{'s' * (now != 1)} (was {was})"
        return text
    return item.kind


def checkin_value(item: Checkin) -> str:
    """`40% → 37%`; a number checked in for the first time says so, as reports do."""
    if item.old is None and item.new is not None:
        return f"first check-in, {value(item.new, item.unit)}"
    return f"{value(item.old, item.unit)} → {value(item.new, item.unit)}"


def checkin_confidence(item: Checkin) -> str:
    if item.old_confidence == item.new_confidence:
        return "" if item.new_confidence is None else value(item.new_confidence)
    return f"{value(item.old_confidence)} → {value(item.new_confidence)}"


def checkin_flags(item: Checkin) -> str:
    said = []
    for flag in item.flags:
        if flag is FailOn.BACKWARDS:
            said.append("against the target's direction")
        elif flag is FailOn.JUMP:
            said.append(f"jump of {item.jump:.0%} of the range")
        elif flag is FailOn.CONFIDENCE:
            said.append("confidence down")
        elif flag is FailOn.OWNER:
            said.append(f"{item.author_is} is not its owner ({', '.join(item.answerable)})")
    return "; ".join(said)


def score_moves(result: Review) -> tuple[list[Delta], int]:
    """The score changes a reader can see (two decimals, or the status), and how many moved by
    less: a check-in moving a score by 0.001 listed its unit and objective as "0.35 → 0.35"."""
    moved = [
        d
        for d in result.deltas
        if score_text(d.change.old_score) != score_text(d.change.new_score)
        or d.change.old_status != d.change.new_status
    ]
    return moved, len(result.deltas) - len(moved)


def unseen_line(result: Review) -> list[str]:
    moved, unseen = score_moves(result)
    if not unseen:
        return []
    return [moved_unseen(unseen, "scores", after_others=bool(moved)), ""]


def delta_score(delta: Delta) -> str:
    change = delta.change
    return f"{score_text(change.old_score)} → {score_text(change.new_score)}"


def delta_status(delta: Delta) -> str:
    change = delta.change
    if change.old_status is None and change.new_status is None:
        return ""
    old = words(change.old_status) if change.old_status else "new"
    new = words(change.new_status)
    return f"{old} → {new}" if old != new else new


def by(made: Credit) -> str:
    if made.author is None:
        return "a merge (author unknown)"
    when = made.date.date().isoformat() if made.date is not None else ""
    commit = made.sha[:10] if made.sha else "uncommitted"
    return f"{made.author}, {when}, {commit}"


def where(place: Place | None) -> str:
    return "" if place is None else f"{place.file}:{place.line}"


def counted(kinds: dict[FailOn, int]) -> str:
    return ", ".join(f"{n} {KIND_WORDS[k][n != 1]}" for k, n in kinds.items())


def headline(result: Review) -> str:
    head = result.head[:10] if result.head else "the working tree"
    commits = f"{result.commits} commit{'s' * (result.commits != 1)}"
    if result.uncommitted:
        commits += " and uncommitted changes"
    return (
        f"Review of {result.base[:10]} → {head} ({commits}): {result.period.name} as of "
        f"{result.as_of}; its grace ended {result.grace_end.date()}"
    )


def verdict(result: Review) -> str:
    fail_on = ",".join(map(str, result.fail_on)) or "none"
    if result.failures:
        return f"Fails (--fail-on {fail_on}): {counted(result.failures)}."
    happened = result.happened()
    rest = f" Also: {counted(happened)}." if happened else ""
    return f"Passes: nothing that --fail-on {fail_on} names.{rest}"


# --- sections as rows: one source for text and Markdown ------------------------------------


def sections(result: Review) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, header, rows) of each section that has anything."""
    found = []
    if result.moves:
        found.append((
            "Goal-posts moved", ["Ref", "Change", "Effect", "By", "Where", "Why (the commit says)"],
            [[m.ref, move_change(m), move_effect(m), by(m.credit), where(m.place),
              m.reason or "not said"] for m in result.moves],
        ))  # fmt: skip
    if result.scope:
        found.append((
            "Scope changes mid-period", ["Change", "Ref", "By", "Where", "Detail"],
            [[s.change, s.ref, by(s.credit), where(s.place), scope_detail(s)]
             for s in result.scope],
        ))  # fmt: skip
    if result.checkins:
        found.append((
            "Check-ins", ["Ref", "Value", "Confidence", "By", "Where", "Worth a look"],
            [[c.ref, checkin_value(c), checkin_confidence(c), by(c.credit), where(c.place),
              checkin_flags(c)] for c in result.checkins],
        ))  # fmt: skip
    moved, _ = score_moves(result)
    if moved:
        found.append((
            "Scores, weakest first", ["Ref", "Score", "Status"],
            [[d.ref, delta_score(d), delta_status(d)] for d in moved],
        ))  # fmt: skip
    if result.new_findings:
        found.append((
            "New findings", ["Where", "Severity", "Rule", "Message"],
            [[f"{f.file}:{f.line}:{f.column}", str(f.severity), f.rule, f.message]
             for f in result.new_findings],
        ))  # fmt: skip
    return found


def findings_line(result: Review) -> str:
    new = len(result.new_findings)
    errors = sum(f.severity is Severity.ERROR for f in result.new_findings)
    return (
        f"{new} new finding{'s' * (new != 1)} ({errors} error{'s' * (errors != 1)}); "
        f"{result.base_findings} on the base, {result.fixed_findings} of them fixed here"
    )


def review_text(result: Review, width: int | None = None) -> str:
    lines = [headline(result), ""]
    for title, header, rows in sections(result):
        lines += [f"{title} ({len(rows)})", columns([header, *rows], width), ""]
    lines += unseen_line(result)
    if not result.moves and not result.scope and not result.checkins:
        lines += ["No goal-post moved, no scope changed, no check-in.", ""]
    lines += [findings_line(result), verdict(result)]
    return "\n".join(lines)


# --- Markdown ------------------------------------------------------------------------------


def review_markdown(result: Review, *, limit: int = COMMENT_LIMIT, marker: bool = False) -> str:
    """The review as GitHub-flavoured Markdown, at most `limit` characters: when the whole
    would be longer, each section keeps its first rows and says how many more there are."""
    rows_each: int | None = None
    while True:
        text = _markdown(result, rows_each, marker)
        if len(text) <= limit:
            return text
        longest = max((len(rows) for _, _, rows in sections(result)), default=0)
        rows_each = longest // 2 if rows_each is None else rows_each // 2
        if rows_each == 0:
            return _markdown(result, 0, marker)[:limit]


def _markdown(result: Review, rows_each: int | None, marker: bool) -> str:
    lines = [MARKER] if marker else []
    lines += ["## okrctl review", "", md_text(headline(result)) + ".", ""]
    lines += [f"**{md_text(verdict(result))}**", ""]
    for title, header, rows in sections(result):
        shown = rows if rows_each is None else rows[:rows_each]
        lines += [f"### {title} ({len(rows)})", ""]
        if shown:
            lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
            lines += ["| " + " | ".join(md_cell(c, i) for i, c in enumerate(r)) + " |"
                      for r in shown]  # fmt: skip
        if len(shown) < len(rows):
            more = len(rows) - len(shown)
            lines += ["", f"…and {more} more: all of them in `okrctl review --format json`."]
        lines.append("")
    lines += [f"_{line}._" if line else line for line in unseen_line(result)]
    if not result.moves and not result.scope and not result.checkins:
        lines += ["No goal-post moved, no scope changed, no check-in.", ""]
    lines.append(md_text(findings_line(result)) + ".")
    return "\n".join(lines) + "\n"


def md_text(text: str) -> str:
    """What people typed, safe in Markdown: no mention pings anyone, no tag is raw HTML."""
    return text.replace("@", "@\u2060").replace("<", "&lt;")


def md_cell(text: str, column: int) -> str:
    """A table cell: refs in code spans (no link, no mention), the rest escaped."""
    if column == 0 and text and " " not in text:
        return "`" + text.replace("`", "'") + "`"
    return cell(md_text(text))


# --- GitHub workflow commands --------------------------------------------------------------


def review_annotations(result: Review, prefix: str = "") -> str:
    """Annotations on HEAD's lines: new errors, then goal-posts moved, check-ins worth a look,
    new warnings, scope changes as notices; at most 10 of each kind (GitHub's limit per step),
    the rest as plain lines and one notice pointing to the job summary."""
    items: list[tuple[str, Place | None, str, str]] = []
    items += [_finding(f) for f in result.new_findings if f.severity is Severity.ERROR]
    items += [("warning", m.place, "goal-post moved", f"{m.ref}: {move_change(m)}: "
               f"{move_effect(m)} ({by(m.credit)})") for m in result.moves]  # fmt: skip
    flagged = [c for c in result.checkins if c.flags]
    items += [("warning", c.place, "check-in", f"{c.ref}: {checkin_value(c)}: "
               f"{checkin_flags(c)} ({by(c.credit)})") for c in flagged]  # fmt: skip
    items += [_finding(f) for f in result.new_findings if f.severity is Severity.WARNING]
    items += [("notice", s.place, f"{s.change} mid-period", f"{s.ref}: {scope_detail(s)} "
               f"({by(s.credit)})") for s in result.scope]  # fmt: skip
    shown: dict[str, int] = {}
    lines, rest = [], []
    for level, place, title, message in items:
        if place is None or shown.get(level, 0) == ANNOTATIONS_PER_KIND:
            rest.append(f"{level}: {title}: {message}")
            continue
        shown[level] = shown.get(level, 0) + 1
        props = ",".join([
            f"file={escape(prefix + place.file, property_value=True)}",
            f"line={place.line}", f"col={place.column}",
            f"title={escape('okrctl review: ' + title, property_value=True)}",
        ])  # fmt: skip
        lines.append(f"::{level} {props}::{escape(message)}")
    if rest:
        lines += rest
        lines.append(
            f"::notice title=okrctl review::{len(rest)} more item{'s' * (len(rest) != 1)} "
            "than annotations can show here: all of them are in the job summary"
        )
    lines.append(escape(verdict(result)))
    return "\n".join(lines)


def _finding(finding: Finding) -> tuple[str, Place | None, str, str]:
    place = Place(finding.file, finding.line, finding.column)
    return (str(finding.severity), place, finding.rule, finding.message)
