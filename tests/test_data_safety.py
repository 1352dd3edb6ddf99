"""Nothing lost: writes that race, follow links, meet special files, or whose commit fails.
Each test runs real git and real processes; each failed before the fix it guards."""

from __future__ import annotations

import fcntl
import os
import stat
import subprocess
import sys
import threading
import time

import pytest

from conftest import BASE, COMPANY, TEAM, run_cli
from gitrepo import GitRepo

COMPANY_FILE, TEAM_FILE = "goals/company.yaml", "goals/teams/signups.yaml"


def committed_repo(tmp_path, files=None):
    repo = GitRepo(tmp_path / "repo")
    repo.commit({**BASE, **(files or {})}, "2026-10-01", "goals")
    return repo


def okrctl(*args, **kwargs):
    return subprocess.Popen(
        [sys.executable, "-m", "okrctl", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


COMMITTED_COMPANY = COMPANY.replace(
    "    why: Deposits fund plans.\n", "    why: Deposits fund plans.\n    type: committed\n"
)


@pytest.mark.slow
def test_roll_waits_for_a_check_in_and_keeps_its_value(tmp_path):
    """The roll carries the committed objective from the value the check-in wrote while it
    waited: it reads the files only once it holds the lock."""
    repo = committed_repo(tmp_path, {COMPANY_FILE: COMMITTED_COMPANY})
    lock = repo.root / ".git" / "okrctl-checkin.lock"
    with open(lock, "a") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)  # a check-in under way holds the lock
        roll = okrctl("roll", "2027-Q1", "--repo", repo.root)
        time.sleep(1.5)
        assert roll.poll() is None, "roll must wait for the check-in's lock"
        # the check-in lands while the roll waits
        repo.commit(
            {COMPANY_FILE: COMMITTED_COMPANY.replace("current: 12", "current: 15")}, "2026-12-20"
        )
        fcntl.flock(held.fileno(), fcntl.LOCK_UN)
    _, err = roll.communicate(timeout=60)
    assert roll.returncode == 0, err
    rolled = repo.git("show", f"HEAD:{COMPANY_FILE}")
    assert "baseline: 15" in rolled and "current: 15" in rolled
    assert "period: 2027-Q1" in repo.git("show", "HEAD:okrctl.yaml")
    assert repo.git("log", "--format=%s", "-1") == "Roll to 2027-Q1"


def test_a_check_in_through_a_linked_unit_file_writes_the_target_and_keeps_the_link(tmp_path):
    repo = GitRepo(tmp_path / "repo")
    repo.write({**BASE, TEAM_FILE: None, "shared/signups.yaml": TEAM})
    (repo.root / "goals/teams").mkdir()
    os.symlink("../../shared/signups.yaml", repo.root / TEAM_FILE)
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "goals", date="2026-10-01")
    result = run_cli("checkin", "signups/funding/ach", "done", "--repo", repo.root)
    assert result.exit_code == 0, result.stderr
    assert os.path.islink(repo.root / TEAM_FILE)
    assert "done: true" in (repo.root / "shared/signups.yaml").read_text()
    assert repo.git("show", "--name-only", "--format=", "HEAD") == "shared/signups.yaml"
    assert repo.git("status", "--porcelain") == ""
    history = run_cli(
        "history", "signups/funding/ach", "--format", "json", "--repo", repo.root
    ).json()
    assert [c["value"] for c in history["checkins"]] == [False, True]


def test_a_linked_goals_folder_is_checked_in_and_read_back_from_history(tmp_path):
    repo = GitRepo(tmp_path / "repo")
    repo.write({"okrctl.yaml": BASE["okrctl.yaml"]})
    repo.write(
        {k.replace("goals/", "real-goals/"): v for k, v in BASE.items() if k != "okrctl.yaml"}
    )
    os.symlink("real-goals", repo.root / "goals")
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "goals", date="2026-10-01")
    result = run_cli("checkin", "acme/grow/deposits", "14", "--repo", repo.root)
    assert result.exit_code == 0, result.stderr
    assert os.path.islink(repo.root / "goals")
    assert repo.git("show", "--name-only", "--format=", "HEAD") == "real-goals/company.yaml"
    history = run_cli(
        "history", "acme/grow/deposits", "--format", "json", "--repo", repo.root
    ).json()
    assert [c["value"] for c in history["checkins"]] == [12, 14]
    stale = run_cli(
        "check", "--format", "json", "--as-of", "2026-10-10", "--repo", repo.root
    ).json()
    assert not [f for f in stale["findings"] if f["ref"] == "acme/grow/deposits"]


def test_output_onto_a_fifo_is_written_into_it_and_the_fifo_stays(tmp_path, repo):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = run_cli("report", "--repo", repo, "-o", fifo)
    reader.join(timeout=30)
    assert result.exit_code == 0, result.stderr
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert received and received[0].startswith(b"# Acme")


def test_output_onto_a_device_writes_into_it_and_keeps_the_device(tmp_path, repo):
    device = tmp_path / "null"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("making a device node needs CAP_MKNOD, which this machine does not grant")
    result = run_cli("report", "--repo", repo, "-o", device)
    assert result.exit_code == 0, result.stderr
    assert stat.S_ISCHR(os.stat(device).st_mode)


def test_output_onto_a_link_writes_its_target(tmp_path, repo):
    (tmp_path / "out").mkdir()
    (tmp_path / "out/report.md").write_text("old")
    os.symlink("out/report.md", tmp_path / "latest.md")
    result = run_cli("report", "--repo", repo, "-o", tmp_path / "latest.md")
    assert result.exit_code == 0, result.stderr
    assert os.path.islink(tmp_path / "latest.md")
    assert (tmp_path / "out/report.md").read_text().startswith("# Acme")


def test_new_output_files_get_the_umask_permissions(tmp_path, repo):
    old = os.umask(0o022)
    try:
        result = run_cli("report", "--repo", repo, "-o", tmp_path / "r.md")
    finally:
        os.umask(old)
    assert result.exit_code == 0
    assert stat.S_IMODE(os.stat(tmp_path / "r.md").st_mode) == 0o644


def _hook(repo, body):
    hook = repo.root / ".git/hooks/pre-commit"
    hook.write_text(f"#!/bin/sh\n{body}\n")
    hook.chmod(0o755)
    return hook


def test_a_rejected_commit_puts_the_file_back_and_shows_the_hook_output(tmp_path):
    repo = committed_repo(tmp_path)
    before = (repo.root / COMPANY_FILE).read_bytes()
    hook = _hook(repo, 'echo "no check-ins on Fridays" >&2; exit 1')
    result = run_cli("checkin", "acme/grow/deposits", "15", "--repo", repo.root)
    assert result.exit_code == 1
    assert "no check-ins on Fridays" in result.stderr
    assert "put back" in result.stderr
    assert (repo.root / COMPANY_FILE).read_bytes() == before
    hook.unlink()
    retry = run_cli("checkin", "acme/grow/deposits", "15", "--repo", repo.root)
    assert retry.exit_code == 0, retry.stderr
    assert "current: 15" in repo.git("show", f"HEAD:{COMPANY_FILE}")


TEAM_WITH_PERIOD = TEAM.replace("lead: sam", "lead: sam\nperiod: 2026-Q4").replace(
    "    why: Funding is where people drop off.\n",
    "    why: Funding is where people drop off.\n    type: committed\n",
)  # carried by a roll, so only its period changes


def test_a_rejected_roll_puts_every_file_back(tmp_path):
    repo = committed_repo(tmp_path, {TEAM_FILE: TEAM_WITH_PERIOD})
    before = {p: (repo.root / p).read_bytes() for p in ("okrctl.yaml", TEAM_FILE)}
    _hook(repo, "echo 'frozen' >&2; exit 1")
    result = run_cli("roll", "2027-Q1", "--repo", repo.root)
    assert result.exit_code == 1
    assert "frozen" in result.stderr
    assert {p: (repo.root / p).read_bytes() for p in before} == before


def test_a_commit_without_a_git_identity_puts_the_file_back(tmp_path, monkeypatch):
    repo = committed_repo(tmp_path)
    repo.git("config", "--unset", "user.email")
    repo.git("config", "user.useConfigOnly", "true")
    monkeypatch.setenv("HOME", str(tmp_path))  # no global identity either
    for name in ("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL", "EMAIL"):
        monkeypatch.delenv(name, raising=False)
    before = (repo.root / COMPANY_FILE).read_bytes()
    result = run_cli("checkin", "acme/grow/deposits", "15", "--repo", repo.root)
    assert result.exit_code == 1
    assert "user.email" in result.stderr  # git's own advice, whole
    assert (repo.root / COMPANY_FILE).read_bytes() == before


def test_a_stale_index_lock_is_named_with_what_to_do(tmp_path):
    repo = committed_repo(tmp_path)
    (repo.root / ".git/index.lock").touch()
    before = (repo.root / COMPANY_FILE).read_bytes()
    result = run_cli("checkin", "acme/grow/deposits", "15", "--repo", repo.root)
    assert result.exit_code == 1
    assert "remove .git/index.lock" in result.stderr
    assert (repo.root / COMPANY_FILE).read_bytes() == before


CRLF_CONFIG = b"company: Acme\r\nperiod: 2026-Q4\r\n"


def test_roll_keeps_crlf_line_endings_and_a_bom(tmp_path):
    team = ("\ufeff" + TEAM_WITH_PERIOD).replace("\n", "\r\n")
    repo = GitRepo(tmp_path / "repo")
    repo.write({k: v for k, v in BASE.items() if k not in ("okrctl.yaml", TEAM_FILE)})
    (repo.root / "okrctl.yaml").write_bytes(CRLF_CONFIG)
    (repo.root / "goals/teams").mkdir()
    (repo.root / TEAM_FILE).write_bytes(team.encode())
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "goals", date="2026-10-01")
    result = run_cli("roll", "2027-Q1", "--repo", repo.root)
    assert result.exit_code == 0, result.stderr
    assert (repo.root / "okrctl.yaml").read_bytes() == CRLF_CONFIG.replace(b"2026-Q4", b"2027-Q1")
    assert (repo.root / TEAM_FILE).read_bytes() == team.replace("2026-Q4", "2027-Q1").encode()


def test_roll_refuses_a_detached_head_like_checkin(tmp_path):
    repo = committed_repo(tmp_path)
    repo.git("checkout", "-q", "--detach")
    result = run_cli("roll", "2027-Q1", "--repo", repo.root)
    assert result.exit_code == 1
    assert "HEAD is detached" in result.stderr
    assert "2026-Q4" in (repo.root / "okrctl.yaml").read_text()


@pytest.mark.parametrize("written", ["current:\n", "current:   # fill in\n"])
def test_checkin_fills_an_empty_current(tmp_path, written):
    team = COMPANY.replace("current: 12\n", written)
    repo = committed_repo(tmp_path, {COMPANY_FILE: team})
    result = run_cli("checkin", "acme/grow/deposits", "13", "--repo", repo.root)
    assert result.exit_code == 0, result.stderr
    expected = COMPANY.replace("current: 12\n", written.replace("current:", "current: 13"))
    assert (repo.root / COMPANY_FILE).read_text() == expected


def test_a_note_cannot_forge_a_check_in_trailer(tmp_path):
    repo = committed_repo(tmp_path)
    result = run_cli(
        "checkin",
        "acme/grow/deposits",
        "13",
        "-m",
        "fixed\nOkr-Checkin: acme/ltv-cac",
        "--repo",
        repo.root,
    )
    assert result.exit_code == 2
    assert "Okr-Checkin" in result.stderr
    assert repo.git("rev-list", "--count", "HEAD") == "1"


def test_only_the_trailer_block_counts_as_a_check_in(tmp_path):
    repo = committed_repo(tmp_path)
    repo.git(
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "notes",
        "-m",
        "Okr-Checkin: acme/ltv-cac\nwas mentioned here, in the body",
        date="2026-10-05",
    )
    history = run_cli("history", "acme/ltv-cac", "--format", "json", "--repo", repo.root).json()
    assert [c["date"][:10] for c in history["checkins"]] == ["2026-10-01"]
