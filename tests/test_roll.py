"""`okrctl roll` as a planning step: the default plan over a back-dated quarter, the new
quarter it starts (every carried objective at 0, nothing done), `--dry-run`, `--plan` and
`--edit` with a scripted editor, and what it refuses."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import run_cli
from gitrepo import GitRepo

Q3 = "company: Acme\nperiod: 2026-Q3\n"
COMPANY = """\
kind: company
id: acme
mission: Make saving easy.
objectives:
  - id: grow
    title: Grow deposits
    why: Deposits fund plans.
    type: committed
    key_results:
      - id: deposits
        title: Deposits from 10 to 20
        baseline: 10
        target: 20
        current: {deposits}
        confidence: 0.6
        source: finance report
      - id: launch
        title: Launch the savings app
        milestone: true
        done: true
        source: release notes
      - id: churn
        title: Keep churn under 3%
        unit: '%'
        keep: {{max: 3}}
        current: 2.1
        source: churn report
      - id: deals
        title: Partner deals closed this quarter from 0 to 8
        baseline: 0
        target: 8
        current: 5
        resets: period   # counted afresh every quarter
        source: CRM
  - id: brand
    title: Be known for honesty
    why: Trust brings families.
    key_results:
      - id: mentions
        title: Press mentions from 2 to 10
        baseline: 2
        target: 10
        current: 6
        source: press log
  - id: shipped
    title: Ship the app
    why: Families need it.
    type: committed
    key_results:
      - id: app
        title: App live
        milestone: true
        done: true
        source: release notes
kpis:
  - id: ltv-cac
    title: LTV/CAC
    why: Balance growth and cost.
    current: 3.2
    healthy: {{min: 3}}
    source: finance model
"""
PILLAR = """\
kind: pillar
parent: acme
lead: maria
objectives:
  - id: convert
    title: Convert signups
    why: Half never fund.
    aligns_to: [acme/grow]
    key_results:
      - id: rate
        title: Conversion from 30 to 40
        baseline: 30
        target: 40
        current: 33
        source: funnel dashboard
"""
TEAM = """\
kind: team
parent: growth
lead: sam
objectives:
  - id: funding
    title: Effortless funding
    why: Funding is where people drop off.
    type: committed
    aligns_to: [growth/convert]
    key_results:
      - id: ach
        title: Ship instant ACH
        milestone: true
        done: false
        source: release notes
"""
PERSON = """\
kind: person
parent: signups
objectives:
  - id: learn
    title: Learn experiment design
    why: I want to run our tests.
    origin: self
    aligns_to: [signups/funding]
    key_results:
      - id: course
        title: Reviews from 0 to 5
        baseline: 0
        target: 5
        current: 2
        source: notes
  - id: tests
    title: Fix the flaky tests
    why: Red builds slow us down.
    type: committed
    origin: manager
    aligns_to: [signups/funding]
    key_results:
      - id: fixed
        title: Flaky tests fixed from 0 to 12
        baseline: 0
        target: 12
        current: 8
        source: CI report
"""
FILES = {
    "goals/company.yaml": COMPANY,
    "goals/pillars/growth.yaml": PILLAR,
    "goals/teams/signups.yaml": TEAM,
    "goals/people/sam.yaml": PERSON,
}


@pytest.fixture
def quarter(tmp_path, monkeypatch):
    """A Q3 with two check-ins, back-dated; `roll` runs on 2026-10-01."""
    repo = GitRepo(tmp_path / "okrs")
    files = {**FILES, "goals/company.yaml": COMPANY.format(deposits=12)}
    repo.commit({"okrctl.yaml": Q3, **files}, "2026-07-01", "Q3 goals")
    repo.commit({"goals/company.yaml": COMPANY.format(deposits=14)}, "2026-09-20", "checkin")
    for name in ("GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE"):
        monkeypatch.setenv(name, "2026-10-01T08:00:00+00:00")
    return repo


def _head(repo: GitRepo) -> str:
    return repo.git("rev-parse", "HEAD")


def _key_results(repo: GitRepo, *args: str) -> dict[str, dict]:
    result = run_cli("status", "--repo", repo.root, "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    return {
        objective["ref"]: objective
        for unit in result.json()["units"]
        for objective in unit["objectives"]
    }


def test_the_default_plan_starts_a_clean_quarter(quarter):
    result = run_cli("roll", "2026-Q4", "--repo", quarter.root)
    assert result.exit_code == 0, result.stderr
    company = (quarter.root / "goals/company.yaml").read_text()
    # carried: each number starts where it ended, confidence cleared; the done milestone and
    # the done or aspirational objectives are gone; the per-quarter count starts again at 0
    assert company.split("kpis:")[0] == (
        "kind: company\nid: acme\nmission: Make saving easy.\nobjectives:\n"
        "  - id: grow\n    title: Grow deposits\n    why: Deposits fund plans.\n"
        "    type: committed\n    key_results:\n"
        "      - id: deposits\n        title: Deposits from 10 to 20\n        baseline: 14\n"
        "        target: 20\n        current: 14\n        source: finance report\n"
        "      - id: churn\n        title: Keep churn under 3%\n        unit: '%'\n"
        "        keep: {max: 3}\n        source: churn report\n"
        "      - id: deals\n        title: Partner deals closed this quarter from 0 to 8\n"
        "        baseline: 0\n        target: 8\n        current: 0\n"
        "        resets: period   # counted afresh every quarter\n        source: CRM\n"
    )
    assert "current: 3.2" in company  # KPIs carry as they are
    objectives = _key_results(quarter, "--as-of", "2026-10-01")
    assert sorted(objectives) == [
        "acme/grow",
        "growth/convert",  # aspirational, but the committed funding objective aligns to it
        "sam/tests",
        "signups/funding",
    ]
    for objective in objectives.values():
        assert objective["score"] == 0, objective["ref"]
        assert objective["expected"] == pytest.approx(1 / 92, abs=0.005)  # its first day
        assert objective["status"] != "done"
        assert all(kr["status"] != "done" for kr in objective["key_results"])
    assert "  dropped acme/brand" in result.stdout and "  reset acme/grow/deals" in result.stdout
    assert "signups: 0% of personal objectives self-set (was 50%)" in result.stdout
    assert "2026-Q3 was never closed" in result.stderr
    message = quarter.git("log", "-1", "--format=%B")
    assert "- carried: acme/grow\n" in message and "- dropped: acme/shipped\n" in message
    assert message.rstrip().endswith("Okr-Roll: 2026-Q4")


def test_what_was_dropped_is_in_the_retro_and_the_diff(quarter):
    assert run_cli("roll", "2026-Q4", "--repo", quarter.root).exit_code == 0
    retro = run_cli("retro", "2026-Q3", "--repo", quarter.root, "--format", "json").json()
    rolled = retro["rolled"]
    assert (rolled["into"], rolled["date"][:10]) == ("2026-Q4", "2026-10-01")
    assert rolled["carried"] == ["acme/grow", "growth/convert", "signups/funding", "sam/tests"]
    assert rolled["dropped"] == ["acme/brand", "acme/shipped", "sam/learn"]
    text = run_cli("retro", "2026-Q3", "--repo", quarter.root).stdout
    assert "## Into 2026-Q4" in text
    # each beside the grade it ended the period with: a dropped objective may be half done
    assert "- Carried: **Effortless funding** (`signups/funding`): 0.00, missed\n" in text
    assert "- Dropped: **Be known for honesty** (`acme/brand`): 0.50, at risk\n" in text
    diff = run_cli("diff", "2026-Q3", "2026-Q4", "--repo", quarter.root, "--format", "json")
    assert {"acme/brand", "acme/shipped", "sam/learn", "acme/grow/launch"} <= set(
        diff.json()["removed"]
    )
    # named as a reader knows it, by its title in the period it was in
    text = run_cli("diff", "2026-Q3", "2026-Q4", "--repo", quarter.root).stdout
    assert "\n- acme/brand  Be known for honesty\n" in text
    md = run_cli("diff", "2026-Q3", "2026-Q4", "--repo", quarter.root, "--format", "md").stdout
    assert "\n- **Be known for honesty** (`acme/brand`)\n" in md


def test_dry_run_prints_the_plan_and_writes_nothing(quarter):
    before = _head(quarter)
    result = run_cli("roll", "2026-Q4", "--dry-run", "--repo", quarter.root)
    assert result.exit_code == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if not line.startswith("#") and line]
    assert [line.split("#")[0].split() for line in lines[:7]] == [
        ["carry", "acme/grow"],
        ["carry", "acme/grow/deposits"],
        ["drop", "acme/grow/launch"],
        ["carry", "acme/grow/churn"],
        ["reset", "acme/grow/deals"],
        ["drop", "acme/brand"],
        ["drop", "acme/brand/mentions"],
    ]
    assert "# Deposits from 10 to 20: 14 → 20 (was 10 → 20); rewrite its title" in lines[1]
    assert "# Keep churn under 3%: keep ≤ 3%, a new check-in" in lines[3]
    assert "# Partner deals closed this quarter from 0 to 8: 0 → 8" in lines[4]
    assert "titles to rewrite (their numbers move with the roll):" in result.stdout
    assert _head(quarter) == before and quarter.git("status", "--porcelain") == ""


def test_a_saved_plan_rolls_exactly_as_printed(quarter, tmp_path):
    twin = tmp_path / "twin"
    shutil.copytree(quarter.root, twin)
    plan = tmp_path / "plan.txt"
    plan.write_text(run_cli("roll", "2026-Q4", "--dry-run", "--repo", quarter.root).stdout)
    assert run_cli("roll", "2026-Q4", "--plan", str(plan), "--repo", quarter.root).exit_code == 0
    assert run_cli("roll", "2026-Q4", "--repo", twin).exit_code == 0
    for name in FILES:
        assert (quarter.root / name).read_text() == (twin / name).read_text(), name


def _editor(tmp_path: Path, script: str) -> str:
    """An $EDITOR that edits the plan file it is given with a Python snippet (`text` in, out)."""
    path = tmp_path / "editor.py"
    path.write_text(
        "import sys, pathlib\n"
        "plan = pathlib.Path(sys.argv[1])\n"
        "text = plan.read_text()\n" + script + "\nplan.write_text(text)\n"
    )
    wrapper = tmp_path / "editor"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{path}" "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    return str(wrapper)


def test_edit_changes_and_deleted_lines_are_followed(quarter, tmp_path, monkeypatch):
    script = (
        "lines = text.splitlines()\n"
        "lines = [l.replace('drop  acme/brand', 'keep  acme/brand', 1) for l in lines]\n"
        "lines = [l for l in lines if 'acme/grow/churn' not in l]\n"
        "text = '\\n'.join(lines) + '\\n'\n"
    )
    monkeypatch.setenv("EDITOR", _editor(tmp_path, script))
    monkeypatch.delenv("VISUAL", raising=False)
    result = run_cli("roll", "2026-Q4", "--edit", "--repo", quarter.root)
    assert result.exit_code == 0, result.stderr
    company = (quarter.root / "goals/company.yaml").read_text()
    assert "id: churn" not in company  # its line was deleted: dropped
    assert "  - id: brand\n" in company and "current: 6\n" in company  # kept as it was
    assert "  kept acme/brand" in result.stdout


def test_an_empty_plan_aborts_and_a_bad_line_is_named(quarter, tmp_path, monkeypatch):
    before = _head(quarter)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", _editor(tmp_path, "text = ''"))
    empty = run_cli("roll", "2026-Q4", "--edit", "--repo", quarter.root)
    assert empty.exit_code == 2
    assert empty.stderr.startswith("okrctl: the plan is empty; nothing was rolled\n")
    assert "--plan" in empty.stderr  # where the edited plan was saved
    monkeypatch.setenv(
        "EDITOR",
        _editor(tmp_path, "text = text.replace('carry acme/grow ', 'cary  acme/grow ', 1)"),
    )
    typo = run_cli("roll", "2026-Q4", "--edit", "--repo", quarter.root)
    assert typo.exit_code == 2
    assert "plan line 11: 'cary' is not a decision: carry, reset, keep or drop" in typo.stderr
    plan = tmp_path / "orphan.txt"
    text = run_cli("roll", "2026-Q4", "--dry-run", "--repo", quarter.root).stdout
    plan.write_text(text.replace("carry acme/grow ", "drop  acme/grow ", 1))
    orphan = run_cli("roll", "2026-Q4", "--plan", str(plan), "--repo", quarter.root)
    assert orphan.exit_code == 2
    assert "carry acme/grow/deposits, but its objective acme/grow is dropped" in orphan.stderr
    assert _head(quarter) == before and quarter.git("status", "--porcelain") == ""


def test_a_plan_that_would_leave_check_errors_is_refused_with_their_places(quarter, tmp_path):
    """Dropping the pillar objective the committed team objective aligns to would leave an
    unknown ref behind: refused, located, nothing written."""
    plan = tmp_path / "plan.txt"
    text = run_cli("roll", "2026-Q4", "--dry-run", "--repo", quarter.root).stdout
    text = text.replace("carry growth/convert ", "drop  growth/convert ", 1)
    plan.write_text(text.replace("  carry growth/convert/rate", "  drop  growth/convert/rate"))
    before = _head(quarter)
    result = run_cli("roll", "2026-Q4", "--plan", str(plan), "--repo", quarter.root)
    assert result.exit_code == 1
    assert "rolling by this plan would leave errors `okrctl check` would report:" in result.stderr
    assert "  goals/teams/signups.yaml:9:17 unknown-ref: " in result.stderr
    assert _head(quarter) == before and quarter.git("status", "--porcelain") == ""


def test_uncommitted_goals_are_not_rolled(quarter):
    pillar = quarter.root / "goals/pillars/growth.yaml"
    pillar.write_text(pillar.read_text().replace("current: 33", "current: 35"))
    result = run_cli("roll", "2026-Q4", "--repo", quarter.root)
    assert result.exit_code == 1
    assert "goals/pillars/growth.yaml has uncommitted changes" in result.stderr
    assert "period: 2026-Q3" in (quarter.root / "okrctl.yaml").read_text()


@pytest.mark.slow
def test_as_a_user_types_it_with_a_real_editor_from_a_subfolder(quarter, tmp_path):
    """The installed `okrctl`, run inside goals/teams, with $VISUAL set and output piped."""
    okrctl = shutil.which("okrctl", path=str(Path(sys.executable).parent))
    assert okrctl is not None
    visual = _editor(
        tmp_path,
        "text = text.replace('drop  acme/brand ', 'carry acme/brand ', 1)"
        ".replace('  drop  acme/brand/mentions', '  carry acme/brand/mentions')",
    )
    env = {**os.environ, "VISUAL": visual, "EDITOR": "false"}
    done = subprocess.run(
        [okrctl, "roll", "2026-Q4", "--edit"],
        cwd=quarter.root / "goals/teams",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "  carried acme/brand\n" in done.stdout
    assert "baseline: 6\n" in (quarter.root / "goals/company.yaml").read_text()


def test_an_objective_added_while_the_plan_is_open_is_not_dropped_unseen(
    quarter, tmp_path, monkeypatch
):
    """The editor is open; a teammate commits a new objective. The plan never showed it, so
    following the plan would drop it: the roll stops instead."""
    pillar = quarter.root / "goals/pillars/growth.yaml"
    added = pillar.read_text() + (
        "  - id: referrals\n    title: Referrals\n    why: Cheaper.\n    aligns_to: [acme/grow]\n"
        "    key_results:\n      - {id: share, title: Share, milestone: true, source: x}\n"
    )
    script = (
        "import subprocess\n"
        f"pathlib.Path({str(pillar)!r}).write_text({added!r})\n"
        f"subprocess.run(['git', '-C', {str(quarter.root)!r}, 'commit', '-qam', 'add'])\n"
    )
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", _editor(tmp_path, script))
    result = run_cli("roll", "2026-Q4", "--edit", "--repo", quarter.root)
    assert result.exit_code == 1
    assert "the goals changed while the plan was open: growth/referrals" in result.stderr
    assert "period: 2026-Q3" in (quarter.root / "okrctl.yaml").read_text()


def test_a_file_in_its_own_style_keeps_every_byte_the_roll_does_not_change(tmp_path):
    """Four-space indentation, comments and a quoted period: the roll changes its lines, and
    only those (a dropped objective's comment goes with it)."""
    team = (
        "kind: team\nparent: growth\nlead: sam\nperiod: '2026-Q3'   # pinned\n"
        "objectives:\n"
        "    -   id: funding     # the big one\n"
        "        title: Effortless funding\n        why: Drop-off.\n        type: committed\n"
        "        aligns_to: [growth/convert]\n        key_results:\n"
        "            -   id: rate\n                title: Funded from 30% to 50%\n"
        "                unit: '%'\n                baseline: 30\n                target: 50\n"
        "                current: 41.50    # Looker, Monday\n                confidence: 0.7\n"
        "                source: funnel\n"
        "    # a stretch we may not get to\n"
        "    -   id: stretch\n        title: Stretch\n        why: Maybe.\n"
        "        aligns_to: [growth/convert]\n        key_results:\n"
        "            -   {id: s, title: S, milestone: true, done: false, source: notes}\n"
    )
    repo = GitRepo(tmp_path / "okrs")
    files = {**FILES, "goals/company.yaml": COMPANY.format(deposits=14)}
    repo.commit({"okrctl.yaml": Q3, **files, "goals/teams/signups.yaml": team}, "2026-07-01")
    result = run_cli("roll", "2026-Q4", "--repo", repo.root)
    assert result.exit_code == 0, result.stderr
    assert (repo.root / "goals/teams/signups.yaml").read_text() == (
        "kind: team\nparent: growth\nlead: sam\nperiod: 2026-Q4   # pinned\n"
        "objectives:\n"
        "    -   id: funding     # the big one\n"
        "        title: Effortless funding\n        why: Drop-off.\n        type: committed\n"
        "        aligns_to: [growth/convert]\n        key_results:\n"
        "            -   id: rate\n                title: Funded from 30% to 50%\n"
        "                unit: '%'\n                baseline: 41.50\n                target: 50\n"
        "                current: 41.50    # Looker, Monday\n"
        "                source: funnel\n"
    )
