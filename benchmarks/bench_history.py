"""History and `check` with `stale` on 3,000 check-in commits over 50 files, each printed as a
ratio to a floor measured in the same run: `git log -p` over the same paths.

    python benchmarks/bench_history.py [--commits 3000] [--files 50] [--runs 5]

Prints figures, asserts nothing: a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import write_history


def drop_index(root: Path) -> None:
    for index in (root / ".git" / "okrctl").glob("history-*.json"):
        index.unlink()


def median_seconds(command: list[str], cwd: Path, runs: int, *, cold: bool = False) -> float:
    """Median wall time; `cold` removes the history index before every run."""
    times = []
    for _ in range(runs):
        if cold:
            drop_index(cwd)
        start = time.perf_counter()
        subprocess.run(
            command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def report(name: str, seconds: float, floor: float) -> None:
    print(f"{name:<44} {seconds * 1000:8.0f} ms  {seconds / floor:5.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--commits", type=int, default=3000)
    parser.add_argument("--files", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    okrctl = [sys.executable, "-m", "okrctl"]
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        started = time.perf_counter()
        write_history(root, args.files, args.commits)
        built = time.perf_counter() - started
        print(
            f"repository: {args.commits:,} check-in commits over {args.files} team files "
            f"(built in {built:.1f} s)"
        )
        floor = median_seconds(["git", "log", "-p", "--", "goals/"], root, args.runs)
        ref = "team-7/objective-1/kr-0"
        history = [*okrctl, "history", ref, "--format", "json"]
        check = [*okrctl, "check", "--format", "json", "--as-of", "2026-12-31"]
        cases = [
            ("okrctl history, cold (no index)", history, True),
            ("okrctl check with stale, cold", check, True),
            ("okrctl history, warm (index current)", history, False),
            ("okrctl check with stale, warm", check, False),
            ("okrctl --version (start-up alone)", [*okrctl, "--version"], False),
            ("python -c pass", [sys.executable, "-c", "pass"], False),
        ]
        report("floor: git log -p -- goals/", floor, floor)
        for name, command, cold in cases:
            report(name, median_seconds(command, root, args.runs, cold=cold), floor)
        subprocess.run(
            [*okrctl, "checkin", ref, "99", "--repo", str(root)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        report(
            "okrctl history, one commit after the index", median_seconds(history, root, 1), floor
        )


if __name__ == "__main__":
    main()
