"""Writes of several files land whole or not at all: `roll`, `import`, `fmt`, `measure` and
`checkin` killed with SIGKILL at any point leave the tree as it was or as it would be, with no
temp file behind, once the next writing command has run. Real processes, real kills, real git."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import CONFIG, copy_demo, run_cli
from gitrepo import GitRepo


def tree(root: Path) -> dict[str, bytes]:
    """Every file of the repository outside .git, by path."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(root).parts
    }


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.rglob(".*okrctl-*") if ".git" not in p.parts)


def demo_repo(root: Path) -> GitRepo:
    repo = GitRepo(root)
    copy_demo(root)
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "demo", date="2026-10-01")
    return repo


def take_lock_and_recover(root: Path) -> None:
    """What every writing command does first, through the real entry point: `okrctl fmt` of a
    file it leaves alone takes the goals lock, and with it finishes or undoes a killed write."""
    (root / "goals/zz-probe.yaml").write_text("kind: team\nparent: acme\n")
    done = subprocess.run(
        [sys.executable, "-m", "okrctl", "fmt", "--repo", str(root), "goals/zz-probe.yaml"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    (root / "goals/zz-probe.yaml").unlink()


KILL_AT = """\
import os, signal, sys
import okrctl.store.journal as journal

step, when = sys.argv[1], int(sys.argv[2])
counts = {"temp": 0, "rename": 0}


def tick(name):
    if name == step and counts[name] == when:
        os.kill(os.getpid(), signal.SIGKILL)
    counts[name] += 1


write_temp = journal._write_temp


def counted_write_temp(*args):
    tick("temp")
    return write_temp(*args)


def counted_rename_all(pairs):
    for real, temp in pairs:
        tick("rename")
        os.replace(temp, real)
    return []


journal._write_temp = counted_write_temp
journal._rename_all = counted_rename_all
from okrctl.__main__ import run
sys.argv = ["okrctl", *sys.argv[3:]]
run()
"""


@pytest.mark.slow
@pytest.mark.parametrize("step", ["temp", "rename"])
def test_a_roll_killed_at_every_step_is_old_or_new_after_the_next_command(tmp_path, step):
    """Before each temp file is written, and before each rename, is a point to be killed at:
    before the last temp file is on disk, the next command removes them all (the old tree);
    after, it makes the remaining renames (the new tree)."""
    fresh = demo_repo(tmp_path / "fresh")
    old = tree(fresh.root)
    rolled = demo_repo(tmp_path / "rolled")
    assert run_cli("roll", "2027-Q1", "--carry", "--repo", rolled.root).exit_code == 0
    new = tree(rolled.root)
    changed = [name for name in new if new[name] != old.get(name)]
    assert len(changed) > 3  # okrctl.yaml and several goals files
    script = tmp_path / "kill_at.py"
    script.write_text(KILL_AT)
    outcomes = set()
    for when in range(len(changed)):
        repo = demo_repo(tmp_path / f"{step}-{when}")
        done = subprocess.run(
            [sys.executable, str(script), step, str(when), "roll", "2027-Q1", "--carry",
             "--repo", str(repo.root)],
            capture_output=True,
            timeout=120,
        )  # fmt: skip
        assert done.returncode == -signal.SIGKILL, done.stderr
        assert (repo.root / ".git/okrctl-write.journal").exists()
        take_lock_and_recover(repo.root)
        after = tree(repo.root)
        assert after in (old, new)
        assert leftovers(repo.root) == []
        outcomes.add("new" if after == new else "old")
    assert outcomes == ({"old"} if step == "temp" else {"new"})


@pytest.mark.slow
def test_twenty_random_kills_of_a_roll(tmp_path):
    """`okrctl roll --carry` through the installed entry point, SIGKILL at a random moment of its
    run: after the next writing command, the tree is the old one or the new one."""
    okrctl = shutil.which("okrctl", path=os.path.dirname(sys.executable))
    assert okrctl is not None, "the okrctl entry point is installed beside python"
    template = demo_repo(tmp_path / "template")
    old = tree(template.root)
    timed = demo_repo(tmp_path / "timed")
    started = time.monotonic()
    subprocess.run([okrctl, "roll", "2027-Q1", "--carry", "--repo", timed.root], check=True)
    duration = time.monotonic() - started
    new = tree(timed.root)
    chance = random.Random(20261205)
    for index in range(20):
        repo_root = tmp_path / f"run-{index}"
        shutil.copytree(template.root, repo_root, symlinks=True)
        process = subprocess.Popen(
            [okrctl, "roll", "2027-Q1", "--carry", "--repo", repo_root],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(chance.uniform(0.3, 1.0) * duration)
        process.send_signal(signal.SIGKILL)
        process.wait()
        (repo_root / ".git/index.lock").unlink(missing_ok=True)  # git's own, if killed in commit
        take_lock_and_recover(repo_root)
        assert tree(repo_root) in (old, new), f"run {index}"
        assert leftovers(repo_root) == [], f"run {index}"


def test_a_journal_okrctl_did_not_write_is_dropped(tmp_path):
    repo = demo_repo(tmp_path / "okrs")
    before = tree(repo.root)
    journal = repo.root / ".git/okrctl-write.journal"
    journal.write_text("{not json")
    take_lock_and_recover(repo.root)
    assert not journal.exists()
    assert tree(repo.root) == before


# --- import takes the goals lock and refuses to replace uncommitted work -----------------------

SHEET = "team,kind,objective,key result,baseline,target\nacme,company,Grow,Up,1,2\n"


def imported_repo(tmp_path: Path) -> GitRepo:
    repo = GitRepo(tmp_path / "okrs")
    repo.commit(
        {
            "okrctl.yaml": CONFIG,
            "goals/company.yaml": "kind: company\nid: acme\nmission: Ours.\n",
        },
        "2026-10-01",
    )
    (tmp_path / "okrs.csv").write_text(SHEET)
    return repo


def test_import_force_refuses_a_file_with_uncommitted_changes(tmp_path):
    repo = imported_repo(tmp_path)
    edited = "kind: company\nid: acme\nmission: Ours, edited and not yet committed.\n"
    (repo.root / "goals/company.yaml").write_text(edited)
    result = run_cli("import", tmp_path / "okrs.csv", "--repo", repo.root, "--force")
    assert result.exit_code == 1
    assert result.stderr == (
        "okrctl: goals/company.yaml has uncommitted changes: commit or stash them first; nothing"
        " was written\n"
    )
    assert (repo.root / "goals/company.yaml").read_text() == edited
    repo.git("checkout", "--", "goals/company.yaml")
    assert run_cli("import", tmp_path / "okrs.csv", "--repo", repo.root, "--force").exit_code == 0
    assert "title: Grow" in (repo.root / "goals/company.yaml").read_text()


@pytest.mark.slow
def test_import_waits_for_the_goals_lock(tmp_path):
    from filelock import FileLock

    repo = imported_repo(tmp_path)
    lock = FileLock(repo.root / ".git/okrctl-checkin.lock")
    lock.acquire()
    process = subprocess.Popen(
        [sys.executable, "-m", "okrctl", "import", str(tmp_path / "okrs.csv"), "--force"],
        cwd=repo.root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        time.sleep(3)
        assert process.poll() is None, process.communicate()
        assert "title: Grow" not in (repo.root / "goals/company.yaml").read_text()
    finally:
        lock.release()
    _, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "title: Grow" in (repo.root / "goals/company.yaml").read_text()


def test_fmt_writes_its_files_as_one(tmp_path):
    """Two files to format, the second's rename killed: the next command finishes both."""
    repo = GitRepo(tmp_path / "okrs")
    messy = "kind:   team\nparent: acme\nname:  A\n"
    files = {
        "okrctl.yaml": CONFIG,
        "goals/company.yaml": "kind: company\nid: acme\nmission: M.\n",
        "goals/a.yaml": messy,
        "goals/b.yaml": messy,
    }
    repo.commit(files, "2026-10-01")
    script = tmp_path / "kill_at.py"
    script.write_text(KILL_AT)
    done = subprocess.run(
        [sys.executable, str(script), "rename", "1", "fmt", "--repo", str(repo.root)],
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == -signal.SIGKILL
    written = {n: (repo.root / "goals" / n).read_text() for n in ("a.yaml", "b.yaml")}
    assert sorted(written.values()) != [messy, messy] and messy in written.values()
    take_lock_and_recover(repo.root)
    formatted = "kind: team\nname: A\nparent: acme\n"
    assert (repo.root / "goals/a.yaml").read_text() == formatted
    assert (repo.root / "goals/b.yaml").read_text() == formatted
    assert leftovers(repo.root) == []
