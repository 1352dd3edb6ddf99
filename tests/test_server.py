"""`okrctl serve`: the commands it runs print, exit and write exactly as a run of their own
would, typed through the installed entry point (from a subfolder, piped), after every edit; a
server of changed code, a dead socket, another server, an open folder and Ctrl-C are each
handled as a user expects. Real servers, real sockets, real git."""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import CONFIG, OKRCTL, server_folder, typed, write_repo
from gitrepo import GitRepo
from test_kept_unit_hits import STEPS

pytestmark = pytest.mark.skipif(OKRCTL is None, reason="okrctl is not installed next to python")


class Server:
    def __init__(self, folder: Path, log: Path, process: subprocess.Popen[bytes]) -> None:
        self.folder, self.log, self.process = folder, log, process

    @property
    def socket(self) -> Path:
        found = sorted((self.folder / "okrctl").glob("*.sock"))
        assert len(found) == 1, found
        return found[0]

    def said(self) -> str:
        return self.log.read_text()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=20)


def start_server(folder: Path, log: Path, *extra: str) -> Server:
    process = subprocess.Popen(
        [str(OKRCTL), "serve", *extra], stderr=log.open("wb"), stdout=subprocess.DEVNULL
    )
    server = Server(folder, log, process)
    deadline = time.monotonic() + 20
    while "serving" not in (log.read_text() if log.exists() else ""):
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    return server


@contextmanager
def running_server(log: Path) -> Iterator[Server]:
    """A server of the tests' own (a folder of sockets of its own), logging to `log`, stopped
    when the block ends."""
    with server_folder() as folder:
        running = start_server(folder, log)
        try:
            yield running
        finally:
            running.stop()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    with running_server(tmp_path / "server.log") as running:
        yield running


def okrctl(*args: str, cwd: Path, alone: bool = False, umask: int = 0o022, **env: str):
    """`okrctl ARGS` typed in `cwd`, its output piped; `alone`: past any server."""
    if alone:
        env["OKRCTL_NO_SERVER"] = "1"
    return typed(*args, cwd=cwd, umask=umask, **env)


def served(server: Server) -> list[str]:
    """The commands the server ran, as its log lists them (`check: exit 1, 12 ms`)."""
    return [line.split(",")[0] for line in server.said().splitlines() if ": exit " in line]


def same_run(*args: str, cwd: Path, server: Server) -> subprocess.CompletedProcess:
    """ARGS run by the server and alone: the same output, error and exit code."""
    before = len(served(server))
    by_server = okrctl(*args, cwd=cwd)
    assert len(served(server)) == before + 1, server.said()
    alone = okrctl(*args, cwd=cwd, alone=True)
    assert (by_server.returncode, by_server.stdout, by_server.stderr) == (
        alone.returncode,
        alone.stdout,
        alone.stderr,
    )
    return by_server


BROKEN_TEAM = """\
kind: team
parent: growth
objectives:
  - id: funding
    title: Effortless funding
    aligns_to: [growth/nowhere]
"""


def committed_repo(root: Path) -> Path:
    write_repo(root, {})
    repo = GitRepo(root)
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "goals", date="2026-10-01")
    return root


def test_a_served_command_prints_and_exits_as_a_run_of_its_own(tmp_path, server):
    root = committed_repo(tmp_path / "goals-repo")
    write_repo(root, {"goals/teams/signups.yaml": BROKEN_TEAM}, base=False)
    team_folder = root / "goals" / "teams"
    checked = same_run("check", cwd=team_folder, server=server)
    assert checked.returncode == 1
    assert "goals/teams/signups.yaml:6:" in checked.stdout
    assert "unknown-ref" in checked.stdout
    relative = same_run(
        "check", "--repo", "../..", "--format", "json", cwd=team_folder, server=server
    )
    assert relative.returncode == 1  # --repo relative to the caller's folder, not the server's
    shown = same_run("status", "--format", "json", "--as-of", "2026-11-15", cwd=root, server=server)
    assert json.loads(shown.stdout)["as_of"] == "2026-11-15"
    same_run("report", "growth", "--as-of", "2026-11-15", cwd=team_folder, server=server)
    same_run("show", "acme/grow", "--as-of", "2026-11-15", cwd=root, server=server)
    misspelt = same_run("status", "--formt", "json", cwd=root, server=server)
    assert misspelt.returncode == 2
    nowhere = same_run("check", cwd=tmp_path, server=server)
    assert nowhere.returncode == 2 and "no okrctl.yaml found" in nowhere.stderr
    assert served(server) == [
        "check: exit 1",
        "check: exit 1",
        "status: exit 0",
        "report: exit 0",
        "show: exit 0",
        "status: exit 2",
        "check: exit 2",
    ]
    server.stop()  # SIGTERM, as a service manager stops it
    assert server.process.returncode == 0 and "okrctl server stopped" in server.said()
    assert not list((server.folder / "okrctl").glob("*.sock"))


def test_a_served_command_s_client_imports_only_what_handing_it_over_needs(tmp_path, server):
    """What a served command costs its caller is the client's start: it imports okrctl's
    client and a few standard modules (sockets, JSON), never `typing` or `threading` (3 ms
    more a command), let alone the command line or the models."""
    root = committed_repo(tmp_path / "goals-repo")
    before = len(served(server))
    done = okrctl("check", cwd=root, PYTHONPROFILEIMPORTTIME="1")
    assert done.returncode == 0, done.stderr
    assert len(served(server)) == before + 1, server.said()
    imported = {
        line.rsplit("|", 1)[1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert "okrctl.store.resident.client" in imported
    heavy = {"typing", "threading", "multiprocessing", "typer", "pydantic", "okrctl.cli"}
    assert imported & heavy == set()


LATER = "2099-12-31"


def test_after_every_edit_served_commands_answer_as_a_run_alone(tmp_path, server):
    """Each command served twice after each edit: the second is given what the server kept of
    the first (its units, its graph), and still answers as a run alone without caches."""
    root = committed_repo(tmp_path / "goals-repo")
    steps = [*STEPS, ("another period", {"okrctl.yaml": CONFIG.replace("2026-Q4", "2027-Q1")})]
    # (an --as-of before today would read the last commit, not the files edited)
    commands = [("check", "--format", "json"), ("status", "--format", "json", "--as-of", LATER)]
    for label, edits in steps:
        write_repo(root, edits, base=False)
        for command in commands:
            alone = okrctl(*command, cwd=root, alone=True, OKRCTL_NO_CACHE="1")
            for _ in range(2):
                by_server = okrctl(*command, cwd=root)
                assert by_server.returncode == alone.returncode, (label, command)
                assert json.loads(by_server.stdout) == json.loads(alone.stdout), (label, command)
    assert len(served(server)) == 4 * len(steps)


def test_a_served_command_has_the_callers_environment_and_output(tmp_path, server):
    root = committed_repo(tmp_path / "goals-repo")
    okrctl("check", cwd=root, OKRCTL_NO_CACHE="1")
    assert served(server) == ["check: exit 0"]
    assert not (root / ".git" / "okrctl").exists()  # the caller's switch, honoured there
    written = root / "out" / "growth.md"
    args = ("report", "growth", "-o", "out/growth.md", "--as-of", "2026-11-15")
    okrctl(*args, cwd=root, umask=0o077)
    alone = okrctl("report", "growth", "--as-of", "2026-11-15", cwd=root, alone=True)
    assert written.read_text() == alone.stdout  # a relative -o is the caller's folder's
    assert stat.S_IMODE(written.stat().st_mode) == 0o600  # with the caller's umask
    assert served(server)[-1] == "report: exit 0"
    head = subprocess.run(
        f"{OKRCTL} status --as-of 2026-11-15 | head -n 1",
        shell=True,
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert head.stdout.strip() and head.stderr == ""  # a pipe closed early: nothing to say


def test_a_server_whose_code_changed_stops_and_the_command_runs_alone(tmp_path, monkeypatch):
    """The module that changes is one of okrctl's name that this test's server alone imports
    (through `sitecustomize`): touching okrctl's own `_version.py` stopped the servers of the
    tests running beside it."""
    probe = tmp_path / "probe"
    probe.mkdir()
    source = probe / "okrctl_probe.py"
    source.write_text('"""Imported by okrctl\'s processes in this test alone."""\n')
    (probe / "sitecustomize.py").write_text("import okrctl_probe  # noqa: F401\n")
    monkeypatch.setenv("PYTHONPATH", str(probe))
    with running_server(tmp_path / "server.log") as server:
        _served_until_its_code_changes(tmp_path, server, source)


def _served_until_its_code_changes(tmp_path: Path, server: Server, source: Path) -> None:
    root = committed_repo(tmp_path / "goals-repo")
    okrctl("check", cwd=root)
    info = source.stat()
    os.utime(source, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))
    result = okrctl("check", cwd=root)
    assert result.returncode == 0
    assert result.stdout == okrctl("check", cwd=root, alone=True).stdout
    server.process.wait(timeout=20)
    assert "okrctl changed on disk: stopping" in server.said()
    assert served(server) == ["check: exit 0"]  # the second ran in the command's own process
    assert not list((server.folder / "okrctl").glob("*.sock"))


def test_a_dead_servers_socket_is_passed_by_and_replaced(tmp_path):
    root = committed_repo(tmp_path / "goals-repo")
    with server_folder() as folder:
        sockets = folder / "okrctl"
        sockets.mkdir(mode=0o700)
        first = start_server(folder, tmp_path / "first.log")
        path = first.socket
        first.process.kill()  # no chance to remove its socket
        first.process.wait()
        assert path.exists()
        result = okrctl("check", cwd=root)
        assert result.returncode == 0
        assert result.stdout == okrctl("check", cwd=root, alone=True).stdout
        second = start_server(folder, tmp_path / "second.log")
        try:
            assert second.socket == path
            okrctl("check", cwd=root)
            assert served(second) == ["check: exit 0"]
            again = okrctl("serve", cwd=root)
            assert again.returncode == 2
            assert f"okrctl is already served at {path}" in again.stderr
            stopped = okrctl("serve", "--stop", cwd=root)
            assert stopped.returncode == 0
            second.process.wait(timeout=20)
            assert "okrctl server stopped" in second.said()
            assert not path.exists()
            none = okrctl("serve", "--stop", cwd=root)
            assert (none.returncode, none.stderr) == (1, "okrctl: no server runs\n")
        finally:
            second.stop()


def test_an_idle_server_stops(tmp_path):
    with server_folder() as folder:
        idle = start_server(folder, tmp_path / "idle.log", "--idle", "0.02")
        try:
            idle.process.wait(timeout=30)
        finally:
            idle.stop()
        assert "no command for 1.2 s: stopping" in idle.said()
        assert not list((folder / "okrctl").glob("*.sock"))


def test_the_sockets_folder_is_the_users_alone(tmp_path):
    root = committed_repo(tmp_path / "goals-repo")
    with server_folder() as folder:
        running = start_server(folder, tmp_path / "server.log")
        try:
            sockets = folder / "okrctl"
            assert stat.S_IMODE(sockets.stat().st_mode) == 0o700
            assert stat.S_IMODE(running.socket.stat().st_mode) == 0o600
            sockets.chmod(0o755)  # others could now reach the socket: it is not trusted
            result = okrctl("check", cwd=root)
            assert result.returncode == 0
            assert served(running) == []
        finally:
            running.stop()
        refused = okrctl("serve", cwd=root)
        assert refused.returncode == 2
        assert f"{sockets} must be a folder of your own that only you can open" in refused.stderr


def test_a_request_from_another_okrctl_is_declined(server):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.connect(str(server.socket))
        body = json.dumps({"identity": "another okrctl", "argv": ["okrctl", "check"]}).encode()
        connection.sendall(len(body).to_bytes(4, "big") + body)
        assert connection.recv(1) == b"N"
    assert served(server) == []


SLOW_TEMPLATE = """\
{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}
"""


@pytest.mark.slow
def test_ctrl_c_interrupts_the_served_command_and_a_busy_server_is_passed_by(tmp_path, server):
    root = committed_repo(tmp_path / "goals-repo")
    write_repo(root, {"templates/slow.md.j2": SLOW_TEMPLATE}, base=False)
    typed = subprocess.Popen(
        [str(OKRCTL), "report", "--template", "slow"],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(1)  # the server runs it by now: its template loops for 20 s
    started = time.monotonic()
    meanwhile = okrctl("check", cwd=root)  # waits 5 s for the busy server, then runs alone
    assert time.monotonic() - started < 15  # its output piped here is not held by the server
    assert meanwhile.returncode == 0
    assert meanwhile.stdout == okrctl("check", cwd=root, alone=True).stdout
    typed.send_signal(signal.SIGINT)
    stdout, errors = typed.communicate(timeout=20)
    assert (typed.returncode, stdout) == (130, ""), errors
    assert served(server) == ["report: exit 130"]  # (and the check it gave up on never ran)
    after = okrctl("check", cwd=root)
    assert after.returncode == 0 and served(server)[-1] == "check: exit 0"


def test_after_a_check_in_a_served_check_reads_the_new_history(tmp_path, server):
    root = committed_repo(tmp_path / "goals-repo")
    GitRepo(root)  # (a committer for the check-in)
    before = okrctl("check", "--format", "json", cwd=root)
    stale = [f["ref"] for f in json.loads(before.stdout)["findings"] if f["rule"] == "stale"]
    assert "acme/grow/deposits" in stale  # quiet since 2026-10-01
    checked_in = okrctl("checkin", "acme/grow/deposits", "13", "-m", "a new number", cwd=root)
    assert checked_in.returncode == 0, checked_in.stderr
    after = okrctl("check", "--format", "json", cwd=root)
    alone = okrctl("check", "--format", "json", cwd=root, alone=True, OKRCTL_NO_CACHE="1")
    assert json.loads(after.stdout) == json.loads(alone.stdout)
    stale = [f["ref"] for f in json.loads(after.stdout)["findings"] if f["rule"] == "stale"]
    assert "acme/grow/deposits" not in stale
    assert served(server) == ["check: exit 0", "check: exit 0"]  # (checkin runs on its own)


def test_a_file_edited_behind_an_old_modification_time_is_read_again(tmp_path, server):
    """The server reads again only the goals files whose `stat` changed: an edit that puts the
    old modification time back still changes the file's change time."""
    root = committed_repo(tmp_path / "goals-repo")
    team = root / "goals" / "teams" / "signups.yaml"
    long_ago = time.time() - 3600
    os.utime(team, (long_ago, long_ago))  # settled: remembered from the first read on
    assert okrctl("check", cwd=root).returncode == 0
    assert okrctl("check", cwd=root).returncode == 0
    team.write_text(BROKEN_TEAM)
    os.utime(team, (long_ago, long_ago))
    after = okrctl("check", "--format", "json", cwd=root)
    alone = okrctl("check", "--format", "json", cwd=root, alone=True, OKRCTL_NO_CACHE="1")
    assert after.returncode == 1
    assert json.loads(after.stdout) == json.loads(alone.stdout)
    assert served(server) == ["check: exit 0", "check: exit 0", "check: exit 1"]


def test_where_no_server_can_run_every_command_runs_alone(monkeypatch, server):
    """A server needs the socket's peer credentials (Linux): elsewhere `okrctl serve` says so
    and exits 2, and no command looks for one (not even the one listening here)."""
    from conftest import run_cli
    from okrctl.store.resident import address, client
    from okrctl.store.resident import server as serving

    monkeypatch.setattr(serving, "HERE", False)
    monkeypatch.setattr(address, "HERE", False)
    refused = run_cli("serve")
    assert refused.exit_code == 2
    assert refused.stderr == f"okrctl: okrctl serve runs on Linux only (not on {sys.platform})\n"
    assert client.forward(["okrctl", "check"]) is None
    assert client.stop_server() is False
    assert served(server) == [] and server.process.poll() is None


def at_a_terminal(*args: str, cwd: Path, **env: str) -> tuple[bytes, int]:
    """What `okrctl ARGS` prints at a terminal (a pseudo-terminal 100 columns wide), and its
    exit code."""
    import pty

    environment = {**os.environ, "COLUMNS": "100", "TERM": "xterm-256color", **env}
    pid, terminal = pty.fork()
    if pid == 0:  # the child: okrctl, its output the terminal's
        os.chdir(cwd)
        os.execve(str(OKRCTL), ["okrctl", *args], environment)
    printed = b""
    while True:
        try:
            chunk = os.read(terminal, 65536)
        except OSError:  # the terminal closed with the child
            break
        if not chunk:
            break
        printed += chunk
    os.close(terminal)
    _, status = os.waitpid(pid, 0)
    return printed, os.waitstatus_to_exitcode(status)


def test_at_a_terminal_a_served_command_prints_the_same_colours(tmp_path, server):
    root = committed_repo(tmp_path / "goals-repo")
    args = ("status", "--as-of", "2026-11-15")
    by_server = at_a_terminal(*args, cwd=root)
    alone = at_a_terminal(*args, cwd=root, OKRCTL_NO_SERVER="1")
    assert by_server == alone
    assert b"\x1b[" in by_server[0]  # coloured: the caller's stdout is a terminal
    assert served(server) == ["status: exit 0"]


def test_a_collection_already_due_is_made_and_the_server_waits_on(tmp_path, monkeypatch):
    """Everything is collected once `TIDY_AFTER` has passed with no command; where it is
    already due, the server collects at once and goes on waiting (it never asks its socket
    with a timeout of 0, which would not wait but fail), then stops when idle."""
    import io

    from okrctl.store.resident import server as serving

    monkeypatch.setattr(serving, "TIDY_AFTER", 0.0)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
        listener.bind(str(tmp_path / "s.sock"))
        listener.listen()
        state = serving._Served(run=lambda: None, log=io.StringIO(), untidy=True)
        started = time.monotonic()
        serving._loop(listener, state, idle=0.3)
    assert not state.untidy
    assert state.log.getvalue() == "no command for 0.3 s: stopping\n"
    assert time.monotonic() - started >= 0.3
