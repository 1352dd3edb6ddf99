"""`okrctl checkin` with no ref: a guided round over my numbers, driven through a real
pseudo-terminal (pexpect) with the installed `okrctl`: what it asks, what it writes (one commit,
a trailer per ref), and that Ctrl-C writes nothing."""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

import pexpect
import pytest

from conftest import run_cli
from gitrepo import GitRepo

CONFIG = "company: Acme\nperiod: 2026-Q4\nemails:\n  tom: Tom@Acme.example\n"
COMPANY = """\
kind: company
id: acme
mission: Make saving easy.
objectives:
  - id: grow
    title: Grow deposits
    why: Deposits fund plans.
    owner: ines
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
lead: tom
objectives:
  - id: funding
    title: Effortless funding
    why: Funding is where people drop off.
    aligns_to: [acme/grow]
    key_results:
      - id: rate
        title: Funded from 30% to 50%
        unit: '%'
        baseline: 30
        target: 50
        current: 34   # Looker
        confidence: 0.5
        source: funnel
      - id: ach
        title: Ship instant ACH
        milestone: true
        done: false
        source: release notes
      - id: tickets
        title: Tickets from 40 to 20
        baseline: 40
        target: 20
        current: 35
        source: helpdesk
        owner: ana
kpis:
  - id: latency
    title: Funding latency
    why: Slow funding loses people.
    unit: s
    current: 3.1
    healthy: {max: 4}
    source: ops dashboard
"""
FILES = {"okrctl.yaml": CONFIG, "goals/company.yaml": COMPANY, "goals/teams/signups.yaml": TEAM}
OKRCTL = shutil.which("okrctl", path=str(Path(sys.executable).parent))


@pytest.fixture
def team(tmp_path):
    repo = GitRepo(tmp_path / "okrs")
    repo.commit(FILES, "2026-10-01", "goals")
    repo.commit(
        {"goals/teams/signups.yaml": TEAM.replace("current: 3.1", "current: 3.4")}, "2026-11-20"
    )
    repo.git("config", "user.email", "tom@acme.example")  # matched whatever its case
    repo.git("config", "user.name", "Tom Lindqvist")
    return repo


def _spawn(repo: GitRepo, *args: str, columns: int | None = None) -> pexpect.spawn:
    """The installed okrctl's `checkin` in a terminal (`columns` wide: the test's COLUMNS
    otherwise decides)."""
    assert OKRCTL is not None
    env = None if columns is None else {**os.environ, "COLUMNS": str(columns)}
    return pexpect.spawn(
        OKRCTL,
        ["checkin", *args],
        cwd=str(repo.root / "goals"),
        encoding="utf-8",
        timeout=60,
        dimensions=(24, columns or 80),
        env=env,
    )


def _interrupt(child: pexpect.spawn) -> None:
    """Ctrl-C once okrctl waits for a key at its prompt. rich prints a prompt before readline
    takes the terminal; a SIGINT in between is seen only at the next key (CPython's readline
    checks for signals when its wait is interrupted), a window of a millisecond that a test sent
    its ^C into under load (a clean-clone CI run waited out the minute), and a person cannot."""
    waiting = Path(f"/proc/{child.pid}/wchan")
    deadline = time.monotonic() + 10
    while waiting.exists() and time.monotonic() < deadline:
        if any(word in waiting.read_text() for word in ("poll", "select", "wait")):
            break
        time.sleep(0.01)
    child.sendcontrol("c")


@pytest.mark.slow
def test_a_round_asks_about_my_numbers_stalest_first_and_commits_once(team):
    before = team.git("rev-parse", "HEAD")
    child = _spawn(team)
    child.expect("3 numbers for tom, stalest first.")
    # never checked in since the goals were written (Oct 1): the KRs; the KPI on Nov 20
    child.expect(r"\[1/3\] signups/funding/ach")
    child.expect("Done\\? done / not yet \\(Enter keeps not yet\\)")
    child.sendline("done")
    child.expect("score 1.00")
    child.expect("Note")
    child.sendline("")
    child.expect(r"\[2/3\] signups/funding/rate")
    child.expect("34% · last check-in 2026-10-01")
    child.expect("confidence 0.5 · score 0.20")
    child.expect("New value \\(Enter keeps 34\\)")
    child.sendline("forty")  # refused, asked again
    child.expect("'forty' is not a number")
    child.expect("New value")
    child.sendline("38.5")
    child.expect("→ 38.5%, score 0.42")  # (38.5 - 30) / (50 - 30)
    child.expect("Confidence 0 to 1")
    child.sendline("0.6")
    child.expect("Note")
    child.sendline("Instant ACH on for 40%")
    child.expect(r"\[3/3\] signups/latency")
    child.expect("New value \\(Enter keeps 3.4\\)")
    child.sendline("")  # kept: no check-in
    child.expect("checked in 2 of 3; committed ")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert team.git("rev-list", "--count", f"{before}..HEAD") == "1"
    message = team.git("log", "-1", "--format=%B")
    assert message == (
        "checkin: 2 values by tom\n\n"
        "signups/funding/ach: not done → done\n"
        "signups/funding/rate: 34 → 38.5, confidence 0.5 → 0.6 — Instant ACH on for 40%\n\n"
        "Okr-Checkin: signups/funding/ach\n"
        "Okr-Checkin: signups/funding/rate"
    )
    assert team.git("log", "-1", "--format=%an") == "Tom Lindqvist"
    text = (team.root / "goals/teams/signups.yaml").read_text()
    assert "        current: 38.5   # Looker\n        confidence: 0.6\n" in text
    assert "        done: true\n" in text and "current: 3.4\n" in text
    assert "current: 35\n" in text  # ana's, not asked
    history = run_cli("history", "signups/funding/rate", "--repo", team.root, "--format", "json")
    assert history.json()["checkins"][-1]["note"] == (
        "signups/funding/rate: 34 → 38.5, confidence 0.5 → 0.6 — Instant ACH on for 40%"
    )


@pytest.mark.slow
def test_ctrl_c_writes_nothing(team):
    before = team.git("rev-parse", "HEAD")
    child = _spawn(team)
    child.expect("Done\\?")
    child.sendline("done")
    child.expect("Note")
    child.sendline("")
    child.expect("New value")
    _interrupt(child)
    child.expect("stopped: nothing was written")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert team.git("rev-parse", "HEAD") == before
    assert team.git("status", "--porcelain") == ""


@pytest.mark.slow
def test_as_someone_else_and_an_unknown_person(team):
    child = _spawn(team, "--as", "ana")
    child.expect("1 number for ana, stalest first.")
    child.expect(r"\[1/1\] signups/funding/tickets")
    child.sendline("")
    child.expect("nothing checked in; nothing was written")
    child.expect(pexpect.EOF)
    team.git("config", "user.email", "someone@else.example")
    stranger = _spawn(team)
    stranger.expect("who is checking in\\? git config user.email is 'someone@else.example'")
    stranger.expect(pexpect.EOF)
    stranger.close()
    assert stranger.exitstatus == 2


def test_not_a_terminal_gets_the_one_line_alternative(team):
    result = run_cli("checkin", "--repo", team.root)
    assert result.exit_code == 2
    assert result.stderr == (
        "okrctl: a guided check-in asks questions, and this is not a terminal: run "
        "`okrctl checkin REF VALUE [--confidence C] [-m NOTE]`\n"
    )
    half = run_cli("checkin", "signups/funding/rate", "--repo", team.root)
    assert half.exit_code == 2
    assert "give signups/funding/rate's new VALUE" in half.stderr


@pytest.mark.slow
def test_tab_completes_values(team):
    """Tab completes a milestone's done / not yet, and a number from its value now and its
    target (listed on a second Tab when the line is empty)."""
    child = _spawn(team)
    child.expect("Done\\?")
    child.send("no\t")
    child.expect("not yet")
    child.send("\r")
    child.expect("score 0.00")
    child.expect("Note")
    child.sendline("")
    child.expect("New value \\(Enter keeps 34\\)")
    child.send("\t\t")
    child.expect(r"34\s+50")  # the value now, the target
    child.send("5\t\r")
    child.expect("→ 50%, score 1.00")
    child.expect("Confidence 0 to 1")
    child.send("0.\t\t")
    child.expect(r"0\.1\s+0\.2\s+0\.3\s+0\.4\s+0\.5\s+0\.6\s+0\.7\s+0\.8\s+0\.9")
    _interrupt(child)
    child.expect("stopped: nothing was written")
    child.expect(pexpect.EOF)


@pytest.mark.slow
def test_a_check_in_of_yesterday_is_one_day_ago(tmp_path):
    """The round said "(1 days ago)", and "(0 days ago)" for one made today."""
    from datetime import UTC, datetime, timedelta

    repo = GitRepo(tmp_path / "okrs")
    repo.commit(FILES, "2026-10-01", "goals")
    yesterday = (datetime.now(UTC) - timedelta(days=1)).replace(hour=12, minute=0, second=0)
    every_number = (
        TEAM.replace("        done: false\n", "        done: true\n")
        .replace("current: 34   # Looker", "current: 35   # Looker")
        .replace("current: 3.1", "current: 3.3")
    )
    repo.commit({"goals/teams/signups.yaml": every_number}, yesterday.isoformat(), "update")
    repo.git("config", "user.email", "tom@acme.example")
    child = _spawn(repo)
    child.expect(r"\[1/\d\] signups/")  # each of them checked in yesterday
    child.expect(r"last check-in \S+ \((\d+ days?) ago\)")
    assert child.match.group(1) == "1 day"
    _interrupt(child)
    child.expect("stopped: nothing was written")


def test_the_number_a_file_holds_however_typed_is_confirmed_and_the_file_kept(team):
    """A round's answer of `3.40 s` for 3.4 is the same number: said "unchanged", the file's
    `3.4` kept (the value was written again in its own spelling), its trailer committed."""
    from okrctl.commands.checkin_round import open_round, submit
    from okrctl.views.checkin_round import Answer

    before = (team.root / "goals/teams/signups.yaml").read_text()
    round_ = open_round(team.root, "tom")
    done = submit(team.root, round_, [Answer("signups/latency", "3.40 s")])
    assert done.checked_in == ["signups/latency"]
    assert (team.root / "goals/teams/signups.yaml").read_text() == before
    assert team.git("log", "-1", "--format=%B") == (
        "checkin: 1 value by tom\n\nsignups/latency: 3.4 (unchanged)\n\n"
        "Okr-Checkin: signups/latency"
    )
    assert team.git("show", "--format=", "--name-only", "HEAD") == ""


@pytest.mark.slow
def test_a_value_that_looks_like_a_slip_is_asked_again_and_kept_when_typed_again(tmp_path):
    """0.385 for a `%` number running 30 → 50 is asked about, with what was perhaps meant;
    typing 38.5 instead checks that in, typing 310 s twice checks 310 in. A title's `[beta]`
    is shown as written, not taken for a style."""
    repo = GitRepo(tmp_path / "okrs")
    team = TEAM.replace("title: Funded from 30% to 50%", "title: Funded [beta] from 30% to 50%")
    repo.commit({**FILES, "goals/teams/signups.yaml": team}, "2026-10-01", "goals")
    repo.git("config", "user.email", "tom@acme.example")
    child = _spawn(repo, columns=250)  # each message on one line
    child.expect(r"\[1/3\] signups/funding/ach")
    child.sendline("")
    child.expect(r"\[2/3\] signups/funding/rate")
    child.expect(r"Funded \[beta\] from 30% to 50%")
    child.expect("New value")
    child.sendline("0.385")
    child.expect(
        r"0\.385 is 78 times smaller than any value signups/funding/rate holds or aims for "
        r"\(30 → 50%, now 34%\); did you mean 38\.5%\? Type it again to check it in\."
    )
    child.expect("New value")
    child.sendline("38.5")
    child.expect("→ 38.5%, score 0.42")
    child.expect("Confidence")
    child.sendline("")
    child.expect("Note")
    child.sendline("")
    child.expect(r"\[3/3\] signups/latency")
    child.expect("New value")
    child.sendline("310")
    child.expect(r"310 is 78 times larger than any value signups/latency holds or aims for")
    child.expect("did you mean 3.1 s\\?")
    child.expect("New value")
    child.sendline("310")
    child.expect("Note")
    child.sendline("")
    child.expect("checked in 2 of 3; committed ")
    child.expect(pexpect.EOF)
    message = repo.git("log", "-1", "--format=%B")
    assert "signups/funding/rate: 34 → 38.5\n" in message
    assert "signups/latency: 3.1 → 310\n" in message
