"""The command line: parse arguments, call the library, print, pick the exit code. Nothing else.

Library modules are imported inside each command so that `okrctl --help` stays fast. Unlike the
rest of the package, this module evaluates its annotations when it is imported (no `from
__future__ import annotations`): typer reads the signature of every command on every run, and
evaluating them back from strings cost a tenth of a warm `okrctl history` (measured in
instructions with callgrind).
"""

import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import typer

from okrctl._version import __version__
from okrctl.views import completion

if TYPE_CHECKING:
    from okrctl.commands.check import CheckResult
    from okrctl.commands.send import Sent
    from okrctl.model.findings import Finding
    from okrctl.store.workspace import Workspace
    from okrctl.views.review import Review

app = typer.Typer(
    name="okrctl",
    help="Goals as reviewed, versioned YAML: validate the cascade, score it, report it.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

RepoOption = Annotated[
    Path | None,
    typer.Option(
        "--repo",
        help="Folder of okrctl.yaml (default: search upward from the current folder).",
        file_okay=True,
        dir_okay=True,
    ),
]


AtOption = Annotated[
    str | None,
    typer.Option("--at", help="Read the goals as they were at a git revision or period."),
]
AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar="DATE",
        help="Score as of the end of this day, YYYY-MM-DD (default: now).",
    ),
]


ScopeArgument = Annotated[
    str | None,
    typer.Argument(
        help="A unit id: it and every unit below it (default: all).",
        autocompletion=completion.units,
    ),
]


class StatusFormat(StrEnum):
    text = "text"
    json = "json"
    md = "md"


class CheckFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"okrctl {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", "-V", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Goals as reviewed, versioned YAML: validate the cascade, score it, report it."""


def _workspace(repo: Path | None) -> "Workspace":
    """The goals a command that only reads works on, with git asked where they are in a forked
    child meanwhile (`Workspace.ask_git_ahead`): called before the command imports its own
    modules, which that child's work goes on beside."""
    from okrctl.store.workspace import Workspace

    with _user_errors():
        return Workspace.open(repo).ask_git_ahead()


@contextmanager
def _user_errors() -> Iterator[None]:
    """Library errors become a message on stderr and their exit code; never a traceback."""
    from okrctl.model.errors import OkrctlError

    try:
        yield
    except OkrctlError as error:
        typer.echo(f"okrctl: {error}", err=True)
        raise typer.Exit(error.exit_code) from None


@app.command()
def check(
    repo: RepoOption = None,
    output_format: Annotated[
        CheckFormat,
        typer.Option(
            "--format",
            help="text (for people), json (for scripts) or github (workflow annotations).",
        ),
    ] = CheckFormat.text,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
    as_of: AsOfOption = None,
    at: AtOption = None,
) -> None:
    """Run the rules over every goals file and report all findings.

    Example: okrctl check --format github --strict
    """
    workspace = _workspace(repo)
    from okrctl.commands.check import check_repo
    from okrctl.render import findings as diagnostics

    with _user_errors():
        result = check_repo(workspace, at=at, as_of=_date(as_of))
    findings = result.findings
    if output_format is CheckFormat.github:
        _check_github(result)
        raise typer.Exit(result.exit_code(strict=strict))
    _report_problems(result.notes, [])
    if output_format is CheckFormat.json:
        _echo_json(diagnostics.findings_json(findings))
    else:
        repository = result.repository
        _print_styled(
            diagnostics.findings_text(findings, repository.texts, repository.files_read, _width())
        )
    raise typer.Exit(result.exit_code(strict=strict))


def _check_github(result: "CheckResult") -> None:
    """Annotations on stdout (notes too, as warnings), the whole table in the job summary when
    GitHub gives one (`$GITHUB_STEP_SUMMARY`), the totals on stderr."""
    import os

    from okrctl.render import github
    from okrctl.render.findings import summary_line

    prefix = result.git_prefix
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    files_read = result.repository.files_read
    if summary_file:
        table = github.step_summary(result.findings, files_read, prefix, os.environ)
        try:
            with open(summary_file, "a", encoding="utf-8") as handle:
                handle.write(table)
        except OSError as exc:
            typer.echo(f"okrctl: cannot write the job summary: {exc.strerror}", err=True)
            summary_file = None
    text = github.annotation_lines(
        result.findings, prefix, result.notes, summary=bool(summary_file)
    )
    if text:
        typer.echo(text)
    typer.echo(summary_line(result.findings, files_read), err=True)


def _width(stream: TextIO | None = None) -> int | None:
    """The width text output to `stream` (stdout) fits, read as rich reads it: `COLUMNS` when
    set, else the terminal's. Piped without `COLUMNS`, None: a finding stays on one line for
    grep and editors' problem matchers."""
    import os
    import shutil

    columns = os.environ.get("COLUMNS", "")
    if columns.strip().isdigit() and int(columns) > 0:
        return max(int(columns), 20)
    if (stream or sys.stdout).isatty():
        return max(shutil.get_terminal_size().columns, 20)
    return None


def _print_styled(styled: list[tuple[str, str]]) -> None:
    """Plain text when piped or with NO_COLOR; on a terminal, the renderer's styles, printed as
    one text, not line by line, so thousands of lines print in milliseconds."""
    import os

    if not sys.stdout.isatty() or os.environ.get("NO_COLOR"):
        sys.stdout.write("".join(segment for segment, _ in styled) + "\n")  # no rich at all
        return
    from rich.console import Console
    from rich.text import Text

    Console(soft_wrap=True, highlight=False).print(Text.assemble(*styled))


@app.command()
def status(
    scope: ScopeArgument = None,
    repo: RepoOption = None,
    output_format: Annotated[
        StatusFormat, typer.Option("--format", help="text (a tree), json (scripts) or md.")
    ] = StatusFormat.text,
    as_of: AsOfOption = None,
    at: AtOption = None,
) -> None:
    """The cascade with scores, expected progress, status and KPI health.

    Example: okrctl status growth --as-of 2026-11-15
    """
    workspace = _workspace(repo)
    from okrctl.commands.status import status as score
    from okrctl.views.status import status_json_head

    if output_format is StatusFormat.json and not sys.stdout.isatty():
        from okrctl.commands.status import status_json

        with _user_errors():
            scored, units = status_json(workspace, scope, at=at, as_of=_date(as_of))
        _report_problems(scored.notes, scored.load_findings)
        _echo_json_texts(status_json_head(scored.card), "units", units)
        raise typer.Exit(scored.exit_code)
    with _user_errors():
        scored = score(workspace, scope, at=at, as_of=_date(as_of))
    _report_problems(scored.notes, scored.load_findings)
    if output_format is StatusFormat.json:
        from okrctl.views.status import unit_json

        card = scored.card
        _echo_json_list(status_json_head(card), "units", (unit_json(u) for u in card.units))
    elif output_format is StatusFormat.md:
        from okrctl.render.commands import status_markdown

        sys.stdout.write(status_markdown(scored.card, scored.title))
    else:
        from rich.console import Console

        from okrctl.render.terminal import status_tree

        Console(highlight=False).print(
            status_tree(scored.card, scored.title, scored.gone_quiet()), crop=False
        )
    raise typer.Exit(scored.exit_code)


def _echo_json(payload: object) -> None:
    """Indented for a person at a terminal; compact when piped, where json's C encoder is
    several times faster on a big organisation (indenting falls back to pure Python)."""
    from okrctl.views.json_text import compact

    text = compact(payload, indent=2 if sys.stdout.isatty() else None)
    sys.stdout.write(text)  # not `text + "\n"`: at 20,000 units a copy is 80 MB
    sys.stdout.write("\n")


def _echo_json_list(head: dict[str, object], key: str, items: Iterable[object]) -> None:
    """`head` with `key` holding `items`, as `_echo_json` writes it, but piped one item at a
    time: at 20,000 units the whole payload and its text would hold half a gigabyte at once.
    The bytes are json.dumps' own (its default separators), `key` last."""

    if sys.stdout.isatty():
        _echo_json({**head, key: list(items)})
        return
    from okrctl.views.json_text import compact

    _echo_json_texts(head, key, (compact(item) for item in items))


def _echo_json_texts(head: dict[str, object], key: str, texts: Iterable[str]) -> None:
    """`head` with `key` holding the items whose JSON `texts` are (each one or several items
    joined by `, `), written as `_echo_json_list` writes them piped."""
    from okrctl.views.json_text import compact

    opening = compact({**head, key: []})
    assert opening.endswith("[]}")
    sys.stdout.write(opening[:-2])
    for index, text in enumerate(texts):
        if index:
            sys.stdout.write(", ")
        sys.stdout.write(text)
    sys.stdout.write("]}\n")


def _date(text: str | None) -> date | None:
    """Parse `--as-of`; a bad date is a usage error (exit 2)."""
    if text is None:
        return None
    from okrctl.core.periods import parse_date

    try:
        return parse_date(text)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--as-of") from None


def _report_problems(notes: list[str], findings: "list[Finding]") -> None:
    """Notes, and the findings of files that did not load, go to stderr; data stays on stdout."""
    from okrctl.model.counts import counted
    from okrctl.render.textformat import wrapped

    for note in notes:
        typer.echo(wrapped(f"okrctl: note: {note}", _width(sys.stderr), 4), err=True)
    _echo_findings(findings)
    if findings:
        typer.echo(
            f"okrctl: {counted(len({f.file for f in findings}), 'file')} did not load; "
            "run `okrctl check` for details",
            err=True,
        )


def _echo_findings(findings: "list[Finding]") -> None:
    """One `file:line:col: severity rule: message` line per finding, on stderr."""
    for f in findings:
        typer.echo(f"{f.file}:{f.line}:{f.column}: {f.severity} {f.rule}: {f.message}", err=True)


class ShowFormat(StrEnum):
    text = "text"
    json = "json"


@app.command()
def show(
    ref: Annotated[
        str,
        typer.Argument(
            help="A unit, objective, key result or KPI ref.", autocompletion=completion.refs
        ),
    ],
    repo: RepoOption = None,
    output_format: Annotated[
        ShowFormat, typer.Option("--format", help="text or json.")
    ] = ShowFormat.text,
    as_of: AsOfOption = None,
    at: AtOption = None,
) -> None:
    """One unit, objective, key result or KPI: numbers, why-ladder, what supports it.

    Example: okrctl show growth/convert-signups
    """
    workspace = _workspace(repo)
    from okrctl.commands.show import show as page

    with _user_errors():
        shown = page(workspace, ref, at=at, as_of=_date(as_of))
    _report_problems(shown.scored.notes, shown.scored.load_findings)
    if output_format is ShowFormat.json:
        _echo_json(shown.as_json())
    else:
        from rich.console import Console

        from okrctl.render.show_terminal import show_renderable

        Console(highlight=False).print(show_renderable(shown.page))
    raise typer.Exit(shown.scored.exit_code)


class ReportFormat(StrEnum):
    md = "md"
    html = "html"


@app.command()
def report(
    scope: ScopeArgument = None,
    template: Annotated[
        str | None,
        typer.Option(
            "--template", help="one-on-one, team, company or wall (default: by the scope)."
        ),
    ] = None,
    since: Annotated[
        str,
        typer.Option("--since", help="Changes since: 14d (days before as-of), a date, a revision."),
    ] = "14d",
    repo: RepoOption = None,
    output_format: Annotated[
        ReportFormat,
        typer.Option(
            "--format", help="md, or html (one page for browsers; `send digest` mails it)."
        ),
    ] = ReportFormat.md,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write to this file.")
    ] = None,
    as_of: AsOfOption = None,
    at: AtOption = None,
) -> None:
    """Render a report through a Jinja template: a 1:1, a team page, the company digest, a wall.

    Example: okrctl report tom --template one-on-one --since 2026-11-01
    """
    from okrctl.commands.report import report as gather
    from okrctl.render.markdown import render_report

    with _user_errors():  # (git is not asked ahead: docs/architecture.md says why)
        request = gather(repo, scope, template=template, since=since, at=at, as_of=_date(as_of))
        text = render_report(request, html=output_format is ReportFormat.html)
        if output is not None:
            from okrctl.store.writefile import write_output

            write_output(output, text.encode("utf-8"))
    snapshot = request.snapshot
    _report_problems(snapshot.notes, snapshot.repository.findings)
    if output is None:
        sys.stdout.write(text)
    else:
        typer.echo(f"wrote {output}", err=True)
    raise typer.Exit(1 if snapshot.repository.findings else 0)


@app.command(context_settings={"ignore_unknown_options": True})  # VALUE may be negative: -5
def checkin(
    ref: Annotated[
        str | None,
        typer.Argument(
            help="A key result or KPI ref (none: a guided round over your numbers).",
            autocompletion=completion.measured_refs,
        ),
    ] = None,
    value: Annotated[
        str | None,
        typer.Argument(help="The new number; for a milestone true/done or false/undone."),
    ] = None,
    as_person: Annotated[
        str | None,
        typer.Option("--as", metavar="PERSON", help="Whose numbers a guided round asks about."),
    ] = None,
    from_event: Annotated[
        Path | None,
        typer.Option(
            "--from-event",
            metavar="FILE",
            help="Check in what a workflow's event asks for (an issue form, Run workflow).",
        ),
    ] = None,
    reply: Annotated[
        Path | None,
        typer.Option("--reply", metavar="FILE", help="With --from-event: write the reply here."),
    ] = None,
    confidence: Annotated[
        str | None, typer.Option("--confidence", help="Your confidence, 0 to 1.")
    ] = None,
    message: Annotated[
        str | None, typer.Option("-m", "--message", help="A note for the commit body.")
    ] = None,
    no_commit: Annotated[
        bool, typer.Option("--no-commit", help="Edit the file but leave it uncommitted.")
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Check in a value 50 times larger or smaller than any the number holds or "
            "aims for (refused without it, as a likely slip: 0.41 for 41%).",
        ),
    ] = False,
    repo: RepoOption = None,
) -> None:
    """Write a new value back (comments and layout kept) and commit just that file; with no
    REF, ask about each of your numbers in turn and commit them together.

    Example: okrctl checkin signups/effortless-funding/funded-rate 41.2 --confidence 0.6
    """
    from okrctl.commands.checkin import checkin as run_checkin
    from okrctl.render.textformat import values_in_unit

    if from_event is not None:
        _checkin_from_event(repo, from_event, reply)
        return
    if ref is None:
        _guided_round(repo, as_person)
        return
    with _user_errors():
        from okrctl.model.errors import UsageError

        # (VALUE may be negative, so an unknown option is taken for an argument: say what it is)
        unknown = next((a for a in (ref, value) if a and _option_shaped(a)), None)
        if unknown is not None:
            raise UsageError(f"no such option: {unknown} (`okrctl checkin -h` lists them)")
        if value is None:
            raise UsageError(f"give {ref}'s new VALUE (or no REF at all, for a guided round)")
        result = run_checkin(
            repo, ref, value, confidence=confidence, note=message, commit=not no_commit,
            force=force,
        )  # fmt: skip
    old, new = values_in_unit([result.old, result.new], result.unit)
    change = f"{old} → {new}" if result.changed else f"{new} (unchanged)"
    where = f"committed {result.commit[:10]}" if result.commit else "not committed"
    typer.echo(f"{result.ref}: {change} in {result.file}; {where}")


def _checkin_from_event(repo: Path | None, event: Path, reply: Path | None) -> None:
    """The reply goes to `reply` (for the workflow to post) and to stdout; exit 1 when the
    check-in was refused, with nothing written."""
    from okrctl.commands.checkin_event import checkin_from_event

    with _user_errors():
        result = checkin_from_event(repo, event)
    if reply is not None:
        reply.write_text(result.reply, encoding="utf-8")
    typer.echo(result.reply, nl=False)
    if not result.ok:
        raise typer.Exit(1)


def _option_shaped(text: str) -> bool:
    """`--bogus` or `-x`, not a negative value: `-5`, `-.5`, `-5%`, `-$5`."""
    return text[:1] == "-" and not (text[1:2].isdigit() or text[1:2] in (".", "$"))


def _guided_round(repo: Path | None, person: str | None) -> None:
    """`okrctl checkin` with no ref: ask in the terminal, then one commit for the round."""
    import sys

    from okrctl.commands.checkin_round import open_round, submit
    from okrctl.model.errors import UsageError
    from okrctl.render.round_prompts import ask_round

    with _user_errors():
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            raise UsageError(
                "a guided check-in asks questions, and this is not a terminal: run "
                "`okrctl checkin REF VALUE [--confidence C] [-m NOTE]`"
            )
        round_ = open_round(repo, person)
        if not round_.due:
            typer.echo(f"{round_.person} answers for no key result or KPI: nothing to ask")
            return
        count = len(round_.due)
        typer.echo(f"{count} number{'s' * (count != 1)} for {round_.person}, stalest first.")
        try:
            answers = ask_round(round_.due)
        except (KeyboardInterrupt, EOFError):
            typer.echo("\nokrctl: stopped: nothing was written", err=True)
            raise typer.Exit(130) from None
        round_ = submit(repo, round_, answers)
    if not round_.checked_in:
        typer.echo("nothing checked in; nothing was written")
        return
    where = f"committed {round_.commit[:10]}" if round_.commit else "not committed"
    typer.echo(f"checked in {len(round_.checked_in)} of {len(round_.due)}; {where}")


@app.command()
def measure(
    scope: ScopeArgument = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Read the sources but write nothing.")
    ] = False,
    as_of: AsOfOption = None,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Seconds each source may take (default 30).")
    ] = 30.0,
    max_body: Annotated[
        int | None,
        typer.Option(
            "--max-body", help="Bytes an HTTP source may answer (default 10,000,000).", min=1
        ),
    ] = None,
    output_format: Annotated[
        ShowFormat, typer.Option("--format", help="text or json.")
    ] = ShowFormat.text,
    repo: RepoOption = None,
) -> None:
    """Read every `measure:` (SQL, CSV, JSON API) and check in the changed values, in one commit.

    Example: okrctl measure growth --dry-run
    """
    from okrctl.commands.measure import measure as run_measure

    with _user_errors(), _progress(enabled=output_format is ShowFormat.text) as progress:
        result = run_measure(
            repo,
            scope,
            as_of=_date(as_of),
            dry_run=dry_run,
            timeout=timeout,
            max_body=max_body,
            progress=progress,
        )
    _report_problems(result.notes, [])
    if output_format is ShowFormat.json:
        _echo_json(result.as_json())
    else:
        from okrctl.render.measure import measure_text

        _print_styled(measure_text(result))
    raise typer.Exit(result.exit_code)


@app.command()
def site(
    out: Annotated[Path, typer.Argument(help="The folder to build the site into.")],
    repo: RepoOption = None,
    as_of: AsOfOption = None,
    at: AtOption = None,
    base_url: Annotated[
        str, typer.Option("--base-url", help="Where the site will be served (for shared links).")
    ] = "",
    force: Annotated[
        bool,
        typer.Option("--force", help="Build into a folder holding other files (left alone)."),
    ] = False,
) -> None:
    """Build the whole company as a static dashboard: a folder of HTML pages, no server needed.

    Example: okrctl site public --base-url https://okrs.example.com
    """
    from okrctl.commands.site import site as build
    from okrctl.model.counts import counted

    with _user_errors():  # (git is not asked ahead: docs/architecture.md says why)
        built = build(repo, out, at=at, as_of=_date(as_of), base_url=base_url, force=force)
    _report_problems(built.notes, [])
    written = built.written
    removed = f"; removed {counted(written.removed, 'old file')}" if written.removed else ""
    typer.echo(f"Wrote {written.pages} files to {written.folder}{removed}.")


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="A .csv or .xlsx file, one row per key result.")],
    repo: RepoOption = None,
    mapping: Annotated[
        list[str] | None,
        typer.Option("--map", help="COLUMN=FIELD: read another header as a known column."),
    ] = None,
    sheet: Annotated[str | None, typer.Option("--sheet", help="The .xlsx sheet to read.")] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the files it would write; write nothing.")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace unit files that exist.")] = False,
    max_size: Annotated[
        int | None,
        typer.Option(
            "--max-size",
            help="Bytes the sheet may hold, unpacked for .xlsx (default 50,000,000).",
            min=1,
        ),
    ] = None,
) -> None:
    """Turn an OKR spreadsheet into unit files, one per team, ids derived from titles.

    Example: okrctl import okrs.xlsx --map "Key Result Name=key result"
    """
    from okrctl.commands.importing import import_file

    pairs: dict[str, str] = {}
    for item in mapping or []:
        column, sep, field_name = item.partition("=")
        if not sep or not column.strip() or not field_name.strip():
            typer.echo(f"okrctl: --map {item!r}: write COLUMN=FIELD", err=True)
            raise typer.Exit(2)
        pairs[column.strip()] = field_name.strip()
    with _user_errors():
        result = import_file(
            repo,
            file,
            mapping=pairs,
            sheet=sheet,
            dry_run=dry_run,
            force=force,
            max_size=max_size,
        )
    for skipped in result.skipped:
        typer.echo(f"{file.name}:{skipped.row}: skipped: {skipped.why}", err=True)
    for existing in result.existing:
        typer.echo(f"okrctl: {existing} exists: pass --force to replace it", err=True)
    verb = "would write" if dry_run else ("wrote" if not result.existing else "nothing written;")
    if not result.existing:
        for name in result.files:
            typer.echo(f"{verb} {name}")
    _echo_findings(result.findings)
    raise typer.Exit(result.exit_code)


@app.command()
def export(
    file: Annotated[Path, typer.Argument(help="The .csv or .xlsx file to write.")],
    scope: ScopeArgument = None,
    repo: RepoOption = None,
    as_of: AsOfOption = None,
    at: AtOption = None,
) -> None:
    """Write every key result and KPI as a spreadsheet row: numbers, score, status, last check-in.

    Example: okrctl export okrs.xlsx
    """
    from okrctl.commands.export import export as run_export

    with _user_errors():
        result = run_export(repo, file, scope, at=at, as_of=_date(as_of))
    _report_problems(result.notes, [])
    typer.echo(f"Wrote {len(result.rows)} rows to {file}.")


send_app = typer.Typer(
    help="Push the numbers to people: the digest by email or chat, nudges to quiet owners.\n\n"
    "Example: okrctl send digest --to all@example.com --dry-run",
    no_args_is_help=True,
)
app.add_typer(send_app, name="send")

DryRunOption = Annotated[
    bool, typer.Option("--dry-run", help="Send nothing; print who would get what.")
]
OutOption = Annotated[
    Path | None,
    typer.Option("--out", help="Write each message as an .eml file into this folder, unsent."),
]
SendTimeoutOption = Annotated[
    float, typer.Option("--timeout", help="Seconds the mail server or webhook may take (30).")
]


@send_app.command("digest")
def send_digest(
    scope: ScopeArgument = None,
    to: Annotated[
        list[str] | None, typer.Option("--to", help="An address to send the digest to (repeat).")
    ] = None,
    template: Annotated[str, typer.Option("--template", help="The report template.")] = "company",
    webhook: Annotated[
        str | None,
        typer.Option(
            "--webhook",
            help="Post the summary to a Slack/Mattermost/Teams incoming webhook "
            "(default: $OKRCTL_WEBHOOK_URL).",
        ),
    ] = None,
    dry_run: DryRunOption = False,
    out: OutOption = None,
    timeout: SendTimeoutOption = 30.0,
    as_of: AsOfOption = None,
    repo: RepoOption = None,
) -> None:
    """Email the report (text and HTML, charts as images) and post its summary to chat.

    Example: okrctl send digest --to all@example.com --dry-run
    """
    from okrctl.commands.send import send_digest as run

    with _user_errors():
        result = run(
            repo,
            to or [],
            scope=scope,
            template=template,
            as_of=_date(as_of),
            webhook=webhook,
            dry_run=dry_run,
            out=out,
            timeout=timeout,
        )
    _report_sent(result)


@send_app.command("nudges")
def send_nudges(
    scope: ScopeArgument = None,
    dry_run: DryRunOption = False,
    out: OutOption = None,
    timeout: SendTimeoutOption = 30.0,
    as_of: AsOfOption = None,
    repo: RepoOption = None,
) -> None:
    """Email each owner whose key results or KPIs went stale: one email per person.

    Example: okrctl send nudges --dry-run
    """
    from okrctl.commands.send import send_nudges as run

    with _user_errors():
        result = run(
            repo, scope=scope, as_of=_date(as_of), dry_run=dry_run, out=out, timeout=timeout
        )
    _report_sent(result)


def _report_sent(result: "Sent") -> None:
    """Who got what on stdout; every failure, with its cause, on stderr; exit 1 on any."""
    from okrctl.commands.send import WEBHOOK

    _report_problems(result.notes, [])
    for address, why in result.refused:
        typer.echo(f"okrctl: not sent to {address!r}: {why}", err=True)
    failed = {(d.recipient, d.subject): d.error for d in result.deliveries if not d.sent}
    for recipient, subject in result.planned:
        if result.dry_run:
            typer.echo(f"would send to {recipient}: {subject}")
        elif result.written:
            typer.echo(f"wrote for {recipient}: {subject}")
        elif (recipient, subject) in failed:
            typer.echo(f"okrctl: not sent to {recipient}: {failed[recipient, subject]}", err=True)
        elif recipient == WEBHOOK:
            if result.webhook_error:
                typer.echo(f"okrctl: webhook not posted: {result.webhook_error}", err=True)
            else:
                typer.echo("posted the summary to the webhook")
        else:
            typer.echo(f"sent to {recipient}: {subject}")
    for path in result.written:
        typer.echo(f"  {path}")
    for handle in result.without_address:
        typer.echo(
            f"okrctl: no address for {handle}: add `email:` to their person file or "
            f"`emails: {{{handle}: ...}}` to okrctl.yaml",
            err=True,
        )
    raise typer.Exit(result.exit_code)


@contextmanager
def _progress(*, enabled: bool) -> Iterator[Callable[[int, int, str], None] | None]:
    """A progress bar on stderr while sources run, on a terminal only."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import Progress

    with Progress(console=_stderr_console(), transient=True) as bar:
        task = bar.add_task("measuring", total=None)

        def advance(done: int, total: int, ref: str) -> None:
            bar.update(task, completed=done, total=total, description=ref or "done")

        yield advance


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


@app.command()
def history(
    ref: Annotated[
        str,
        typer.Argument(help="A key result or KPI ref.", autocompletion=completion.measured_refs),
    ],
    repo: RepoOption = None,
    output_format: Annotated[
        ShowFormat, typer.Option("--format", help="text or json.")
    ] = ShowFormat.text,
) -> None:
    """The check-ins of a key result or KPI from git, oldest first.

    Example: okrctl history signups/effortless-funding/funded-rate --format json
    """
    from okrctl.commands.history import history as read_checkins

    with _user_errors():
        result = read_checkins(repo, ref)
    _report_problems(result.notes, [])
    if output_format is ShowFormat.json:
        _echo_json(result.as_json())
        return
    from okrctl.render.commands import history_said

    _print_styled(history_said(result, _width()))


class DiffFormat(StrEnum):
    text = "text"
    md = "md"
    json = "json"


@app.command()
def diff(
    source: Annotated[str, typer.Argument(metavar="A", help="A period (2026-Q3) or revision.")],
    target: Annotated[
        str | None,
        typer.Argument(metavar="[B]", help="A period or revision (default: the working tree)."),
    ] = None,
    values: Annotated[
        bool, typer.Option("--values", help="Include check-in values and confidences.")
    ] = False,
    repo: RepoOption = None,
    output_format: Annotated[
        DiffFormat, typer.Option("--format", help="text, md or json.")
    ] = DiffFormat.text,
) -> None:
    """What changed between two periods or revisions: goals added, removed and changed.

    Example: okrctl diff HEAD~5 --format md
    """
    from okrctl.commands import diff as diffing

    with _user_errors():
        result = diffing.diff(repo, source, target, values=values)
    if output_format is DiffFormat.json:
        _echo_json(result.as_json())
        return
    from okrctl.render.commands import diff_markdown, diff_text

    render = diff_text if output_format is DiffFormat.text else diff_markdown
    typer.echo(render(result).rstrip("\n"))


class RetroFormat(StrEnum):
    md = "md"
    json = "json"


@app.command()
def retro(
    period: Annotated[str, typer.Argument(help="The period, like 2026-Q3.")],
    scope: ScopeArgument = None,
    repo: RepoOption = None,
    output_format: Annotated[
        RetroFormat, typer.Option("--format", help="md (a document) or json.")
    ] = RetroFormat.md,
) -> None:
    """The retrospective of a period: grades, goal-posts moved, mid-period changes, cadence.

    Example: okrctl retro 2026-Q4 > retro.md
    """
    from okrctl.commands import retro as retrospective

    with _user_errors():
        result = retrospective.retro(repo, period, scope)
    if output_format is RetroFormat.json:
        _echo_json(result.as_json())
    else:
        from okrctl.render.commands import retro_markdown

        sys.stdout.write(retro_markdown(result))


class ReviewFormat(StrEnum):
    text = "text"
    md = "md"
    json = "json"
    github = "github"


@app.command()
def review(
    base: Annotated[
        str, typer.Argument(help="What the change is compared with: a revision (origin/main).")
    ],
    head: Annotated[
        str | None,
        typer.Argument(
            metavar="[HEAD]", help="The change: a revision (default: the working tree)."
        ),
    ] = None,
    output_format: Annotated[
        ReviewFormat,
        typer.Option(
            "--format",
            help="text, md, json, or github (annotations, and the job summary when there is one).",
        ),
    ] = ReviewFormat.text,
    comment_file: Annotated[
        Path | None,
        typer.Option(
            "--comment-file",
            metavar="PATH",
            help="Also write the review as one pull-request comment's Markdown here.",
        ),
    ] = None,
    fail_on: Annotated[
        str | None,
        typer.Option(
            "--fail-on",
            metavar="KIND,...",
            help="Exit 1 when any of these happened: error, warning, goalpost, scope, backwards, "
            "jump, confidence, owner; or none (default: error, new errors only).",
        ),
    ] = None,
    as_of: AsOfOption = None,
    repo: RepoOption = None,
) -> None:
    """What a change (a pull request) does to the quarter: goal-posts moved, scope changed,
    check-ins, score deltas, and the findings it introduces.

    Example: okrctl review main --format github --comment-file review.md
    """
    from okrctl.commands.review import parse_fail_on, review_change
    from okrctl.render import review as shown

    with _user_errors():
        kinds = parse_fail_on(fail_on)
        result = review_change(repo, base, head, as_of=_date(as_of), fail_on=kinds)
        if comment_file is not None:
            from okrctl.store.writefile import write_output

            write_output(comment_file, shown.review_markdown(result, marker=True).encode())
    _report_problems(result.notes, [])
    if output_format is ReviewFormat.json:
        _echo_json(result.as_json())
    elif output_format is ReviewFormat.md:
        sys.stdout.write(shown.review_markdown(result))
    elif output_format is ReviewFormat.github:
        _review_github(result)
    else:
        typer.echo(shown.review_text(result, _width()))
    raise typer.Exit(result.exit_code)


def _review_github(result: "Review") -> None:
    """Annotations on stdout; the review in the job summary when GitHub gives one."""
    import os

    from okrctl.render import review as shown

    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file:
        try:
            with open(summary_file, "a", encoding="utf-8") as handle:
                handle.write(shown.review_markdown(result))
        except OSError as exc:
            typer.echo(f"okrctl: cannot write the job summary: {exc.strerror}", err=True)
    typer.echo(shown.review_annotations(result, result.git_prefix))


@app.command()
def lsp(
    stdio: Annotated[
        bool, typer.Option("--stdio", help="Talk over stdin and stdout (the default and only way).")
    ] = True,
) -> None:
    """The language server: okrctl's findings, completion, hover and fixes in any editor.

    Example: okrctl lsp --stdio
    """
    from okrctl.commands.lsp import serve

    serve()


@app.command()
def serve(
    idle: Annotated[
        float,
        typer.Option(
            "--idle", min=0.01, metavar="MINUTES", help="Stop after MINUTES with no command."
        ),
    ] = 30.0,
    stop: Annotated[
        bool, typer.Option("--stop", help="Stop the server that runs, and exit.")
    ] = False,
) -> None:
    """Keep okrctl running: check, status, report and show typed meanwhile answer at once.

    The server keeps okrctl imported and its caches read; each command still reads the goals
    and git afresh, in its own folder and environment. OKRCTL_NO_SERVER=1 bypasses it.

    Example: okrctl serve --idle 60 &
    """
    if stop:
        from okrctl.store.resident.client import stop_server

        if not stop_server():
            typer.echo("okrctl: no server runs", err=True)
            raise typer.Exit(1)
        return
    from okrctl.store.resident.server import serve as serve_commands

    with _user_errors():
        serve_commands(main, idle=idle * 60, log=sys.stderr)


@app.command()
def close(
    period: Annotated[str, typer.Argument(help="The period to close, like 2026-Q3.")],
    force: Annotated[bool, typer.Option("--force", help="Grade again and move the tag.")] = False,
    repo: RepoOption = None,
) -> None:
    """Grade a period and tag its last commit okr/PERIOD (the tag's message holds the grades).

    Example: okrctl close 2026-Q4
    """
    from okrctl.commands.quarters import close as close_period

    with _user_errors():
        closed = close_period(repo, period, force=force)
    typer.echo(f"tagged {closed.tag} on {closed.commit[:10]}")
    typer.echo(closed.message.rstrip("\n"))
    _report_problems(closed.notes, [])


@app.command()
def roll(
    next_period: Annotated[str, typer.Argument(metavar="NEXT", help="The next period.")],
    edit: Annotated[
        bool,
        typer.Option("--edit", help="Open the plan in $VISUAL / $EDITOR first, like rebase -i."),
    ] = False,
    plan: Annotated[
        Path | None,
        typer.Option("--plan", metavar="FILE", help="Roll by a saved plan (as --dry-run prints)."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the plan; write nothing.")
    ] = False,
    carry: Annotated[
        bool, typer.Option("--carry", hidden=True, help="Carrying is the default now.")
    ] = False,
    no_commit: Annotated[
        bool, typer.Option("--no-commit", help="Edit the files but leave them uncommitted.")
    ] = False,
    repo: RepoOption = None,
) -> None:
    """Start the next period in one commit, by a plan: unfinished committed objectives carried
    (each number starts where it ended), done and aspirational ones dropped.

    Example: okrctl roll 2027-Q1 --dry-run && okrctl roll 2027-Q1 --edit
    """
    from okrctl.commands.roll import roll as roll_period
    from okrctl.render.commands import rolled_text

    with _user_errors():
        if edit and plan is not None:
            from okrctl.model.errors import UsageError

            raise UsageError("--edit and --plan are two ways to give the plan: use one")
        text = _read_plan(plan) if plan is not None else None
        rolled = roll_period(
            repo,
            next_period,
            plan=text,
            edit=_edit_in_editor if edit else None,
            dry_run=dry_run,
            commit=not no_commit,
        )
    for warning in rolled.warnings:
        typer.echo(f"okrctl: note: {warning}", err=True)
    typer.echo(rolled_text(rolled), nl=False)


MAX_PLAN_BYTES = 4 * 1024 * 1024


def _read_plan(path: Path) -> str:
    """A saved plan: text, bounded in size (a plan is a line per objective and key result)."""
    from okrctl.model.errors import UsageError
    from okrctl.store.bounded import read_bounded

    raw = read_bounded(path, MAX_PLAN_BYTES, "plan")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"the plan {path} is not UTF-8 text") from None


def _edit_in_editor(text: str) -> str | None:
    """The plan in $VISUAL or $EDITOR (click finds the editor and waits for it)."""
    import click

    from okrctl.model.errors import UsageError

    try:
        return click.edit(text, extension=".txt", require_save=False)
    except click.UsageError as error:
        raise UsageError(f"cannot open an editor for the plan: {error.message}") from None


@app.command()
def init(
    folder: Annotated[Path, typer.Argument(help="Where to create it (default: here).")] = Path(),
    ci_only: Annotated[
        bool,
        typer.Option(
            "--ci-only",
            help="Only what git and its hosts read (workflows, the check-in form, hooks): for "
            "goals that exist.",
        ),
    ] = False,
) -> None:
    """Create a goals repository that passes `okrctl check`, with CI and a pre-commit hook.

    Example: okrctl init okrs && cd okrs && okrctl check
    """
    from okrctl.commands.init import init as scaffold

    with _user_errors():
        result = scaffold(folder, ci_only=ci_only)
    for relative in result.created:
        typer.echo(f"created {relative}")
    for relative in result.kept:
        typer.echo(f"kept    {relative} (it exists)")
    for relative, text in result.to_add:
        typer.echo(f"\nadd to {relative} by hand:\n{text.rstrip()}")
    if result.git_initialised:
        typer.echo(f"initialised a git repository on branch {result.branch}")
    typer.echo(
        "\nNext: edit goals/ (every placeholder says what to put there), run `okrctl check`, "
        "and commit."
    )


@app.command()
def demo(
    folder: Annotated[
        Path, typer.Argument(help="A new folder for it (default: okrctl-demo).")
    ] = Path("okrctl-demo"),
) -> None:
    """The demo company in a new repository, with a scripted quarter of history.

    Example: okrctl demo && cd okrctl-demo && okrctl status
    """
    from okrctl.commands.demo import build

    with _user_errors():
        target = build(folder)
    typer.echo(f"Harbor Invest, with a quarter of check-ins, is in {target}. Try:")
    for line in (
        f"cd {target}",
        "okrctl status --as-of 2026-11-15",
        "okrctl show growth/convert-signups --as-of 2026-11-15",
        "okrctl history signups/effortless-funding/funded-rate",
        "okrctl report tom --as-of 2026-11-15 --since 2026-11-01",
        "okrctl report --as-of 2026-11-15 --format html -o digest.html",
        "okrctl retro 2026-Q4",
        "okrctl retro 2026-Q3",
        "okrctl diff 2026-Q3 2026-Q4 --format md",
        "okrctl roll 2027-Q1 --dry-run",
    ):
        typer.echo(f"  {line}")


@app.command()
def codeowners(
    repo: RepoOption = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write to this file.")
    ] = None,
) -> None:
    """CODEOWNERS from the units' leads, so changing a unit's goals needs its lead's review.

    Example: okrctl codeowners -o CODEOWNERS
    """
    from okrctl.commands.init import codeowners as generate

    with _user_errors():
        text = generate(repo)
        if output is not None:
            from okrctl.store.writefile import write_output

            write_output(output, text.encode("utf-8"))
    if output is None:
        sys.stdout.write(text)
    else:
        typer.echo(f"wrote {output}", err=True)


@app.command()
def fmt(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Files to format (default: every goals file of the repository)."),
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Change nothing; list what would change (exit 1).")
    ] = False,
    repo: RepoOption = None,
) -> None:
    """Format goals files: keys in order, two-space indentation; comments, quotes and line
    endings kept. A file that does not parse is reported where it fails and left alone.

    Example: okrctl fmt --check
    """
    from okrctl.commands.fmt import format_repo

    with _user_errors():
        result = format_repo(repo, paths, check=check)
    for shown in result.changed:
        typer.echo(f"{'would reformat' if check else 'formatted'} {shown}")
    for shown, position, message in result.problems:
        typer.echo(f"{shown}:{position.line}:{position.column}: error: {message}", err=True)
    verb = "would be reformatted" if check else "formatted"
    typer.echo(
        f"{len(result.changed)} file{'s' * (len(result.changed) != 1)} {verb}, "
        f"{result.unchanged} unchanged"
        + (f", {len(result.problems)} not readable" if result.problems else ""),
        err=True,
    )
    raise typer.Exit(1 if result.problems or (check and result.changed) else 0)


class SchemaKind(StrEnum):
    unit = "unit"
    config = "config"


@app.command()
def schema(
    which: Annotated[
        SchemaKind, typer.Argument(help="unit (a goals file) or config (okrctl.yaml).")
    ] = SchemaKind.unit,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write to this file instead of stdout.")
    ] = None,
    repo: RepoOption = None,
) -> None:
    """Print the JSON Schema of a unit file or of okrctl.yaml, for editors (yaml-language-server).
    A unit file's schema flags what this repository's `check` calls an error (its `rules:`).

    Example: okrctl schema -o .okrctl/unit.schema.json
    """
    from okrctl.commands.schema import editor_schema
    from okrctl.store.writefile import write_output

    with _user_errors():
        text = editor_schema(repo, which.value)
    if output is None:
        sys.stdout.write(text)
        return
    with _user_errors():
        write_output(output, text.encode())
    typer.echo(f"wrote {output}", err=True)


class _PipeSafeStdout:
    """stdout for the command line: when the reader goes away (`okrctl check | head -1`), the
    rest of the output is dropped quietly and the command exits with its own code, as `git log
    | head` does, instead of click's exit 1 (which would look like findings)."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return int(self._stream.write(text))
        except BrokenPipeError:
            self._silence()
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._silence()

    def _silence(self) -> None:
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, self._stream.fileno())
        os.close(devnull)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def main() -> None:
    import os

    # Pydantic scans every installed package for plugins when the first model class is built;
    # a command-line run has no use for them (pydantic's documented switch).
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    sys.stdout = _PipeSafeStdout(sys.stdout)  # type: ignore[assignment,unused-ignore]
    _app_for(sys.argv[1:])()


def _app_for(args: list[str]) -> typer.Typer:
    """The app with only the command these arguments run, when the first one names it.

    typer turns every registered command into a click command on each run, reading its
    signature (measured: 6 % of a warm `history REF`), where a run needs one: this is click's
    lazily loaded subcommands, on typer. Anything else (no command, an option first, a
    misspelled command, shell completion) gets the whole app, so help lists every command and
    a typo gets its suggestion."""
    import copy
    import os

    from typer.main import get_command_name

    if not args or any(key.endswith("_COMPLETE") for key in os.environ):
        return app
    commands = [
        info
        for info in app.registered_commands
        if (info.name or get_command_name(getattr(info.callback, "__name__", ""))) == args[0]
    ]
    groups = [info for info in app.registered_groups if info.name == args[0]]
    if not commands and not groups:
        return app
    only = copy.copy(app)
    only.registered_commands, only.registered_groups = commands, groups
    return only
