"""okrctl.yaml kept parsed under .git/okrctl/: an edit is always seen, an error always located,
and a damaged cache file never trusted."""

from __future__ import annotations

import marshal

import pytest

from conftest import BASE, COMPANY, cache_files, run_cli, status_json
from gitrepo import GitRepo

ELSEWHERE = "company: Acme\nperiod: 2026-Q4\ngoals_dir: elsewhere\n"


@pytest.fixture
def repo(tmp_path):
    repo = GitRepo(tmp_path / "okrs")
    repo.commit({**BASE, "elsewhere/company.yaml": COMPANY}, date="2026-10-01")
    return repo


def caches(root):
    return cache_files(root, "config-*.marshal")


def unit_ids(root):
    return [unit["id"] for unit in status_json(root)["units"]]


def test_an_edit_to_okrctl_yaml_is_seen_on_the_next_run(repo):
    assert unit_ids(repo.root) == ["acme", "growth", "signups"]
    assert len(caches(repo.root)) == 1
    assert unit_ids(repo.root) == ["acme", "growth", "signups"]

    repo.write({"okrctl.yaml": ELSEWHERE})
    assert unit_ids(repo.root) == ["acme"]
    repo.write({"okrctl.yaml": BASE["okrctl.yaml"]})
    assert unit_ids(repo.root) == ["acme", "growth", "signups"]


def test_history_reads_goals_dir_from_the_kept_settings(repo):
    company = COMPANY.replace("current: 12", "current: 15")
    repo.commit({"okrctl.yaml": ELSEWHERE}, date="2026-10-02")
    repo.commit({"elsewhere/company.yaml": company}, date="2026-10-03", message="check-in")
    runs = [run_cli("history", "acme/grow/deposits", "--repo", repo.root, "--format", "json")]
    runs.append(run_cli("history", "acme/grow/deposits", "--repo", repo.root, "--format", "json"))
    assert len(caches(repo.root)) == 1
    for result in runs:
        assert result.exit_code == 0, result.stderr
        assert [c["value"] for c in result.json()["checkins"]] == [12, 15]


def test_a_config_error_is_located_the_same_on_a_warm_run(repo):
    limits = "limits:\n  objectives_per_unit: 0\n"
    repo.write({"okrctl.yaml": BASE["okrctl.yaml"] + limits})
    first = run_cli("check", "--repo", repo.root)
    assert len(caches(repo.root)) == 1  # it parses: the next run reads it from the cache
    second = run_cli("check", "--repo", repo.root)
    assert first.exit_code == second.exit_code == 2
    assert "okrctl.yaml:4:24:" in first.stderr
    assert second.stderr == first.stderr


def test_a_file_that_does_not_parse_is_never_kept(repo):
    repo.write({"okrctl.yaml": "company: [Acme\nperiod: 2026-Q4\n"})
    result = run_cli("check", "--repo", repo.root)
    assert result.exit_code == 2
    assert "okrctl.yaml:" in result.stderr
    assert caches(repo.root) == []


@pytest.mark.parametrize(
    "damage",
    [
        b"not marshal at all",
        b"",
        marshal.dumps(("0" * 40, {"goals_dir": "elsewhere"})),  # another file's entry
        marshal.dumps(["a", "list", "of", "five", "things"]),
    ],
)
def test_a_damaged_cache_is_ignored_and_rewritten(repo, damage):
    unit_ids(repo.root)
    (cache,) = caches(repo.root)
    cache.write_bytes(damage)
    assert unit_ids(repo.root) == ["acme", "growth", "signups"]
    assert cache.read_bytes() != damage


def test_nothing_is_kept_when_caching_is_off(repo, monkeypatch):
    monkeypatch.setenv("OKRCTL_NO_CACHE", "1")
    assert unit_ids(repo.root) == ["acme", "growth", "signups"]
    assert caches(repo.root) == []
