"""A real PostgreSQL server in a temporary folder, started by the tests themselves (Debian's
`postgresql` package; `.ci/run` installs it when it is missing)."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path


def _binaries() -> Path | None:
    """The folder of `initdb` and `pg_ctl`: on PATH, or where Debian puts them."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(versions[-1]).parent if versions else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    folder: Path
    port: int
    run_as: list[str]
    binaries: Path
    password: str = "pg-secret-pw"

    def url(self, *, password: str | None = None) -> str:
        return (
            f"postgresql+psycopg://okrctl:{password or self.password}@127.0.0.1:{self.port}/metrics"
        )

    def psql(self, sql: str) -> None:
        subprocess.run(
            [*self.run_as, str(self.binaries / "psql"), "-q", "-h", "127.0.0.1", "-p",
             str(self.port), "-U", "postgres", "-d", "metrics", "-v", "ON_ERROR_STOP=1",
             "-c", sql],
            check=True,
            capture_output=True,
        )

    def stop(self) -> None:
        subprocess.run(
            [*self.run_as, str(self.binaries / "pg_ctl"), "-D", str(self.folder / "data"),
             "-m", "immediate", "stop"],
            check=False,
            capture_output=True,
        )


SERVER_USERS = ("postgres", "okrctl-pg")
"""Who runs the server when the tests run as root: Debian's `postgres`, else a system user the
harness makes itself (a machine may have PostgreSQL's binaries and no `postgres` user)."""


def run_as(users: tuple[str, ...] = SERVER_USERS) -> list[str] | str:
    """The command prefix that runs PostgreSQL's programs as an unprivileged user (none when
    the tests are not root: the server runs as the user running them), or why it cannot."""
    if os.geteuid() != 0:
        return []
    import pwd

    if shutil.which("runuser") is None:
        return "running as root, and no runuser to start PostgreSQL as another user"
    for user in users:
        try:
            pwd.getpwnam(user)
        except KeyError:
            continue
        return ["runuser", "-u", user, "--"]
    made = users[-1]
    useradd = shutil.which("useradd") or "/usr/sbin/useradd"
    done = subprocess.run(
        [useradd, "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", made],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        return f"running as root, no user {' or '.join(users)}, and useradd failed: {done.stderr}"
    return ["runuser", "-u", made, "--"]


def start(folder: Path, users: tuple[str, ...] = SERVER_USERS) -> Server | str:
    """A running server with a database `metrics` and a login `okrctl`, or why there is none."""
    binaries = _binaries()
    if binaries is None:
        return "PostgreSQL is not installed (Debian package postgresql; .ci/run installs it)"
    prefix = run_as(users)
    if isinstance(prefix, str):
        return prefix
    if prefix:  # PostgreSQL refuses to run as root: its user must reach the folder
        folder.chmod(0o777)
    data = folder / "data"
    port = _free_port()
    server = Server(folder, port, prefix, binaries)
    subprocess.run(
        [*prefix, str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
         "--no-sync", "-E", "UTF8"],
        check=True,
        capture_output=True,
    )
    with open(data / "pg_hba.conf", "w") as hba:  # the login under test needs its password
        hba.write("host all postgres 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n")
    subprocess.run(
        [*prefix, str(binaries / "pg_ctl"), "-D", str(data), "-w", "-l", str(folder / "log"),
         "-o", f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [*prefix, str(binaries / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U",
         "postgres", "metrics"],
        check=True,
        capture_output=True,
    )
    server.psql(f"create role okrctl login password '{server.password}'")
    return server
