"""A large cold load composes part of its files in a second process (store/compose_elsewhere.py):
what it loads is exactly what one process alone loads, broken files and all, and nothing that
goes wrong in the second process changes it."""

from __future__ import annotations

import threading

import pytest

from conftest import BASE, TEAM, run_cli, write_repo
from gitrepo import GitRepo
from okrctl.store import compose_elsewhere
from okrctl.store.cache import parse_cache
from okrctl.store.load import load_repo
from okrctl.store.versions import Known
from okrctl.store.workspace import Workspace

TEAMS = 240


def team(n: int) -> str:
    text = TEAM.replace("lead: sam", f"lead: lead{n}")
    if n % 50 == 7:  # a broken file now and then, late ones in the second process's share
        return text.replace("kind: team", "kind: tema").replace(
            "aligns_to: [growth/convert]", "aligns_to: [growth/convert, acme/grow]"
        )
    if n % 60 == 11:
        return text + "  - id: [not, an, id]\n"
    return text


def org(root):
    files = {f"goals/teams/team-{n:03}.yaml": team(n) for n in range(TEAMS)}
    return write_repo(root, files)


def loaded(root, *, caching: bool = True):
    workspace = Workspace(root.resolve(), caching=caching)
    seen = Known()
    repository = load_repo(workspace, seen=seen)
    return (
        [(u.path, u.unit, u.source.pack()) for u in repository.units],
        repository.texts,
        repository.findings,
        repository.broken_unit_ids,
        repository.broken_aligns_to,
        dict(seen),
        repository.files_read,
    )


def alone(monkeypatch, root, **options):
    with monkeypatch.context() as patch:
        patch.setattr(compose_elsewhere, "can_fork", lambda files: False)
        return loaded(root, **options)


@pytest.mark.skipif(not compose_elsewhere.can_fork(TEAMS), reason="composes in one process here")
@pytest.mark.parametrize("caching", [True, False])
def test_two_processes_load_what_one_loads(tmp_path, monkeypatch, caching):
    root = org(tmp_path / "okrs")
    GitRepo(root)  # a git repository, so that the parse cache has a place
    forked = []
    real = compose_elsewhere.read_elsewhere
    monkeypatch.setattr(
        compose_elsewhere,
        "read_elsewhere",
        lambda items, read: forked.append(1) or real(items, read),
    )
    together = loaded(root, caching=caching)
    assert forked == [1]
    for index in (root / ".git" / "okrctl").glob("parse-*"):
        index.unlink()
    assert together == alone(monkeypatch, root, caching=caching)
    units, texts, findings, broken, claimed, seen, read = together
    assert read == TEAMS + len(BASE) - 1 and len(texts) == read
    assert {f.rule for f in findings} == {"schema"} and len(broken) == 9
    assert "acme/grow" in claimed  # what a broken late file aligns to still counts
    assert len(seen) >= len(units)  # what history would read from each


@pytest.mark.skipif(not compose_elsewhere.can_fork(TEAMS), reason="composes in one process here")
def test_a_second_process_that_fails_changes_nothing(tmp_path, monkeypatch):
    root = org(tmp_path / "okrs")
    expected = alone(monkeypatch, root, caching=False)

    def broken(entries):
        raise RuntimeError("the second process could not pack its units")

    monkeypatch.setattr(parse_cache, "pack_models", broken)  # (read in the child)
    assert loaded(root, caching=False) == expected


def test_no_second_process_beside_another_thread_or_for_a_few_files():
    """No work is shared with a child beside another thread, or for a few items
    (`store/forks.py`: the load's, the site's, `check`'s and the caches' one decision)."""
    from okrctl.store import forks

    assert not compose_elsewhere.can_fork(forks.WORTH_A_CHILD - 1)
    assert forks.processes_for(forks.WORTH_A_CHILD - 1) == 1
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not compose_elsewhere.can_fork(10_000)
        assert forks.processes_for(10_000) == 1
    finally:
        stop.set()
        other.join()


@pytest.mark.skipif(not compose_elsewhere.can_fork(TEAMS), reason="composes in one process here")
def test_a_fresh_clone_composes_on_two_cores_and_reads_history_beside(tmp_path, monkeypatch):
    """History is read ahead on a thread, started only once the second process runs: the
    findings of a fresh clone equal those of a run with neither (caching off, one process)."""
    repo = GitRepo(tmp_path / "okrs")
    files = {f"goals/teams/team-{n:03}.yaml": team(n) for n in range(TEAMS)}
    repo.commit({**BASE, **files}, "2026-10-01")
    repo.commit({"goals/teams/team-000.yaml": team(0).replace("false", "true")}, "2026-10-09")
    args = ("check", "--repo", repo.root, "--format", "json", "--as-of", "2026-12-31")
    fresh = run_cli(*args).json()
    monkeypatch.setenv("OKRCTL_NO_CACHE", "1")
    monkeypatch.setattr(compose_elsewhere, "can_fork", lambda files: False)
    assert fresh == run_cli(*args).json()
    assert {f["rule"] for f in fresh["findings"]} >= {"schema", "stale"}


@pytest.mark.skipif(not compose_elsewhere.can_fork(TEAMS), reason="composes in one process here")
def test_no_second_process_to_be_had_changes_nothing(tmp_path, monkeypatch):
    """Forking refused (a process limit, a sandbox): this process composes every file."""
    import multiprocessing.process

    root = org(tmp_path / "okrs")
    expected = alone(monkeypatch, root, caching=False)

    def refused(self):
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(multiprocessing.process.BaseProcess, "start", refused)
    assert loaded(root, caching=False) == expected


@pytest.mark.slow
@pytest.mark.skipif(not compose_elsewhere.can_fork(TEAMS), reason="composes in one process here")
def test_the_installed_okrctl_on_a_fresh_clone_from_a_subfolder_piped(tmp_path, monkeypatch):
    """As CI types it on a fresh clone: the installed `okrctl check` inside goals/teams, no
    --repo, its JSON piped. It composes on two cores and reads history ahead (its own process,
    the collector off, as the command runs), and finds what one process alone finds; the next
    run, warm, finds the same again."""
    import json
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    okrctl = shutil.which("okrctl", path=str(Path(sys.executable).parent))
    assert okrctl is not None
    origin = GitRepo(tmp_path / "origin")
    files = {f"goals/teams/team-{n:03}.yaml": team(n) for n in range(TEAMS)}
    origin.commit({**BASE, **files}, "2026-10-01")
    origin.commit({"goals/teams/team-000.yaml": team(0).replace("false", "true")}, "2026-10-09")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(origin.root), str(clone)], check=True)
    command = [okrctl, "check", "--format", "json", "--as-of", "2026-12-31"]

    def run() -> dict:
        done = subprocess.run(
            command, cwd=clone / "goals" / "teams", capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 1, done.stderr  # the broken files are errors
        return json.loads(done.stdout)

    fresh = run()
    assert list((clone / ".git" / "okrctl").glob("parse-*"))  # and the caches written
    monkeypatch.setattr(compose_elsewhere, "can_fork", lambda files: False)
    monkeypatch.setenv("OKRCTL_NO_CACHE", "1")
    alone = run_cli("check", "--repo", clone, "--format", "json", "--as-of", "2026-12-31")
    assert fresh == alone.json()
    assert {f["rule"] for f in fresh["findings"]} >= {"schema", "stale"}
    monkeypatch.delenv("OKRCTL_NO_CACHE")
    assert run() == fresh
