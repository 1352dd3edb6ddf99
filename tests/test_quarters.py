"""Two scripted quarters with back-dated commits: retro, diff, close and roll, asserted exactly."""

from __future__ import annotations

import json

import pytest

from conftest import BASE, COMPANY, PILLAR, TEAM, run_cli, typed, write_repo
from gitrepo import GitRepo

COMPANY_FILE, PILLAR_FILE, TEAM_FILE = (
    "goals/company.yaml",
    "goals/pillars/growth.yaml",
    "goals/teams/signups.yaml",
)

EXTRA_OBJECTIVE = """\
  - id: {id}
    title: {title}
    why: Because.
    aligns_to: [growth/convert]
    key_results:
      - id: done
        title: Done
        milestone: true
        done: false
        source: notes
"""


def company(target=20, current=12):
    return (
        COMPANY.replace(
            "    why: Deposits fund plans.\n",
            "    why: Deposits fund plans.\n    type: committed\n",
        )
        .replace("target: 20", f"target: {target}")
        .replace("current: 12", f"current: {current}")
    )


def pillar(target=40, current=30, baseline=30):
    return PILLAR.replace(
        "        target: 40\n", f"        target: {target}\n        current: {current}\n"
    ).replace("baseline: 30", f"baseline: {baseline}")


def team(*extra, committed=False):
    text = TEAM
    if committed:
        text = text.replace(
            "    why: Funding is where people drop off.\n",
            "    why: Funding is where people drop off.\n    type: committed\n",
        )
    for objective_id in extra:
        text += EXTRA_OBJECTIVE.format(id=objective_id, title=objective_id.replace("-", " "))
    return text


@pytest.fixture(scope="module")
def quarters(tmp_path_factory):
    repo = GitRepo(tmp_path_factory.mktemp("quarters") / "okrs")
    q3 = "company: Acme\nperiod: 2026-Q3\n"
    shas = {}
    shas["start"] = repo.commit(
        {**BASE, "okrctl.yaml": q3, COMPANY_FILE: company(), PILLAR_FILE: pillar()},
        "2026-07-01",
        "Q3 goals",
    )
    # within the 14-day grace: a target tuned and an objective planned late, not moves
    repo.commit({PILLAR_FILE: pillar(target=42)}, "2026-07-08", "Tune the target")
    repo.commit({TEAM_FILE: team("planned")}, "2026-07-10", "Plan one more")
    repo.commit({PILLAR_FILE: pillar(target=42, current=33)}, "2026-07-20", "checkin 33")
    shas["move"] = repo.commit(
        {COMPANY_FILE: company(target=18)},
        "2026-08-05",
        "Market shrank: lower the deposit target\n\nOkr-Note: finance",
    )
    shas["type"] = repo.commit(
        {TEAM_FILE: team("planned", committed=True)}, "2026-08-10", "Make funding a commitment"
    )
    shas["added"] = repo.commit(
        {TEAM_FILE: team("planned", "fraud-response", committed=True)},
        "2026-08-12",
        "Fraud wave: respond now",
    )
    shas["dropped"] = repo.commit(
        {TEAM_FILE: team("fraud-response", committed=True)}, "2026-08-20", "Drop the planned one"
    )
    shas["q3-end"] = repo.commit(
        {PILLAR_FILE: pillar(target=42, current=36)}, "2026-09-25", "checkin 36"
    )
    return repo, shas


def retro_json(repo, period):
    result = run_cli("retro", period, "--repo", repo.root, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return result.json()


def test_retro_finds_exactly_the_scripted_moves_additions_and_drops(quarters):
    repo, shas = quarters
    data = retro_json(repo, "2026-Q3")
    assert data["period"] == "2026-Q3"
    assert data["goalpost_moves"] == [
        {
            "ref": "acme/grow/deposits",
            "field": "target",
            "old": 20,
            "new": 18,
            "commit": shas["move"],
            "author": "Maria Lopez",
            "date": "2026-08-05T12:00:00Z",
            "reason": "Market shrank: lower the deposit target",
        },
        {
            "ref": "signups/funding",
            "field": "type",
            "old": "aspirational",
            "new": "committed",
            "commit": shas["type"],
            "author": "Maria Lopez",
            "date": "2026-08-10T12:00:00Z",
            "reason": "Make funding a commitment",
        },
    ]
    assert data["added_mid_period"] == ["signups/fraud-response"]
    assert data["dropped_mid_period"] == ["signups/planned"]


def test_retro_final_grades(quarters):
    repo, _ = quarters
    units = {u["id"]: u for u in retro_json(repo, "2026-Q3")["units"]}
    (grow,) = units["acme"]["objectives"]
    assert (grow["score"], grow["status"]) == (pytest.approx((12 - 10) / (18 - 10)), "missed")
    (convert,) = units["growth"]["objectives"]
    # aspirational, period over: expected 0.7 at elapsed 1; (36 - 30) / (42 - 30) = 0.5
    assert (convert["score"], convert["status"]) == (pytest.approx(0.5), "at_risk")
    funding, fraud = units["signups"]["objectives"]
    assert (funding["ref"], funding["score"], funding["status"]) == (
        "signups/funding",
        0.0,
        "missed",
    )
    assert (fraud["ref"], fraud["status"]) == ("signups/fraud-response", "off_track")


def test_retro_cadence_and_stale(quarters):
    repo, _ = quarters
    data = retro_json(repo, "2026-Q3")
    growth = next(c for c in data["cadence"] if c["unit"] == "growth")
    assert growth["checkins"] == 2  # created with 30 (its start, not a check-in), then 33 and 36
    assert growth["per_week"] == pytest.approx(2 / (92 / 7))
    assert growth["longest_silence_days"] == pytest.approx(67.0)  # Jul 20 to Sep 25
    assert "acme/ltv-cac" in data["stale"]
    assert "growth/convert/rate" not in data["stale"]


def test_retro_markdown_is_a_document_with_questions(quarters):
    repo, _ = quarters
    result = run_cli("retro", "2026-Q3", "--repo", repo.root)
    text = result.stdout
    assert text.startswith("# Retrospective: 2026-Q3\n")
    assert (
        "| 2026-08-05 | Maria Lopez | `acme/grow/deposits` target | 20 → 18 | "
        "Market shrank: lower the deposit target |"
    ) in text
    assert "- **Grow deposits** (`acme/grow`): 0.25" in text
    assert "- Added: **fraud response** (`signups/fraud-response`)" in text
    assert "- Dropped: `signups/planned`" in text
    assert "## To discuss" in text


def test_close_tags_the_last_commit_of_the_period_once(quarters, tmp_path):
    repo, shas = quarters
    result = run_cli("close", "2026-Q3", "--repo", repo.root)
    assert result.exit_code == 0, result.stderr
    assert repo.git("rev-parse", "okr/2026-Q3^{commit}") == shas["q3-end"]
    message = repo.git("tag", "-l", "--format=%(contents)", "okr/2026-Q3")
    assert "acme/grow 0.25 missed" in message and "growth/convert 0.50 at_risk" in message
    again = run_cli("close", "2026-Q3", "--repo", repo.root)
    assert again.exit_code == 1
    assert "already closed" in again.stderr
    assert run_cli("close", "2026-Q3", "--force", "--repo", repo.root).exit_code == 0


def test_roll_then_diff_and_retro_read_the_new_quarter(quarters, monkeypatch):
    repo, _ = quarters
    run_cli("close", "2026-Q3", "--force", "--repo", repo.root)
    monkeypatch.setenv("GIT_AUTHOR_DATE", "2026-10-01T08:00:00+00:00")
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2026-10-01T08:00:00+00:00")
    result = run_cli("roll", "2026-Q4", "--repo", repo.root)
    assert result.exit_code == 0, result.stderr
    # the committed objectives, and the aspirational one they align to
    assert result.stdout.splitlines()[1:] == [
        "  carried acme/grow",
        "  carried acme/grow/deposits",
        "  carried growth/convert",
        "  carried growth/convert/rate",
        "  carried signups/funding",
        "  carried signups/funding/ach",
        "  dropped signups/fraud-response",  # aspirational, and nothing aligns to it
        "  dropped signups/fraud-response/done",
        "titles to rewrite (their numbers move with the roll):",
        "  acme/grow/deposits: it says 'from 10 to 20', and the numbers are 12 → 18",
        "  growth/convert/rate: it says 'from 30 to 40', and the numbers are 36 → 42",
    ]
    assert result.stdout.startswith("rolled to 2026-Q4: 4 files changed; committed ")
    assert repo.git("show", "--name-only", "--format=", "HEAD").splitlines() == [
        "goals/company.yaml",
        "goals/pillars/growth.yaml",
        "goals/teams/signups.yaml",
        "okrctl.yaml",
    ]
    assert "fraud-response" not in (repo.root / TEAM_FILE).read_text()
    assert "period: 2026-Q4" in (repo.root / "okrctl.yaml").read_text()
    assert "baseline: 12\n" in (repo.root / COMPANY_FILE).read_text()  # baseline := current
    assert (repo.root / PILLAR_FILE).read_text() == pillar(target=42, current=36, baseline=36)
    retro_q3 = retro_json(repo, "2026-Q3")["rolled"]
    assert (retro_q3["into"], retro_q3["carried"], retro_q3["dropped"]) == (
        "2026-Q4",
        ["acme/grow", "growth/convert", "signups/funding"],
        ["signups/fraud-response"],
    )
    # a goal-post moved in Q4, after the grace
    monkeypatch.setenv("GIT_AUTHOR_DATE", "2026-10-20T12:00:00+00:00")
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2026-10-20T12:00:00+00:00")
    (repo.root / PILLAR_FILE).write_text(pillar(target=42, current=36, baseline=34))
    repo.git("commit", "-q", "-am", "Rebase the conversion baseline")
    diff = run_cli("diff", "2026-Q3", "2026-Q4", "--repo", repo.root, "--format", "json").json()
    assert (diff["from"], diff["to"], diff["added"], diff["removed"]) == (
        "2026-Q3",
        "2026-Q4",
        [],
        ["signups/fraud-response", "signups/fraud-response/done"],  # dropped by the roll
    )
    assert [(c["ref"], c["field"], c["old"], c["new"]) for c in diff["changed"]] == [
        ("acme/grow/deposits", "baseline", 10, 12),
        ("growth/convert/rate", "baseline", 30, 34),
    ]
    assert {(s["ref"], round(s["new"], 4)) for s in diff["scores"]} == {
        ("acme/grow", 0.0),
        ("growth/convert", round((36 - 34) / (42 - 34), 4)),
    }
    retro_q4 = retro_json(repo, "2026-Q4")
    assert [(m["ref"], m["field"], m["old"], m["new"]) for m in retro_q4["goalpost_moves"]] == [
        ("growth/convert/rate", "baseline", 36, 34)
    ]  # the roll itself came within the grace
    assert retro_q4["added_mid_period"] == [] and retro_q4["dropped_mid_period"] == []


def _aiming_low_in_q3(tmp_path):
    """Q3's goals, the growth pillar's aspirational objective met from its first day."""
    repo = GitRepo(tmp_path / "okrs")
    repo.commit(
        {
            **BASE,
            "okrctl.yaml": "company: Acme\nperiod: 2026-Q3\n",
            PILLAR_FILE: pillar(current=40),
        },
        "2026-07-01",
        "Q3: the pillar aims low",
    )
    return repo


def test_calibration_counts_a_unit_renamed_since_under_its_new_name(tmp_path):
    """A pillar renamed between two quarters split into two rows of one season each, and
    neither was calibrated."""
    repo = _aiming_low_in_q3(tmp_path)
    assert run_cli("close", "2026-Q3", "--repo", repo.root).exit_code == 0
    repo.git("mv", PILLAR_FILE, "goals/pillars/acquisition.yaml")
    repo.commit(
        {
            "okrctl.yaml": "company: Acme\nperiod: 2026-Q4\n",
            "goals/pillars/acquisition.yaml": pillar(current=40),
            TEAM_FILE: TEAM.replace("growth", "acquisition"),
        },
        "2026-10-01",
        "Q4: Growth is Acquisition now, and aims low again",
    )
    rows = {row["unit"]: row for row in retro_json(repo, "2026-Q4")["calibration"]}
    assert rows["acquisition"] == {
        "unit": "acquisition",
        "finding": "too safe",
        "scores": {"2026-Q3": 1.0, "2026-Q4": 1.0},
    }
    assert "growth" not in rows


def test_diff_values_and_text(quarters):
    repo, shas = quarters
    plain = run_cli("diff", shas["start"], shas["q3-end"], "--repo", repo.root, "--format", "json")
    fields = {(c["ref"], c["field"]) for c in plain.json()["changed"]}
    assert ("growth/convert/rate", "current") not in fields
    assert ("growth/convert/rate", "target") in fields
    with_values = run_cli(
        "diff", shas["start"], shas["q3-end"], "--values", "--repo", repo.root, "--format", "json"
    ).json()
    assert {"ref": "growth/convert/rate", "field": "current", "old": 30, "new": 36} in (
        with_values["changed"]
    )
    text = run_cli("diff", shas["start"], shas["q3-end"], "--repo", repo.root).stdout
    assert "+ signups/fraud-response" in text
    assert "~ acme/grow/deposits  target: 20 → 18" in text


@pytest.mark.parametrize(
    ("command", "word"), [("retro", "2025-Q1"), ("diff", "nope"), ("close", "someday")]
)
def test_unknown_periods_and_revisions_exit_2(quarters, command, word):
    repo, _ = quarters
    result = run_cli(command, word, "--repo", repo.root)
    assert result.exit_code == 2
    assert result.stderr.startswith("okrctl: ") and word in result.stderr


def test_calibration_flags_a_unit_that_always_hits_its_aspirational_goals(tmp_path):
    repo = _aiming_low_in_q3(tmp_path)
    repo.commit({PILLAR_FILE: pillar(current=39.5)}, "2026-09-20", "checkin")
    assert run_cli("close", "2026-Q3", "--repo", repo.root).exit_code == 0
    repo.commit(
        {"okrctl.yaml": "company: Acme\nperiod: 2026-Q4\n", PILLAR_FILE: pillar(current=40)},
        "2026-10-01",
        "Q4: and again",
    )
    data = retro_json(repo, "2026-Q4")
    assert data["calibration"] == [
        # the base company (deposits 12 of 10 → 20) and team (milestone not done) never move
        {"unit": "acme", "finding": "over-reach", "scores": {"2026-Q3": 0.2, "2026-Q4": 0.2}},
        {
            "unit": "growth",
            "finding": "too safe",
            "scores": {"2026-Q3": pytest.approx(0.95), "2026-Q4": 1.0},
        },
        {"unit": "signups", "finding": "over-reach", "scores": {"2026-Q3": 0.0, "2026-Q4": 0.0}},
    ]
    text = run_cli("retro", "2026-Q4", "--repo", repo.root).stdout
    assert "- **growth** looks too safe: aspirational scores 2026-Q3 0.95, 2026-Q4 1.00" in text


def test_retro_markdown_escapes_pipes_in_titles(tmp_path):
    repo = GitRepo(tmp_path / "okrs")
    piped = COMPANY.replace("title: Grow deposits", "title: Grow | keep deposits")
    repo.commit({**BASE, COMPANY_FILE: piped}, "2026-10-01", "goals")
    text = run_cli("retro", "2026-Q4", "--repo", repo.root, "--format", "md").stdout
    [row] = [line for line in text.splitlines() if "keep deposits" in line]
    assert "Grow \\| keep deposits" in row
    assert row.count(" | ") == 4  # five cells: the title's pipe splits none


def test_show_and_status_print_a_dollar_range_alike(tmp_path):
    from conftest import write_repo

    dollars = PILLAR.replace("        baseline: 30\n", "        unit: $\n        baseline: 30\n")
    root = write_repo(
        tmp_path, {PILLAR_FILE: dollars.replace("target: 40", "target: 40\n        current: 32")}
    )
    status = run_cli("status", "growth", "--repo", root, "--as-of", "2026-11-15").stdout
    show = run_cli("show", "growth/convert/rate", "--repo", root, "--as-of", "2026-11-15").stdout
    assert "$32 ($30 → $40)" in status
    assert "$32 ($30 → $40)" in show


def test_roll_rewrites_through_the_round_trip_keeping_comments_and_written_numbers(tmp_path):
    """`roll --carry` edits structure through ruamel's round-trip: the comments stay, and the
    new baseline is the current value exactly as it was written."""
    company = COMPANY.replace(
        "        current: 12\n",
        "        current: 12.50  # from the finance report\n",
    ).replace("  - id: grow\n", "  # the one that matters\n  - id: grow\n    type: committed\n")
    root = write_repo(tmp_path, {"goals/company.yaml": company})
    result = run_cli("roll", "2027-Q1", "--carry", "--no-commit", "--repo", root)
    assert result.exit_code == 0, result.stderr
    assert "carried acme/grow" in result.stdout
    text = (root / "goals/company.yaml").read_text()
    assert text == company.replace("baseline: 10\n", "baseline: 12.50\n")
    assert (root / "okrctl.yaml").read_text() == "company: Acme\nperiod: 2027-Q1\n"


def test_retro_asks_only_about_what_happened(tmp_path):
    repo = GitRepo(tmp_path / "okrs")
    repo.commit({**BASE, "okrctl.yaml": "company: Acme\nperiod: 2026-Q3\n"}, "2026-07-01")
    text = run_cli("retro", "2026-Q3", "--repo", repo.root).stdout
    assert "Nothing: the plan held." in text
    questions = text.split("## To discuss\n\n")[1].strip().splitlines()
    assert questions == [  # nothing missed (aspirational), moved, added or dropped
        "1. Where did check-ins go quiet, and why?",
        "2. What will we do differently next period?",
    ]
    acme = next(
        c
        for c in run_cli("retro", "2026-Q3", "--repo", repo.root, "--format", "json").json()[
            "cadence"
        ]
        if c["unit"] == "acme"
    )
    assert acme["checkins"] == 0  # the values the goals were written with are not check-ins


def three_objectives(values: tuple[float, float, float]) -> str:
    """A team whose objectives each have one key result from 0 to 10,000 at these values."""
    objectives = "".join(
        f"""\
  - id: goal-{n}
    title: Goal {n}
    why: It matters.
    aligns_to: [growth/convert]
    key_results:
      - id: count
        title: Count from 0 to 10,000
        baseline: 0
        target: 10000
        current: {value}
        source: dashboard
"""
        for n, value in enumerate(values)
    )
    return f"kind: team\nparent: growth\nobjectives:\n{objectives}"


def test_diff_spells_a_milestone_as_its_file_does(tmp_path):
    """`done: False → True` was Python showing through: a diff says what the YAML says."""
    repo = GitRepo(tmp_path / "okrs")
    first = repo.commit(BASE, "2026-10-01")
    repo.commit({TEAM_FILE: TEAM.replace("done: false", "done: true")}, "2026-10-08")
    text = run_cli("diff", first, "HEAD", "--values", "--repo", repo.root).stdout
    assert "~ signups/funding/ach  done: false → true\n" in text
    markdown = run_cli("diff", first, "HEAD", "--values", "--repo", repo.root, "--format", "md")
    assert "| `signups/funding/ach` | done | false | true |\n" in markdown.stdout
    data = run_cli("diff", first, "HEAD", "--values", "--repo", repo.root, "--format", "json")
    assert {"ref": "signups/funding/ach", "field": "done", "old": False, "new": True} in (
        data.json()["changed"]
    )


def test_diff_tells_a_number_measured_in_another_unit_or_from_another_source(tmp_path):
    """The same number, redefined: a leader diffing the quarter must see it, as a moved target."""
    repo = GitRepo(tmp_path / "okrs")
    first = repo.commit(BASE, "2026-10-01")
    pillar = BASE["goals/pillars/growth.yaml"].replace(
        "        source: funnel dashboard\n",
        "        source: warehouse funnel\n        unit: \"%\"\n",
    )
    company = BASE["goals/company.yaml"].replace(
        "    source: finance model\n", "    source: finance warehouse\n    unit: ratio\n"
    )
    repo.commit({"goals/pillars/growth.yaml": pillar, "goals/company.yaml": company}, "2026-10-20")
    text = run_cli("diff", first, "HEAD", "--repo", repo.root).stdout
    assert "~ growth/convert/rate  unit: none → %\n" in text
    assert "~ growth/convert/rate  source: funnel dashboard → warehouse funnel\n" in text
    data = run_cli("diff", first, "HEAD", "--repo", repo.root, "--format", "json").json()
    assert {"ref": "acme/ltv-cac", "field": "unit", "old": None, "new": "ratio"} in data["changed"]


def test_diff_tells_a_reorganisation_teams_moved_leads_changed_units_added_and_gone(tmp_path):
    """A team moved under another pillar and a new lead made `diff` say "no changes": the
    units themselves were never compared. A reorganisation is what a lead diffs quarters for."""
    repo = GitRepo(tmp_path / "okrs")
    first = repo.commit(BASE, "2026-10-01")
    trust = PILLAR.replace("lead: maria", "lead: raj").replace("id: convert", "id: safe")
    moved = TEAM.replace("parent: growth", "parent: trust").replace("lead: sam", "lead: tom")
    mission = COMPANY.replace("Make saving easy.", "Help every family save.")
    repo.commit(
        {
            "goals/pillars/trust.yaml": trust.replace("growth/", "trust/"),
            TEAM_FILE: moved,
            COMPANY_FILE: mission,
        },
        "2026-11-02",
        "Reorg: signups joins trust",
    )
    text = run_cli("diff", first, "HEAD", "--repo", repo.root).stdout
    assert "+ trust  trust\n" in text
    assert "~ signups  parent: growth → trust\n~ signups  lead: sam → tom\n" in text
    assert "~ acme  mission: Make saving easy. → Help every family save.\n" in text
    data = run_cli("diff", first, "HEAD", "--repo", repo.root, "--format", "json").json()
    assert data["added"][:2] == ["trust", "trust/safe"]
    units = [c for c in data["changed"] if "/" not in c["ref"]]
    assert units == [
        {
            "ref": "acme",
            "field": "mission",
            "old": "Make saving easy.",
            "new": "Help every family save.",
        },
        {"ref": "signups", "field": "parent", "old": "growth", "new": "trust"},
        {"ref": "signups", "field": "lead", "old": "sam", "new": "tom"},
    ]
    gone = repo.commit({"goals/pillars/trust.yaml": None, TEAM_FILE: TEAM}, "2026-11-09")
    back = run_cli("diff", "HEAD~1", gone, "--repo", repo.root, "--format", "json").json()
    assert back["removed"][0] == "trust"


def test_diff_writes_each_change_on_one_line_and_a_reflowed_text_is_none(tmp_path):
    """A `why:` rewritten as a block of lines broke `diff`'s one line per change; the same
    words wrapped into a block read as a change."""
    repo = GitRepo(tmp_path / "okrs")
    first = repo.commit(BASE, "2026-10-01")
    wrapped = COMPANY.replace(
        "    why: Deposits fund plans.\n", "    why: |\n      Deposits\n      fund plans.\n"
    )
    repo.commit({COMPANY_FILE: wrapped}, "2026-10-02", "Wrap the why")
    assert run_cli("diff", first, "HEAD", "--repo", repo.root).stdout.endswith("no changes\n")
    reworded = wrapped.replace("      fund plans.\n", "      fund plans,\n      and trust.\n")
    repo.commit({COMPANY_FILE: reworded}, "2026-10-03", "Reword the why")
    text = run_cli("diff", first, "HEAD", "--repo", repo.root).stdout
    assert text.splitlines()[1:] == [
        "",
        "changed (1)",
        "~ acme/grow  why: Deposits fund plans. → Deposits fund plans, and trust.",
    ]


def test_diff_shows_the_change_between_the_scores_it_shows(tmp_path):
    """0.2751 → 0.2749 read "0.28 → 0.27 (-0.00)", and 0.4101 → 0.4149 "0.41 → 0.41 (+0.00)": a
    change is now the difference of the two scores shown, a move too small to show is counted,
    and JSON keeps every score whole."""
    repo = GitRepo(tmp_path / "okrs")
    first = repo.commit({**BASE, TEAM_FILE: three_objectives((2751, 4101, 3000))}, "2026-10-01")
    repo.commit({TEAM_FILE: three_objectives((2749, 4149, 5000))}, "2026-10-08")
    text = run_cli("diff", first, "HEAD", "--repo", repo.root)
    assert text.exit_code == 0
    assert text.stdout == (
        f"{first} → HEAD\n"
        "\n"
        "scores (2)\n"
        "  signups/goal-0  0.28 → 0.27 (-0.01)  Goal 0\n"
        "  signups/goal-2  0.30 → 0.50 (+0.20)  Goal 2\n"
        "\n"
        "1 more objective moved by less than 0.01 (every one: --format json)\n"
    )
    markdown = run_cli("diff", first, "HEAD", "--repo", repo.root, "--format", "md").stdout
    assert markdown.endswith(
        "| Objective | Before | After | Change |\n"
        "|---|---:|---:|---:|\n"
        "| **Goal 0** (`signups/goal-0`) | 0.28 | 0.27 | -0.01 |\n"
        "| **Goal 2** (`signups/goal-2`) | 0.30 | 0.50 | +0.20 |\n"
        "\n"
        "_1 more objective moved by less than 0.01 (every one: --format json)._\n"
    )
    scores = run_cli("diff", first, "HEAD", "--repo", repo.root, "--format", "json").json()
    assert [(s["ref"], s["old"], s["new"]) for s in scores["scores"]] == [
        ("signups/goal-0", 0.2751, 0.2749),
        ("signups/goal-1", 0.4101, 0.4149),
        ("signups/goal-2", 0.3, 0.5),
    ]


def running_quarter(root):
    """A repository of the quarter running today, created in its first second and checked in
    twice in the seconds after: (repo, period name, its start, its last day)."""
    from datetime import UTC, datetime, timedelta

    today = datetime.now(UTC)
    quarter = (today.month - 1) // 3 + 1
    start = datetime(today.year, 3 * quarter - 2, 1, tzinfo=UTC)
    last_day = (datetime(today.year + quarter // 4, 3 * quarter % 12 + 1, 1) - timedelta(1)).date()
    name = f"{today.year}-Q{quarter}"
    repo = GitRepo(root)
    files = {
        **BASE,
        "okrctl.yaml": f"company: Acme\nperiod: {name}\n",
        COMPANY_FILE: company(),
        TEAM_FILE: team(committed=True),
    }
    repo.commit({**files, PILLAR_FILE: pillar(current=30)}, (start + timedelta(0, 1)).isoformat())
    for seconds, value in ((2, 31), (3, 32)):  # two check-ins, seconds into the quarter
        repo.commit(
            {PILLAR_FILE: pillar(current=value)}, (start + timedelta(0, seconds)).isoformat()
        )
    return repo, name, start, last_day


def test_the_retro_of_a_running_period_grades_it_so_far(tmp_path):
    """Mid-quarter, `retro` said "Final grades" and "Committed objectives missed: None", and
    counted check-ins per week of the whole quarter: it now grades so far, lists the committed
    objectives off track (as `status` has them), and counts per week gone."""
    from datetime import UTC, datetime, timedelta

    repo, name, start, last_day = running_quarter(tmp_path / "okrs")
    text = run_cli("retro", name, "--repo", repo.root).stdout
    gone = datetime.now(UTC) - start
    today = datetime.now(UTC).date()  # (as okrctl's clock reads it)
    days_left = (last_day - today).days
    assert "## Final grades" not in text and "Committed objectives missed" not in text
    assert (
        f"## Grades so far\n\nThe period is still running: {days_left} day"
        f"{'' if days_left == 1 else 's'} left after {today}. Nothing is missed yet;"
    ) in text
    status = run_cli("status", "--repo", repo.root, "--format", "json").json()
    behind = [
        f"- **{o['title']}** (`{o['ref']}`): {o['score']:.2f} against {o['expected']:.2f}"
        " expected by now"
        for u in status["units"] for o in u["objectives"]
        if o["type"] == "committed" and o["status"] == "off_track"
    ]  # fmt: skip
    section = text.split("### Committed objectives off track so far\n\n")[1].split("\n\n")[0]
    assert section.splitlines() == (behind or ["None."])
    growth = next(c for c in retro_json(repo, name)["cadence"] if c["unit"] == "growth")
    assert growth["checkins"] == 2
    assert growth["per_week"] == pytest.approx(2 / (gone / timedelta(days=7)), rel=1e-3)


def test_closing_a_period_before_it_ends_tags_it_and_says_what_that_leaves_out(tmp_path):
    from datetime import UTC, datetime

    repo, name, _, last_day = running_quarter(tmp_path / "okrs")
    today = datetime.now(UTC).date()
    closed = run_cli("close", name, "--repo", repo.root)
    assert closed.exit_code == 0
    head = repo.git("rev-parse", "HEAD")
    assert repo.git("rev-parse", f"okr/{name}^{{commit}}") == head
    left = (last_day - today).days
    assert closed.stderr == (
        f"okrctl: note: {name} runs until {last_day} ({left} day{'' if left == 1 else 's'} left):"
        f" it is graded as of {today}, and check-ins committed after {head[:10]} are not"
        f" part of okr/{name}; once it ends, close it again with --force\n"
    )


def test_the_retro_of_a_pillar_covers_it_and_the_units_below_it(quarters):
    """At 2,000 teams the company's retro lists 6,000 objectives: a pillar's lead asks for the
    pillar's, with its teams, and nothing of the company's or another pillar's."""
    repo, _ = quarters
    whole = retro_json(repo, "2026-Q3")
    result = run_cli("retro", "2026-Q3", "growth", "--repo", repo.root, "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert [u["id"] for u in data["units"]] == ["growth", "signups"]
    assert [u for u in whole["units"] if u["id"] in ("growth", "signups")] == data["units"]
    assert [m["ref"] for m in data["goalpost_moves"]] == ["signups/funding"]  # not acme's
    assert data["added_mid_period"] == ["signups/fraud-response"]
    assert data["dropped_mid_period"] == ["signups/planned"]
    assert "acme/ltv-cac" in whole["stale"] and "acme/ltv-cac" not in data["stale"]
    assert [c["unit"] for c in data["cadence"]] == ["growth", "signups"]
    text = run_cli("retro", "2026-Q3", "growth", "--repo", repo.root).stdout
    assert text.startswith("# Retrospective: 2026-Q3 · growth and the units below it\n")
    assert "Grow deposits" not in text  # the company's objective
    unknown = run_cli("retro", "2026-Q3", "grwth", "--repo", repo.root)
    assert unknown.exit_code == 2
    assert unknown.stderr == "okrctl: unknown unit 'grwth'; did you mean growth?\n"


def test_a_pillars_retro_from_a_subfolder_through_the_installed_okrctl(quarters):
    """As a lead types it: the installed entry point, in the pillar's folder, piped."""
    repo, _ = quarters
    done = typed(
        "retro", "2026-Q3", "growth", "--format", "json", cwd=repo.root / "goals" / "pillars"
    )
    assert done.returncode == 0, done.stderr
    assert [u["id"] for u in json.loads(done.stdout)["units"]] == ["growth", "signups"]


def test_diff_lists_changes_in_cascade_order(quarter):
    """`diff` listed what changed by file name: the company, then the people, then the pillars
    and teams. It follows the cascade, as `status` and the reports do, a unit's own together."""
    payload = run_cli("diff", "2026-Q3", "2026-Q4", "--repo", quarter, "--format", "json").json()
    units = list(dict.fromkeys(ref.split("/")[0] for ref in payload["added"]))
    cascade = [u["id"] for u in run_cli("status", "--repo", quarter, "--format", "json").json()[
        "units"
    ]]  # fmt: skip
    assert units == [unit for unit in cascade if unit in units]
    assert units[:3] == ["harbor", "efficiency", "payments"]
    text = run_cli("diff", "2026-Q3", "2026-Q4", "--repo", quarter).stdout
    assert text.index("+ efficiency/lean-operations ") < text.index("+ chloe/ledger-migration ")
