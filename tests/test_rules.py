"""One test (at least) per rule of docs/rules.md: the rule, file, line, column and exit code."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from conftest import BASE, COMPANY, PILLAR, TEAM, findings, run_cli, write_repo

TEAM_FILE = "goals/teams/signups.yaml"
PILLAR_FILE = "goals/pillars/growth.yaml"
COMPANY_FILE = "goals/company.yaml"


def test_base_repository_is_clean(repo):
    assert findings(repo) == (0, [])


def test_schema_unknown_field_suggests_the_right_one(tmp_path):
    write_repo(
        tmp_path, {TEAM_FILE: TEAM.replace("        milestone: true", "        milestones: true")}
    )
    result = run_cli("check", "--repo", tmp_path, "--format", "json")
    assert result.exit_code == 1
    [finding] = result.json()["findings"]
    assert (finding["rule"], finding["file"], finding["line"], finding["column"]) == (
        "schema",
        TEAM_FILE,
        12,
        9,
    )
    assert finding["message"] == "unknown field `milestones` (did you mean `milestone`?)"


def test_duplicate_unit_id(tmp_path):
    write_repo(tmp_path, {"goals/teams/zz-copy.yaml": "id: signups\n" + TEAM})
    assert findings(tmp_path) == (1, [("duplicate-id", "goals/teams/zz-copy.yaml", 1, 5)])


def test_duplicate_objective_and_kpi_share_a_namespace(tmp_path):
    company = COMPANY.replace("  - id: ltv-cac", "  - id: grow")
    assert findings(write_repo(tmp_path, {COMPANY_FILE: company})) == (
        1,
        [("duplicate-id", COMPANY_FILE, 16, 9)],
    )


def test_duplicate_key_result_id(tmp_path):
    team = (
        TEAM
        + """\
      - id: ach
        title: Ship it again
        milestone: true
        source: release notes
"""
    )
    assert findings(write_repo(tmp_path, {TEAM_FILE: team})) == (
        1,
        [("duplicate-id", TEAM_FILE, 15, 13)],
    )


def test_unknown_parent(tmp_path):
    team = TEAM.replace("parent: growth", "parent: growht")
    result = run_cli("check", "--repo", write_repo(tmp_path, {TEAM_FILE: team}), "--format", "json")
    [finding] = result.json()["findings"]
    assert (finding["rule"], finding["line"], finding["column"]) == ("unknown-ref", 2, 9)
    assert "did you mean `growth`?" in finding["message"]
    assert result.exit_code == 1


def test_unknown_aligns_to_with_suggestion(tmp_path):
    team = TEAM.replace("aligns_to: [growth/convert]", "aligns_to: [growth/convert, growth/convrt]")
    result = run_cli("check", "--repo", write_repo(tmp_path, {TEAM_FILE: team}), "--format", "json")
    [finding] = result.json()["findings"]
    assert (finding["rule"], finding["file"], finding["line"], finding["column"]) == (
        "unknown-ref",
        TEAM_FILE,
        8,
        33,
    )
    assert finding["ref"] == "signups/funding"
    assert "did you mean `growth/convert`" in finding["message"]


def test_aligning_to_a_unit_names_its_objectives(tmp_path):
    team = TEAM.replace("aligns_to: [growth/convert]", "aligns_to: [growth]")
    result = run_cli("check", "--repo", write_repo(tmp_path, {TEAM_FILE: team}), "--format", "json")
    unsupported, finding = result.json()["findings"]  # growth/convert lost its only supporter
    assert (unsupported["rule"], unsupported["file"]) == ("unsupported", PILLAR_FILE)
    assert (finding["rule"], finding["line"], finding["column"]) == ("unknown-ref", 8, 17)
    assert "`growth/convert`" in finding["message"]


def test_parent_must_not_be_a_person(tmp_path):
    files = {
        "goals/people/sam.yaml": PERSON,
        TEAM_FILE: TEAM.replace("parent: growth", "parent: sam"),
    }
    code, found = findings(write_repo(tmp_path, files))
    assert code == 1
    assert ("unknown-ref", TEAM_FILE, 2, 9) in found


def test_roster_checks_owners_leads_and_person_ids(tmp_path):
    config = "company: Acme\nperiod: 2026-Q4\npeople: [maria, sam]\n"
    team = TEAM.replace(
        "        source: release notes", "        source: release notes\n        owner: dave"
    )
    files = {
        "okrctl.yaml": config,
        TEAM_FILE: team,
        "goals/people/tom.yaml": PERSON.replace("id: sam", "id: tom"),
    }
    assert findings(write_repo(tmp_path, files)) == (
        1,
        [
            ("unknown-ref", "goals/people/tom.yaml", 2, 5),
            ("unknown-ref", TEAM_FILE, 15, 16),
        ],
    )


def test_unit_without_parent_is_one_orphan_finding(tmp_path):
    team = TEAM.replace("parent: growth\n", "")
    assert findings(write_repo(tmp_path, {TEAM_FILE: team})) == (1, [("orphan", TEAM_FILE, 1, 1)])


def test_objective_without_aligns_to_is_an_orphan(tmp_path):
    team = TEAM.replace("    aligns_to: [growth/convert]\n", "")
    assert findings(write_repo(tmp_path, {TEAM_FILE: team})) == (
        1,
        [
            ("unsupported", PILLAR_FILE, 5, 5),  # the team no longer supports it
            ("orphan", TEAM_FILE, 5, 5),
        ],
    )


def test_company_objectives_need_no_aligns_to(repo):
    assert "aligns_to" not in COMPANY
    assert findings(repo) == (0, [])


def test_alignment_loop_between_objectives(tmp_path):
    pillar = PILLAR.replace("aligns_to: [acme/grow]", "aligns_to: [signups/funding/ach]")
    code, found = findings(write_repo(tmp_path, {PILLAR_FILE: pillar}))
    assert code == 1
    # reported once, at the first member of the loop (growth/convert) pointing to the next;
    # and the company objective is now unsupported.
    assert found == [
        ("unsupported", COMPANY_FILE, 5, 5),
        ("alignment-cycle", PILLAR_FILE, 8, 17),
    ]


def test_objective_aligned_to_itself(tmp_path):
    team = TEAM.replace(
        "aligns_to: [growth/convert]", "aligns_to: [growth/convert, signups/funding]"
    )
    assert findings(write_repo(tmp_path, {TEAM_FILE: team})) == (
        1,
        [("alignment-cycle", TEAM_FILE, 8, 33)],
    )


def test_parent_loop(tmp_path):
    pillar = PILLAR.replace("parent: acme", "parent: signups")
    code, found = findings(write_repo(tmp_path, {PILLAR_FILE: pillar}))
    assert code == 1
    assert ("alignment-cycle", PILLAR_FILE, 2, 9) in found


def test_objective_without_key_results(tmp_path):
    team = TEAM.split("    key_results:")[0]
    assert findings(write_repo(tmp_path, {TEAM_FILE: team})) == (
        1,
        [("unmeasurable", TEAM_FILE, 5, 5)],
    )


def test_key_result_without_a_number(tmp_path):
    team = TEAM.replace("        milestone: true\n        done: false\n", "")
    assert findings(write_repo(tmp_path, {TEAM_FILE: team})) == (
        1,
        [("unmeasurable", TEAM_FILE, 10, 9)],
    )


def test_key_result_mixing_milestone_and_target(tmp_path):
    team = TEAM.replace("        done: false\n", "        done: false\n        target: 3\n")
    result = run_cli("check", "--repo", write_repo(tmp_path, {TEAM_FILE: team}), "--format", "json")
    [finding] = result.json()["findings"]
    assert (finding["rule"], finding["line"], finding["column"]) == ("unmeasurable", 10, 9)
    assert "mixes `milestone: true` and `baseline`/`target`" in finding["message"]


def test_key_result_whose_baseline_equals_target(tmp_path):
    pillar = PILLAR.replace("target: 40", "target: 30")
    assert findings(write_repo(tmp_path, {PILLAR_FILE: pillar})) == (
        1,
        [("unmeasurable", PILLAR_FILE, 10, 9)],
    )


def test_kpi_without_healthy_bounds(tmp_path):
    company = COMPANY.replace("    healthy: {min: 3}\n", "")
    assert findings(write_repo(tmp_path, {COMPANY_FILE: company})) == (
        1,
        [("unmeasurable", COMPANY_FILE, 16, 5)],
    )


def test_no_source_is_a_warning(tmp_path):
    team = TEAM.replace("        source: release notes\n", "")
    company = COMPANY.replace("    source: finance model\n", "")
    files = {TEAM_FILE: team, COMPANY_FILE: company}
    assert findings(write_repo(tmp_path, files)) == (
        0,
        [
            ("no-source", COMPANY_FILE, 16, 5),
            ("no-source", TEAM_FILE, 10, 9),
        ],
    )
    assert findings(tmp_path, "--strict")[0] == 1


def test_missing_why(tmp_path):
    team = TEAM.replace("    why: Funding is where people drop off.\n", "")
    company = COMPANY.replace("    why: Balance growth and cost.\n", "")
    assert findings(write_repo(tmp_path, {TEAM_FILE: team, COMPANY_FILE: company})) == (
        0,
        [
            ("missing-why", COMPANY_FILE, 16, 5),
            ("missing-why", TEAM_FILE, 5, 5),
        ],
    )


def test_too_many_objectives(tmp_path):
    config = "company: Acme\nperiod: 2026-Q4\nlimits: {objectives_per_unit: 1}\n"
    second = TEAM.split("objectives:\n")[1].replace("id: funding", "id: funding-two")
    team = TEAM + second
    assert findings(write_repo(tmp_path, {"okrctl.yaml": config, TEAM_FILE: team})) == (
        0,
        [("too-many-objectives", TEAM_FILE, 4, 1)],
    )


def test_too_many_key_results(tmp_path):
    config = "company: Acme\nperiod: 2026-Q4\nlimits: {key_results_per_objective: 1}\n"
    extra = TEAM.split("    key_results:\n")[1].replace("id: ach", "id: ach-two")
    assert findings(write_repo(tmp_path, {"okrctl.yaml": config, TEAM_FILE: TEAM + extra})) == (
        0,
        [("too-many-key-results", TEAM_FILE, 9, 5)],
    )


def test_unsupported_pillar_objective(tmp_path):
    team = TEAM.replace("aligns_to: [growth/convert]", "aligns_to: [acme/grow]")
    assert findings(write_repo(tmp_path, {TEAM_FILE: team})) == (
        0,
        [("unsupported", PILLAR_FILE, 5, 5)],
    )


def test_aligning_to_a_key_result_supports_its_objective(tmp_path):
    team = TEAM.replace("aligns_to: [growth/convert]", "aligns_to: [growth/convert/rate]")
    assert findings(write_repo(tmp_path, {TEAM_FILE: team})) == (0, [])


def test_period_mismatch(tmp_path):
    team = TEAM.replace("lead: sam\n", "lead: sam\nperiod: 2026-Q3\n")
    assert findings(write_repo(tmp_path, {TEAM_FILE: team})) == (
        0,
        [("period-mismatch", TEAM_FILE, 4, 9)],
    )


PERSON = """\
kind: person
id: sam
parent: signups
objectives:
  - id: lead-experiments
    title: Lead funnel experiments
    why: I want to own experiments end to end.
    origin: self
    aligns_to: [signups/funding]
    key_results:
      - id: experiments
        title: Experiments led from 0 to 4
        baseline: 0
        target: 4
        source: experiment log
"""


def test_self_set_share(tmp_path):
    managed = PERSON.replace("origin: self", "origin: manager")
    files = {
        "goals/people/sam.yaml": managed,
        "goals/people/tom.yaml": managed.replace("id: sam", "id: tom"),
        "goals/people/ann.yaml": PERSON.replace("id: sam", "id: ann"),
    }
    result = run_cli("check", "--repo", write_repo(tmp_path, files), "--format", "json")
    [finding] = result.json()["findings"]
    assert (finding["rule"], finding["file"], finding["line"], finding["column"]) == (
        "self-set-share",
        TEAM_FILE,
        1,
        1,
    )
    assert "33%" in finding["message"]
    assert result.exit_code == 0


def test_half_self_set_is_fine(tmp_path):
    files = {
        "goals/people/sam.yaml": PERSON,
        "goals/people/tom.yaml": PERSON.replace("id: sam", "id: tom").replace("self", "manager"),
    }
    assert findings(write_repo(tmp_path, files)) == (0, [])


def test_rule_severity_can_be_raised_or_turned_off(tmp_path):
    team = TEAM.replace("    why: Funding is where people drop off.\n", "")
    write_repo(tmp_path, {TEAM_FILE: team})
    (tmp_path / "okrctl.yaml").write_text(CONFIG_WITH_RULES.format(level="error"))
    result = run_cli("check", "--repo", tmp_path, "--format", "json")
    assert result.exit_code == 1
    assert result.json()["errors"] == 1
    (tmp_path / "okrctl.yaml").write_text(CONFIG_WITH_RULES.format(level="off"))
    assert findings(tmp_path) == (0, [])


CONFIG_WITH_RULES = "company: Acme\nperiod: 2026-Q4\nrules:\n  missing-why: {level}\n"


def test_unknown_rule_in_config_is_a_configuration_error(tmp_path):
    write_repo(
        tmp_path,
        {
            "okrctl.yaml": CONFIG_WITH_RULES.replace("missing-why", "missing-whyy").format(
                level="off"
            )
        },
    )
    result = run_cli("check", "--repo", tmp_path)
    assert result.exit_code == 2
    assert "okrctl.yaml:4:3: unknown rule `missing-whyy` (did you mean `missing-why`?)" in (
        result.stderr
    )


def test_references_into_a_broken_file_are_not_reported_again(tmp_path):
    pillar = PILLAR.replace("    title: Convert signups\n", "    title: [not, text]\n")
    assert findings(write_repo(tmp_path, {PILLAR_FILE: pillar})) == (
        1,
        [
            ("schema", PILLAR_FILE, 6, 12),
        ],
    )


def test_every_registered_rule_has_a_test_here():
    from okrctl.core.rules import REGISTRY

    source = Path(__file__).read_text(encoding="utf-8")
    untested = [name for name in REGISTRY if f'"{name}"' not in source]
    assert untested == []


# --- stale: needs git history, so these build real repositories with back-dated commits ---


def stale_repo(tmp_path, *, stale_after=14):
    from gitrepo import GitRepo

    repo = GitRepo(tmp_path / "okrs")
    config = f"company: Acme\nperiod: 2026-Q4\nstale_after_days: {stale_after}\n"
    repo.commit({**BASE, "okrctl.yaml": config}, "2026-09-20", "goals")
    return repo


def stale_findings(repo, as_of):
    result = run_cli("check", "--repo", repo.root, "--as-of", as_of, "--format", "json")
    return result.exit_code, [
        (f["file"], f["line"], f["column"], f["ref"], f["message"])
        for f in result.json()["findings"]
        if f["rule"] == "stale"
    ]


def test_stale_counts_from_the_period_start_creation_and_last_checkin(tmp_path):
    repo = stale_repo(tmp_path)
    pillar = PILLAR.replace("        target: 40\n", "        target: 40\n        current: 31\n")
    repo.commit({PILLAR_FILE: pillar}, "2026-10-20", "checkin rate")
    # Oct 14: 13 days since the period started (Oct 1), nothing is stale yet
    assert stale_findings(repo, "2026-10-14") == (0, [])
    # Oct 16: 15 days since the period started; the pillar's rate was created in September
    code, found = stale_findings(repo, "2026-10-16")
    assert code == 0
    assert [(f, line, column, ref) for f, line, column, ref, _ in found] == [
        (COMPANY_FILE, 9, 9, "acme/grow/deposits"),
        (COMPANY_FILE, 16, 5, "acme/ltv-cac"),
        (PILLAR_FILE, 10, 9, "growth/convert/rate"),
        (TEAM_FILE, 10, 9, "signups/funding/ach"),  # a milestone not yet done is watched
    ]
    # quiet for 15 days of the period, it is said to have gone the 26 since its date
    assert found[1][4].startswith(
        "`acme/ltv-cac` has not been checked in for 26 days (last checked in on 2026-09-20 by "
    )
    # Nov 4: 15 days after the rate's check-in on Oct 20
    _, found = stale_findings(repo, "2026-11-04")
    rate = next(m for _, _, _, ref, m in found if ref == "growth/convert/rate")
    assert rate == (
        "`growth/convert/rate` has not been checked in for 15 days (last checked in on "
        "2026-10-20 by Maria Lopez; stale after 14 days): run `okrctl checkin growth/convert/rate "
        "VALUE`, even to confirm it"
    )
    # Nov 2 ends 13.5 days after the noon check-in of Oct 20; Nov 3 ends 14.5 days after
    _, found = stale_findings(repo, "2026-11-02")
    assert "growth/convert/rate" not in [ref for *_, ref, _ in found]
    _, found = stale_findings(repo, "2026-11-03")
    assert "growth/convert/rate" in [ref for *_, ref, _ in found]


def test_stale_an_unchanged_value_confirmed_by_okrctl_checkin_counts(tmp_path):
    repo = stale_repo(tmp_path)
    repo.git(
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "checkin(acme/ltv-cac): 3.2 (unchanged)\n\nOkr-Checkin: acme/ltv-cac",
        date="2026-10-25",
    )
    _, found = stale_findings(repo, "2026-11-01")
    assert "acme/ltv-cac" not in [ref for *_, ref, _ in found]
    assert "acme/grow/deposits" in [ref for *_, ref, _ in found]


def test_stale_skips_new_goals_and_done_milestones(tmp_path):
    repo = stale_repo(tmp_path)
    done = TEAM.replace("done: false", "done: true")
    repo.commit({TEAM_FILE: done}, "2026-10-02", "shipped")
    extra = PILLAR + (
        "      - id: fresh\n        title: New\n        baseline: 0\n        target: 5\n"
        "        source: s\n"
    )
    repo.commit({PILLAR_FILE: extra}, "2026-11-01", "a new key result")
    _, found = stale_findings(repo, "2026-11-10")
    refs = [ref for *_, ref, _ in found]
    assert "signups/funding/ach" not in refs  # done
    assert "growth/convert/fresh" not in refs  # created 9 days ago
    _, found = stale_findings(repo, "2026-11-20")
    message = next(m for *_, ref, m in found if ref == "growth/convert/fresh")
    assert "has not been checked in for 19 days (never checked in; stale after 14 days)" in message


def test_stale_is_skipped_outside_git_with_a_note(tmp_path):
    write_repo(tmp_path, {})
    result = run_cli("check", "--repo", tmp_path, "--as-of", "2026-12-30")
    assert result.exit_code == 0
    assert "the stale rule and its check-in dates need history and were skipped" in result.stderr


def test_stale_can_be_turned_off(tmp_path):
    repo = stale_repo(tmp_path)
    (repo.root / "okrctl.yaml").write_text("company: Acme\nperiod: 2026-Q4\nrules:\n  stale: off\n")
    assert stale_findings(repo, "2026-12-30") == (0, [])


def test_silence_in_a_period_that_ended_is_counted_to_its_end(tmp_path):
    from gitrepo import GitRepo

    repo = GitRepo(tmp_path / "okrs")
    repo.commit({**BASE, "okrctl.yaml": "company: Acme\nperiod: 2021-Q2\n"}, "2021-04-01")
    result = run_cli("check", "--repo", repo.root, "--format", "json")  # today is years later
    days = {f["ref"]: f["message"] for f in result.json()["findings"] if f["rule"] == "stale"}
    assert days["signups/funding/ach"].startswith(
        "`signups/funding/ach` has not been checked in for 90 days (last checked in on 2021-04-01"
    )


def test_more_than_five_stale_findings_are_one_line_per_file_in_text(tmp_path):
    from gitrepo import GitRepo

    many = "".join(
        f"      - {{id: m{i}, title: M{i}, milestone: true, done: false, source: s}}\n"
        for i in range(4)
    )
    team = BASE["goals/teams/signups.yaml"].replace(
        "        source: release notes\n", "        source: release notes\n" + many
    )
    repo = GitRepo(tmp_path / "okrs")
    repo.commit({**BASE, "goals/teams/signups.yaml": team}, "2026-10-01")
    as_of = ("--as-of", "2026-11-20")
    payload = run_cli("check", "--repo", repo.root, "--format", "json", *as_of).json()
    stale = [f for f in payload["findings"] if f["rule"] == "stale"]
    assert len(stale) == 8  # JSON keeps every one
    text = run_cli("check", "--repo", repo.root, *as_of).stdout
    lines = [line for line in text.splitlines() if " warning stale: " in line]
    assert lines == [
        "goals/company.yaml:9:9: warning stale: 2 key results and KPIs in this file have not"
        " been checked in lately: `acme/grow/deposits`, `acme/ltv-cac` (`okrctl check --format"
        " json` lists each, with its days)",
        "goals/pillars/growth.yaml:10:9: warning stale: `growth/convert/rate` has not been"
        " checked in for 50 days (never checked in; stale after 14 days): run `okrctl checkin"
        " growth/convert/rate VALUE`, even to confirm it",
        "goals/teams/signups.yaml:10:9: warning stale: 5 key results and KPIs in this file have"
        " not been checked in lately: `signups/funding/ach`, `signups/funding/m0`,"
        " `signups/funding/m1` and 2 more (`okrctl check --format json` lists each, with its"
        " days)",
    ]
    assert text.splitlines()[-1] == "0 errors, 8 warnings in 3 of 3 files."


def test_check_the_nudges_and_the_reports_agree_on_what_is_stale(quarter):
    """One decision, four surfaces: the `stale` rule, the nudges, the company digest's "needs
    attention" and (for the period as of today) the retro name the same refs."""
    from okrctl.commands.report import report
    from okrctl.render.report_context import build_context
    from okrctl.views.nudges import nudges

    as_of = "2026-11-20"
    payload = run_cli("check", "--repo", quarter, "--format", "json", "--as-of", as_of).json()
    by_check = {f["ref"] for f in payload["findings"] if f["rule"] == "stale"}
    assert len(by_check) > 5
    found = nudges(quarter, as_of=date.fromisoformat(as_of))
    by_nudges = {q.ref for n in found.nudges for q in n.quiet} | {q.ref for q in found.unowned}
    context = build_context(report(quarter, None, as_of=date.fromisoformat(as_of)))
    by_report = {item["ref"] for item in context["attention"]["stale"]}
    status = run_cli("status", "--repo", quarter, "--format", "json", "--as-of", as_of).json()
    derived = {  # a derived number's sources' owners are nudged instead
        kr["ref"]
        for unit in status["units"]
        for objective in unit["objectives"]
        for kr in objective["key_results"]
        if "derived" in kr
    }
    assert len(derived) == 4  # the demo's two mirrors, its sum and its score
    assert derived <= by_check and by_check - derived == by_nudges and by_check == by_report
    retro = run_cli("retro", "2026-Q4", "--repo", quarter, "--format", "json").json()
    today = run_cli("check", "--repo", quarter, "--format", "json").json()
    assert set(retro["stale"]) == {f["ref"] for f in today["findings"] if f["rule"] == "stale"}



def test_each_numbers_silence_worked_out_once_is_the_general_answer(quarter):
    """Reports and `stale` ask every number its silence through one memo (`Quiet`), which
    answers a number checked in itself without the general path: for every key result and KPI
    of the demo's quarter (mirrors, a sum and a score among them), at several moments, both
    give the same days, last check-in and source."""
    from okrctl.core.staleness import Quiet, quiet_of
    from okrctl.store.snapshot import take_snapshot

    for as_of in ("2026-10-20", "2026-11-20", "2027-02-01"):
        snapshot = take_snapshot(quarter, as_of=date.fromisoformat(as_of))
        history = snapshot.read_history("the test")
        graph, period, moment = snapshot.graph, snapshot.period, snapshot.moment.instant
        quiet = Quiet(graph, history, moment, period)
        refs = [*graph.key_results, *graph.kpis]
        assert any(quiet(ref) is not None and quiet(ref).through for ref in refs)
        for ref in refs:
            assert quiet(ref) == quiet_of(graph, history, ref, moment, period), (as_of, ref)

def test_a_key_result_derived_from_itself_is_a_derivation_error(tmp_path):
    pillar = PILLAR.replace(
        "        target: 40\n", "        target: 40\n        from: growth/convert/rate\n"
    )
    root = write_repo(tmp_path, {"goals/pillars/growth.yaml": pillar})
    code, found = findings(root)
    assert code == 1
    assert [f for f in found if f[0] == "derivation"] == [
        ("derivation", "goals/pillars/growth.yaml", 14, 15)
    ]


def test_title_numbers_that_are_not_the_baseline_are_a_warning(tmp_path):
    """The title says 30 → 40; after a baseline moved to 33 it tells a different story."""
    pillar = PILLAR.replace("        baseline: 30\n", "        baseline: 33\n")
    band = (
        "      - id: unsubscribe\n        title: Keep unsubscribes under 2%\n"
        "        unit: '%'\n        keep: {max: 1}\n        source: email platform\n"
    )
    root = write_repo(tmp_path, {PILLAR_FILE: pillar + band})
    result = run_cli("check", "--repo", root, "--format", "json")
    assert result.exit_code == 0
    found = [f for f in result.json()["findings"] if f["rule"] == "title-numbers"]
    assert [(f["file"], f["line"], f["column"], f["severity"]) for f in found] == [
        (PILLAR_FILE, 11, 16, "warning"),
        (PILLAR_FILE, 16, 16, "warning"),
    ]
    assert found[0]["message"] == (
        "the title of `growth/convert/rate` disagrees with its numbers: it says 'from 30 to 40', "
        "and the numbers are 33 → 40; rewrite the title or the numbers, so readers and scores "
        "tell one story"
    )
    assert "it says 'under 2%', and the band's bound is 1" in found[1]["message"]
    assert findings(write_repo(tmp_path / "fine", {PILLAR_FILE: PILLAR}))[1] == []


def test_a_title_in_percent_is_read_in_the_unit_of_its_numbers(tmp_path):
    """`from 30% to 40%` fits 0.3 → 0.4 with no unit (a fraction), not in a `%` unit, where
    0.3 reads 0.3% in every report (a sheet's percent cells imported as Excel holds them)."""
    titled = PILLAR.replace("Conversion from 30 to 40", "Conversion from 30% to 40%")
    fractions = titled.replace("baseline: 30", "baseline: 0.3").replace("target: 40", "target: 0.4")
    unit = "        unit: '%'\n"
    in_percent = fractions.replace("        target: 0.4\n", "        target: 0.4\n" + unit)
    bare = findings(write_repo(tmp_path / "bare", {PILLAR_FILE: fractions}))[1]
    assert [f for f in bare if f[0] == "title-numbers"] == []
    root = write_repo(tmp_path / "percent", {PILLAR_FILE: in_percent})
    found = run_cli("check", "--repo", root, "--format", "json").json()["findings"]
    assert [f["message"] for f in found if f["rule"] == "title-numbers"] == [
        "the title of `growth/convert/rate` disagrees with its numbers: it says 'from 30% to "
        "40%', and the numbers are 0.3 → 0.4 (in %); rewrite the title or the numbers, so "
        "readers and scores tell one story"
    ]
    right = titled.replace("        target: 40\n", "        target: 40\n" + unit)
    fine = findings(write_repo(tmp_path / "right", {PILLAR_FILE: right}))[1]
    assert [f for f in fine if f[0] == "title-numbers"] == []


def test_a_title_in_millions_is_read_in_a_unit_of_millions_per_month(tmp_path):
    """`$M/month` says millions as `$M` does: `from $3M to $4M` is 3 → 4 there, not dollars."""
    titled = PILLAR.replace("Conversion from 30 to 40", "Spend from $3M to $4M")
    dollars = titled.replace("baseline: 30", "baseline: 3000000").replace(
        "target: 40", "target: 4000000"
    )
    unit = "        unit: $M/month\n"
    in_millions = dollars.replace("4000000\n", "4000000\n" + unit)
    found = findings(write_repo(tmp_path / "m", {PILLAR_FILE: in_millions}))[1]
    assert [f[:2] for f in found if f[0] == "title-numbers"] == [("title-numbers", PILLAR_FILE)]
    plain = findings(write_repo(tmp_path / "plain", {PILLAR_FILE: dollars}))[1]
    assert [f for f in plain if f[0] == "title-numbers"] == []  # no unit: $3M may be 3,000,000


def test_a_title_in_millions_is_read_in_thousands_of_a_k_number_and_bare_ones_are_not(tmp_path):
    """`from $3M to $4M` is 3,000 → 4,000 of a `$k` number; `from 3 to 4` states no magnitude,
    so it is not 0.003 → 0.004 there."""
    thousands = PILLAR.replace("baseline: 30", "baseline: 3000").replace(
        "target: 40", "target: 4000\n        unit: $k"
    )
    titled = thousands.replace("Conversion from 30 to 40", "Spend from $3M to $4M")
    found = findings(write_repo(tmp_path / "k", {PILLAR_FILE: titled}))[1]
    assert [f for f in found if f[0] == "title-numbers"] == []
    tiny = PILLAR.replace("baseline: 30", "baseline: 0.003").replace(
        "target: 40", "target: 0.004\n        unit: $k"
    )
    bare = tiny.replace("Conversion from 30 to 40", "Spend from 3 to 4")
    found = findings(write_repo(tmp_path / "bare", {PILLAR_FILE: bare}))[1]
    assert [f[:2] for f in found if f[0] == "title-numbers"] == [("title-numbers", PILLAR_FILE)]


def test_an_unlikely_value_typed_into_the_file_is_a_warning(tmp_path):
    """`current: 0.31` for a number running 30 → 40 (a fraction typed for a percentage), a
    KPI of 320 for one healthy at 3 or more: where each `current` is, with what was meant."""
    pillar = PILLAR.replace("        target: 40\n", "        target: 40\n        current: 0.31\n")
    company = COMPANY.replace("    current: 3.2\n", "    current: 320\n")
    root = write_repo(tmp_path, {PILLAR_FILE: pillar, "goals/company.yaml": company})
    result = run_cli("check", "--repo", root, "--format", "json")
    assert result.exit_code == 0  # a warning: the number may truly have moved that far
    found = [f for f in result.json()["findings"] if f["rule"] == "unlikely-value"]
    assert [(f["file"], f["line"], f["column"], f["ref"], f["message"]) for f in found] == [
        (
            "goals/company.yaml",
            19,
            14,
            "acme/ltv-cac",
            "`current: 320` of `acme/ltv-cac` is 107 times larger than its healthy min 3 "
            "(meant 3.2?): check the number and the unit it was written in",
        ),
        (
            PILLAR_FILE,
            14,
            18,
            "growth/convert/rate",
            "`current: 0.31` of `growth/convert/rate` is 97 times smaller than its baseline 30, "
            "target 40 (meant 31?): check the number and the unit it was written in",
        ),
    ]
    zero = PILLAR.replace("baseline: 30", "baseline: 0").replace(
        "        target: 40\n", "        target: 40\n        current: 0.31\n"
    )
    from_zero = findings(write_repo(tmp_path / "from-zero", {PILLAR_FILE: zero}))[1]
    assert [f for f in from_zero if f[0] == "unlikely-value"] == []  # small is no slip from 0


def test_days_quiet_beside_a_date_are_counted_from_that_date_everywhere(tmp_path, monkeypatch):
    """Read now, a number checked in at 23:59 twenty days ago is 19 days and some hours old:
    `check` said "for 19 days" beside a date `show` said was "20 days ago". Every output now
    counts the calendar days from the date it shows."""
    from datetime import UTC, datetime, timedelta

    from gitrepo import GitRepo

    monkeypatch.setenv("COLUMNS", "200")
    now = datetime.now(UTC)
    checked = (now - timedelta(days=20)).replace(hour=23, minute=59, second=59)
    # a fiscal year from the first of that month holds both the check-in and now
    config = f"company: Acme\nperiod: '{checked.year + (checked.month > 1)}'\n"
    config += f"fiscal_year_start: {checked.month}\n"
    repo = GitRepo(tmp_path / "okrs")
    repo.commit({**BASE, "okrctl.yaml": config}, (checked - timedelta(days=1)).date().isoformat())
    pillar = PILLAR.replace("        target: 40\n", "        target: 40\n        current: 31\n")
    repo.commit({PILLAR_FILE: pillar}, checked.isoformat())
    ref, day = "growth/convert/rate", checked.date().isoformat()
    payload = run_cli("check", "--repo", repo.root, "--format", "json").json()
    message = next(f["message"] for f in payload["findings"] if f["ref"] == ref)
    assert message.startswith(
        f"`{ref}` has not been checked in for 20 days (last checked in on {day} by Maria Lopez;"
    )
    shown = run_cli("show", ref, "--repo", repo.root).stdout
    assert f"last check-in: {day} by Maria Lopez, 20 days ago" in shown
    heard = run_cli("show", ref, "--repo", repo.root, "--format", "json").json()["heard"]
    assert heard["days_quiet"] == 20
    report = run_cli("report", "growth", "--repo", repo.root).stdout
    assert "⏳ no check-in for 20 days" in report


def test_a_day_of_silence_is_one_day(tmp_path):
    """With `stale_after_days: 1`, a number quiet a day and a half read "for 1 days (...; stale
    after 1)"; one calendar day after its date, it is quiet "for more than 1 day"."""
    repo = stale_repo(tmp_path, stale_after=1)
    pillar = PILLAR.replace("        target: 40\n", "        target: 40\n        current: 31\n")
    repo.commit({PILLAR_FILE: pillar}, "2026-11-13", "checkin rate")
    _, found = stale_findings(repo, "2026-11-14")  # ends 1.5 days after the noon check-in
    rate = next(m for _, _, _, ref, m in found if ref == "growth/convert/rate")
    assert rate.startswith(
        "`growth/convert/rate` has not been checked in for more than 1 day (last checked in on "
        "2026-11-13 by Maria Lopez; stale after 1 day): "
    )
