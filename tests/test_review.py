"""`okrctl review BASE [HEAD]` on real repositories with pull-request-like branches, back-dated
commits by different authors: what it lists, where, with what effect, and when it fails."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from conftest import run_cli
from gitrepo import GitRepo

CONFIG = """\
company: Acme
period: 2026-Q4
emails:
  sam: sam@acme.example
  ana: ana@acme.example
"""
COMPANY = """\
kind: company
id: acme
mission: Make saving easy.
lead: ines
objectives:
  - id: grow
    title: Grow deposits
    why: Deposits fund plans.
    key_results:
      - id: deposits
        title: Deposits up
        baseline: 10
        target: 20
        current: 12
        source: finance
  - id: retain
    title: Keep savers
    why: Churn undoes growth.
    key_results:
      - id: churn
        title: Churn down
        baseline: 5
        target: 3
        current: 4
        source: finance
"""
SIGNUPS = """\
kind: team
parent: acme
lead: tom
objectives:
  - id: funding
    title: Effortless funding
    why: Funding is where people drop off.
    type: committed
    owner: sam
    aligns_to: [acme/grow]
    key_results:
      - id: rate
        title: Funded rate up
        unit: '%'
        baseline: 30
        target: 50
        current: 40
        confidence: 0.5
        source: funnel
      - id: ach
        title: Ship instant ACH
        milestone: true
        done: false
        source: release notes
      - id: tickets
        title: Fewer tickets
        baseline: 40
        target: 20
        current: 35
        source: helpdesk
  - id: onboarding
    title: Smooth onboarding
    why: First days decide.
    aligns_to: [acme/grow]
    key_results:
      - id: steps
        title: Fewer steps
        baseline: 9
        target: 5
        current: 8
        source: product
"""
OPS = """\
kind: team
parent: acme
lead: ana
objectives:
  - id: speed
    title: Fast transfers
    why: Slow money is lost trust.
    aligns_to: [acme/retain]
    key_results:
      - id: latency
        title: Latency down
        baseline: 10
        target: 5
        current: 8
        source: ops dashboard
  - id: legacy
    title: An old objective nobody aligned
    why: It was here before okrctl.
    key_results:
      - id: migrated
        title: Migrated
        milestone: true
        done: false
        source: wiki
"""
SAM = "Sam Okafor <sam@acme.example>"


def commit_as(repo: GitRepo, files: dict[str, str], date: str, message: str, author: str) -> str:
    repo.write(files)
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", message, f"--author={author}", date=date)
    return repo.git("rev-parse", "HEAD")


def edit(text: str, *changes: tuple[str, str]) -> str:
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def main_then_pr(root: Path) -> GitRepo:
    """main: the goals as set on Oct 1 (with one old orphan); checked out: the branch `pr`."""
    repo = GitRepo(root)
    files = {
        "okrctl.yaml": CONFIG,
        "goals/company.yaml": COMPANY,
        "goals/teams/signups.yaml": SIGNUPS,
        "goals/teams/ops.yaml": OPS,
    }
    repo.commit(files, "2026-10-01", "goals for Q4")
    repo.git("checkout", "-q", "-b", "pr")
    return repo


@pytest.fixture
def branch(tmp_path):
    """main: the goals as set on Oct 1 (with one old orphan). pr: a target moved in the grace,
    one moved after it, a realignment, a dropped key result, an added orphan, and check-ins."""
    repo = main_then_pr(tmp_path / "okrs")
    ops = edit(OPS, ("        target: 5\n", "        target: 4\n"))
    commit_as(repo, {"goals/teams/ops.yaml": ops}, "2026-10-05", "latency: aim lower", SAM)
    signups = edit(SIGNUPS, ("        target: 50\n", "        target: 40\n"))
    commit_as(
        repo, {"goals/teams/signups.yaml": signups}, "2026-11-10",
        "rate: target down\n\nThe funnel double-counted retries.", SAM,
    )  # fmt: skip
    signups = edit(
        signups,
        ("        current: 40\n        confidence: 0.5\n",
         "        current: 37\n        confidence: 0.3\n"),
        ("      - id: tickets\n        title: Fewer tickets\n        baseline: 40\n"
         "        target: 20\n        current: 35\n        source: helpdesk\n", ""),
        ("    aligns_to: [acme/grow]\n    key_results:\n      - id: steps",
         "    aligns_to: [acme/retain]\n    key_results:\n      - id: steps"),
    ) + (
        "  - id: experiments\n    title: Run experiments\n    why: Learn fast.\n"
        "    key_results:\n      - id: count\n        title: Experiments run\n"
        "        baseline: 0\n        target: 10\n        current: 2\n        source: wiki\n"
    )  # fmt: skip
    ops = edit(ops, ("        current: 8\n", "        current: 4.5\n"))
    commit_as(
        repo, {"goals/teams/signups.yaml": signups, "goals/teams/ops.yaml": ops}, "2026-11-12",
        "mid-quarter update", SAM,
    )  # fmt: skip
    return repo


def _review(repo: GitRepo, *args: str):
    return run_cli("review", "main", "pr", "--repo", repo.root, "--as-of", "2026-11-15", *args)


def _line_of(repo: GitRepo, path: str, text: str, after: str = "") -> int:
    lines = (repo.root / path).read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    return next(i for i, line in enumerate(lines) if i >= start and text in line) + 1


def test_a_target_moved_after_the_grace_is_a_move_with_its_effect(branch):
    branch.git("checkout", "-q", "pr")
    result = _review(branch, "--format", "json")
    assert result.exit_code == 1  # the new orphan (below)
    review = result.json()
    assert review["period"] == "2026-Q4" and review["grace_end"].startswith("2026-10-15")
    assert review["commits"] == 3 and review["uncommitted"] is False
    line = _line_of(branch, "goals/teams/signups.yaml", "target: 40")
    # moved Nov 10 (after the grace); the latency target moved Oct 5 (inside it) is no move
    assert review["goalpost_moves"] == [
        {
            "ref": "signups/funding/rate", "kind": "key result", "field": "target",
            "old": 50, "new": 40, "commit": review["goalpost_moves"][0]["commit"],
            "author": "Sam Okafor", "date": "2026-11-10T12:00:00Z",
            "file": "goals/teams/signups.yaml", "line": line, "column": 9,
            # current 37: (37 - 30) / (50 - 30) = 0.35 before, (37 - 30) / (40 - 30) = 0.7 after;
            # committed, half-way through: expected 0.5, so paces -0.15 and +0.2
            "score": {"old": 0.35, "new": pytest.approx(0.7)},
            "status": {"old": "at_risk", "new": "on_track"},
            "reason": "rate: target down The funnel double-counted retries.",
        }
    ]  # fmt: skip
    assert branch.git("log", "-1", "--format=%s", review["goalpost_moves"][0]["commit"]) == (
        "rate: target down"
    )


def test_scope_checkins_scores_and_only_new_findings(branch):
    review = _review(branch, "--format", "json").json()
    scope = {(s["change"], s["ref"]): s for s in review["scope_changes"]}
    assert set(scope) == {
        ("realigned", "signups/onboarding"),
        ("dropped", "signups/funding/tickets"),
        ("added", "signups/experiments"),  # its key result comes with it, unlisted
    }
    realigned = scope[("realigned", "signups/onboarding")]
    assert (realigned["old"], realigned["new"]) == (["acme/grow"], ["acme/retain"])
    # acme/grow had funding and onboarding behind it; now only funding
    assert realigned["left"] == [{"ref": "acme/grow", "supporters": {"old": 2, "new": 1}}]
    assert realigned["author"] == "Sam Okafor" and realigned["date"].startswith("2026-11-12")
    assert scope[("dropped", "signups/funding/tickets")]["file"] is None
    checkins = {c["ref"]: c for c in review["checkins"]}
    rate = checkins["signups/funding/rate"]
    assert (rate["old"], rate["new"], rate["flags"]) == (40, 37, ["backwards", "confidence"])
    assert rate["confidence"] == {"old": 0.5, "new": 0.3}
    assert rate["line"] == _line_of(branch, "goals/teams/signups.yaml", "current: 37")
    latency = checkins["ops/speed/latency"]
    # 8 → 4.5 on a range of 10 → 4: 3.5 / 6 = 0.58 of it in one step; sam is not ops' lead
    assert (latency["old"], latency["new"], latency["flags"]) == (8, 4.5, ["jump", "owner"])
    assert latency["jump"] == pytest.approx(3.5 / 6)
    assert (latency["person"], latency["answerable"]) == ("sam", ["ana", "ines"])
    scores = {s["ref"]: s for s in review["scores"]}
    # funding: (0.5 + 0 + 0.25) / 3 = 0.25 before; (0.7 + 0) / 2 = 0.35 after
    assert scores["signups/funding"]["score"] == {"old": 0.25, "new": pytest.approx(0.35)}
    assert review["scores"][0]["ref"] == "signups/experiments"  # weakest first
    new = review["findings"]["new"]
    assert [(f["rule"], f["ref"]) for f in new] == [("orphan", "signups/experiments")]
    assert review["findings"]["on_base"] >= 1  # ops/legacy's orphan: there before, not failing
    assert review["failed"] == {"error": 1}


def test_an_old_orphan_alone_does_not_fail_and_fail_on_widens(branch):
    branch.git("checkout", "-q", "pr")
    without = (branch.root / "goals/teams/signups.yaml").read_text()
    without = without[: without.index("  - id: experiments")]
    commit_as(branch, {"goals/teams/signups.yaml": without}, "2026-11-13", "no orphan", SAM)
    passed = _review(branch)
    assert passed.exit_code == 0, passed.stdout
    assert passed.stdout.splitlines()[-1] == (
        "Passes: nothing that --fail-on error names. Also: 1 goal-post moved, 2 scope "
        "changes, 1 check-in against its target, 1 jump, 1 confidence drop, 1 check-in by "
        "someone else."
    )
    failed = _review(branch, "--fail-on", "goalpost,owner")
    assert failed.exit_code == 1
    assert failed.stdout.splitlines()[-1] == (
        "Fails (--fail-on goalpost,owner): 1 goal-post moved, 1 check-in by someone else."
    )
    bad = _review(branch, "--fail-on", "goalposts")
    assert bad.exit_code == 2
    assert "--fail-on takes a comma-separated list of" in bad.stderr and "'goalposts'" in bad.stderr


def test_github_annotates_the_moved_line_and_writes_the_summary(branch, tmp_path, monkeypatch):
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = _review(branch, "--format", "github")
    assert result.exit_code == 1
    branch.git("checkout", "-q", "pr")
    target = _line_of(branch, "goals/teams/signups.yaml", "target: 40")
    lines = result.stdout.splitlines()
    assert lines[0].startswith("::error file=goals/teams/signups.yaml,line=")  # the new orphan
    move = next(line for line in lines if "goal-post moved" in line)
    assert move.startswith(
        f"::warning file=goals/teams/signups.yaml,line={target},col=9,"
        "title=okrctl review%3A goal-post moved::signups/funding/rate: target 50%25 → 40%25: "
        "score 0.35 → 0.70, at risk → on track (Sam Okafor, 2026-11-10, "
    )
    assert summary.read_text().startswith("## okrctl review\n")


def test_the_comment_is_valid_gfm_with_a_marker(branch, tmp_path):
    comment = tmp_path / "comment.md"
    result = _review(branch, "--comment-file", str(comment))
    assert result.exit_code == 1
    body = comment.read_text()
    assert body.startswith("<!-- okrctl-review -->\n## okrctl review\n")
    tokens = MarkdownIt("commonmark").enable("table").parse(body)
    tables = [t for t in tokens if t.type == "table_open"]
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert headings[1:] == [
        "Goal-posts moved (1)", "Scope changes mid-period (3)", "Check-ins (2)",
        "Scores, weakest first (5)", "New findings (1)",
    ]  # fmt: skip
    assert len(tables) == 5
    for i, token in enumerate(tokens):  # every row has as many cells as its header
        if token.type == "tr_open":
            cells = 0
            for inner in tokens[i + 1 :]:
                if inner.type == "tr_close":
                    break
                cells += inner.type in ("th_open", "td_open")
            assert cells in (6, 5, 3, 4)
    assert (
        "| `signups/funding/rate` | target 50% → 40% | score 0.35 → 0.70, at risk → on track | "
        "Sam Okafor, 2026-11-10, "
    ) in body
    assert "| goals/teams/signups.yaml:16 | rate: target down The funnel double-counted" in body


def test_a_renamed_unit_file_is_a_rename_not_an_add_and_a_drop(tmp_path):
    repo = GitRepo(tmp_path / "okrs")
    files = {"okrctl.yaml": CONFIG, "goals/company.yaml": COMPANY, "goals/teams/ops.yaml": OPS}
    repo.commit(files, "2026-10-01", "goals")
    repo.git("checkout", "-q", "-b", "pr")
    repo.git("mv", "goals/teams/ops.yaml", "goals/teams/operations.yaml")
    repo.git("commit", "-q", "-m", "ops is operations now", f"--author={SAM}", date="2026-11-10")
    review = _review(repo, "--format", "json").json()
    assert [(s["change"], s["ref"], s["old"], s["new"]) for s in review["scope_changes"]] == [
        ("renamed", "operations", "ops", "operations")
    ]
    assert review["scope_changes"][0]["author"] == "Sam Okafor"
    assert review["goalpost_moves"] == [] and review["checkins"] == []
    assert review["findings"]["new"] == []  # the old orphan followed the rename
    assert [s["ref"] for s in review["scores"]] == []  # same scores under the new name


def test_the_working_tree_is_the_default_head(branch):
    branch.git("checkout", "-q", "pr")
    text = (branch.root / "goals/company.yaml").read_text()
    (branch.root / "goals/company.yaml").write_text(text.replace("target: 20", "target: 18"))
    result = run_cli("review", "main", "--repo", branch.root, "--format", "json")
    review = result.json()
    assert review["head"] is None and review["uncommitted"] is True
    moved = {m["ref"]: m for m in review["goalpost_moves"]}
    assert moved["acme/grow/deposits"]["commit"] is None
    assert moved["acme/grow/deposits"]["author"] == "Maria Lopez"  # git config user.name


def test_the_comment_stays_under_githubs_limit(tmp_path):
    """1,500 check-ins in one change: the comment summarises each section to fit."""
    repo = GitRepo(tmp_path / "okrs")
    many = "".join(
        f"  - id: o{i}\n    title: Objective {i}\n    why: Because.\n    aligns_to: [acme/grow]\n"
        "    key_results:\n" + "".join(
            f"      - id: k{j}\n        title: Result {j}\n        baseline: 0\n"
            f"        target: 100\n        current: 10\n        source: s\n"
            for j in range(5)
        )
        for i in range(300)
    )  # fmt: skip
    team = f"kind: team\nparent: acme\nlead: tom\nobjectives:\n{many}"
    files = {"okrctl.yaml": CONFIG, "goals/company.yaml": COMPANY, "goals/teams/big.yaml": team}
    repo.commit(files, "2026-10-01", "goals")
    repo.git("checkout", "-q", "-b", "pr")
    repo.commit({"goals/teams/big.yaml": team.replace("current: 10", "current: 9")}, "2026-11-10")
    comment = tmp_path / "comment.md"
    result = _review(repo, "--comment-file", str(comment), "--format", "json")
    assert len(result.json()["checkins"]) == 1500
    body = comment.read_text()
    assert len(body) <= 65_536
    assert "### Check-ins (1500)" in body
    shown = body.count("| `big/")
    assert 0 < shown < 1500 + 300
    assert "more: all of them in `okrctl review --format json`." in body
    json.dumps(result.json())  # the JSON carries every item


def test_the_scaffolded_step_runs_the_review_as_a_runner_would(branch, tmp_path):
    """`init --ci-only` adds the review to the pull-request workflow; its `run:` script, in
    bash with the installed okrctl on PATH and the pull request's shas, writes the comment and
    the status the next steps read."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from ruamel.yaml import YAML

    assert run_cli("init", str(branch.root), "--ci-only").exit_code == 0
    workflow = YAML(typ="safe").load((branch.root / ".github/workflows/okrs.yml").read_text())
    steps = workflow["jobs"]["check"]["steps"]
    assert steps[0]["with"]["fetch-depth"] == 0
    step = next(s for s in steps if s.get("id") == "review")
    assert workflow["permissions"]["pull-requests"] == "write"
    runner, output = tmp_path / "runner", tmp_path / "output"
    runner.mkdir()
    environment = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "BASE": branch.git("rev-parse", "main"),
        "HEAD": branch.git("rev-parse", "pr"),
        "RUNNER_TEMP": str(runner),
        "GITHUB_OUTPUT": str(output),
    }
    done = subprocess.run(
        ["bash", "-e", "-c", step["run"]], cwd=branch.root, env=environment,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert output.read_text() == "status=1\n"  # the new orphan; the next step exits with it
    assert (runner / "review.md").read_text().startswith("<!-- okrctl-review -->\n")
    assert "::error file=goals/teams/signups.yaml" in done.stdout


def test_a_script_reviews_a_change_as_the_cli_does(branch):
    import okrctl
    from okrctl.views.review import FailOn

    review = okrctl.review_change(
        okrctl.Workspace.open(branch.root), "main", "pr", fail_on=[FailOn.GOALPOST]
    )
    assert [(m.ref, m.old, m.new) for m in review.moves] == [("signups/funding/rate", 50, 40)]
    assert review.failures == {FailOn.GOALPOST: 1} and review.exit_code == 1


def test_a_file_broken_at_head_is_a_new_error_not_its_goals_dropped(branch):
    branch.git("checkout", "-q", "pr")
    text = (branch.root / "goals/teams/ops.yaml").read_text()
    broken = text.replace("lead: ana\n", "lead: ana\nlaed: ana\n")
    commit_as(branch, {"goals/teams/ops.yaml": broken}, "2026-11-13", "typo", SAM)
    review = _review(branch, "--format", "json").json()
    assert not [s for s in review["scope_changes"] if s["ref"].startswith("ops/")]
    new = [(f["rule"], f["file"], f["line"]) for f in review["findings"]["new"]]
    assert ("schema", "goals/teams/ops.yaml", 4) in new
    # the orphan it had at BASE is not "fixed": the file no longer loads to say
    assert review["failed"]["error"] == 2  # the schema error and signups' new orphan


def test_a_github_login_ties_a_commit_to_its_person(branch):
    """GitHub's private address (ID+login@users.noreply.github.com) and a person file's
    `github:` name who checked in: ana checks in sam's rate."""
    branch.git("checkout", "-q", "pr")
    person = "kind: person\nparent: ops\ngithub: ana-gh\nobjectives: []\n"
    text = (branch.root / "goals/teams/signups.yaml").read_text()
    commit_as(
        branch,
        {"goals/people/ana.yaml": person,
         "goals/teams/signups.yaml": text.replace("current: 37\n", "current: 39\n")},
        "2026-11-13", "checkin", "Ana <77+ana-gh@users.noreply.github.com>",
    )  # fmt: skip
    review = _review(branch, "--format", "json").json()
    rate = [c for c in review["checkins"] if c["ref"] == "signups/funding/rate"]
    assert [(c["old"], c["new"], c["person"], c["flags"]) for c in rate] == [
        (40, 37, "sam", ["backwards", "confidence"]),  # sam owns the objective
        (37, 39, "ana", ["owner"]),
    ]
    assert rate[1]["answerable"] == ["ines", "sam", "tom"]


@pytest.mark.slow
def test_the_installed_okrctl_reviews_from_a_subfolder_piped(branch):
    """As a lead types it: inside goals/teams, no --repo, the comment file named relatively,
    the output piped."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    okrctl = shutil.which("okrctl", path=str(Path(sys.executable).parent))
    assert okrctl is not None
    here = branch.root / "goals/teams"
    done = subprocess.run(
        [okrctl, "review", "main", "pr", "--as-of", "2026-11-15", "--comment-file", "c.md"],
        cwd=here, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr  # the new orphan
    assert done.stdout.splitlines()[0].startswith("Review of ")
    assert "signups/funding/rate  target 50% → 40%" in done.stdout
    assert done.stdout.splitlines()[-1] == "Fails (--fail-on error): 1 new error."
    assert (here / "c.md").read_text().startswith("<!-- okrctl-review -->\n")


def test_scores_that_moved_by_less_than_shows_are_counted_not_listed(tmp_path):
    """A check-in of 40 → 40.01 listed its objective and unit as "0.25 → 0.25": such rows are
    counted in one line; the JSON keeps every score."""
    repo = main_then_pr(tmp_path / "okrs")
    signups = edit(SIGNUPS, ("        current: 40\n", "        current: 40.01\n"))
    commit_as(repo, {"goals/teams/signups.yaml": signups}, "2026-11-10", "rate", SAM)
    text = _review(repo).stdout
    assert "Scores, weakest first" not in text
    assert "\n2 scores moved by less than 0.01 (every one: --format json)\n" in text
    markdown = _review(repo, "--format", "md").stdout
    assert "\n_2 scores moved by less than 0.01 (every one: --format json)._\n" in markdown
    scores = _review(repo, "--format", "json").json()["scores"]
    assert sorted(s["ref"] for s in scores) == ["signups", "signups/funding"]


def test_a_first_check_in_reads_as_one(tmp_path):
    """A number nobody had checked in read "none → 7", where reports say "first check-in"."""
    repo = GitRepo(tmp_path / "okrs")
    steps = "        current: 8\n        source: product\n"
    unchecked = edit(SIGNUPS, (steps, "        source: product\n"))
    files = {"okrctl.yaml": CONFIG, "goals/company.yaml": COMPANY, "goals/teams/ops.yaml": OPS}
    repo.commit({**files, "goals/teams/signups.yaml": unchecked}, "2026-10-01", "goals for Q4")
    repo.git("checkout", "-q", "-b", "pr")
    checked = edit(unchecked, ("        source: product\n", steps.replace("8", "7")))
    commit_as(repo, {"goals/teams/signups.yaml": checked}, "2026-11-12", "steps: 7", SAM)
    text = _review(repo).stdout
    [row] = [line for line in text.splitlines() if "signups/onboarding/steps" in line]
    assert "first check-in, 7" in row and "none" not in row, text
    json = _review(repo, "--format", "json").json()
    [checkin] = [c for c in json["checkins"] if c["ref"] == "signups/onboarding/steps"]
    assert (checkin["old"], checkin["new"]) == (None, 7)
