"""Two versions of okrctl timed on one repository, run after run in turn, so that a drift of the
machine's speed (this VM's drifts by a fifth within minutes) falls on both alike: what each
change in benchmarks/RESULTS.md was decided by.

    python benchmarks/side_by_side.py HEAD~1 HEAD ~/okrs --runs 15 -- check --format json

Each revision's `src/` and `templates/` are exported (`git archive`) and byte-compiled, and
each runs on its own copy of the repository, so each keeps its own caches (a cache is keyed by
the code that wrote it); two runs each warm them first. Printed per version: the median and
first quartile of the wall time and of the CPU time of okrctl and every process it started.
Both versions must exit alike in every run (0, or 1 for `check`'s findings) and print the
same bytes: otherwise it says so and exits 1. A usage or configuration error (2), or a crash,
stops it at once: a failing run is quick, and would be timed as a win."""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def export(revision: str, into: Path) -> Path:
    """`revision`'s okrctl under `into`, compiled; the folder to put on PYTHONPATH."""
    into.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(PROJECT), "archive", revision, "src", "templates"],
        capture_output=True,
        check=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(into / "src")], check=True)
    return into / "src"


def run_once(source: Path, repo: Path, args: list[str]) -> tuple[float, float, int, bytes]:
    """Wall seconds, CPU seconds (okrctl and what it started and waited for), exit code,
    output."""
    env = dict(os.environ, PYTHONPATH=str(source))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "okrctl", *args], cwd=repo, env=env, capture_output=True
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.returncode, done.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("a", help="a revision of this project, such as HEAD~1")
    parser.add_argument("b", help="another one, such as HEAD")
    parser.add_argument("repo", type=Path, help="the goals repository to run on")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("args", nargs="+", help="okrctl's arguments (after --)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="okrctl-side-") as scratch:
        sides = []
        for name in (options.a, options.b):
            folder = Path(scratch) / str(len(sides))
            source = export(name, folder / "okrctl")
            repo = folder / "repo"
            shutil.copytree(options.repo, repo, symlinks=True)
            for _ in range(2):
                run_once(source, repo, options.args)
            sides.append((name, source, repo))
        figures: dict[str, list[tuple[float, float]]] = {name: [] for name, _, _ in sides}
        outputs: dict[str, set[tuple[int, bytes]]] = {name: set() for name, _, _ in sides}
        for index in range(options.runs):
            for name, source, repo in sides if index % 2 == 0 else sides[::-1]:
                wall, cpu, code, output = run_once(source, repo, options.args)
                if code not in (0, 1):
                    print(f"{name}: okrctl exited {code}; nothing timed", file=sys.stderr)
                    return 1
                figures[name].append((wall, cpu))
                outputs[name].add((code, output))
    for name, _, _ in sides:
        walls = sorted(wall for wall, _ in figures[name])
        cpus = sorted(cpu for _, cpu in figures[name])
        quarter = len(walls) // 4
        print(
            f"{name}: wall {statistics.median(walls) * 1000:.0f} ms (first quartile "
            f"{walls[quarter] * 1000:.0f}), CPU {statistics.median(cpus) * 1000:.0f} ms "
            f"(first quartile {cpus[quarter] * 1000:.0f})"
        )
    a, b = (outputs[name] for name, _, _ in sides)
    if len(a) == len(b) == 1 and a == b:
        return 0
    print("the two versions' exit codes or outputs differ (or vary run to run)", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
