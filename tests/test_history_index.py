"""The history index under .git/okrctl/: faster runs, never a stale or wrong answer."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from datetime import date

from conftest import BASE, TEAM, cache_files, index_payload, pillar_with, run_cli
from gitrepo import GitRepo
from okrctl.commands.check import check_repo
from okrctl.commands.status import status
from okrctl.store.cache.kept_reads import forget_reads, keep_reads
from okrctl.store.history import read_history
from okrctl.views.history import checkin_json

PILLAR_FILE = "goals/pillars/growth.yaml"


def as_data(history):
    return {
        ref: ([checkin_json(c) for c in found.checkins], found.created)
        for ref, found in history.refs.items()
    }


def fresh(repo):
    for index in (repo.root / ".git" / "okrctl").glob("history-*"):
        index.unlink()
    return read_history(repo.root, "goals")


def index_files(repo):
    return cache_files(repo.root, "history-*")


def versions_asked_of_git(monkeypatch) -> list[str]:
    """The versions a walk asks git for itself (not read ahead), as it asks."""
    from okrctl.store.git import objects

    asked: list[str] = []
    real_blobs = objects.read_blobs
    monkeypatch.setattr(
        objects,
        "read_blobs",
        lambda r, shas, **options: real_blobs(r, asked.extend(shas) or shas, **options),
    )
    return asked


def make(tmp_path):
    repo = GitRepo(tmp_path / "okrs")
    repo.commit({**BASE, PILLAR_FILE: pillar_with(30)}, "2026-10-01")
    repo.commit({PILLAR_FILE: pillar_with(31)}, "2026-10-05")
    return repo


def test_a_full_walk_writes_the_index_and_the_next_run_reads_it(tmp_path):
    repo = make(tmp_path)
    first = read_history(repo.root, "goals")
    [index] = index_files(repo)
    assert index_payload(index)["head"] == repo.git("rev-parse", "HEAD")
    second = read_history(repo.root, "goals")
    assert as_data(second) == as_data(first)



def stale_messages(root, day: str) -> list[str]:
    result = check_repo(root, as_of=date.fromisoformat(day))
    return [f"{f.ref}: {f.message}" for f in result.findings if f.rule == "stale"]


def test_a_long_lived_process_finds_staleness_and_trends_as_a_run_alone(tmp_path):
    """`okrctl serve` keeps what staleness read of each number's row from its last check-in
    on, and each trend's values: a check as of a day before that check-in still finds the one
    before it, numbers never checked in stay so, and trends are those of a run alone."""
    repo = make(tmp_path)
    repo.commit({PILLAR_FILE: pillar_with(32)}, "2026-11-20")
    days = ["2026-12-31", "2026-11-10", "2026-12-31", "2026-11-10", "2026-12-31"]
    alone = {day: stale_messages(repo.root, day) for day in days}
    assert alone["2026-12-31"] != alone["2026-11-10"]
    assert any("2026-11-20" in message for message in alone["2026-12-31"])
    assert any("2026-10-05" in message for message in alone["2026-11-10"])
    later = date(2099, 12, 31)  # (a day before today reads the last commit, not the index)
    scored = status(repo.root, as_of=later).as_json()
    [pillar] = [unit for unit in scored["units"] if unit["id"] == "growth"]
    assert pillar["objectives"][0]["key_results"][0]["trend"] == [30.0, 31.0, 32.0]
    keep_reads()
    try:
        for day in days:
            assert stale_messages(repo.root, day) == alone[day], day
        for _ in range(2):  # (the second given the trends' values the first read)
            assert status(repo.root, as_of=later).as_json() == scored
    finally:
        forget_reads()


def test_an_index_that_earlier_code_wrote_is_removed_once_this_code_writes_its_own(tmp_path):
    """An upgrade starts a new index: the old ones of the same goals (and those named before
    names said which goals) are never read again, and a CI cache would carry them along."""
    repo = make(tmp_path)
    read_history(repo.root, "goals")
    [index] = index_files(repo)
    _, goals_key, code = index.stem.split("-")
    folder = index.parent
    earlier = folder / f"history-{goals_key}-{'0' * len(code)}.marshal"
    named_the_old_way = folder / "history-0123456789abcdef.marshal"
    other_goals = folder / f"history-{'f' * len(goals_key)}-{code}.marshal"
    for kept in (earlier, named_the_old_way, other_goals):
        kept.write_bytes(b"an index")
    read_history(repo.root, "goals")  # read, not written: nothing is removed
    assert earlier.exists() and named_the_old_way.exists()
    repo.commit({PILLAR_FILE: pillar_with(32)}, "2026-10-09")
    extended = read_history(repo.root, "goals")
    assert sorted(index_files(repo)) == sorted([index, other_goals])
    assert as_data(extended) == as_data(fresh(repo))

def test_new_commits_are_added_and_match_a_walk_from_scratch(tmp_path):
    repo = make(tmp_path)
    read_history(repo.root, "goals")
    repo.commit({PILLAR_FILE: pillar_with(33)}, "2026-10-09")
    repo.git(
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "checkin(acme/ltv-cac): 3.2 (unchanged)\n\nOkr-Checkin: acme/ltv-cac",
        date="2026-10-10",
    )
    incremental = read_history(repo.root, "goals")
    assert index_payload(index_files(repo)[0])["head"] == repo.git("rev-parse", "HEAD")
    assert as_data(incremental) == as_data(fresh(repo))
    values = [c.value for c in incremental.refs["growth/convert/rate"].checkins]
    assert values == [30, 31, 33]
    assert len(incremental.refs["acme/ltv-cac"].checkins) == 2


def test_an_index_extended_by_a_few_commits_is_written_as_a_walk_from_scratch_writes_it(tmp_path):
    """Extending reads only the units the new commits touch; the index it writes keeps every
    other unit's rows as read, and holds exactly what a walk from scratch writes: a ref checked
    in again, a key result added to a unit, and a new unit."""
    repo = make(tmp_path)
    read_history(repo.root, "goals")
    added = TEAM.replace(
        "        source: release notes\n",
        "        source: release notes\n"
        "      - id: speed\n        title: Faster funding\n        metric: minutes\n"
        "        baseline: 60\n        target: 5\n        current: 30\n"
        "        source: funnel dashboard\n",
    )
    repo.commit({PILLAR_FILE: pillar_with(33), "goals/teams/signups.yaml": added}, "2026-10-09")
    repo.commit({"goals/teams/payments.yaml": TEAM.replace("lead: sam", "lead: ana")}, "2026-10-11")
    extended = read_history(repo.root, "goals")
    [index] = index_files(repo)
    written = index_payload(index)
    assert "signups/funding/speed" in written["refs"] and "acme/ltv-cac" in written["refs"]
    again = read_history(repo.root, "goals")  # (read from the index written)
    from_scratch = fresh(repo)
    assert index_payload(index_files(repo)[0]) == written
    assert as_data(extended) == as_data(again) == as_data(from_scratch)
    assert sorted(again.refs) == sorted(from_scratch.refs)
    assert len(again.refs) == len(from_scratch.refs)


def test_rewritten_history_is_read_again(tmp_path):
    repo = make(tmp_path)
    read_history(repo.root, "goals")
    repo.git("reset", "-q", "--hard", "HEAD~1")
    repo.commit({PILLAR_FILE: pillar_with(35)}, "2026-10-06")  # HEAD is no descendant of the index
    values = [
        c.value for c in read_history(repo.root, "goals").refs["growth/convert/rate"].checkins
    ]
    assert values == [30, 35]


def test_a_corrupt_index_is_ignored_and_rebuilt(tmp_path):
    repo = make(tmp_path)
    read_history(repo.root, "goals")
    [index] = index_files(repo)
    index.write_text('{"format": 1, "goals": "goals/", "head": ')
    history = read_history(repo.root, "goals")
    assert [c.value for c in history.refs["growth/convert/rate"].checkins] == [30, 31]
    assert index_payload(index)["head"] == repo.git("rev-parse", "HEAD")


def test_an_index_from_a_shallow_clone_is_not_used_once_the_clone_is_complete(tmp_path):
    repo = make(tmp_path)
    repo.commit({PILLAR_FILE: pillar_with(32)}, "2026-10-07")
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone)],
        check=True,
        capture_output=True,
    )
    shallow = read_history(clone, "goals")
    assert shallow.truncated
    assert [c.value for c in shallow.refs["growth/convert/rate"].checkins] == [32]
    subprocess.run(["git", "fetch", "-q", "--unshallow"], cwd=clone, check=True)
    complete = read_history(clone, "goals")
    assert not complete.truncated
    assert [c.value for c in complete.refs["growth/convert/rate"].checkins] == [30, 31, 32]


def test_uncommitted_edits_never_reach_the_index(tmp_path):
    repo = make(tmp_path)
    repo.write({PILLAR_FILE: pillar_with(99)})
    history = read_history(repo.root, "goals")
    assert [c.value for c in history.refs["growth/convert/rate"].checkins] == [30, 31]


def test_concurrent_runs_leave_a_valid_index(tmp_path):
    repo = make(tmp_path)
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "okrctl", "check", "--repo", str(repo.root), "--format", "json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(6)
    ]
    for run in runs:
        out, err = run.communicate(timeout=120)
        assert run.returncode == 0, err
        assert json.loads(out)["errors"] == 0
    [index] = index_files(repo)
    assert index_payload(index)["head"] == repo.git("rev-parse", "HEAD")
    assert not [p for p in index.parent.iterdir() if p.name.startswith(".")]  # no temp files


def test_history_at_an_older_revision_is_not_taken_from_the_index(tmp_path):
    repo = make(tmp_path)
    read_history(repo.root, "goals")
    older = read_history(repo.root, "goals", revision="HEAD~1")
    assert [c.value for c in older.refs["growth/convert/rate"].checkins] == [30]


def test_history_of_a_unit_that_holds_most_versions_walks_everything_and_keeps_the_index(tmp_path):
    repo = make(tmp_path)
    repo.commit({PILLAR_FILE: pillar_with(32)}, "2026-10-07")
    partial = read_history(repo.root, "goals", unit_ids=lambda: {"growth"})
    [index] = index_files(repo)  # 3 of the 5 file versions are growth's: the walk was whole
    assert index_payload(index)["head"] == repo.git("rev-parse", "HEAD")
    assert as_data(partial) == as_data(fresh(repo))


def test_history_of_a_unit_that_holds_few_versions_reads_only_its_files(tmp_path):
    repo = make(tmp_path)
    for day in range(6, 10):
        repo.commit({"goals/teams/signups.yaml": TEAM + f"# edit {day}\n"}, f"2026-10-0{day}")
    partial = read_history(repo.root, "goals", unit_ids=lambda: {"growth"})
    assert index_files(repo) == []
    assert [c.value for c in partial.refs["growth/convert/rate"].checkins] == [30, 31]
    assert not any(ref.startswith("signups/") for ref in partial.refs)


def pillar_of(rate: float, reach: int) -> str:
    return pillar_with(rate) + (
        "      - id: reach\n        title: Reach from 0 to 9\n        baseline: 0\n"
        f"        target: 9\n        current: {reach}\n        source: crm\n"
    )


def test_a_timeline_holds_each_change_of_a_value_not_each_commit_of_its_file(tmp_path):
    """A commit that changes another ref of the file adds nothing to this ref's timeline (in a
    busy org's index nine entries in ten were such repeats); `31` then `31.0` is a change of
    what was committed, and is kept."""
    repo = GitRepo(tmp_path / "okrs")
    repo.commit({**BASE, PILLAR_FILE: pillar_of(30, 1)}, "2026-10-01")
    repo.commit({PILLAR_FILE: pillar_of(30, 2)}, "2026-10-02")
    repo.commit({PILLAR_FILE: pillar_of(31, 2)}, "2026-10-03")
    repo.commit({PILLAR_FILE: pillar_of(31.0, 3)}, "2026-10-04")
    for history in (fresh(repo), read_history(repo.root, "goals")):  # walked, then indexed
        rate = history.refs["growth/convert/rate"]
        assert [(d.day, v, type(v)) for d, v in rate.timeline] == [
            (1, 30, int),
            (3, 31, int),
            (4, 31.0, float),
        ]
        assert [d.day for d, _ in history.refs["growth/convert/reach"].timeline] == [1, 2, 4]
        assert rate.value_at(rate.timeline[0][0].replace(day=2, hour=23)) == 30


def test_check_ins_of_a_period_read_from_the_index_equal_the_built_records(tmp_path):
    """A report asks each number for its check-ins of the period (both ends included) and its
    last check-in by a moment: the index answers from its raw rows, and must answer as the
    records built from them do, at the edges too."""
    from datetime import UTC, datetime, timedelta

    repo = make(tmp_path)
    repo.commit({PILLAR_FILE: pillar_with(33)}, "2026-10-09")
    read_history(repo.root, "goals")
    from_index = read_history(repo.root, "goals")
    built = {ref: from_index.refs[ref] for ref in ["growth/convert/rate"]}
    dates = [c.date for c in built["growth/convert/rate"].checkins]
    assert len(dates) == 3
    second = timedelta(seconds=1)
    edges = [
        (dates[0], dates[-1]),
        (dates[0] + second, dates[-1]),
        (dates[0], dates[-1] - second),
        (datetime(2026, 1, 1, tzinfo=UTC), dates[1]),
        (dates[-1] + second, datetime(2027, 1, 1, tzinfo=UTC)),
    ]
    unbuilt = read_history(repo.root, "goals")
    ref = "growth/convert/rate"
    for start, end in edges:
        assert unbuilt.checkins_between(ref, start, end) == built[ref].checkins_between(start, end)
        assert unbuilt.seen(ref, end) == from_index.seen(ref, end)
        both = {ref: from_index.seen(ref, end), "growth/no-such-kr": None}
        assert unbuilt.seen_all([ref, "growth/no-such-kr"], end) == both  # all in one pass
        assert from_index.seen_all([ref, "growth/no-such-kr"], end) == both  # (built)
        period = {ref: built[ref].checkins_between(start, end), "growth/no-such-kr": []}
        assert unbuilt.checkins_between_all([ref, "growth/no-such-kr"], start, end) == period
        assert from_index.checkins_between_all([ref, "growth/no-such-kr"], start, end) == period
    assert [c.value for c in unbuilt.checkins_between(ref, *edges[1])] == [31, 33]
    assert unbuilt.checkins_between("growth/no-such-kr", *edges[0]) == []


def test_a_first_walk_takes_the_log_read_ahead_while_the_goals_load(tmp_path, monkeypatch):
    """With no index yet (a fresh clone), `check` starts reading the log and the versions it
    names on a thread before it composes the working tree, and the walk takes them: git is
    asked once, and the findings are those of a run that reads them in turn (caching off)."""
    from okrctl.store import history as history_module

    repo = make(tmp_path)
    calls = []
    real = history_module.read_log

    def read_log(top, revision, scope):
        calls.append((revision, threading.current_thread() is threading.main_thread()))
        return real(top, revision, scope)

    monkeypatch.setattr(history_module, "read_log", read_log)
    asked = versions_asked_of_git(monkeypatch)
    ahead = run_cli("check", "--repo", repo.root, "--format", "json", "--as-of", "2026-12-31")
    assert calls == [(repo.git("rev-parse", "HEAD"), False)]  # once, on the other thread
    assert asked == []  # every version came with it, read in one batch
    assert index_files(repo)  # and the index written from it
    monkeypatch.setenv("OKRCTL_NO_CACHE", "1")
    plain = run_cli("check", "--repo", repo.root, "--format", "json", "--as-of", "2026-12-31")
    assert ahead.json() == plain.json()
    assert [f["rule"] for f in ahead.json()["findings"]].count("stale") >= 1


def test_a_log_read_ahead_of_another_head_is_not_taken(tmp_path):
    """HEAD moved between the read-ahead and the walk (a commit meanwhile): the walk reads
    the log again, up to the new HEAD."""
    from okrctl.store.history import read_ahead
    from okrctl.store.workspace import Workspace

    repo = make(tmp_path)
    workspace = Workspace.of(repo.root)
    read_ahead(workspace, "goals")
    repo.commit({PILLAR_FILE: pillar_with(35)}, "2026-10-07")
    history = read_history(workspace, "goals")
    assert [c.value for c in history.refs["growth/convert/rate"].checkins] == [30, 31, 35]


def test_a_first_walk_beside_uncommitted_changes_reads_the_head_versions_it_lacks(
    tmp_path, monkeypatch
):
    """The log read ahead brings every version but each file's at HEAD, which the working tree
    holds on a fresh clone. Where the working tree has changed a file, the walk asks git for
    that one version, and reads the history a walk without reading ahead reads."""
    repo = make(tmp_path)
    repo.commit({PILLAR_FILE: pillar_with(33), "goals/teams/t.yaml": TEAM}, "2026-10-09")
    head_version = repo.git("rev-parse", f"HEAD:{PILLAR_FILE}")
    asked = versions_asked_of_git(monkeypatch)
    (repo.root / PILLAR_FILE).write_text(pillar_with(34), encoding="utf-8")  # not committed
    args = ("check", "--repo", repo.root, "--format", "json", "--as-of", "2026-12-31")
    assert run_cli(*args).exit_code == 0
    assert asked == [head_version]
    from_the_walk = as_data(read_history(repo.root, "goals"))  # (the index it wrote)
    for index in index_files(repo):
        index.unlink()
    walked_alone = read_history(repo.root, "goals")  # nothing read ahead, nothing known
    assert from_the_walk == as_data(walked_alone)
    assert [c.value for c in walked_alone.refs["growth/convert/rate"].checkins] == [30, 31, 33]
