"""`--at REV` and `--as-of DATE` read the goals as they were, from real git history."""

from __future__ import annotations

import pytest

from conftest import BASE, TEAM, pillar_with, run_cli
from gitrepo import GitRepo

TEAM_FILE = "goals/teams/signups.yaml"
PILLAR_FILE = "goals/pillars/growth.yaml"


def config(period: str) -> str:
    return f"company: Acme\nperiod: {period}\n"


@pytest.fixture
def history(tmp_path):
    """Q3: created, then checked in twice; Q4: the period rolls over, then one more check-in."""
    repo = GitRepo(tmp_path / "okrs")
    shas = {}
    shas["created"] = repo.commit(
        {**BASE, "okrctl.yaml": config("2026-Q3"), PILLAR_FILE: pillar_with(31)},
        "2026-07-03",
        "goals for Q3",
    )
    shas["july"] = repo.commit({PILLAR_FILE: pillar_with(33)}, "2026-07-20", "checkin 33")
    shas["sept"] = repo.commit({PILLAR_FILE: pillar_with(36)}, "2026-09-25", "checkin 36")
    shas["roll"] = repo.commit({"okrctl.yaml": config("2026-Q4")}, "2026-10-01", "roll to Q4")
    shas["nov"] = repo.commit({PILLAR_FILE: pillar_with(38)}, "2026-11-02", "checkin 38")
    return repo, shas


def rate(root, *args):
    result = run_cli("status", "growth", "--repo", root, "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    payload = result.json()
    [kr] = payload["units"][0]["objectives"][0]["key_results"]
    return payload, kr["current"]


def test_at_a_commit_reads_that_commit(history):
    repo, shas = history
    payload, current = rate(repo.root, "--at", shas["july"])
    assert current == 33
    assert payload["period"] == "2026-Q3"
    # Q3 is over, so --as-of defaults to its last day
    assert (payload["as_of"], payload["elapsed"]) == ("2026-09-30", 1.0)


def test_at_a_period_is_its_last_commit(history):
    repo, _ = history
    payload, current = rate(repo.root, "--at", "2026-Q3")
    assert (current, payload["period"], payload["as_of"]) == (36, "2026-Q3", "2026-09-30")


def test_at_a_period_prefers_its_tag(history):
    repo, shas = history
    repo.git("tag", "okr/2026-Q3", shas["july"])
    _, current = rate(repo.root, "--at", "2026-Q3")
    assert current == 33


def test_at_a_branch_name_and_an_explicit_as_of(history):
    repo, _ = history
    payload, current = rate(repo.root, "--at", "main~1", "--as-of", "2026-10-16")
    assert current == 36
    assert payload["period"] == "2026-Q4"
    assert payload["elapsed"] == pytest.approx(16 / 92)


def test_as_of_a_past_date_reads_the_last_commit_on_or_before_it(history):
    repo, _ = history
    assert rate(repo.root, "--as-of", "2026-07-20")[1] == 33  # the end of that day
    assert rate(repo.root, "--as-of", "2026-07-19")[1] == 31
    assert rate(repo.root, "--as-of", "2026-09-30")[1] == 36


def test_without_as_of_the_working_tree_is_read_uncommitted_edits_included(history):
    repo, _ = history
    repo.write({PILLAR_FILE: pillar_with(39.5)})
    assert rate(repo.root)[1] == 39.5


def test_reading_a_revision_never_touches_the_working_tree(history):
    repo, shas = history
    repo.write({PILLAR_FILE: pillar_with(39.5)})
    before = repo.git("status", "--porcelain")
    rate(repo.root, "--at", shas["created"])
    assert repo.git("status", "--porcelain") == before
    assert "current: 39.5" in (repo.root / PILLAR_FILE).read_text()


def test_check_at_a_revision(history):
    repo, _ = history
    broken = TEAM.replace("parent: growth\n", "")
    repo.commit({TEAM_FILE: broken}, "2026-11-05", "oops")
    repo.commit({TEAM_FILE: TEAM}, "2026-11-06", "fix")
    result = run_cli("check", "--repo", repo.root, "--at", "HEAD~1", "--format", "json")
    assert result.exit_code == 1
    found = [(f["rule"], f["file"]) for f in result.json()["findings"] if f["rule"] != "stale"]
    assert found == [("orphan", TEAM_FILE)]
    assert run_cli("check", "--repo", repo.root, "--at", "HEAD").exit_code == 0


def test_goals_repo_in_a_subfolder_of_the_git_repository(tmp_path):
    repo = GitRepo(tmp_path)
    files = {f"okrs/{path}": text for path, text in BASE.items()}
    first = repo.commit({**files, "okrs/" + PILLAR_FILE: pillar_with(31)}, "2026-10-03")
    repo.commit({"okrs/" + PILLAR_FILE: pillar_with(35)}, "2026-10-09")
    assert rate(tmp_path / "okrs", "--at", first)[1] == 31
    assert rate(tmp_path / "okrs", "--at", "2026-Q4")[1] == 35


@pytest.mark.parametrize("word", ["no-such-branch", "2025-Q1"])
def test_unknown_revisions_and_periods_exit_2(history, word):
    repo, _ = history
    result = run_cli("status", "--repo", repo.root, "--at", word)
    assert result.exit_code == 2
    assert result.stderr.startswith("okrctl: ")  # a message (in-process, a traceback would raise)
    assert word in result.stderr


def test_as_of_before_the_first_commit_exits_2(history):
    repo, _ = history
    result = run_cli("status", "--repo", repo.root, "--as-of", "2026-06-01")
    assert result.exit_code == 2
    assert "no commit on or before 2026-06-01" in result.stderr


def test_outside_git_at_exits_2_and_as_of_reads_the_files_with_a_note(tmp_path):
    from conftest import write_repo

    root = write_repo(tmp_path, {})
    result = run_cli("status", "--repo", root, "--at", "HEAD")
    assert result.exit_code == 2
    assert "needs git history" in result.stderr
    result = run_cli("status", "--repo", root, "--as-of", "2026-01-10", "--format", "json")
    assert result.exit_code == 0
    assert "note: not a git repository" in result.stderr


def test_check_as_of_reads_the_working_tree_and_reading_a_commit_says_what_it_leaves_out(
    tmp_path,
):
    repo = GitRepo(tmp_path / "okrs")
    repo.commit(BASE, "2026-10-01")
    broken = TEAM.replace("aligns_to: [growth/convert]", "aligns_to: [growth/nope]")
    (repo.root / "goals/teams/signups.yaml").write_text(broken)
    as_of = run_cli("check", "--repo", repo.root, "--as-of", "2026-10-15", "--format", "json")
    assert as_of.exit_code == 1  # a date moves the clock, not the files
    assert [f["rule"] for f in as_of.json()["findings"] if f["severity"] == "error"] == [
        "unknown-ref"
    ]
    at = run_cli("check", "--repo", repo.root, "--at", "HEAD")
    assert at.exit_code == 0
    sha = repo.git("rev-parse", "HEAD")[:10]
    note = (
        f"reading the goals at commit {sha} (--at HEAD): 1 file with uncommitted changes"
        " (goals/teams/signups.yaml) is not part of it"
    )
    assert note in at.stderr
    status = run_cli("status", "--repo", repo.root, "--as-of", "2026-10-15", "--format", "json")
    assert (
        f"reading the goals at commit {sha} (the last commit on or before 2026-10-15): 1 file"
        in status.stderr
    )
    repo.git("checkout", "--", "goals/teams/signups.yaml")
    clean = run_cli("check", "--repo", repo.root, "--at", "HEAD")
    assert "uncommitted" not in clean.stderr


def test_a_revision_is_read_from_git_only_where_the_working_tree_differs(tmp_path, monkeypatch):
    """A report's `--since`, `diff` and `review` load a revision that is mostly the working
    tree: blobs with the bytes of a file this command already read come from those bytes, and
    only the others are read from git, giving the same goals as a load with nothing read before."""
    from okrctl.store.git import objects
    from okrctl.store.load import load_repo
    from okrctl.store.workspace import Workspace

    repo = GitRepo(tmp_path / "okrs")
    first = repo.commit({**BASE, PILLAR_FILE: pillar_with(30)}, "2026-10-01")
    repo.commit({PILLAR_FILE: pillar_with(31)}, "2026-10-05")
    asked: list[str] = []
    real = objects.read_blobs

    def read_blobs(git_repo, shas, **options):
        shas = list(shas)
        asked.extend(shas)
        return real(git_repo, shas, **options)

    monkeypatch.setattr(objects, "read_blobs", read_blobs)
    workspace = Workspace.of(repo.root)
    load_repo(workspace)
    assert asked == []  # the working tree is read from disk
    old = load_repo(workspace, revision=first)
    assert asked == [
        repo.git("rev-parse", f"{first}:okrctl.yaml"),
        repo.git("rev-parse", f"{first}:{PILLAR_FILE}"),
    ]
    alone = load_repo(Workspace.of(repo.root), revision=first)
    assert [(u.path, u.unit) for u in old.units] == [(u.path, u.unit) for u in alone.units]
    assert len(old.units) == len(BASE) - 1  # every unit file but okrctl.yaml
    [pillar] = [u.unit for u in old.units if u.path == PILLAR_FILE]
    assert pillar.objectives[0].key_results[0].current == 30


def test_settings_too_large_at_a_revision_are_refused_unread(history):
    """An `okrctl.yaml` larger than any settings file could be, committed once, is a
    configuration error naming the file at that commit (exit 2), read no further than the
    limit; the commits after it read as before."""
    repo, _ = history
    padding = "# " + "x" * 78 + "\n"
    huge = config("2026-Q4") + padding * (2 * 1024 * 1024 // len(padding) + 1)
    bad = repo.commit({"okrctl.yaml": huge}, "2026-11-10", "a mistake")
    repo.commit({"okrctl.yaml": config("2026-Q4")}, "2026-11-11", "fixed")
    result = run_cli("status", "--repo", repo.root, "--at", bad)
    assert result.exit_code == 2
    assert result.stderr == (
        f"okrctl: okrctl.yaml@{bad[:12]}: the file is over the 2,097,152-byte limit; it holds "
        "a few settings (the goals go in their own files under goals_dir)\n"
    )
    assert rate(repo.root)[1] == 38
