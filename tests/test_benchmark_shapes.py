"""The caches change how fast okrctl answers, never what it answers, on every shape the
benchmark measures (`benchmarks/generate.py`, each at a small size): each command prints the
same output and error, and exits the same, with caching off, from a fresh clone (no caches),
warm, served by `okrctl serve` (the commands it serves), and warm again one check-in commit
later; so does the site `okrctl site` writes. Typed through the installed entry point in the
goals folder, each run a process of its own, on real git repositories."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import OKRCTL, PROJECT_ROOT
from okrctl.store import forks
from test_server import Server, okrctl, running_server, served

sys.path.insert(0, str(PROJECT_ROOT / "benchmarks"))
import generate  # the benchmark's own generator (benchmarks/ is no package)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(OKRCTL is None, reason="okrctl is not installed next to python"),
]

TEAMS = 24
AS_OF = ("--as-of", "2026-12-31")
IDENTITY = {
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
}


def _git_init(root: Path) -> None:
    """A home for the caches, as the benchmark gives an org it writes without history."""
    subprocess.run(["git", "init", "-q", str(root)], check=True)


def clean_org(root: Path) -> None:
    generate.write_org(root, TEAMS)
    _git_init(root)


def flawed_org(root: Path) -> None:
    generate.write_org(root, TEAMS, flawed=True)
    _git_init(root)


def derived_pillars(root: Path) -> None:
    generate.write_org(root, TEAMS)
    generate.write_derived_pillars(root, TEAMS, pillars=4)
    _git_init(root)


def busy_org(root: Path) -> None:
    generate.write_history(root, TEAMS, 60, people=8)


def silent_org(root: Path) -> None:
    generate.write_history(root, TEAMS, 60, active=3)


def pillars_with_history(root: Path) -> None:
    generate.write_history(root, TEAMS, 60, active=5, pillars=4)


def unknown_objectives(root: Path) -> None:
    generate.write_hostile(root, "20,000 refs to unknown objectives", shrink=100)
    _git_init(root)


def unknown_fields(root: Path) -> None:
    generate.write_hostile(root, "50,000 unknown fields", shrink=100)
    _git_init(root)


def measured(root: Path) -> None:
    generate.write_measured(root, sources=12, days=5)


COMMANDS = [
    ("check", "--format", "json", *AS_OF),
    ("check", *AS_OF),
    ("status", "--format", "json", *AS_OF),
    ("report", "--template", "company", *AS_OF),
]
SHAPES: dict[str, tuple[Callable[[Path], None], list[tuple[str, ...]]]] = {
    "clean org": (clean_org, COMMANDS),
    "flawed org": (flawed_org, COMMANDS),
    "derived pillars": (derived_pillars, [*COMMANDS, ("report", "pillar-1", *AS_OF)]),
    "busy org": (busy_org, COMMANDS),
    "silent org": (silent_org, COMMANDS),
    "pillars, history": (pillars_with_history, [*COMMANDS, ("report", "pillar-1", *AS_OF)]),
    "refs to unknown objectives": (unknown_objectives, COMMANDS[:2]),
    "unknown fields": (unknown_fields, COMMANDS[:2]),
    "measured": (measured, COMMANDS[2:]),
}
HISTORY = {"busy org", "silent org", "pillars, history"}
"""The shapes with check-in commits: one more is committed, and the warm runs see it."""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("server") / "server.log") as running:
        yield running


Outcome = tuple[int, str, str]


def outcome(args: tuple[str, ...], root: Path, *, alone: bool, **env: str) -> Outcome:
    """`okrctl ARGS` typed in the goals folder: exit code, output and error."""
    done = okrctl(*args, cwd=root / "goals", alone=alone, **env)
    return done.returncode, done.stdout, done.stderr


def alone(args: tuple[str, ...], root: Path) -> Outcome:
    return outcome(args, root, alone=True)


def caching_off(args: tuple[str, ...], root: Path) -> Outcome:
    return outcome(args, root, alone=True, OKRCTL_NO_CACHE="1")


def by_server(args: tuple[str, ...], root: Path, server: Server) -> Outcome:
    before = len(served(server))
    answer = outcome(args, root, alone=False)
    assert served(server)[before:] == [f"{args[0]}: exit {answer[0]}"], server.said()
    return answer


def assert_the_same_every_way(args: tuple[str, ...], root: Path, server: Server) -> None:
    cache = root / ".git" / "okrctl"
    shutil.rmtree(cache, ignore_errors=True)
    expected = caching_off(args, root)
    assert expected[0] in (0, 1), expected[2]
    assert not cache.exists(), "caching off wrote a cache"
    assert alone(args, root) == expected, f"{args}: a fresh clone's run"
    assert cache.is_dir() and any(cache.iterdir()), "the fresh clone's run kept no cache"
    assert alone(args, root) == expected, f"{args}: a warm run"
    assert by_server(args, root, server) == expected, f"{args}: a served run"


@pytest.mark.parametrize("shape", SHAPES)
def test_every_way_of_running_answers_the_same_on_every_benchmark_shape(shape, tmp_path, server):
    write, commands = SHAPES[shape]
    root = tmp_path / "org"
    write(root)
    for args in commands:
        assert_the_same_every_way(args, root, server)
    if shape not in HISTORY:
        return
    checkin = ("checkin", "team-0/objective-1/kr-0", "55.5", "-m", "one more")
    code, _, error = outcome(checkin, root, alone=True, **IDENTITY)
    assert code == 0, error
    for args in commands:  # the caches of the commit before, extended
        expected = caching_off(args, root)
        assert alone(args, root) == expected, f"{args}: warm, one check-in later"
        assert by_server(args, root, server) == expected, f"{args}: served, one check-in later"


def test_a_site_built_warm_is_the_site_built_with_caching_off(tmp_path):
    root = tmp_path / "org"
    pillars_with_history(root)

    def site(run: Callable[[tuple[str, ...]], Outcome], name: str) -> dict[str, bytes]:
        out = tmp_path / name
        code, _, error = run(("site", f"../../{name}", *AS_OF))  # typed in org/goals
        assert code == 0, error
        return {
            str(path.relative_to(out)): path.read_bytes()
            for path in sorted(out.rglob("*"))
            if path.is_file()
        }

    expected = site(lambda args: caching_off(args, root), "off")
    assert any(name.endswith(".html") for name in expected)
    assert site(lambda args: alone(args, root), "cold") == expected
    assert site(lambda args: alone(args, root), "warm") == expected


FORKING_TEAMS = 220
"""Teams enough (with the company and 20 people) for `check` and `status` to share their work
with a forked child: `forks.WORTH_A_CHILD` units."""


def on_one_core(args: tuple[str, ...], root: Path) -> Outcome:
    """`okrctl ARGS` typed in the goals folder as `taskset -c 0 okrctl ARGS` runs it: on one
    core, okrctl forks no child and does all of the work itself."""
    first = min(os.sched_getaffinity(0))
    command = [OKRCTL] if OKRCTL is not None else [sys.executable, "-m", "okrctl"]
    done = subprocess.run(
        [*command, *args],
        cwd=root / "goals",
        env={**os.environ, "OKRCTL_NO_SERVER": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        preexec_fn=lambda: os.sched_setaffinity(0, {first}),
    )
    return done.returncode, done.stdout, done.stderr


@pytest.mark.skipif(
    forks.processes_for(forks.WORTH_A_CHILD) < 2, reason="okrctl does not fork here (one core)"
)
def test_work_shared_with_a_child_answers_as_one_process_typed_and_served(tmp_path, server):
    """From `forks.WORTH_A_CHILD` units, `check` shares its `stale` findings and its other rules
    with a forked child, `status --format json` its units (from both ends of the list, the
    child's text back through memory), and a company report its units by what they cost.
    Typed in the goals folder with the output piped, cold and warm, and served (the child then
    forked from the server), the answer is the one okrctl gives on one core, where it forks
    nothing. So are the pages of `site ../site`: its child scores, builds and draws its own
    units, and hands over what is known of their numbers."""
    root = tmp_path / "org"
    generate.write_history(root, FORKING_TEAMS, 80, people=20, active=40)
    units = sum(1 for _ in (root / "goals").rglob("*.yaml"))
    assert forks.processes_for(units) > 1  # (each run below forks its child)
    commands = [
        ("check", "--format", "json", *AS_OF),
        ("status", "--format", "json", *AS_OF),
        ("report", "--template", "company", *AS_OF),
    ]
    for args in commands:
        expected = on_one_core(args, root)
        assert expected[0] in (0, 1), expected[2]
        assert expected[1].startswith(("{", "# ")) and len(expected[1]) > 40_000
        assert alone(args, root) == expected, f"{args}: on two cores"
        assert alone(args, root) == expected, f"{args}: on two cores, warm"
        assert by_server(args, root, server) == expected, f"{args}: served"
    text = ("check", *AS_OF)  # (each finding's line, from the file's text: decoded when shown)
    expected = on_one_core(text, root)
    assert expected[0] in (0, 1) and re.search(r"\n +\d+ \| .+\n +\^", expected[1])
    assert alone(text, root) == expected, "check's text: on two cores, warm"
    assert by_server(text, root, server) == expected, "check's text: served"

    def pages(folder: str, run: Callable[[tuple[str, ...], Path], Outcome]) -> dict[str, bytes]:
        code, said, error = run(("site", f"../{folder}", *AS_OF), root)  # (typed in org/goals)
        assert code == 0 and said.startswith("Wrote"), error
        out = root / folder
        return {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()}

    expected_pages = pages("site-one-core", on_one_core)
    assert len(expected_pages) > units
    assert pages("site", alone) == expected_pages
