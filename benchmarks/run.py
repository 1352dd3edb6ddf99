"""okrctl at company scale, in one run: each command's median wall time and peak memory, and its
ratio to a floor measured in the same run on the same machine.

    python benchmarks/run.py [--sizes 200,2000,5000] [--runs 3] [--commits 3000]

- `check`, `status --format json` and `report --template company` on an organisation of N teams,
  against the floor of loading the same files with PyYAML's C loader (ruamel.yaml's safe C
  loader, the floor of earlier rounds, beside it); warm `check` and `status` also as a running
  `okrctl serve` answers them (here and on the busy org), and the bound under any warm command
  in its own process: okrctl's imports and the warm load alone;
- `history REF` and `check` with `stale` on a history of check-in commits, against
  `git log -p` over the same files (cold: no history index yet; warm: the index is current);
- `okrctl --help` and `check` on the demo, against `python -c pass`;
- the findings-heavy shapes of real orgs: 2,000 teams of which 50 check in (the rest stale)
  and 2,000 teams with no `why`, no `source`, nothing aligned;
- the busy org (2,000 teams, 500 people, 3,000 check-ins over all teams, ~20,000 `stale`
  findings), fresh clone, warm, and as CI runs it (the caches of the commit before restored,
  one check-in since), against PyYAML's C loader loading the same files with line
  numbers (a benchmark-only dependency; ruamel.yaml's safe C loader, the older floor, beside
  it), each goal printed ok or FAIL;
- the scale curve: 200, 2,000, 5,000 and 20,000 units, the cost per unit and peak memory;
- a hostile pull request (20,000 objectives aligned to unknown refs, 50,000 unknown fields),
  against a clean `check` of the same size: suggestions and findings must stay near-linear;
- `measure` over 500 SQL sources on one SQLite database, against the same queries run directly
  through SQLAlchemy;
- `site` and `report --template company` of 2,000 teams with 3,000 check-in commits, against
  `status --format json` on the same repository; the report of one of 20 pillars against
  `status PILLAR --format json`;
- `review main` of a pull-request-like branch on that repository, against the two `check` runs
  (the branch, and `--at main`) a user would reach for instead;
- `okrctl lsp`: from starting the server to the first diagnostics, and from an edit to the new
  ones, on the demo and on 2,000 teams (seconds, against the goals).

Each section measures its floor and its commands round after round (each once per round), so
that both see the same machine however its speed drifts. Prints figures and asserts nothing: a
benchmark, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import (
    HOSTILE_SHAPES,
    write_derived_pillars,
    write_history,
    write_hostile,
    write_measured,
    write_org,
)

PROJECT = Path(__file__).resolve().parent.parent
OKRCTL = [sys.executable, "-m", "okrctl"]
FLOOR_PARSE = (
    "import pathlib\n"
    "from ruamel.yaml import YAML\n"
    "safe = YAML(typ='safe', pure=False)\n"
    "for p in sorted(pathlib.Path('goals').rglob('*.yaml')):\n"
    "    safe.load(p.read_bytes())\n"
)

FLOOR_PYYAML = (
    "import pathlib\n"
    "from yaml import CSafeLoader\n"
    "for p in sorted(pathlib.Path('goals').rglob('*.yaml')):\n"
    "    loader = CSafeLoader(p.read_bytes())\n"
    "    try:\n"
    "        loader.construct_document(loader.get_single_node())  # the nodes keep their lines\n"
    "    finally:\n"
    "        loader.dispose()\n"
)
"""What a user would reach for to load the goals with line numbers: PyYAML's C loader, its
nodes (with their marks) composed and constructed. A benchmark-only dependency: okrctl reads
YAML with ruamel.yaml."""


WARM_LOAD = (
    "import gc\n"
    "gc.disable()  # as the okrctl command runs\n"
    "import okrctl.cli, okrctl.commands.check\n"
    "from okrctl.store.load import load_repo\n"
    "load_repo('.')\n"
)
"""What any warm command run in its own process does before its own work: import what `check`
imports, and load the goals from the warm caches (no graph, no rules, no output). Not a floor
but a bound: a warm command in its own process can only be slower; where this is above a goal,
only `okrctl serve` (which has done it already) can meet it."""
LOAD_ROW = "bound: imports and the warm load, nothing else"


GIT_BENCH = {
    **os.environ,
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
}
"""Who the benchmark's own commits are by, on a machine with no git identity."""

# Python caches compiled modules, as an installed okrctl has them (pip compiles at install),
# even where the environment says not to write bytecode (PYTHONDONTWRITEBYTECODE). Every
# command runs in its own process, whatever `okrctl serve` the user has running; the rows
# "served" reach a server of their own (`served`).
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
CHILD_ENV["OKRCTL_NO_SERVER"] = "1"


@contextmanager
def served() -> Iterator[tuple[list[str], Callable[[], float]]]:
    """An `okrctl serve` of the benchmark's own while the block runs: the command that reaches
    it (`okrctl` with the server's folder in its environment, through `env`: a millisecond),
    and the server's peak memory so far (MB), which a served row reports instead of the
    client's."""
    sockets = Path(tempfile.mkdtemp(prefix="okrb-", dir="/tmp"))
    environment = {**CHILD_ENV, "XDG_RUNTIME_DIR": str(sockets), "OKRCTL_NO_SERVER": "0"}
    log = sockets / "server.log"
    with log.open("wb") as said:
        server = subprocess.Popen([*OKRCTL, "serve", "--idle", "60"], env=environment, stderr=said)
    deadline = time.monotonic() + 30
    while b"serving" not in log.read_bytes():
        if server.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"okrctl serve did not start: {log.read_text()}")
        time.sleep(0.05)

    def peak() -> float:
        lines = Path(f"/proc/{server.pid}/status").read_text().splitlines()
        kilobytes = next(line.split()[1] for line in lines if line.startswith("VmHWM"))
        return int(kilobytes) / 1024

    try:
        yield ["env", f"XDG_RUNTIME_DIR={sockets}", "OKRCTL_NO_SERVER=0", *OKRCTL], peak
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(sockets, ignore_errors=True)


def run_once(command: list[str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MB) of one run of `command`."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=CHILD_ENV
    )
    _, _, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = 0
    return seconds, usage.ru_maxrss / 1024


def measure(command: list[str], cwd: Path, runs: int, before: object = None) -> tuple[float, float]:
    """Median wall time and the largest peak memory over `runs` runs."""
    return rounds([(command, before)], cwd, runs)[0]


Step = tuple[list[str], object]
"""A command, and what to do before each run of it (drop a cache), or None."""


def rounds(steps: list[Step], cwd: Path, runs: int) -> list[tuple[float, float]]:
    """Each step's median wall time and largest peak memory, measured round after round (every
    step once per round, in order): a floor and the commands compared with it see the same
    machine, however its speed drifts (this VM's drifts by a third within minutes)."""
    times: list[list[float]] = [[] for _ in steps]
    peaks: list[list[float]] = [[] for _ in steps]
    for _ in range(runs):
        for index, (command, before) in enumerate(steps):
            if callable(before):
                before()
            seconds, peak = run_once(command, cwd)
            times[index].append(seconds)
            peaks[index].append(peak)
    return [(statistics.median(t), max(p)) for t, p in zip(times, peaks, strict=True)]


def warm_up(steps: list[Step], cwd: Path) -> None:
    """Each served command run once before the rounds: a server's first command imports what
    it needs and reads the caches, as a warm run of its own would not have to."""
    for command, _ in steps:
        subprocess.run(command, cwd=cwd, capture_output=True, env=CHILD_ENV, check=False)


def row(name: str, figures: tuple[float, float], floor: float, goal: float | None = None) -> None:
    """One line of figures; with a `goal` (a ratio), whether it was met."""
    seconds, peak = figures
    verdict = (
        "" if goal is None else f"  {'ok' if seconds / floor <= goal else 'FAIL'} (goal {goal}x)"
    )
    print(f"  {name:<46} {seconds * 1000:8.0f} ms {peak:7.0f} MB {seconds / floor:7.2f}x{verdict}")


def header(title: str) -> None:
    print(f"\n{title}\n  {'':<46} {'median':>11} {'peak':>10} {'ratio':>8}")


def organisation(sizes: list[int], runs: int, folder: Path) -> None:
    for teams in sizes:
        root = folder / f"org-{teams}"
        write_org(root, teams)
        subprocess.run(["git", "init", "-q", str(root)], check=True)  # a home for the cache
        files = len(list((root / "goals").rglob("*.yaml")))
        megabytes = sum(p.stat().st_size for p in (root / "goals").rglob("*.yaml")) / 1e6
        header(f"{teams:,} teams ({files:,} files, {megabytes:.1f} MB of YAML)")
        # The cold runs work on a copy, so that the caches the warm and served runs read stay
        # the files they were (a server keeps what it read of a cache file until it changes).
        cold_root = folder / f"org-{teams}-cold"
        shutil.copytree(root, cold_root, symlinks=True)
        cache = cold_root / ".git" / "okrctl"

        def drop_cache(cache: Path = cache) -> None:
            shutil.rmtree(cache, ignore_errors=True)

        commands = (
            ("okrctl check", ["check", "--format", "json"]),
            ("okrctl status --format json", ["status", "--format", "json"]),
            ("okrctl report --template company", ["report", "--template", "company"]),
        )
        steps: list[Step] = [
            ([sys.executable, "-c", FLOOR_PYYAML], None),
            ([sys.executable, "-c", FLOOR_PARSE], None),
            ([sys.executable, "-c", WARM_LOAD], None),
        ]
        steps += [([*OKRCTL, *args, "--repo", str(cold_root)], drop_cache) for _, args in commands]
        steps += [([*OKRCTL, *args], None) for _, args in commands]
        with served() as (through_server, server_peak):
            by_server: list[Step] = [([*through_server, *args], None) for _, args in commands[:2]]
            steps += by_server
            warm_up(by_server, root)
            floor, old_floor, load, *figures = rounds(steps, root, runs)
            figures[-2:] = [(seconds, server_peak()) for seconds, _ in figures[-2:]]
        row("floor: PyYAML CSafeLoader, with line numbers", floor, floor[0])
        row("old floor: ruamel.yaml safe C loader", old_floor, floor[0])
        row(LOAD_ROW, load, floor[0])
        names = [f"{name}, {state}" for state in ("cold", "warm") for name, _ in commands]
        names += [f"{name}, served" for name, _ in commands[:2]]
        goals = [None, None, None, 0.3, 0.3, None, 0.3, 0.3]  # warm check and status: clean org
        for name, measured_figures, goal in zip(names, figures, goals, strict=True):
            row(name, measured_figures, floor[0], goal=goal if teams >= 2000 else None)
        print("  (served: by `okrctl serve`, its peak memory; warm caches either way)")
        shutil.rmtree(root)
        shutil.rmtree(cold_root)


def derived(runs: int, folder: Path, teams: int = 2000) -> None:
    """`status --format json` of an org where each of 20 pillars sums its teams' numbers
    (`from:`), against the same org without the pillars' derivations (warm caches)."""
    plain, rolled = folder / "org-plain", folder / "org-derived"
    for root in (plain, rolled):
        write_org(root, teams)
        subprocess.run(["git", "init", "-q", str(root)], check=True)
    write_derived_pillars(rolled, teams)
    plain_pillars = plain / "goals" / "pillars"
    shutil.copytree(rolled / "goals" / "pillars", plain_pillars)
    for path in plain_pillars.glob("*.yaml"):  # the same files, checked in rather than derived
        text = path.read_text()
        cut, rest = text.index("        from:"), text.index("        source:")
        path.write_text(text[:cut] + "        current: 1\n" + text[rest:])
    header(f"derived numbers: {teams:,} teams, 20 pillars each summing its teams (warm)")
    steps: list[Step] = [
        ([*OKRCTL, "status", "--format", "json", "--repo", str(root)], None)
        for root in (plain, rolled)
    ]
    for command, _ in steps:
        subprocess.run(command, cwd=folder, capture_output=True, check=False)  # warm the caches
    floor, figure = rounds(steps, folder, runs)  # interleaved, round after round
    row("floor: the same org, pillars checked in", floor, floor[0])
    row("okrctl status --format json, pillars derived", figure, floor[0])
    shutil.rmtree(plain)
    shutil.rmtree(rolled)


def rolling(runs: int, folder: Path, teams: int = 2000) -> None:
    """`roll NEXT --dry-run` (the plan: load, score, decide) and `roll NEXT --no-commit` (also
    every edit, the goals re-read as they would be left, the rules run on both) of a 2,000-team
    org, against `status --format json` of the same org (warm caches)."""
    root = folder / "org-roll"
    write_org(root, teams)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qm", "g"],
        check=True,
    )
    header(f"roll: {teams:,} teams, every objective decided")

    def restore(root: Path = root) -> None:
        """The files as committed again (the last --no-commit run edited them, and its re-read
        cached the rolled versions): every step starts from the same warm cache."""
        subprocess.run(["git", "-C", str(root), "checkout", "-q", "--", "."], check=True)
        subprocess.run([*OKRCTL, "status", "--format", "json"], cwd=root, capture_output=True)

    steps: list[Step] = [
        ([*OKRCTL, "status", "--format", "json"], restore),  # each round from the same files
        ([*OKRCTL, "roll", "2027-Q1", "--dry-run"], None),
        ([*OKRCTL, "roll", "2027-Q1", "--no-commit"], restore),
    ]
    subprocess.run(steps[0][0], cwd=root, capture_output=True, check=False)  # warm the caches
    floor, plan, rolled = rounds(steps, root, runs)
    restore()
    row("floor: okrctl status --format json", floor, floor[0])
    row("okrctl roll --dry-run (the plan)", plan, floor[0])
    row("okrctl roll --no-commit (the plan, the edits, both checks)", rolled, floor[0])
    shutil.rmtree(root)


def history(commits: int, files: int, runs: int, folder: Path) -> None:
    root = folder / "history"
    write_history(root, files, commits)
    header(f"history: {commits:,} check-in commits over {files} files")
    ref = "team-7/objective-1/kr-0"
    index = root / ".git" / "okrctl"

    def drop_index() -> None:
        shutil.rmtree(index, ignore_errors=True)

    history_command = [*OKRCTL, "history", ref, "--format", "json"]
    text_command = [*OKRCTL, "history", ref, "--format", "text"]
    check_command = [*OKRCTL, "check", "--format", "json", "--as-of", "2026-12-31"]
    # In each round the cold check rebuilds the index the warm steps after it read.
    named_steps: list[tuple[str, Step]] = [
        ("floor: git log -p over the same files", (["git", "log", "-p", "--", "goals/"], None)),
        ("okrctl history REF, cold (no index)", (history_command, drop_index)),
        ("okrctl check with stale, cold", (check_command, drop_index)),
        ("okrctl history REF, warm", (history_command, None)),
        ("okrctl history REF as text, warm", (text_command, None)),
        ("okrctl check with stale, warm", (check_command, None)),
    ]
    figures = rounds([step for _, step in named_steps], root, runs)
    for (name, _), measured_figures in zip(named_steps, figures, strict=True):
        row(name, measured_figures, figures[0][0])

    busy = folder / "busy"
    write_history(busy, 1, commits)  # every check-in in one file: hundreds per key result
    header(f"history: {commits:,} check-ins of one team's {len(BUSY_REFS)} key results")
    subprocess.run([*OKRCTL, "history", BUSY_REFS[0]], cwd=busy, capture_output=True, check=False)
    floor, *figures = rounds(
        [(["git", "log", "-p", "--", "goals/"], None)]
        + [([*OKRCTL, "history", BUSY_REFS[0], "--format", o], None) for o in ("json", "text")],
        busy,
        runs,
    )
    row("floor: git log -p over the same file", floor, floor[0])
    for output, measured_figures in zip(("json", "text"), figures, strict=True):
        row(f"okrctl history REF --format {output}", measured_figures, floor[0])


BUSY_REFS = ["team-0/objective-0/kr-0", "team-0/objective-0/kr-1", "team-0/objective-1/kr-0"]


def reviewing(runs: int, folder: Path, teams: int = 2000, commits: int = 3000) -> None:
    """`review main` of a branch of 5 commits moving 20 targets, on 2,000 teams with 3,000
    check-in commits, against what a user would run instead: `check` of the branch and `check
    --at main` (warm caches)."""
    import re

    root = folder / "org-review"
    write_history(root, teams, commits)
    subprocess.run(["git", "checkout", "-q", "-b", "pr"], cwd=root, check=True)
    for batch in range(5):
        for team in range(batch * 4, batch * 4 + 4):
            path = root / f"goals/teams/team-{team}.yaml"
            moved = re.sub(
                r"target: (\d+)", lambda m: f"target: {int(m[1]) + 1}", path.read_text(), count=1
            )
            path.write_text(moved)
        subprocess.run(
            ["git", "-c", "user.name=Bench", "-c", "user.email=bench@example.com", "commit",
             "-qam", f"targets {batch}", "--date=2026-12-20T10:00:00Z"],
            cwd=root, check=True,
        )  # fmt: skip
    header(
        f"review: a branch of 5 commits moving 20 targets, {teams:,} teams, {commits:,} check-ins"
    )
    check = [*OKRCTL, "check", "--format", "json", "--as-of", "2026-12-31"]
    check_base = [*check, "--at", "main"]
    review = [*OKRCTL, "review", "main", "--format", "json", "--as-of", "2026-12-31"]
    for command in (check, check_base, review):  # warm the caches
        subprocess.run(command, cwd=root, capture_output=True, check=False)
    floor, base, reviewed = rounds([(check, None), (check_base, None), (review, None)], root, runs)
    row("floor: okrctl check (the branch), warm", floor, floor[0])
    row("okrctl check --at main, warm", base, floor[0])
    both = (floor[0] + base[0], max(floor[1], base[1]))
    row("the two checks a user would run instead", both, floor[0])
    row("okrctl review main (both checks, the walk, both scored)", reviewed, floor[0])
    shutil.rmtree(root)


def busy_org(runs: int, folder: Path, teams: int = 2000, people: int = 500) -> None:
    """The shape of a real org at scale: 2,000 team files and 500 person files, 3,000 check-in
    commits over all teams across the quarter, most key results never checked in (~20,000
    `stale` findings); a fresh clone (no caches) and warm runs, against PyYAML's C loader
    loading the same files with line numbers (and ruamel.yaml's safe C loader, the floor of
    earlier rounds, for continuity)."""
    root = folder / "busy-org"
    write_history(root, teams, 3000, people=people)
    header(f"{teams:,} teams, {people:,} people, 3,000 check-ins over all teams")
    check = [*OKRCTL, "check", "--format", "json", "--as-of", "2026-12-31"]
    status = [*OKRCTL, "status", "--format", "json", "--as-of", "2026-12-31"]
    # CI as it runs: the caches a run saved at the commit before, restored, then one check-in
    # commit later (one file parsed again, one commit added to the history index).
    subprocess.run(check, cwd=root, capture_output=True, check=False)
    saved = folder / "busy-org-cache"
    shutil.copytree(root / ".git" / "okrctl", saved)
    checkin = [*OKRCTL, "checkin", "team-0/objective-1/kr-0", "1234.5", "-m", "benchmark"]
    committed = subprocess.run(checkin, cwd=root, capture_output=True, env=GIT_BENCH, check=False)
    assert committed.returncode == 0, committed.stderr
    subprocess.run(check, cwd=root, capture_output=True, check=False)  # warm again
    # The fresh clone and CI's runs work on a copy, so that the caches the warm and served runs
    # read stay the files they were (a server keeps what it read of a cache file until it
    # changes).
    clone = folder / "busy-org-clone"
    shutil.copytree(root, clone, symlinks=True)
    cache = clone / ".git" / "okrctl"

    def fresh_clone(cache: Path = cache) -> None:
        shutil.rmtree(cache, ignore_errors=True)

    def restored(cache: Path = cache, saved: Path = saved) -> None:
        shutil.rmtree(cache, ignore_errors=True)
        shutil.copytree(saved, cache)

    with served() as (through_server, server_peak):
        served_steps: list[Step] = [
            ([*through_server, *command[len(OKRCTL) :]], None) for command in (check, status)
        ]
        in_clone = [*check, "--repo", str(clone)]
        steps: list[Step] = [
            ([sys.executable, "-c", FLOOR_PYYAML], None),
            ([sys.executable, "-c", FLOOR_PARSE], None),
            ([sys.executable, "-c", WARM_LOAD], None),
            (in_clone, fresh_clone),
            (check, None),
            (status, None),
            *served_steps,
            (in_clone, restored),
        ]
        warm_up(served_steps, root)
        floor, old_floor, load, cold, warm_check, warm_status, *by_server, in_ci = rounds(
            steps, root, runs
        )
        by_server = [(seconds, server_peak()) for seconds, _ in by_server]
    row("floor: PyYAML CSafeLoader, with line numbers", floor, floor[0])
    row("old floor: ruamel.yaml safe C loader", old_floor, floor[0])
    row(LOAD_ROW, load, floor[0])
    row("okrctl check, fresh clone (no caches)", cold, floor[0], goal=2.0)
    row("okrctl check, warm", warm_check, floor[0], goal=0.4)
    row("okrctl status --format json, warm", warm_status, floor[0], goal=0.4)
    row("okrctl check, served", by_server[0], floor[0], goal=0.4)
    row("okrctl status --format json, served", by_server[1], floor[0], goal=0.4)
    row("okrctl check, caches of the commit before", in_ci, floor[0])
    print("  (served: by `okrctl serve`, its peak memory; warm caches either way)")
    shutil.rmtree(saved)
    found = subprocess.run(check, cwd=root, capture_output=True, text=True, check=False)
    print(f"  ({len(json.loads(found.stdout)['findings']):,} findings)")
    shutil.rmtree(root)
    shutil.rmtree(clone)


def editor(runs: int, folder: Path, teams: int = 2000) -> None:
    """`okrctl lsp` as an editor feels it: the time from starting the server to the first
    diagnostics of an opened file (opening is checked at once), on the demo and on 2,000
    teams, and from a keystroke to the new diagnostics (the re-check after the debounce, the
    debounce taken out)."""
    header("lsp: from start, and from an edit, to the diagnostics")
    demo = folder / "lsp-demo"
    subprocess.run([*OKRCTL, "demo", str(demo)], check=True, capture_output=True)
    big = folder / "lsp-org"
    write_org(big, teams)
    subprocess.run(["git", "init", "-q", str(big)], check=True)
    subprocess.run([*OKRCTL, "check"], cwd=big, capture_output=True, check=False)  # warm
    for root, name, goal_start, goal_edit in (
        (demo, "demo", 0.5, None),
        (big, f"{teams:,} teams", None, 0.2),
    ):
        target = next(iter(sorted((root / "goals" / "teams").glob("*.yaml"))))
        starts, edits = [], []
        for _ in range(runs):
            start, edit = asyncio.run(_lsp_round(target))
            starts.append(start)
            edits.append(edit)
        from okrctl.commands.lsp import DEBOUNCE

        start = statistics.median(starts)
        edit = statistics.median(edits) - DEBOUNCE
        for label, seconds, goal in (("start to diagnostics", start, goal_start),
                                     ("edit to diagnostics", edit, goal_edit)):  # fmt: skip
            verdict = (
                "" if goal is None else f"  {'ok' if seconds <= goal else 'FAIL'} (goal {goal} s)"
            )
            print(f"  {name + ': ' + label:<46} {seconds * 1000:8.0f} ms{verdict}")


async def _lsp_round(target: Path) -> tuple[float, float]:
    """One server: open `target`, wait for its first diagnostics (and the second, with
    history); change it, wait again."""
    from lsprotocol import types
    from pygls.lsp.client import LanguageClient

    client = LanguageClient("bench", "1")
    arrived = asyncio.Event()
    published = [0]

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def diagnostics(params: types.PublishDiagnosticsParams) -> None:
        if params.uri == target.resolve().as_uri():
            published[0] += 1
            arrived.set()

    began = time.perf_counter()
    await client.start_io(*OKRCTL, "lsp", "--stdio", cwd=str(target.parent))
    await client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities()))
    client.initialized(types.InitializedParams())
    text = target.read_text()
    uri = target.resolve().as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text)
        )
    )
    await arrived.wait()
    start = time.perf_counter() - began
    while published[0] < 2:  # the first check comes before history; the second brings `stale`
        arrived.clear()
        await arrived.wait()
    arrived.clear()
    began = time.perf_counter()
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text + "\n")],
        )
    )
    await arrived.wait()
    edit = time.perf_counter() - began
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return start, edit


def findings(runs: int, folder: Path, teams: int = 2000, commits: int = 3000) -> None:
    """The shapes real orgs have: most key results silent on a long history (thousands of
    `stale` findings), and thousands of findings of the other rules."""
    silent = folder / "silent"
    write_history(silent, teams, commits, active=50)
    flawed = folder / "flawed"
    write_org(flawed, teams, flawed=True)
    subprocess.run(["git", "init", "-q", str(flawed)], check=True)
    for root, title in (
        (silent, f"{teams:,} teams, {commits:,} check-ins into 50 of them: the rest go stale"),
        (flawed, f"{teams:,} teams, no why, no source, aligned to nothing"),
    ):
        header(title)
        cache = root / ".git" / "okrctl"

        def drop_cache(cache: Path = cache) -> None:
            shutil.rmtree(cache, ignore_errors=True)

        check = [*OKRCTL, "check", "--format", "json", "--as-of", "2026-12-31"]
        status = [*OKRCTL, "status", "--format", "json", "--as-of", "2026-12-31"]
        steps: list[Step] = [([sys.executable, "-c", FLOOR_PARSE], None), (check, drop_cache)]
        steps += [(check, None), (status, None)]
        floor, cold, warm_check, warm_status = rounds(steps, root, runs)
        row("floor: ruamel.yaml safe C loader over the files", floor, floor[0])
        row("okrctl check, cold (no caches, as a fresh clone)", cold, floor[0])
        row("okrctl check, warm", warm_check, floor[0])
        row("okrctl status --format json, warm", warm_status, floor[0])
        found = subprocess.run(check, cwd=root, capture_output=True, text=True, check=False)
        count = len(json.loads(found.stdout)["findings"])
        print(f"  ({count:,} findings)")


FLOOR_QUERIES = (
    "import json, sys\n"
    "from sqlalchemy import create_engine, text\n"
    "queries = json.load(open(sys.argv[1]))\n"
    "engine = create_engine('sqlite:///data/metrics.db')\n"
    "binds = {'as_of': '2026-11-23', 'period_start': '2026-10-01', 'period_end': '2026-12-31'}\n"
    "with engine.connect() as connection:\n"
    "    for query in queries:\n"
    "        connection.execute(text(query), binds).all()\n"
)


def measured(runs: int, folder: Path, sizes: tuple[int, int] = (50, 500)) -> None:
    """`okrctl measure` over SQL sources on one SQLite database, against running the same queries
    directly through SQLAlchemy (interpreter and imports included in both); then the cost of
    each further source, from the difference between two sizes, with start-up taken out."""
    figures: dict[int, tuple[float, float]] = {}
    for sources in sizes:
        root = folder / f"measured-{sources}"
        queries = write_measured(root, sources)
        listed = folder / f"queries-{sources}.json"
        listed.write_text(json.dumps(queries))
        header(f"measure: {sources} SQL sources on one SQLite database")
        command = [*OKRCTL, "measure", "--dry-run", "--format", "json", "--as-of", "2026-11-23"]
        subprocess.run(command, cwd=root, capture_output=True, check=False)  # warm the caches
        floor, dry = rounds(
            [([sys.executable, "-c", FLOOR_QUERIES, str(listed)], None), (command, None)],
            root,
            runs,
        )
        row("floor: the same queries through SQLAlchemy", floor, floor[0])
        row("okrctl measure --dry-run", dry, floor[0])
        writing = [*OKRCTL, "measure", "--format", "json", "--as-of", "2026-11-23"]
        row(f"okrctl measure, {sources} values in one commit", measure(writing, root, 1), floor[0])
        figures[sources] = (floor[0], dry[0])
    (few, many), extra = sizes, sizes[1] - sizes[0]
    direct = (figures[many][0] - figures[few][0]) / extra
    okrctl = (figures[many][1] - figures[few][1]) / extra
    print(
        f"  each further source: {okrctl * 1000:.2f} ms in okrctl, {direct * 1000:.2f} ms "
        f"directly: {okrctl / direct:.2f}x"
    )


def site_build(runs: int, folder: Path, teams: int = 2000, commits: int = 3000) -> None:
    """`okrctl site` and the company report of a large company with a long history, against
    `status --format json` on the same repository (all with warm caches)."""
    root = folder / "site-org"
    write_history(root, teams, commits, active=50)
    header(f"site and report: {teams:,} teams, {commits:,} check-in commits")
    status = [*OKRCTL, "status", "--format", "json", "--as-of", "2026-12-31"]
    subprocess.run(status, cwd=root, capture_output=True, check=False)  # warm the caches
    out = folder / "site-out"
    command = [*OKRCTL, "site", str(out), "--as-of", "2026-12-31"]
    report = [*OKRCTL, "report", "--template", "company", "--as-of", "2026-12-31"]
    floor, site, company = rounds([(status, None), (command, None), (report, None)], root, runs)
    row("floor: okrctl status --format json", floor, floor[0])
    row("okrctl site", site, floor[0], goal=3.0)
    row("okrctl report --template company", company, floor[0], goal=1.5)
    print(f"  ({len(list(out.rglob('*.html'))):,} pages)")


def pillar_report(runs: int, folder: Path, teams: int = 2000, pillars: int = 20) -> None:
    """The report of one pillar (a hundred teams) of a large company with a long history,
    against `status --format json` of the same pillar (warm caches)."""
    root = folder / "pillar-org"
    write_history(root, teams, 3000, active=50, pillars=pillars)
    header(f"report of a pillar: {teams // pillars:,} of {teams:,} teams, 3,000 check-ins")
    status = [*OKRCTL, "status", "pillar-3", "--format", "json", "--as-of", "2026-12-31"]
    subprocess.run(status, cwd=root, capture_output=True, check=False)  # warm the caches
    report = [*OKRCTL, "report", "pillar-3", "--as-of", "2026-12-31"]
    floor, pillar = rounds([(status, None), (report, None)], root, runs)
    row("floor: okrctl status pillar-3 --format json", floor, floor[0])
    row("okrctl report pillar-3", pillar, floor[0], goal=1.5)


def scale(runs: int, folder: Path, sizes: tuple[int, ...] = (200, 2000, 5000, 20000)) -> None:
    """The cost per unit as an org grows: cold and warm `check` and warm `status` at each
    size, per unit, against PyYAML's C loader over the same files; from 2,000 to 20,000 units
    the cost per unit should grow no more than 1.2x, and 20,000 units stay under 1 GB."""
    header("scale: milliseconds per unit (ratio: to the floor at that size)")
    per_unit: dict[int, list[float]] = {}
    for units in sizes:
        root = folder / f"scale-{units}"
        write_org(root, units - 1)  # the company and units - 1 teams
        subprocess.run(["git", "init", "-q", str(root)], check=True)
        cache = root / ".git" / "okrctl"

        def drop_cache(cache: Path = cache) -> None:
            shutil.rmtree(cache, ignore_errors=True)

        check = [*OKRCTL, "check", "--format", "json"]
        status = [*OKRCTL, "status", "--format", "json"]
        steps: list[Step] = [([sys.executable, "-c", FLOOR_PYYAML], None), (check, drop_cache)]
        steps += [(check, None), (status, None)]
        floor, cold, warm, warm_status = rounds(steps, root, runs)
        per_unit[units] = [cold[0] / units, warm[0] / units, warm_status[0] / units]
        peak = max(cold[1], warm[1], warm_status[1])
        print(
            f"  {units:>6,} units: check cold {cold[0] / units * 1000:.3f} ms "
            f"({cold[0] / floor[0]:.2f}x), warm {warm[0] / units * 1000:.3f} ms "
            f"({warm[0] / floor[0]:.2f}x), status warm {warm_status[0] / units * 1000:.3f} ms "
            f"({warm_status[0] / floor[0]:.2f}x); peak {peak:.0f} MB"
        )
        if units == max(sizes):
            verdict = "ok" if peak < 1024 else "FAIL"
            print(f"  peak memory at {units:,} units: {peak:.0f} MB  {verdict} (goal < 1 GB)")
        shutil.rmtree(root)
    if 2000 in per_unit and max(sizes) > 2000:
        big = max(sizes)
        for index, name in enumerate(("check cold", "check warm", "status warm")):
            growth = per_unit[big][index] / per_unit[2000][index]
            verdict = "ok" if growth <= 1.2 else "FAIL"
            print(
                f"  per-unit growth 2,000 -> {big:,}, {name}: {growth:.2f}x  {verdict} (goal 1.2x)"
            )


def startup(runs: int, folder: Path) -> None:
    demo = folder / "demo"
    demo.mkdir()
    shutil.copy(PROJECT / "okrctl.yaml", demo)
    shutil.copytree(PROJECT / "goals", demo / "goals")
    header("start-up")
    steps: list[Step] = [([sys.executable, "-c", "pass"], None), ([*OKRCTL, "--help"], None)]
    steps.append(([*OKRCTL, "check"], None))
    floor, helped, checked = rounds(steps, demo, runs)
    row("floor: python -c pass", floor, floor[0])
    row("okrctl --help", helped, floor[0])
    row("okrctl check on the demo", checked, floor[0])


def hostile(runs: int, folder: Path) -> None:
    header("a hostile pull request: check --format text and json, against a clean check")
    named_steps: list[tuple[str, bool, Step]] = []
    for number, (shape, (_, key_results)) in enumerate(HOSTILE_SHAPES.items()):
        root = folder / f"hostile-{number}"
        write_hostile(root, shape)
        for output in ("json", "text"):
            command = [*OKRCTL, "check", "--repo", str(root), "--format", output]
            named_steps.append((f"{shape} ({output})", key_results, (command, None)))
    figures = rounds([step for _, _, step in named_steps], folder, runs)
    floors: dict[bool, float] = {}
    for (name, key_results, _), measured_figures in zip(named_steps, figures, strict=True):
        floors.setdefault(key_results, measured_figures[0])  # the clean json run comes first
        row(name, measured_figures, floors[key_results])


def compiled_as_installed() -> None:
    """okrctl's modules byte-compiled, as installing a wheel leaves them: an editable checkout
    run with PYTHONDONTWRITEBYTECODE set would compile every module it changed on each run
    (some 0.1 s a run), a cost no installed okrctl pays."""
    import compileall

    import okrctl

    compileall.compile_dir(Path(okrctl.__file__).parent, quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="200,2000,5000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--commits", type=int, default=3000)
    parser.add_argument("--files", type=int, default=50)
    parser.add_argument(
        "--only",
        default="startup,history,org,busy,scale,derived,findings,hostile,measure,site,roll,review,lsp",
    )
    args = parser.parse_args()
    print(
        f"okrctl benchmark · {os.cpu_count()} cores · Python {sys.version.split()[0]} · "
        f"median of {args.runs}"
    )
    parts = set(args.only.split(","))
    compiled_as_installed()
    with tempfile.TemporaryDirectory() as folder:
        if "startup" in parts:
            startup(max(args.runs, 5), Path(folder))
        if "history" in parts:
            history(args.commits, args.files, args.runs, Path(folder))
        if "org" in parts:
            organisation([int(s) for s in args.sizes.split(",")], args.runs, Path(folder))
        if "busy" in parts:
            busy_org(args.runs, Path(folder))
        if "scale" in parts:
            scale(args.runs, Path(folder))
        if "derived" in parts:
            derived(args.runs, Path(folder))
        if "findings" in parts:
            findings(args.runs, Path(folder))
        if "hostile" in parts:
            hostile(args.runs, Path(folder))
        if "measure" in parts:
            measured(args.runs, Path(folder))
        if "site" in parts:
            site_build(args.runs, Path(folder))
            pillar_report(args.runs, Path(folder))
        if "roll" in parts:
            rolling(args.runs, Path(folder))
        if "review" in parts:
            reviewing(args.runs, Path(folder))
        if "lsp" in parts:
            editor(args.runs, Path(folder))


if __name__ == "__main__":
    main()
