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


def median_seconds(command: list[str], cwd: Path, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times)


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
        cases = {
            f"okrctl history {ref}": [*okrctl, "history", ref, "--format", "json"],
            "okrctl check (stale on)": [
                *okrctl,
                "check",
                "--format",
                "json",
                "--as-of",
                "2026-12-31",
            ],
            "python -c pass (start-up alone)": [sys.executable, "-c", "pass"],
        }
        print(f"{'floor: git log -p -- goals/':<40} {floor * 1000:8.0f} ms   1.00x")
        for name, command in cases.items():
            seconds = median_seconds(command, root, args.runs)
            print(f"{name:<40} {seconds * 1000:8.0f} ms  {seconds / floor:5.2f}x")


if __name__ == "__main__":
    main()
