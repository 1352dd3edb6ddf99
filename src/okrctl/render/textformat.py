"""The one formatter of numbers, units, scores, table cells and wrapped lines that every renderer
uses. It imports nothing heavy: the fast paths (`history REF`) print with it without loading
the model's classes or rich."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from okrctl.model.bounds import is_number
from okrctl.model.controls import CONTROL_RANGES
from okrctl.model.counts import counted
from okrctl.model.money import MONEY, in_thousands, is_money

BAR_WIDTH = 20
NONE = "\u2013"  # an en dash: no value
RANGE = "\u2013"  # an en dash between bounds


def format_value(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "done" if value else "not done"
    return str(value)


def columns(rows: Sequence[Sequence[str]], width: int | None = None) -> str:
    """Rows as aligned text columns, the last one left free (notes run as long as they are,
    or, within `width`, wrap under their own column): a listing of thousands of check-ins
    prints in milliseconds, where a rich table lays out each cell for a millisecond or more."""
    if not rows:
        return ""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    indent = sum(widths) + 2 * len(widths)
    below = width is not None and width - indent < NARROWEST_NOTE
    lines = []
    for row in rows:
        cells = [c.ljust(w) for c, w in zip(row, widths, strict=False)]
        if below:  # no room beside the other columns: the last one goes under its row
            lines.append("  ".join(cells).rstrip())
            if row[-1]:
                lines.append(wrapped("    " + row[-1], width, 4))
        else:
            lines.append(wrapped("  ".join([*cells, row[-1]]).rstrip(), width, indent))
    return "\n".join(lines)


NARROWEST_NOTE = 24
"""Fewer columns than this left for the last column: it goes under each row instead."""


def wrapped(line: str, width: int | None, indent: int) -> str:
    """`line` within `width` columns, continued on lines indented by `indent`; as it is
    without a width."""
    if width is None or len(line) <= width:
        return line
    import textwrap

    pad = " " * indent
    return "\n".join(
        textwrap.wrap(
            line, width, subsequent_indent=pad, break_on_hyphens=False, break_long_words=True
        )
    )


def words(value: str | None) -> str:
    return "no key results" if value is None else value.replace("_", " ")


def number(value: float | None) -> str:
    """Numbers as people write them: 40.5, 3, 0.36; two decimals at most."""
    if value is None:
        return NONE
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def days(count: int | None) -> str:
    """`1 day`, `12 days`: a count of days as people say it (the `days` filter of templates:
    "1 days left" was the digest's heading on the period's second-to-last day)."""
    return NONE if count is None else counted(count, "day")


def days_ago(count: int) -> str:
    """`today`, `1 day ago`, `12 days ago`."""
    return "today" if count == 0 else f"{days(count)} ago"


def shown_change(old: float, new: float) -> float:
    """`new - old` as a reader of `number` sees them: the difference of the two numbers shown,
    so that a measured 0.41234 → 0.41567 reads "0.41 → 0.42 (+0.01)", not "(+0)"."""
    return round(round(new, 2) - round(old, 2), 2)


def score_text(value: float | None) -> str:
    return NONE if value is None else f"{value:.2f}"


def moved_unseen(count: int, what: str, *, after_others: bool) -> str:
    """The line that stands for `count` scores whose move is too small to show at two decimals
    (`diff`, `review`): `what` is the plural counted ("objectives", "scores")."""
    more = " more" if after_others else ""
    noun = what.removesuffix("s") if count == 1 else what
    return f"{count:,}{more} {noun} moved by less than 0.01 (every one: --format json)"


def with_unit(value: float | None, unit: str | None, *, cents: bool = False) -> str:
    """A number in its unit as people write it: `46%`, `46,800 accounts`, and money with its
    symbol in front: `$0.36`, `-$1.50`, `$97.5M` (unit `$M`), `$7.35/month` (unit `$/month`);
    an amount of money itself (`$`, `$/month`, `€ per user`, `$ARR`) keeps its cents (`cents`:
    even when whole, `$6.00`, beside one that has them), an amount in thousands or millions
    (`$k`, `$M`) the usual two decimals at most."""
    if value is None or not unit:
        return number(value)
    symbol = unit[0]
    if symbol not in MONEY:
        return f"{number(value)}{'' if unit == '%' else ' '}{unit}"
    rest, shown = unit[1:], round(abs(value), 2)
    if in_thousands(unit):  # $97.5M
        amount = number(shown)
    else:
        amount = f"{shown:,.2f}" if cents or _has_cent_part(shown) else f"{shown:,.0f}"
        if rest[:1].isalnum():  # `$ARR`: $1,250,000 ARR
            rest = f" {rest}"
    return f"{'-' if value < 0 and shown else ''}{symbol}{amount}{rest}"


def _has_cent_part(value: float) -> bool:
    """Whether a sum of money, rounded to the cent, is not a whole number."""
    cents = round(abs(value), 2)
    return cents != int(cents)


def cents_among(values: Sequence[float | None], unit: str | None) -> bool:
    """Whether amounts of money shown together (`values`, in `unit`) are all written with
    cents: one of them has them."""
    return (
        unit is not None
        and is_money(unit)
        and not in_thousands(unit)
        and any(v is not None and _has_cent_part(v) for v in values)
    )


def value_in_unit(value: Any, unit: str | None, *, cents: bool = False) -> str:
    """A check-in value as people say it: a number in its unit, a milestone's `done` / `not
    done`, `none`."""
    return with_unit(value, unit, cents=cents) if is_number(value) else format_value(value)


def values_in_unit(values: Sequence[Any], unit: str | None) -> list[str]:
    """A number's values one under another, each in its unit (`$2.10/month`, `$1.95/month`:
    money keeps cents in all when one has them); a milestone's `done` / `not done`."""
    cents = cents_among([v for v in values if is_number(v)], unit)
    return [value_in_unit(v, unit, cents=cents) for v in values]


def bounds_text(low: float | None, high: float | None, unit: str | None) -> str:
    if low is not None and high is not None:
        cents = cents_among((low, high), unit)
        return f"{with_unit(low, unit, cents=cents)}{RANGE}{with_unit(high, unit, cents=cents)}"
    if low is not None:
        return f"≥ {with_unit(low, unit)}"
    return f"≤ {with_unit(high, unit)}"


def bar(score: float | None, width: int = 10) -> str:
    """A text bar filled to the score (empty without one)."""
    filled = 0 if score is None else round(min(1.0, max(0.0, score)) * width)
    return "█" * filled + "░" * (width - filled)


def progress_bar(score: float, expected: float, width: int = BAR_WIDTH) -> str:
    """A bar filled to the score with `│` where the score is expected to be by now."""
    cells = list(bar(score, width))
    marker = min(width - 1, round(expected * width))
    cells[marker] = "│" if cells[marker] == "░" else "┃"
    return "".join(cells)


def goal_range(
    baseline: float | None,
    target: float | None,
    unit: str | None,
    *,
    cents: bool | None = None,
) -> str:
    """`38 → 45%`, `$0.42 → $0.30`, `$80M → $120M`: the baseline bare, unless its unit is
    money, written in front, with cents when either end has them (`cents`: as the amounts
    shown beside them have, or not).
    Every view shows a key result's range through this one function."""
    if not is_money(unit):
        return f"{number(baseline)} → {with_unit(target, unit)}"
    if cents is None:
        cents = cents_among((baseline, target), unit)
    return f"{with_unit(baseline, unit, cents=cents)} → {with_unit(target, unit, cents=cents)}"


def with_unit_among(value: float | None, unit: str | None, among: Sequence[float | None]) -> str:
    """`value` in its unit, with cents when it or a value of `among` has them: the values shown
    beside it (a forecast of `$4.00/month` beside `$5.40/month`, not `$4/month`)."""
    return with_unit(value, unit, cents=cents_among((value, *among), unit))


_CONTROLS = {
    code: " "
    for code in (0x09, 0x0A, *(c for low, high in CONTROL_RANGES for c in range(low, high + 1)))
}
"""Line breaks, tabs and the other control characters (`model/controls.py`), each to a
space."""


def has_controls(text: str) -> bool:
    """Whether `text` holds a line break or another control character."""
    return text != text.translate(_CONTROLS)


def one_line(text: str) -> str:
    """`text` with every control character (a line break, a tab) as a space: for a header, or
    a quoted string, that a line break would end."""
    return text.translate(_CONTROLS)


def cell(value: object) -> str:
    """Safe inside a Markdown table cell."""
    return str(value).replace("|", "\\|").replace("\n", " ")


def derived_note(derived: dict[str, Any] | None) -> str:
    """Where a derived number comes from, after its value: ` (= a/b/c)`, ` (sum of a/b/c,
    d/e/f)`, ` (score of 2 supporters)`; nothing for a number checked in."""
    if not derived:
        return ""
    refs = [source["ref"] for source in derived["from"]]
    if derived["how"] == "mirror":
        return f" (= {refs[0]})"
    if derived["how"] == "sum":
        return f" (sum of {', '.join(refs)})"
    return f" (score of {len(refs)} supporter{'s' * (len(refs) != 1)})"
