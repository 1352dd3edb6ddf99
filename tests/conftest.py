"""Data-first helpers: a test declares its goals files as `{path: yaml}` and runs the CLI."""

from __future__ import annotations

import json
import marshal
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from okrctl.cli import app

PROJECT_ROOT = Path(__file__).resolve().parent.parent

MACHINE_TEMP = tempfile.gettempdir()
"""The machine's temporary folder, for what another user must reach (a PostgreSQL server run
as `postgres`): the tests' own (`_temporary_folder_of_the_run`) is the test user's alone."""

CONFIG = """\
company: Acme
period: 2026-Q4
"""

COMPANY = """\
kind: company
id: acme
mission: Make saving easy.
objectives:
  - id: grow
    title: Grow deposits
    why: Deposits fund plans.
    key_results:
      - id: deposits
        title: Deposits from 10 to 20
        baseline: 10
        target: 20
        current: 12
        source: finance report
kpis:
  - id: ltv-cac
    title: LTV/CAC
    why: Balance growth and cost.
    current: 3.2
    healthy: {min: 3}
    source: finance model
"""

PILLAR = """\
kind: pillar
parent: acme
lead: maria
objectives:
  - id: convert
    title: Convert signups
    why: Half never fund.
    aligns_to: [acme/grow]
    key_results:
      - id: rate
        title: Conversion from 30 to 40
        baseline: 30
        target: 40
        source: funnel dashboard
"""

TEAM = """\
kind: team
parent: growth
lead: sam
objectives:
  - id: funding
    title: Effortless funding
    why: Funding is where people drop off.
    aligns_to: [growth/convert]
    key_results:
      - id: ach
        title: Ship instant ACH
        milestone: true
        done: false
        source: release notes
"""
TEAM_HEAD = TEAM[: TEAM.index("      - id: ach")]
"""TEAM up to its key results: a test appends its own."""

BASE = {
    "okrctl.yaml": CONFIG,
    "goals/company.yaml": COMPANY,
    "goals/pillars/growth.yaml": PILLAR,
    "goals/teams/signups.yaml": TEAM,
}


def squad(name: str, failing: int) -> str:
    """A team whose `failing` objectives are each a milestone not done (off track by November)."""
    objectives = "".join(
        f"""\
  - id: ship-{n}
    title: Ship part {n} of {name}
    why: Customers asked for it.
    aligns_to: [growth/convert]
    key_results:
      - id: done
        title: Part {n} of {name} live
        milestone: true
        done: false
        source: release notes
"""
        for n in range(failing)
    )
    return f"kind: team\nname: {name}\nparent: growth\nobjectives:\n{objectives}"


def squads_in_need(root: Path) -> Any:
    """The base company and 25 squads, each with an objective off track by November (squads 04,
    17 and 23 with two): 28 units that could use help, more than a digest names."""
    from gitrepo import GitRepo

    failing = {f"Squad {n:02}": 2 if n in (4, 17, 23) else 1 for n in range(25)}
    squads = {
        f"goals/teams/squad-{n:02}.yaml": squad(name, count)
        for n, (name, count) in enumerate(failing.items())
    }
    repo = GitRepo(root)
    repo.commit({**BASE, **squads}, "2026-10-01")
    return repo


def write_repo(root: Path, files: dict[str, str | bytes | None], *, base: bool = True) -> Path:
    """Write BASE (unless `base=False`) overlaid with `files`; a value of None deletes a file."""
    merged: dict[str, str | bytes | None] = {**BASE, **files} if base else dict(files)
    for relative, content in merged.items():
        path = root / relative
        if content is None:
            path.unlink(missing_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    return root


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> dict:
        return json.loads(self.stdout)


def children_started(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The work of each child `store.forks.elsewhere` starts from now on (None for a child
    started otherwise), in order: a test counts them, or picks those doing one piece of work
    (`work.func` of a `functools.partial`)."""
    import multiprocessing.process

    started: list[Any] = []
    real = multiprocessing.process.BaseProcess.start

    def start(self: Any) -> None:
        started.append(self._args[0] if self._args else None)
        real(self)

    monkeypatch.setattr(multiprocessing.process.BaseProcess, "start", start)
    return started


def run_cli(*args: str | Path) -> Run:
    """Run okrctl in-process; a bug's traceback fails the test instead of being swallowed."""
    result = CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)
    return Run(result.exit_code, result.stdout, result.stderr)


OKRCTL = shutil.which("okrctl", path=str(Path(sys.executable).parent))
"""The installed `okrctl` entry point (None where the package is not installed)."""


def typed(
    *args: str | Path, cwd: Path, umask: int = 0o022, **env: str
) -> subprocess.CompletedProcess[str]:
    """okrctl as a user types it: the installed entry point (else `python -m okrctl`) in `cwd`,
    its output piped, with `env` over the test's environment."""
    command = [OKRCTL] if OKRCTL is not None else [sys.executable, "-m", "okrctl"]
    return subprocess.run(
        [*command, *map(str, args)],
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        umask=umask,
        check=False,
    )


def status_json(root: Path, *extra: str) -> dict:
    """`okrctl status --format json` of the working tree, which must succeed."""
    result = run_cli("status", "--repo", root, "--format", "json", *extra)
    assert result.exit_code == 0, result.stderr
    return result.json()


def cache_files(root: Path, pattern: str) -> list[Path]:
    """okrctl's cache files under `.git/okrctl/` matching `pattern`, sorted."""
    return sorted((root / ".git" / "okrctl").glob(pattern))


def findings(root: Path, *extra: str) -> tuple[int, list[tuple[str, str, int, int]]]:
    """(exit code, [(rule, file, line, column), ...]) of `okrctl check --format json`."""
    result = run_cli("check", "--repo", root, "--format", "json", *extra)
    payload = result.json()
    return result.exit_code, [
        (f["rule"], f["file"], f["line"], f["column"]) for f in payload["findings"]
    ]


def mermaid_charts(markdown: str) -> list[list[str]]:
    """Each ```mermaid chart of a report: its lines after its `init` directive (its colours,
    which tests/test_charts.py asserts)."""
    charts = []
    for fence in markdown.split("```mermaid\n")[1:]:
        lines = fence.split("```")[0].splitlines()
        charts.append(lines[lines.index("xychart-beta") :])
    return charts


@pytest.fixture(autouse=True, scope="session")
def _temporary_folder_of_the_run(tmp_path_factory: pytest.TempPathFactory):
    """okrctl keeps a file of its own (a workspace's lock) in the temporary folder where there
    is no `.git/` to hold it: the tests' runs, and the okrctl processes they start, use the
    test run's own folder, so the suite leaves nothing behind in the machine's."""
    folder = str(tmp_path_factory.mktemp("tmp"))
    for name in ("COLUMNS", "LINES"):
        # The width of whoever runs the tests (or the 80 columns pytest-xdist gives its
        # workers) is not the runs': a test that means a width sets it.
        os.environ.pop(name, None)
    before = os.environ.get("TMPDIR"), tempfile.tempdir
    os.environ["TMPDIR"], tempfile.tempdir = folder, folder
    with server_folder():  # no server of the user's answers the tests' commands
        yield
    environ, tempfile.tempdir = before
    if environ is None:
        os.environ.pop("TMPDIR", None)
    else:
        os.environ["TMPDIR"] = environ


@contextmanager
def server_folder() -> Iterator[Path]:
    """A folder of sockets of its own for `okrctl serve` (`XDG_RUNTIME_DIR`) while the block
    runs: short, as a socket's path must be (at most 107 bytes)."""
    folder = Path(tempfile.mkdtemp(prefix="okrs-", dir=MACHINE_TEMP))
    before = os.environ.get("XDG_RUNTIME_DIR")
    os.environ["XDG_RUNTIME_DIR"] = str(folder)
    try:
        yield folder
    finally:
        if before is None:
            os.environ.pop("XDG_RUNTIME_DIR", None)
        else:
            os.environ["XDG_RUNTIME_DIR"] = before
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return write_repo(tmp_path, {})


def pillar_with(current: float | None, confidence: float | None = None) -> str:
    """The base pillar with its key result checked in at `current` (and `confidence`)."""
    extra = f"        current: {current}\n" if current is not None else ""
    if confidence is not None:
        extra += f"        confidence: {confidence}\n"
    return PILLAR.replace("        target: 40\n", "        target: 40\n" + extra)


INDEX_FIELDS = ("format", "goals", "shallow", "head", "commits", "latest", "skipped", "refs")


def index_payload(path: Path) -> dict:
    """A history index's content (what follows its checksum line), by field name, with the
    commits and each unit's refs (marshalled apart in the file) decoded: `refs` maps each ref to
    its row."""
    body = path.read_bytes().partition(b"\n")[2]
    payload = dict(zip(INDEX_FIELDS, marshal.loads(body), strict=True))
    payload["commits"] = marshal.loads(payload["commits"])
    payload["refs"] = {
        ref: row for rows in payload["refs"].values() for ref, row in marshal.loads(rows).items()
    }
    return payload


def index_body(payload: dict) -> bytes:
    """`payload` (as `index_payload` reads it) laid out as an index's content."""
    units: dict[str, dict] = {}
    for ref, row in payload["refs"].items():
        units.setdefault(ref.split("/", 1)[0], {})[ref] = row
    packed = {
        **payload,
        "commits": marshal.dumps(payload["commits"]),
        "refs": {unit: marshal.dumps(rows) for unit, rows in units.items()},
    }
    return marshal.dumps(tuple(packed[name] for name in INDEX_FIELDS))


def write_index_payload(path: Path, payload: dict, digest: bytes) -> None:
    """Write `payload` as an index under the checksum line `digest`."""
    path.write_bytes(digest + b"\n" + index_body(payload))


GOLDEN = PROJECT_ROOT / "tests" / "golden"


def copy_demo(target: Path) -> Path:
    """The demo company (okrctl.yaml, goals/ and the data/ its `measure:` blocks read) into
    `target`, which may exist."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(PROJECT_ROOT / "okrctl.yaml", target / "okrctl.yaml")
    for folder in ("goals", "data"):
        shutil.copytree(PROJECT_ROOT / folder, target / folder)
    return target


def demo_copy(tmp_path: Path) -> Path:
    """The demo outside any git repository, so `--as-of` reads the files as they are."""
    return copy_demo(tmp_path)


def assert_golden(name: str, text: str) -> None:
    """`text` is the reviewed golden file `tests/golden/NAME` (UPDATE_GOLDEN=1 rewrites it)."""
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), (
        f"golden {name} differs; review, then UPDATE_GOLDEN=1"
    )


@pytest.fixture(scope="session")
def _replayed_quarter(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The scripted quarter, replayed once per test process (1.5 s each time: fourteen modules
    use it); each module works on a copy of its own."""
    from okrctl.commands.demo import replay

    root = copy_demo(tmp_path_factory.mktemp("replayed-quarter"))
    replay(root)
    return root


@pytest.fixture(scope="module")
def quarter(tmp_path_factory: pytest.TempPathFactory, _replayed_quarter: Path) -> Path:
    """The demo company with its scripted quarter of back-dated history, one per test module."""
    root = tmp_path_factory.mktemp("quarter") / "demo"
    shutil.copytree(_replayed_quarter, root, symlinks=True)
    return root


class QuietHTTPServer(ThreadingHTTPServer):
    """A test's HTTP server on 127.0.0.1 that takes a client giving up (okrctl past its timeout)
    quietly: socketserver printed the broken pipe's traceback to stderr, into whichever test's
    output was being read at that moment."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)
