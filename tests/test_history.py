"""`okrctl history REF`: every check-in from git, oldest first, in one pass over history."""

from __future__ import annotations

import subprocess

import pytest

from conftest import BASE, index_payload, pillar_with, run_cli, typed
from gitrepo import GitRepo

PILLAR_FILE = "goals/pillars/growth.yaml"


def history(root, ref, *extra):
    result = run_cli("history", ref, "--repo", root, "--format", "json", *extra)
    assert result.exit_code == 0, result.stderr
    return result.json()


def value_column(stdout: str) -> list[str]:
    """The `value` cell of each row of `history`'s text."""
    header, *rows = stdout.splitlines()[1:]
    start, end = header.index("value"), header.index("confidence")
    return [row[start:end].strip() for row in rows]


def make_history(tmp_path):
    repo = GitRepo(tmp_path / "okrs")
    repo.commit({**BASE, PILLAR_FILE: pillar_with(30)}, "2026-10-01", "Q4 goals")
    repo.commit({PILLAR_FILE: pillar_with(31.5, 0.6)}, "2026-10-08", "rate 31.5")
    repo.commit(
        {PILLAR_FILE: pillar_with(31.5, 0.6).replace("Convert signups", "Convert more")},
        "2026-10-09",
        "retitle: not a check-in",
    )
    repo.git(
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "checkin(growth/convert/rate): 31.5 (unchanged)\n\nFlat week: launch slipped.\n\n"
        "Okr-Checkin: growth/convert/rate",
        date="2026-10-15",
    )
    return repo


def test_checkins_oldest_first_with_date_author_commit_value_confidence_note(tmp_path):
    repo = make_history(tmp_path)
    shas = repo.git("log", "--reverse", "--format=%H").splitlines()
    assert history(repo.root, "growth/convert/rate") == {
        "ref": "growth/convert/rate",
        "unit": None,
        "checkins": [
            {
                "date": "2026-10-01T12:00:00Z",
                "author": "Maria Lopez",
                "commit": shas[0],
                "value": 30,
                "confidence": None,
                "note": "Q4 goals",
            },
            {
                "date": "2026-10-08T12:00:00Z",
                "author": "Maria Lopez",
                "commit": shas[1],
                "value": 31.5,
                "confidence": 0.6,
                "note": "rate 31.5",
            },
            {
                "date": "2026-10-15T12:00:00Z",
                "author": "Maria Lopez",
                "commit": shas[3],
                "value": 31.5,
                "confidence": 0.6,
                "note": "Flat week: launch slipped.",
            },
        ],
    }


def test_okrctl_checkin_commits_are_read_back(tmp_path):
    repo = make_history(tmp_path)
    result = run_cli(
        "checkin",
        "growth/convert/rate",
        "33",
        "--confidence",
        "0.7",
        "-m",
        "Landing page shipped",
        "--repo",
        repo.root,
    )
    assert result.exit_code == 0
    last = history(repo.root, "growth/convert/rate")["checkins"][-1]
    assert (last["value"], last["confidence"], last["note"]) == (33, 0.7, "Landing page shipped")


def test_renamed_files_are_followed_without_false_checkins(tmp_path):
    repo = make_history(tmp_path)
    repo.git("mv", PILLAR_FILE, "goals/growth-pillar.yaml")
    repo.git("commit", "-q", "-m", "move", date="2026-10-20")
    # the file name no longer names the unit, so it says who it is
    moved = "id: growth\n" + pillar_with(34, 0.6)
    repo.commit({"goals/growth-pillar.yaml": moved}, "2026-10-22", "rate 34")
    values = [c["value"] for c in history(repo.root, "growth/convert/rate")["checkins"]]
    assert values == [30, 31.5, 31.5, 34]


def _renamed_to_acquisition(repo, *, move_file, commit=True):
    """The growth pillar renamed `acquisition` on Oct 20 by Ana, its team following it:
    the file moved (its name is the id) or the id written into it where it stands; with
    `commit` off, left in the working tree (`git mv` staged, the edits not)."""
    team = BASE["goals/teams/signups.yaml"].replace("growth", "acquisition")
    pillar = pillar_with(31.5, 0.6).replace("Convert signups", "Convert more")
    if move_file:
        repo.git("mv", PILLAR_FILE, "goals/pillars/acquisition.yaml")
        renamed = {"goals/pillars/acquisition.yaml": pillar}
    else:
        renamed = {PILLAR_FILE: "id: acquisition\n" + pillar}
    renamed["goals/teams/signups.yaml"] = team
    if not commit:
        repo.write(renamed)
        return next(iter(renamed))
    repo.git("config", "user.name", "Ana Reorg")
    repo.commit(renamed, "2026-10-20", "Growth is Acquisition now")
    repo.git("config", "user.name", "Maria Lopez")
    return next(iter(renamed))


@pytest.mark.parametrize("move_file", [True, False], ids=["file-moved", "id-changed"])
def test_a_unit_renamed_keeps_its_numbers_history(tmp_path, monkeypatch, move_file):
    """A reorg that renamed a unit made the rename commit every number's only check-in, by
    whoever renamed it: the trend started again, and `stale` fell silent for two weeks on
    numbers nobody had looked at in a month; the retro listed its objectives dropped and added
    again. The numbers go on under the new id, read from a cold walk and from an index the
    rename commit extends alike."""
    repo = make_history(tmp_path)
    run_cli("check", "--repo", repo.root)  # an index, to be extended by the rename
    path = _renamed_to_acquisition(repo, move_file=move_file)
    expected = [
        ("2026-10-01", "Maria Lopez", 30, "Q4 goals"),
        ("2026-10-08", "Maria Lopez", 31.5, "rate 31.5"),
        ("2026-10-15", "Maria Lopez", 31.5, "Flat week: launch slipped."),
    ]
    for cache in ("0", "1"):  # the index extended by the rename commit, then a cold walk
        monkeypatch.setenv("OKRCTL_NO_CACHE", cache)
        found = history(repo.root, "acquisition/convert/rate")["checkins"]
        rows = [(c["date"][:10], c["author"], c["value"], c["note"]) for c in found]
        assert rows == expected, cache
        stale = run_cli("check", "--repo", repo.root, "--as-of", "2026-11-05", "--format", "json")
        messages = [f["message"] for f in stale.json()["findings"] if f["rule"] == "stale"]
        assert (
            "`acquisition/convert/rate` has not been checked in for 21 days (last checked in "
            "on 2026-10-15 by Maria Lopez; stale after 14 days): run `okrctl checkin "
            "acquisition/convert/rate VALUE`, even to confirm it"
        ) in messages, cache
    # nor did the retro count the pillar's and the team's objectives dropped and added again
    retro = run_cli("retro", "2026-Q4", "--repo", repo.root, "--format", "json").json()
    assert (retro["added_mid_period"], retro["dropped_mid_period"]) == ([], [])
    assert retro["goalpost_moves"] == []
    # the old ref: its check-ins, and what it is called now
    old = run_cli("history", "growth/convert/rate", "--repo", repo.root)
    assert old.exit_code == 0, old.stderr
    assert len(old.stdout.splitlines()) == 2 + len(expected)
    assert (
        "growth/convert/rate is in no goals file now: its unit was renamed, and it is "
        "acquisition/convert/rate (`okrctl history acquisition/convert/rate` goes on from "
        "here); these are its check-ins until then"
    ) in " ".join(old.stderr.split())
    assert "in no goals file" not in run_cli(
        "history", "acquisition/convert/rate", "--repo", repo.root
    ).stderr
    # checked in after the rename: one more row, under the new id
    own_id = "" if move_file else "id: acquisition\n"
    repo.commit({path: own_id + pillar_with(33, 0.6)}, "2026-10-25", "rate 33")
    rows = history(repo.root, "acquisition/convert/rate")["checkins"]
    assert [(c["date"][:10], c["value"]) for c in rows][-2:] == [
        ("2026-10-15", 31.5),
        ("2026-10-25", 33),
    ]


@pytest.mark.parametrize("move_file", [True, False], ids=["file-moved", "id-changed"])
def test_a_unit_renamed_and_not_committed_yet_keeps_its_numbers_history(tmp_path, move_file):
    """Before the rename was committed its numbers had no history at all: no last check-in,
    no trend, no `stale` finding, so a check before the commit said less than CI would."""
    repo = make_history(tmp_path)
    _renamed_to_acquisition(repo, move_file=move_file, commit=False)
    found = run_cli("check", "--repo", repo.root, "--as-of", "2026-11-05", "--format", "json")
    findings = found.json()["findings"]
    messages = [f["message"] for f in findings if f["ref"].startswith("acquisition/")]
    assert messages == [
        "`acquisition/convert/rate` has not been checked in for 21 days (last checked in on "
        "2026-10-15 by Maria Lopez; stale after 14 days): run `okrctl checkin "
        "acquisition/convert/rate VALUE`, even to confirm it"
    ]
    shown = run_cli("show", "acquisition/convert/rate", "--repo", repo.root).stdout
    assert "last check-in: 2026-10-15 by Maria Lopez" in shown
    # read so, never kept so: the history index the runs wrote knows only what git holds
    (index,) = (repo.root / ".git" / "okrctl").glob("history-*.marshal")
    payload = index_payload(index)
    assert [r for r in [*payload["refs"], *payload["latest"]] if "acquisition" in r] == []


@pytest.mark.parametrize("move_file", [True, False], ids=["file-moved", "id-changed"])
def test_diff_a_report_and_review_follow_a_unit_renamed(tmp_path, move_file):
    """`diff` and a report's changes since `--since` listed every goal of a renamed unit
    dropped and added again; `review` saw a rename only where git saw the file moved. A team
    under the renamed pillar, aligned to its objective, has neither moved nor realigned."""
    repo = make_history(tmp_path)
    _renamed_to_acquisition(repo, move_file=move_file)
    text = run_cli("diff", "HEAD~1", "HEAD", "--repo", repo.root).stdout
    assert text.splitlines()[1:] == ["", "changed (1)", "~ acquisition  id: growth → acquisition"]
    data = run_cli("diff", "HEAD~1", "--repo", repo.root, "--format", "json").json()
    assert (data["added"], data["removed"], data["scores"]) == ([], [], [])
    report = run_cli("report", "acquisition", "--since", "HEAD~1", "--repo", repo.root).stdout
    assert (
        "- Renamed: acquisition is `acquisition` now, was `growth` (its goals and their "
        "history the same)\n"
    ) in report
    assert "Added:" not in report and "Dropped:" not in report
    review = run_cli("review", "HEAD~1", "--repo", repo.root, "--format", "json").json()
    assert [
        (s["change"], s["old"], s["new"], s["author"]) for s in review["scope_changes"]
    ] == [("renamed", "growth", "acquisition", "Ana Reorg")]


def test_a_rename_as_a_user_types_it_from_the_units_folder(tmp_path):
    """The installed `okrctl`, run from `goals/pillars` with its output piped: the renamed
    pillar's history, its diff and its report's changes."""
    repo = make_history(tmp_path)
    _renamed_to_acquisition(repo, move_file=True)
    here = repo.root / "goals" / "pillars"
    found = typed("history", "acquisition/convert/rate", cwd=here)
    assert found.returncode == 0, found.stderr
    assert [line.split()[0] for line in found.stdout.splitlines()[2:]] == [
        "2026-10-01",
        "2026-10-08",
        "2026-10-15",
    ]
    diff = typed("diff", "HEAD~1", cwd=here)
    renamed = "~ acquisition  id: growth → acquisition"
    assert diff.stdout.splitlines()[1:] == ["", "changed (1)", renamed]
    report = typed("report", "acquisition", "--since", "HEAD~1", cwd=here)
    assert "- Renamed: acquisition is `acquisition` now, was `growth`" in report.stdout


def test_history_of_a_number_removed_says_no_file_holds_it_now(tmp_path):
    repo = GitRepo(tmp_path / "okrs")
    repo.commit(BASE, "2026-10-01", "goals")
    company = BASE["goals/company.yaml"]
    repo.commit({"goals/company.yaml": company[: company.index("kpis:")]}, "2026-10-09")
    found = run_cli("history", "acme/ltv-cac", "--repo", repo.root)
    assert found.exit_code == 0, found.stderr
    assert found.stdout.splitlines()[2].split()[:3] == ["2026-10-01", "Maria", "Lopez"]
    assert (
        "acme/ltv-cac is in no goals file now (removed, or its unit renamed): these are its "
        "check-ins while it was"
    ) in " ".join(found.stderr.split())


def test_milestones_and_kpis(tmp_path):
    repo = GitRepo(tmp_path / "okrs")
    repo.commit(BASE, "2026-10-01", "goals")
    team = BASE["goals/teams/signups.yaml"].replace("done: false", "done: true")
    repo.commit({"goals/teams/signups.yaml": team}, "2026-10-05", "shipped")
    company = BASE["goals/company.yaml"].replace("current: 3.2", "current: 2.9")
    repo.commit({"goals/company.yaml": company}, "2026-10-06", "LTV/CAC dipped")
    assert [c["value"] for c in history(repo.root, "signups/funding/ach")["checkins"]] == [
        False,
        True,
    ]
    assert [(c["value"], c["note"]) for c in history(repo.root, "acme/ltv-cac")["checkins"]] == [
        (3.2, "goals"),
        (2.9, "LTV/CAC dipped"),
    ]


def test_a_key_result_never_checked_in_has_no_checkins(tmp_path):
    repo = GitRepo(tmp_path / "okrs")
    repo.commit(BASE, "2026-10-01")
    assert history(repo.root, "growth/convert/rate")["checkins"] == []


def test_text_view(tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    repo = make_history(tmp_path)
    result = run_cli("history", "growth/convert/rate", "--repo", repo.root)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].strip() == "Check-ins of growth/convert/rate"
    assert lines[2].split()[:4] == ["2026-10-01", "Maria", "Lopez", "30"]
    assert "Flat week: launch slipped." in result.stdout


def test_values_are_shown_in_the_unit_the_file_gives_now(tmp_path, monkeypatch):
    """Money keeps its cents in every row once one has them; a file whose name is not its
    unit's is found by its `id:`; JSON carries the unit beside the raw numbers."""
    monkeypatch.setenv("COLUMNS", "120")
    repo = GitRepo(tmp_path / "okrs")
    target = "        target: 40\n"
    cost = "id: growth\n" + pillar_with(2.1).replace(target, target + "        unit: $/month\n")
    others = {name: text for name, text in BASE.items() if name != PILLAR_FILE}
    repo.commit({**others, "goals/growth-pillar.yaml": cost}, "2026-10-01", "Q4 goals")
    repo.commit(
        {"goals/growth-pillar.yaml": cost.replace("current: 2.1", "current: 1.955")},
        "2026-10-08",
        "cheaper",
    )
    result = run_cli("history", "growth/convert/rate", "--repo", repo.root)
    assert result.exit_code == 0, result.stderr
    assert value_column(result.stdout) == ["$2.10/month", "$1.96/month"]
    found = history(repo.root, "growth/convert/rate")
    assert found["unit"] == "$/month"
    assert [c["value"] for c in found["checkins"]] == [2.1, 1.955]

    percent = cost.replace("unit: $/month", 'unit: "%"').replace("current: 2.1", "current: 31")
    repo.commit({"goals/growth-pillar.yaml": percent}, "2026-10-15", "counted in percent now")
    result = run_cli("history", "growth/convert/rate", "--repo", repo.root)
    # in the unit of today, as charts draw them
    assert value_column(result.stdout) == ["2.1%", "1.96%", "31%"]


def test_a_file_that_does_not_parse_now_leaves_the_values_bare(tmp_path, monkeypatch):
    """The unit comes from the working tree; a file broken there still has its history read."""
    monkeypatch.setenv("COLUMNS", "120")
    repo = make_history(tmp_path)
    (repo.root / PILLAR_FILE).write_text("kind: pillar\nobjectives: [\n")
    result = run_cli("history", "growth/convert/rate", "--repo", repo.root)
    assert result.exit_code == 0, result.stderr
    assert value_column(result.stdout) == ["30", "31.5", "31.5"]


def test_a_milestone_reads_done_and_not_done(tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    repo = GitRepo(tmp_path / "okrs")
    repo.commit(BASE, "2026-10-01", "goals")
    team = BASE["goals/teams/signups.yaml"].replace("done: false", "done: true")
    repo.commit({"goals/teams/signups.yaml": team}, "2026-10-05", "shipped")
    result = run_cli("history", "signups/funding/ach", "--repo", repo.root)
    assert value_column(result.stdout) == ["not done", "done"]


def test_shallow_clone_says_history_is_truncated(tmp_path):
    repo = make_history(tmp_path)
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone)],
        check=True,
        capture_output=True,
    )
    result = run_cli("history", "growth/convert/rate", "--repo", clone)
    assert result.exit_code == 0
    assert "history is truncated" in result.stderr
    assert "git fetch --unshallow" in result.stderr and "fetch-depth: 0" in result.stderr
    result = run_cli("check", "--repo", clone)
    assert "history is truncated" in result.stderr


def test_unknown_refs_objectives_and_no_git_exit_2(tmp_path):
    repo = make_history(tmp_path)
    result = run_cli("history", "growth/convert/rat", "--repo", repo.root)
    assert result.exit_code == 2
    assert "did you mean growth/convert/rate" in result.stderr
    result = run_cli("history", "growth/convert", "--repo", repo.root)
    assert result.exit_code == 2
    assert "is an objective" in result.stderr
    from conftest import write_repo

    root = write_repo(tmp_path / "plain", {})
    result = run_cli("history", "growth/convert/rate", "--repo", root)
    assert result.exit_code == 2
    assert "history needs git" in result.stderr


def test_a_version_too_large_for_a_goals_file_is_read_past_never_held(tmp_path):
    """A goals file once committed at 8 MB (a pasted log, say), then fixed: history reads its
    other versions as always, the large one holds nothing (as a version that does not parse),
    and it is never held in memory, whether the first walk was read ahead or not."""
    import tracemalloc

    from okrctl.store.history import read_ahead, read_history
    from okrctl.store.workspace import Workspace

    repo = GitRepo(tmp_path / "okrs")
    repo.commit({**BASE, PILLAR_FILE: pillar_with(30)}, "2026-10-01")
    huge = pillar_with(31) + "# " + "x" * (8 * 1024 * 1024) + "\n"
    repo.commit({PILLAR_FILE: huge}, "2026-10-03", "pasted a log by mistake")
    repo.commit({PILLAR_FILE: pillar_with(32)}, "2026-10-05")
    read_history(repo.root, "goals")  # (its modules imported before memory is traced)
    for first_walk in (True, False):
        for index in (repo.root / ".git" / "okrctl").glob("history-*"):
            index.unlink()
        workspace = Workspace.of(repo.root)
        tracemalloc.start()
        try:
            if first_walk:
                read_ahead(workspace, "goals")
            history = read_history(workspace, "goals")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert peak < 4 * 1024 * 1024, (first_walk, peak)
        checkins = history.refs["growth/convert/rate"].checkins
        assert [c.value for c in checkins] == [30, 32], first_walk


def money_pillar(unit: str, scale: int, current: float, target: float = 40) -> str:
    """The base pillar counted in `unit`: its baseline of 30 and `target` times `scale`."""
    text = pillar_with(current).replace("        target: 40\n", f"        target: {target}\n")
    text = text.replace("        baseline: 30\n", f"        baseline: {30 * scale}\n")
    text = text.replace("Conversion from 30 to 40", "Deposits")
    return text.replace("        source:", f"        unit: {unit}\n        source:", 1)


def money_history(tmp_path):
    """Deposits in $M, checked in twice, then counted in $k (the same amounts), then checked
    in once more."""
    repo = GitRepo(tmp_path / "okrs")
    repo.commit({**BASE, PILLAR_FILE: money_pillar("$M", 1, 30)}, "2026-10-01", "Q4 goals")
    repo.commit({PILLAR_FILE: money_pillar("$M", 1, 31.5)}, "2026-10-08", "rate 31.5")
    repo.commit({PILLAR_FILE: money_pillar("$M", 1, 33.2)}, "2026-10-20", "rate 33.2")
    repo.commit(
        {PILLAR_FILE: money_pillar("$k", 1000, 33200, 40000)}, "2026-11-01", "in thousands"
    )
    repo.commit({PILLAR_FILE: money_pillar("$k", 1000, 35100, 40000)}, "2026-11-10", "35.1")
    return repo


def test_a_number_moved_to_another_magnitude_is_counted_again_in_it(tmp_path, monkeypatch):
    """$M became $k: every check-in reads in $k, exactly (86.2 thousands is 86200, not
    86200.00000000001), the commit that moved it is not a check-in, its target did not move,
    and its trend and forecast draw one quantity; whether history is walked, read from the
    index, or read from it and extended."""
    monkeypatch.setenv("COLUMNS", "120")
    repo = money_history(tmp_path)
    ref = "growth/convert/rate"
    found = history(repo.root, ref)
    assert found["unit"] == "$k"
    assert [(c["date"][:10], c["value"]) for c in found["checkins"]] == [
        ("2026-10-01", 30000),
        ("2026-10-08", 31500),
        ("2026-10-20", 33200),
        ("2026-11-10", 35100),
    ]
    assert history(repo.root, ref) == found  # from the index the first run wrote
    text = run_cli("history", ref, "--repo", repo.root).stdout
    assert value_column(text) == ["$30,000k", "$31,500k", "$33,200k", "$35,100k"]
    shown = run_cli("show", ref, "--repo", repo.root, "--as-of", "2026-11-15", "--format", "json")
    page = shown.json()
    assert page["trend"] == [30000, 31500, 33200, 35100]
    assert 38000 < page["forecast"]["value"] < 42000  # the line of these, not of 33.2 → 35100
    words = run_cli("show", ref, "--repo", repo.root, "--as-of", "2026-11-15").stdout
    assert "this period: ▁▃▅█ $30,000k → $35,100k over 4 check-ins\n" in words
    assert "target moved" not in words

    # an index written before the move, extended over it, holds what a walk from scratch holds
    again = GitRepo(tmp_path / "again")
    again.commit({**BASE, PILLAR_FILE: money_pillar("$M", 1, 30)}, "2026-10-01", "Q4 goals")
    again.commit({PILLAR_FILE: money_pillar("$M", 1, 86.2)}, "2026-10-08", "86.2")
    assert [c["value"] for c in history(again.root, ref)["checkins"]] == [30, 86.2]
    again.commit({PILLAR_FILE: money_pillar("$k", 1000, 86200, 40000)}, "2026-11-01", "in k")
    extended = history(again.root, ref)
    for index in (again.root / ".git" / "okrctl").glob("history-*"):
        index.unlink()
    assert history(again.root, ref) == extended
    assert [c["value"] for c in extended["checkins"]] == [30000, 86200]


def test_a_number_moved_to_another_quantity_keeps_what_was_committed(tmp_path):
    """$M to € (another currency), or to $M/month (another quantity): nothing to count again."""
    repo = money_history(tmp_path)
    repo.commit(
        {PILLAR_FILE: money_pillar("€k", 1000, 36000, 40000)}, "2026-11-20", "in euros now"
    )
    found = history(repo.root, "growth/convert/rate")
    assert [c["value"] for c in found["checkins"]] == [30000, 31500, 33200, 35100, 36000]


def test_retro_and_review_count_a_number_moved_to_another_magnitude_again(tmp_path):
    """Counting in $k what was in $M moves no goal-post and checks nothing in; a target moved
    before it reads in $k, as the table shows it; `title-numbers` reads "$30M" as 30,000 of a
    `$k` number."""
    repo = GitRepo(tmp_path / "okrs")
    repo.commit({**BASE, PILLAR_FILE: money_pillar("$M", 1, 30)}, "2026-10-01", "Q4 goals")
    repo.commit({PILLAR_FILE: money_pillar("$M", 1, 31.5, 45)}, "2026-10-20", "aim higher")
    repo.git("checkout", "-q", "-b", "pr")
    thousands = money_pillar("$k", 1000, 31500, 45000)
    titled = thousands.replace("title: Deposits", "title: Deposits from $30M to $45M")
    repo.commit({PILLAR_FILE: titled}, "2026-11-01", "in thousands")
    repo.commit({PILLAR_FILE: titled.replace("31500", "33000")}, "2026-11-10", "33000")
    retro = run_cli("retro", "2026-Q4", "--repo", repo.root, "--format", "json").json()
    assert [(m["field"], m["old"], m["new"]) for m in retro["goalpost_moves"]] == [
        ("target", 40000, 45000)
    ]
    review = run_cli(
        "review", "main", "pr", "--repo", repo.root, "--as-of", "2026-11-15", "--format", "json"
    ).json()
    assert review["goalpost_moves"] == []
    assert [(c["ref"], c["old"], c["new"]) for c in review["checkins"]] == [
        ("growth/convert/rate", 31500, 33000)
    ]
    assert review["findings"]["new"] == []  # the title agrees with the numbers


def test_a_unit_no_file_could_hold_in_an_old_version_is_read_past(tmp_path):
    """A version from git may say anything (`unit: 7`, fixed a commit later): nothing to count
    again, and no traceback in `history`, `retro` or `review`."""
    repo = GitRepo(tmp_path / "okrs")
    repo.commit({**BASE, PILLAR_FILE: money_pillar("$M", 1, 30)}, "2026-10-01", "Q4 goals")
    repo.git("checkout", "-q", "-b", "pr")
    repo.commit({PILLAR_FILE: money_pillar("7", 1, 31)}, "2026-11-01", "typo")
    repo.commit({PILLAR_FILE: money_pillar("$k", 1000, 31000, 40000)}, "2026-11-02", "in k")
    assert [c["value"] for c in history(repo.root, "growth/convert/rate")["checkins"]] == [
        30,
        31,
        31000,
    ]
    retro = run_cli("retro", "2026-Q4", "--repo", repo.root, "--format", "json")
    assert retro.exit_code == 0, retro.stderr
    review = run_cli("review", "main", "pr", "--repo", repo.root, "--as-of", "2026-11-15")
    assert review.exit_code == 0, review.stderr
