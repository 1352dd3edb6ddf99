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
stops it at once: a failing run is quick, and would be timed as a win.

With `--served`, each version's `okrctl serve` runs (a folder of sockets of its own) and the
commands go to it, as typed at a prompt: the wall time is the client's, the CPU time the
server's and its children's (/proc), the client's start-up aside."""

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


def environment(source: Path, sockets: Path | None = None) -> dict[str, str]:
    """The environment a version runs in: its code first on the path; with `sockets`, its own
    server's folder (`okrctl serve`'s), else no server at all."""
    env = dict(os.environ, PYTHONPATH=str(source), OKRCTL_NO_SERVER="1")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if sockets is not None:
        env.update(XDG_RUNTIME_DIR=str(sockets), OKRCTL_NO_SERVER="0")
    return env


def start_server(env: dict[str, str], sockets: Path) -> subprocess.Popen[bytes]:
    """The version's `okrctl serve`, once it listens."""
    log = sockets / "server.log"
    server = subprocess.Popen(
        [sys.executable, "-m", "okrctl", "serve", "--idle", "60"],
        env=env,
        cwd="/",
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )
    deadline = time.monotonic() + 30
    while b"serving" not in log.read_bytes():
        if server.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"okrctl serve did not start: {log.read_text()}")
        time.sleep(0.05)
    return server


def process_cpu(pid: int) -> float:
    """CPU seconds of `pid` and of its children it waited for (Linux's /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(tick) for tick in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def run_once(
    env: dict[str, str], repo: Path, args: list[str], server: int | None = None
) -> tuple[float, float, int, bytes]:
    """Wall seconds, CPU seconds (okrctl and what it started and waited for; served, the
    server's), exit code, output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    served_before = 0.0 if server is None else process_cpu(server)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "okrctl", *args], cwd=repo, env=env, capture_output=True
    )
    wall = time.perf_counter() - start
    if server is not None:
        return wall, process_cpu(server) - served_before, done.returncode, done.stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.returncode, done.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("a", help="a revision of this project, such as HEAD~1")
    parser.add_argument("b", help="another one, such as HEAD")
    parser.add_argument("repo", type=Path, help="the goals repository to run on")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--served", action="store_true", help="by each version's okrctl serve")
    parser.add_argument("args", nargs="+", help="okrctl's arguments (after --)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="okrctl-side-", dir="/tmp") as scratch:
        sides: list[tuple[str, dict[str, str], Path, int | None]] = []
        servers: list[subprocess.Popen[bytes]] = []
        try:
            for name in (options.a, options.b):
                folder = Path(scratch) / str(len(sides))
                source = export(name, folder / "okrctl")
                repo = folder / "repo"
                shutil.copytree(options.repo, repo, symlinks=True)
                sockets = folder / "sockets" if options.served else None
                env = environment(source, sockets)
                server = None
                if sockets is not None:
                    sockets.mkdir(mode=0o700)
                    servers.append(start_server(env, sockets))
                    server = servers[-1].pid
                for _ in range(2):
                    run_once(env, repo, options.args, server)
                sides.append((name, env, repo, server))
            figures: dict[str, list[tuple[float, float]]] = {side[0]: [] for side in sides}
            outputs: dict[str, set[tuple[int, bytes]]] = {side[0]: set() for side in sides}
            for index in range(options.runs):
                for name, env, repo, server in sides if index % 2 == 0 else sides[::-1]:
                    wall, cpu, code, output = run_once(env, repo, options.args, server)
                    if code not in (0, 1):
                        print(f"{name}: okrctl exited {code}; nothing timed", file=sys.stderr)
                        return 1
                    figures[name].append((wall, cpu))
                    outputs[name].add((code, output))
        finally:
            for running in servers:
                running.terminate()
                running.wait()
    for name, *_ in sides:
        walls = sorted(wall for wall, _ in figures[name])
        cpus = sorted(cpu for _, cpu in figures[name])
        quarter = len(walls) // 4
        print(
            f"{name}: wall {statistics.median(walls) * 1000:.0f} ms (first quartile "
            f"{walls[quarter] * 1000:.0f}), CPU {statistics.median(cpus) * 1000:.0f} ms "
            f"(first quartile {cpus[quarter] * 1000:.0f})"
        )
    a, b = (outputs[name] for name, *_ in sides)
    if len(a) == len(b) == 1 and a == b:
        return 0
    print("the two versions' exit codes or outputs differ (or vary run to run)", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
