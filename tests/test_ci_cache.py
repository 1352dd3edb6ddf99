"""CI is warm by default: the scaffolded workflows keep `.git/okrctl/` with `actions/cache`
(restored first, saved last, after a failed check too). Two CI runs simulated for real: a fresh
clone, the cache folder saved after the first run (whose check fails) and restored into the next
run's fresh clone (elsewhere on disk), as the workflows do."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from conftest import run_cli
from gitrepo import GitRepo
from test_review import COMPANY, CONFIG, OPS, SIGNUPS


@pytest.fixture
def origin(tmp_path):
    repo = GitRepo(tmp_path / "origin")
    files = {
        "okrctl.yaml": CONFIG,
        "goals/company.yaml": COMPANY,
        "goals/teams/signups.yaml": SIGNUPS,
        "goals/teams/ops.yaml": OPS,
    }
    repo.commit(files, "2026-10-01", "goals")
    for day, value in (("2026-10-08", "41"), ("2026-10-20", "42"), ("2026-11-02", "43")):
        text = (repo.root / "goals/teams/signups.yaml").read_text()
        text = text.replace("        current: 4", f"        current: {value}  #", 1)
        repo.commit({"goals/teams/signups.yaml": text}, day, f"checkin {value}")
    return repo


def clone(origin: GitRepo, where: Path) -> Path:
    subprocess.run(["git", "clone", "-q", str(origin.root), str(where)], check=True)
    return where


def check(root: Path) -> dict:
    result = run_cli("check", "--repo", root, "--format", "json", "--as-of", "2026-11-15")
    assert result.exit_code == 1, result.stderr  # ops/legacy is an orphan
    return result.json()


def files_of(folder: Path) -> dict[str, tuple[int, bytes]]:
    return {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in folder.iterdir()}


def test_a_restored_cache_makes_the_next_fresh_clone_warm(origin, tmp_path, monkeypatch):
    first = clone(origin, tmp_path / "run-1/okrs")
    cold = check(first)
    assert any(f["rule"] == "stale" for f in cold["findings"])  # history was read
    saved = tmp_path / "actions-cache"
    shutil.copytree(first / ".git/okrctl", saved)  # the job ends, failed: its last step saves
    shutil.rmtree(tmp_path / "run-1")
    second = clone(origin, tmp_path / "run-2/elsewhere/okrs")  # another runner's path
    shutil.copytree(saved, second / ".git/okrctl")  # the next job starts: restored
    before = files_of(second / ".git/okrctl")
    assert check(second) == cold
    # warm: the pack, the history index and the kept config all served it; none rewritten
    assert files_of(second / ".git/okrctl") == before
    monkeypatch.setenv("OKRCTL_NO_CACHE", "1")
    assert check(second) == cold  # and a run with caching off agrees


def test_a_cache_from_an_older_commit_is_extended_and_agrees(origin, tmp_path, monkeypatch):
    first = clone(origin, tmp_path / "run-1/okrs")
    check(first)
    saved = tmp_path / "actions-cache"
    shutil.copytree(first / ".git/okrctl", saved)
    text = (origin.root / "goals/teams/ops.yaml").read_text()
    origin.commit(
        {"goals/teams/ops.yaml": text.replace("current: 8\n", "current: 7\n")}, "2026-11-10"
    )
    second = clone(origin, tmp_path / "run-2/okrs")
    shutil.copytree(saved, second / ".git/okrctl")  # restored by a restore key
    warm = check(second)
    # the one file changed since is parsed, its unit kept beside the pack, which stays as saved
    [pack] = saved.glob("parse-*[0-9a-f].pickle")
    kept = second / ".git/okrctl"
    assert (kept / pack.name).read_bytes() == pack.read_bytes()
    assert [p.name for p in kept.glob("parse-*-recent.pickle")] == [f"{pack.stem}-recent.pickle"]
    monkeypatch.setenv("OKRCTL_NO_CACHE", "1")
    assert warm == check(second)


def test_every_scaffolded_workflow_that_reads_goals_restores_the_cache(tmp_path):
    assert run_cli("init", tmp_path / "okrs").exit_code == 0
    workflows = sorted((tmp_path / "okrs/.github/workflows").glob("*.yml"))
    assert len(workflows) == 5
    for path in workflows:
        for name, job in YAML(typ="safe").load(path.read_text())["jobs"].items():
            steps = job["steps"]
            if not any(s.get("uses", "").startswith("okrctl/okrctl@") for s in steps):
                continue  # a job that runs no okrctl (the site's deploy)
            assert steps[0]["uses"].startswith("actions/checkout@"), (path.name, name)
            cache = steps[1]
            assert cache["uses"] == "actions/cache/restore@v4", (path.name, name)
            assert cache["id"] == "okrctl-cache"
            assert cache["with"]["path"] == ".git/okrctl"
            key = cache["with"]["key"]
            assert key.startswith("okrctl-${{ runner.os }}-${{ github.ref_name }}-")
            assert "hashFiles(" in key
            assert cache["with"]["restore-keys"].split() == [
                "okrctl-${{", "runner.os", "}}-${{", "github.ref_name", "}}-",
                "okrctl-${{", "runner.os", "}}-",
            ]  # fmt: skip
            # the job's last step saves them, after a failed step too (not after a cancel,
            # nor over an exact hit)
            assert steps[-1] == {
                "uses": "actions/cache/save@v4",
                "if": "${{ !cancelled() && steps.okrctl-cache.outputs.cache-hit != 'true' }}",
                "with": {
                    "path": ".git/okrctl",
                    "key": "${{ steps.okrctl-cache.outputs.cache-primary-key }}",
                },
            }, (path.name, name)
            assert sum("actions/cache" in s.get("uses", "") for s in steps) == 2
