"""The caches change how fast `check`, `status` and `report` are, never what they say: the
findings of a warm run (parse cache with positions, history index) are exactly those of a run
from scratch, file:line:col, order and text, on a repository shaped like a real org (most key
results gone quiet, files with the other rules' findings, a file that does not load); so are
its scores, trends and reports."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from conftest import BASE, run_cli
from gitrepo import GitRepo

TEAMS = 12


def team(index: int, current: float, *, flawed: bool) -> str:
    why = "" if flawed else "    why: It moves the pillar.\n"
    aligns = "" if flawed else "    aligns_to: [growth/convert]\n"
    source = "" if flawed else "        source: dashboard\n"
    return (
        f"kind: team\nparent: growth\nlead: lead-{index}\nobjectives:\n"
        f"  - id: ship\n    title: Ship {index}\n{why}{aligns}    key_results:\n"
        f"      - id: rate\n        title: Rate from 0 to 100\n"
        f"        baseline: 0\n        target: 100\n        current: {current}   # latest\n"
        f"{source}"
        f"kpis:\n  - id: health\n    title: Health\n    why: Honesty.\n    current: 3\n"
        f"    healthy: {{min: 1}}\n    source: monitoring\n"
    )


def person(index: int) -> str:
    return (
        f"kind: person\nparent: team-{index}\nemail: p{index}@acme.example\nobjectives:\n"
        f"  - id: mine\n    title: My part\n    why: For the team.\n    origin: self\n"
        f"    aligns_to: [team-{index}/ship]\n    key_results:\n      - id: done\n"
        "        title: Shipped\n        milestone: true\n        done: false\n"
        "        source: notes\n"
    )


@pytest.fixture(scope="module")
def org(tmp_path_factory):
    repo = GitRepo(tmp_path_factory.mktemp("org") / "okrs")
    files = dict(BASE)
    files |= {f"goals/teams/team-{i}.yaml": team(i, 1, flawed=i % 3 == 0) for i in range(TEAMS)}
    files |= {f"goals/people/person-{i}.yaml": person(i) for i in range(4)}  # the busy org's
    repo.commit(files, "2026-10-01", "Q4 goals")
    for day in range(2, 20):  # only two teams ever check in: the rest go stale
        i = day % 2
        repo.commit({f"goals/teams/team-{i}.yaml": team(i, day, flawed=False)}, f"2026-10-{day:02}")
    repo.commit({"goals/teams/broken.yaml": "kind: team\nobjectives: [\n"}, "2026-10-20")
    return repo.root


def findings(root, *extra):
    result = run_cli("check", "--format", "json", "--repo", root, "--as-of", "2026-12-01", *extra)
    assert result.exit_code == 1, result.stderr
    return result.stdout


def drop(root, pattern):
    for path in (root / ".git" / "okrctl").glob(pattern):
        path.unlink()


def test_warm_runs_find_exactly_what_a_run_from_scratch_finds(org, monkeypatch):
    shutil.rmtree(org / ".git" / "okrctl", ignore_errors=True)
    with monkeypatch.context() as patch:
        patch.setenv("OKRCTL_NO_CACHE", "1")  # no cache read or written: every path the slow one
        scratch = findings(org)
    assert not (org / ".git" / "okrctl").exists()
    rules = [f["rule"] for f in json.loads(scratch)["findings"]]
    assert rules.count("stale") >= TEAMS - 2
    assert {"missing-why", "no-source", "orphan", "schema"} <= set(rules)
    assert findings(org) == scratch  # both caches cold: written, positions packed
    assert findings(org) == scratch  # both caches warm
    drop(org, "parse-*")
    assert findings(org) == scratch  # history index warm, units parsed again
    drop(org, "history-*")
    assert findings(org) == scratch  # parse cache warm, history walked again
    text = run_cli("check", "--repo", org, "--as-of", "2026-12-01").stdout
    assert re.search(r"\n +\d+ \| .+\n +\^", text)  # each finding's line, from the cached units
    monkeypatch.setenv("OKRCTL_NO_CACHE", "1")
    assert run_cli("check", "--repo", org, "--as-of", "2026-12-01").stdout == text


def scorecard(root, code=1):
    """`code` 1: the org's broken file, whose goals are missing from the card."""
    result = run_cli("status", "--format", "json", "--repo", root, "--as-of", "2026-12-01")
    assert result.exit_code == code, result.stderr
    return result.stdout


def test_warm_trends_and_forecasts_are_those_of_a_run_from_scratch(org, monkeypatch):
    """Trends read from the history index (check-in dates and values, the value at the
    period's opening) are exactly those of a walk of the history from scratch."""
    shutil.rmtree(org / ".git" / "okrctl", ignore_errors=True)
    with monkeypatch.context() as patch:
        patch.setenv("OKRCTL_NO_CACHE", "1")
        scratch = scorecard(org)
    assert scorecard(org) == scratch  # the index written
    assert scorecard(org) == scratch  # and read
    units = {unit["id"]: unit for unit in json.loads(scratch)["units"]}
    rate = units["team-0"]["objectives"][0]["key_results"][0]
    assert rate["trend"] == [1.0, *range(2, 20, 2)]  # the opening value, then each check-in
    assert rate["forecast"] is not None
    assert units["team-5"]["objectives"][0]["key_results"][0]["trend"] == [1.0]  # silent


def test_a_trend_opens_with_the_value_carried_in_from_before_the_period(tmp_path, monkeypatch):
    repo = GitRepo(tmp_path / "okrs")
    path = "goals/teams/team-0.yaml"
    repo.commit({**BASE, path: team(0, 1, flawed=False)}, "2026-09-20", "Q3 goals")
    repo.commit({path: team(0, 5, flawed=False)}, "2026-09-25", "Q3 check-in")
    kpi_moved = team(0, 5, flawed=False).replace("current: 3\n", "current: 4\n")
    repo.commit({path: kpi_moved}, "2026-09-28", "the file again, its key result unchanged")
    repo.commit({"goals/teams/team-1.yaml": team(1, 1, flawed=False)}, "2026-10-02", "Q4 opens")
    repo.commit({path: team(0, 7, flawed=False)}, "2026-10-10", "check-in")
    with monkeypatch.context() as patch:
        patch.setenv("OKRCTL_NO_CACHE", "1")
        scratch = scorecard(repo.root, code=0)
    for _ in range(2):  # the index written, then read
        assert scorecard(repo.root, code=0) == scratch
    units = {unit["id"]: unit for unit in json.loads(scratch)["units"]}
    assert units["team-0"]["objectives"][0]["key_results"][0]["trend"] == [5.0, 7.0]


@pytest.mark.parametrize("template", ["company", "team", "one-on-one"])
def test_a_warm_report_is_the_report_made_from_scratch(org, monkeypatch, template):
    """A report, its key results built on demand (company, team) or at once (one-on-one),
    says the same from scratch, with its caches written, and read (the org's broken file
    named each time, exit 1)."""

    def report() -> tuple[str, str]:
        args = ("report", "--repo", org, "--template", template, "--as-of", "2026-12-01")
        result = run_cli(*args, "--since", "2026-10-10")
        assert result.exit_code == 1 and "broken.yaml:3:1" in result.stderr, result.stderr
        return result.stdout, result.stderr

    shutil.rmtree(org / ".git" / "okrctl", ignore_errors=True)
    with monkeypatch.context() as patch:
        patch.setenv("OKRCTL_NO_CACHE", "1")
        scratch = report()
    assert report() == scratch  # the caches written
    assert report() == scratch  # and read
    assert "2026-Q4" in scratch[0] and len(scratch[0]) > 500
