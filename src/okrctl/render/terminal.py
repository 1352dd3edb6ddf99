"""The `status` views for people: a rich tree for the terminal and a Markdown table.

Scores round to two decimals here (JSON keeps full precision). The tree reads at 80 columns
and stays plain, without escape codes, when piped or with NO_COLOR.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from okrctl.core.score import Health, Shape, Status
from okrctl.core.scorecard import KeyResultScore, KpiScore, ObjectiveScore, Scorecard, UnitScore
from okrctl.core.trend import sparkline
from okrctl.render.textformat import (
    bounds_text,
    cents_among,
    derived_note,
    goal_range,
    one_line,
    progress_bar,
    score_text,
    with_unit,
    words,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    from rich.console import Console, ConsoleOptions, Group, RenderableType
    from rich.segment import Segment
    from rich.style import Style
    from rich.text import Text

STATUS_STYLE = {
    Status.DONE: "bold green",
    Status.ON_TRACK: "green",
    Status.AT_RISK: "yellow",
    Status.OFF_TRACK: "red",
    Status.MISSED: "bold red",
    None: "dim",
}
HEALTH_STYLE = {
    Health.HEALTHY: "green",
    Health.WARNING: "yellow",
    Health.CRITICAL: "bold red",
    Health.UNKNOWN: "dim",
}
STATUS_MARK = {
    Status.DONE: "✔",
    Status.ON_TRACK: "●",
    Status.AT_RISK: "▲",
    Status.OFF_TRACK: "✖",
    Status.MISSED: "✖",
    None: "?",
}


def cents_of(key_result: KeyResultScore) -> bool:
    """Whether a key result's amounts are written with cents: its value now, baseline, target
    and forecast are shown together, and once one has cents all have them (`forecast
    $4.00/month` beside `$5.40/month`, not `$4/month`)."""
    model = key_result.node.key_result
    heading = key_result.heading
    amounts = (model.current, model.baseline, model.target, heading.value if heading else None)
    return cents_among(amounts, model.unit)


def key_result_value(key_result: KeyResultScore) -> str:
    """What the number is and where it is going, in one phrase."""
    model = key_result.node.key_result
    if key_result.shape is Shape.MILESTONE:
        return "done" if model.done else "not done yet"
    cents = cents_of(key_result)
    if not key_result.checked_in:
        current = "no check-in yet"
    else:
        current = with_unit(model.current, model.unit, cents=cents)
    if key_result.shape is Shape.KEEP:
        assert model.keep is not None
        return f"{current} (keep {bounds_text(model.keep.min, model.keep.max, model.unit)})"
    arrow = goal_range(model.baseline, model.target, model.unit, cents=cents)
    over = ""
    if key_result.progress is not None and key_result.progress > 1:
        over = f", {key_result.progress:.0%} of the way"
    return f"{current} ({arrow}{over})"


class Label:
    """A row of the tree as its parts, each text with its style ("" for none): rich's `Text`
    is built only where styles are written or the row must wrap; piped, a row that fits is
    its parts joined (building 36,000 `Text`s, to drop their styles, took a third of a
    second at 2,000 teams)."""

    __slots__ = ("parts",)

    def __init__(self) -> None:
        self.parts: list[tuple[str, str]] = []

    def append(self, text: str, style: str = "") -> None:
        self.parts.append((text, style))

    @property
    def plain(self) -> str:
        return "".join([text for text, _ in self.parts])

    def segments(self, styles: Callable[[str], Style]) -> list[Segment]:
        """The row as `Text.render` draws it, a segment a part, without building the `Text`:
        where it fits, which is nearly always (`styles`: a style's name to the style)."""
        from rich.segment import Segment

        return [Segment(text, styles(style)) for text, style in self.parts if text]

    def __rich__(self) -> Text:
        from rich.text import Text

        return Text.assemble(*self.parts)


class TitleAndRef:
    """A title and the ref after it on one line: the ref is what people copy into the next
    command, so at any width the title is cut (with an ellipsis), never the ref."""

    def __init__(self, title: Label, ref: str) -> None:
        self.title, self.ref = title, ref

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Text]:
        yield self.cut(options.max_width)

    @property
    def plain(self) -> str:
        return self.title.plain + self.ref

    def segments(self, styles: Callable[[str], Style]) -> list[Segment]:
        from rich.segment import Segment

        return [*self.title.segments(styles), Segment(self.ref, styles("dim"))]

    def cut(self, width: int) -> Text:
        """The line within `width` cells: the title cut, the ref whole."""
        from rich.text import Text

        title = self.title.__rich__()
        title.truncate(max(1, width - len(self.ref)), overflow="ellipsis")
        return Text.assemble(title, (self.ref, "dim"))


class Branch:
    """A node of the status tree: its rows (a title and ref cut to one line, or text that
    wraps) and the branches below it."""

    __slots__ = ("branches", "rows")

    def __init__(self, rows: list[Label | TitleAndRef]) -> None:
        self.rows = rows
        self.branches: list[Branch] = []


class CascadeTree:
    """The status tree, drawn as rich's `Tree` draws one (its guides, dim, and each row wrapped
    within what the guides leave), but laid out here: at 2,000 teams rich's tree took 3.3 s of
    a 4 s `status` for 36,000 rows, laying out each unit's subtree again at every level above
    it; a row that fits is rendered as it is, the few that do not wrap as rich wraps them."""

    GUIDES = ("    ", "│   ", "├── ", "└── ")
    ASCII_GUIDES = ("    ", "|   ", "+-- ", "`-- ")

    def __init__(self, roots: list[Branch]) -> None:
        self.roots = roots

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Any]:
        from rich.segment import Segment
        from rich.style import Style

        space, carry, fork, end = self.ASCII_GUIDES if options.ascii_only else self.GUIDES
        guide_style = console.get_style("dim") + Style(bold=False, underline2=False)
        guides = {text: Segment(text, guide_style) for text in (space, carry, fork, end)}
        new_line = Segment.line()
        width = options.max_width
        plain = console.color_system is None  # (no styles written: a line is one segment)
        styles = _Styles(console)
        # (branch, the guides before its first row, before its other rows and its branches')
        stack: list[tuple[Branch, tuple[str, ...], tuple[str, ...]]] = [
            (root, (), ()) for root in reversed(self.roots)
        ]
        while stack:
            branch, first, rest = stack.pop()
            room = max(1, width - 4 * len(first))  # (a cascade deeper than the terminal is wide)
            rows = branch.rows
            if plain:
                texts = [text for row in rows for text in _plain(row, console, options, room)]
                lead, more = "".join(first), "".join(rest)
                yield Segment(f"{lead}{texts[0]}\n")
                for text in texts[1:]:
                    yield Segment(f"{more}{text}\n")
            else:
                lines = [
                    line for row in rows for line in _lines(row, console, options, room, styles)
                ]
                for index, line in enumerate(lines):
                    yield from (guides[g] for g in (first if index == 0 else rest))
                    yield from line
                    yield new_line
            below = branch.branches
            for index in range(len(below) - 1, -1, -1):
                last = index == len(below) - 1
                head, tail = (end, space) if last else (fork, carry)
                stack.append((below[index], (*rest, head), (*rest, tail)))


class _Styles(dict[str, "Style"]):
    """A style's name to the console's style, each looked up once per tree."""

    def __init__(self, console: Console) -> None:
        from rich.style import Style

        self.console, self.null = console, Style.null()
        super().__init__({"": self.null})

    def __missing__(self, name: str) -> Style:
        found = self[name] = self.console.get_style(name, default=self.null)
        return found

    def __call__(self, name: str) -> Style:
        return self[name]


def _lines(
    row: Label | TitleAndRef,
    console: Console,
    options: ConsoleOptions,
    room: int,
    styles: Callable[[str], Style] | None = None,
) -> list[list[Any]]:
    """A row's lines of segments within `room` cells: as it is when it fits on one line."""
    if styles is not None and _fits(row, room):
        return [row.segments(styles)]
    text = row.cut(room) if isinstance(row, TitleAndRef) else row.__rich__()
    if text.cell_len <= room and "\n" not in text.plain:
        return [list(text.render(console, end=""))]
    return console.render_lines(text, options.update(width=room, height=None), pad=False)


def _fits(row: Label | TitleAndRef, room: int) -> bool:
    """Whether a row is one line of at most `room` cells, as it is (nearly every row)."""
    from rich.cells import cell_len

    text = row.plain
    return "\n" not in text and cell_len(text) <= room


def _plain(
    row: Label | TitleAndRef, console: Console, options: ConsoleOptions, room: int
) -> list[str]:
    """A row's lines within `room` cells where the console writes no styles (piped): its
    text as it is when it fits on one line (rendering the styles of 36,000 rows, to drop
    them, took half a second), else as rich wraps it."""
    if _fits(row, room):
        return [row.plain]
    lines = _lines(row, console, options, room)
    return ["".join([segment.text for segment in line]) for line in lines]


def _objective_label(objective: ObjectiveScore) -> list[Label | TitleAndRef]:
    """Two rows: the title (cut to one line) and the bar with score, expectation and status."""
    model = objective.node.objective
    style = STATUS_STYLE[objective.status]
    title = Label()
    title.append(f"{STATUS_MARK[objective.status]} ", style=style)
    title.append(one_line(model.title), style="bold")  # (a title's line break: a space)
    heading = TitleAndRef(title, f"  {objective.node.ref}")
    line = Label()
    if objective.score is not None:
        line.append(progress_bar(objective.score, objective.expected), style=style)
        line.append(f" {score_text(objective.score)}", style="bold")
        line.append(f"/{score_text(objective.expected)} ")
    line.append(words(objective.status), style=style)
    details: list[str] = [model.type]
    if model.category == "functional":
        details.append("functional")
    if objective.node.owner_handle:
        details.append(f"@{objective.node.owner_handle}")
    line.append("  " + " ".join(details), style="dim")
    return [heading, line]


def _key_result_label(key_result: KeyResultScore) -> Label:
    style = STATUS_STYLE[key_result.status]
    label = Label()
    label.append(f"{key_result.node.key_result.id}: ")
    derived = key_result.derived.as_json() if key_result.derived is not None else None
    scored = derived is not None and derived["how"] == "score"
    if scored:  # its value is its score: say where it comes from instead of 0.34 (0 → 1)
        label.append(derived_note(derived).strip(" ()"))
    else:
        label.append(key_result_value(key_result))
    if len(key_result.trend) > 1:
        label.append(f" {sparkline(key_result.trend)}", style="cyan")
    label.append(f"  {score_text(key_result.score)} ")
    label.append(words(key_result.status), style=style)
    if key_result.heading is not None:
        model = key_result.node.key_result
        misses = key_result.heading.score < 1
        forecast = with_unit(key_result.heading.value, model.unit, cents=cents_of(key_result))
        label.append(
            f"  forecast {forecast}",
            style="red" if misses else "green",
        )
    if derived is not None and not scored:
        label.append(" " + derived_note(derived), style="dim")
    return label


def _kpi_label(kpi: KpiScore) -> Label:
    model = kpi.node.kpi
    label = Label()
    label.append("KPI ", style="dim")
    label.append(f"{one_line(model.title)}: ")
    label.append(
        "no reading yet" if model.current is None else with_unit(model.current, model.unit)
    )
    if model.healthy is not None:
        label.append(f" (healthy {bounds_text(model.healthy.min, model.healthy.max, model.unit)}) ")
    label.append(str(kpi.health), style=HEALTH_STYLE[kpi.health])
    return label


def _unit_label(unit: UnitScore) -> Label:
    model = unit.unit_file.unit
    label = Label()
    label.append(one_line(model.display_name), style="bold")
    role = f"  {model.kind}" + (f" · lead {model.lead}" if model.lead else "")
    label.append(role, style="dim")
    if unit.score is not None:
        label.append(f"  score {score_text(unit.score)}", style="bold")
    return label


def status_tree(
    card: Scorecard, title: str, quiet: Sequence[tuple[str, str, str | None]] = ()
) -> Group:
    """The cascade as a tree: units by `parent`, each with its objectives, key results, KPIs;
    then what needs attention (`quiet`: the numbers gone quiet, ref, how long and source)."""
    from rich.console import Group
    from rich.text import Text

    header = Text()
    header.append(title, style="bold")
    header.append(
        f" · {card.period.name} · as of {card.moment.as_of.isoformat()}"
        f" · {card.elapsed:.0%} of the period gone"
    )
    legend = Text("score/expected by now; the bar's │ marks where the score should be", style="dim")
    roots: list[Branch] = []
    stack: list[Branch] = []
    for unit in card.units:
        node = Branch([_unit_label(unit)])
        del stack[unit.depth :]
        (stack[-1].branches if stack else roots).append(node)
        stack.append(node)
        for objective in unit.objectives:
            branch = Branch(_objective_label(objective))
            node.branches.append(branch)
            branch.branches += [Branch([_key_result_label(kr)]) for kr in objective.key_results]
        node.branches += [Branch([_kpi_label(kpi)]) for kpi in unit.kpis]
    tree = CascadeTree(roots)
    return Group(header, legend, Text(), tree, Text(), attention_summary(card, quiet))


class Hanging:
    """A row whose body wraps under itself, not back at the left edge: on a narrow terminal
    `0.36 at risk  growth/convert-signups  Turn more signups into funded` goes on with
    `accounts` under `growth/…` (and no line is padded out with spaces, as a table's are)."""

    def __init__(self, prefix: Text, body: Text) -> None:
        self.prefix, self.body = prefix, body

    def __rich_console__(self, console: Any, options: Any) -> Iterator[Text]:
        from rich.text import Text

        indent = self.prefix.cell_len
        lines = self.body.wrap(console, max(options.max_width - indent, 20))
        for index, line in enumerate(lines):
            head = self.prefix.copy() if index == 0 else Text(" " * indent)
            line.rstrip()  # (where the line broke)
            head.append_text(line)
            yield head


ATTENTION_EACH = 10
"""Items of each kind "Needs attention" lists; past them, one line counts the rest (at 2,000
teams it listed 20,000 numbers never checked in, and the tree above scrolled out of sight)."""


def attention_summary(
    card: Scorecard, quiet: Sequence[tuple[str, str, str | None]] = ()
) -> RenderableType:
    """What needs attention: off-track or missed objectives, critical KPIs, numbers forecast
    to miss, gone quiet (`quiet`: ref, how long, and the source a derived number's silence is
    of; longest first) or never checked in (and not quiet for long yet); at most
    `ATTENTION_EACH` of each kind. Each item is a row of two columns, so a long one wraps
    under its own text, not the margin."""
    from rich.console import Group
    from rich.text import Text

    troubled = [
        o for o in card.objectives.values() if o.status in (Status.OFF_TRACK, Status.MISSED)
    ]
    critical = [k for k in card.kpis.values() if k.health is Health.CRITICAL]
    never = {k.ref for k in card.key_results.values() if not k.checked_in}
    quiet_refs = {ref for ref, _, _ in quiet}
    silent = [k for k in card.key_results.values() if k.ref in never - quiet_refs]
    missing = [
        k for k in card.key_results.values() if k.heading is not None and k.heading.score < 1
    ]
    if not (troubled or critical or silent or missing or quiet):
        return Text("Nothing needs attention: every objective is on pace and every KPI healthy.")
    kinds: list[tuple[list[tuple[str, str, str]], str]] = [  # (label, style, text)s, where all are
        (
            [
                (
                    words(o.status),
                    STATUS_STYLE[o.status],
                    f"{o.ref} ({score_text(o.score)}, expected {score_text(o.expected)})",
                )
                for o in troubled
            ],
            "okrctl status --format json",
        ),
        (
            [
                ("critical KPI", HEALTH_STYLE[k.health], f"{k.ref} at {_current(k)}")
                for k in critical
            ],
            "okrctl status --format json",
        ),
        (
            [("forecast to miss", "red", _heading(k)) for k in missing],
            "okrctl status --format json",
        ),
        (
            [
                ("quiet", "yellow", f"{ref} ({_quiet_for(said, ref in never, through)})")
                for ref, said, through in quiet
            ],
            "okrctl check",
        ),
        ([("never checked in", "yellow", k.ref) for k in silent], "okrctl status --format json"),
    ]
    rows = []
    for items, everything in kinds:
        rows += [_attention_row(*item) for item in items[:ATTENTION_EACH]]
        if len(items) > ATTENTION_EACH:
            rest = f"…and {len(items) - ATTENTION_EACH:,} more ({everything} lists every one)"
            rows.append(_attention_row("", "dim", rest))
    return Group(Text("Needs attention", style="bold"), *rows)


def _quiet_for(said: str, never: bool, through: str | None) -> str:
    """A quiet number's days; one never checked in says so there, and is not named again
    under "never checked in" (that list keeps the ones not stale yet). A number derived
    `from:` others is never checked in itself: the source to check in is named, as `check`
    names it."""
    if through is not None:
        return f"{said} without a check-in of its source {through}"
    return f"never checked in, {said}" if never else f"{said} without a check-in"


def _current(kpi: KpiScore) -> str:
    return with_unit(kpi.node.kpi.current, kpi.node.kpi.unit)


def _heading(key_result: KeyResultScore) -> str:
    model = key_result.node.key_result
    assert key_result.heading is not None
    cents = cents_of(key_result)
    return (
        f"{key_result.ref} (heading for "
        f"{with_unit(key_result.heading.value, model.unit, cents=cents)}, "
        f"target {with_unit(model.target, model.unit, cents=cents)})"
    )


def _attention_row(label: str, style: str, text: str) -> Hanging:
    from rich.text import Text

    return Hanging(Text(f"  {label}: " if label else "  ", style=style), Text(text))
