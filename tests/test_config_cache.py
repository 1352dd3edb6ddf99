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


def kept_entry(root):
    (cache,) = caches(root)
    return cache, marshal.loads(cache.read_bytes())


def test_settings_that_validated_are_kept_and_read_back_without_validating(repo):
    import pickle

    from okrctl.store.config import load_config
    from okrctl.store.workspace import Workspace

    assert unit_ids(repo.root) == ["acme", "growth", "signups"]
    cache, (key, data, kept) = kept_entry(repo.root)
    assert data["company"] == "Acme"
    settings_key, settings = kept
    assert pickle.loads(settings).company == "Acme"

    where = Workspace.open(repo.root).config_cache
    # Settings kept by this very code are trusted as they are (here, altered by hand) ...
    altered = pickle.loads(settings).model_copy(update={"company": "Kept"})
    cache.write_bytes(marshal.dumps((key, data, (settings_key, pickle.dumps(altered)))))
    assert load_config(repo.root, where).config.company == "Kept"
    # ... and settings kept by other code (another model, pydantic or Python) are not.
    cache.write_bytes(marshal.dumps((key, data, ("0" * 40, pickle.dumps(altered)))))
    assert load_config(repo.root, where).config.company == "Acme"
    assert kept_entry(repo.root)[1][2][0] == settings_key  # validated again, and kept


def test_settings_that_do_not_validate_are_never_kept(repo):
    repo.write({"okrctl.yaml": BASE["okrctl.yaml"] + "stale_after_days: -1\n"})
    for _ in range(2):
        result = run_cli("check", "--repo", repo.root)
        assert result.exit_code == 2
        assert "okrctl.yaml:3:19: `stale_after_days`" in result.stderr
        _, (_, data, kept) = kept_entry(repo.root)
        assert data["stale_after_days"] == -1 and kept is None  # the data only: it parses


@pytest.mark.parametrize(
    "settings",
    [b"not a pickle", b"\x80\x05K\x01.", None],  # garbage, a pickled 1, nothing
)
def test_damaged_settings_are_validated_again(repo, settings):
    unit_ids(repo.root)
    cache, (key, data, (settings_key, _)) = kept_entry(repo.root)
    kept = None if settings is None else (settings_key, settings)
    cache.write_bytes(marshal.dumps((key, data, kept)))
    assert unit_ids(repo.root) == ["acme", "growth", "signups"]
    assert kept_entry(repo.root)[1][2][1] not in (settings, None)  # rewritten with the settings
