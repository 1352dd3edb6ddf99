"""The command line: parse arguments, call the library, print, pick the exit code. Nothing else.

Library modules are imported inside each command so that `okrctl --help` stays fast.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from okrctl import __version__

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
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Goals as reviewed, versioned YAML: validate the cascade, score it, report it."""


@contextmanager
def _user_errors() -> Iterator[None]:
    """Library errors become a message on stderr and their exit code; never a traceback."""
    from okrctl.errors import OkrctlError

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
) -> None:
    """Run the rules over every goals file and report all findings.

    Example: okrctl check --format github --strict
    """
    from okrctl import diagnostics
    from okrctl.check import check_repo

    with _user_errors():
        result = check_repo(repo)
    findings = result.findings
    if output_format is CheckFormat.json:
        typer.echo(diagnostics.render_json(findings))
    elif output_format is CheckFormat.github:
        from okrctl.gitlog import toplevel

        root = result.repository.root.resolve()
        top = toplevel(root)
        prefix = "" if top is None or top == root else root.relative_to(top).as_posix() + "/"
        text = diagnostics.render_github(findings, prefix)
        if text:
            typer.echo(text)
        typer.echo(diagnostics.summary_line(findings, result.repository.files_read), err=True)
    else:
        sources = {path: text.split("\n") for path, text in result.repository.texts.items()}
        _print_text(diagnostics.render_text_plain(findings, sources, result.repository.files_read))
    raise typer.Exit(result.exit_code(strict=strict))


def _print_text(report: str) -> None:
    """Colour severities on a terminal; plain text when piped or with NO_COLOR."""
    from rich.console import Console
    from rich.text import Text

    console = Console(soft_wrap=True, highlight=False)
    for line in report.split("\n"):
        text = Text(line)
        text.highlight_regex(r"^\S+:\d+:\d+:", "bold")
        text.highlight_regex(r"(?<=: )error(?= [a-z-]+:)", "bold red")
        text.highlight_regex(r"(?<=: )warning(?= [a-z-]+:)", "bold yellow")
        text.highlight_regex(r"^ +\^$", "red")
        console.print(text)


@app.command()
def schema(
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """Print the JSON Schema of a unit file, for editors (yaml-language-server).

    Example: okrctl schema -o .okrctl/unit.schema.json
    """
    from okrctl.schema import unit_schema_json
    from okrctl.writefile import write_atomically

    text = unit_schema_json()
    if output is None:
        sys.stdout.write(text)
        return
    with _user_errors():
        write_atomically(output, text.encode())
    typer.echo(f"wrote {output}", err=True)


def main() -> None:
    app()
