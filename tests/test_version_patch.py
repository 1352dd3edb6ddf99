"""History reads most versions of a file from the lines that changed since the version before
or after (store/version_patch.py). Whatever the edits, what it reads must equal reading every
version whole: a seeded history of every kind of edit, compared command by command."""

from __future__ import annotations

import random
import shutil
from datetime import date, timedelta

import pytest

from conftest import run_cli
from gitrepo import GitRepo
from okrctl.store import version_patch

CONFIG = "company: Acme\nperiod: 2026-Q4\nstale_after_days: 10\n"
COMPANY = """\
kind: company
id: acme
mission: Make saving easy.
objectives:
  - id: grow
    title: Grow
    why: Growth.
    key_results:
      - id: deposits
        title: Deposits up
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
        title: Funded rate
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
      - {id: tickets, title: Fewer tickets, baseline: 40, target: 20, current: 35, source: desk}
      - id: folded
        title: A value continued on the next line (a string)
        baseline: 0
        target: 10
        current: 20
          5
        source: desk
kpis:
  - id: latency
    title: Funding latency
    why: Slow funding loses people.
    current: 3.1
    healthy: {max: 4}
    source: ops
"""


def edit(text: str, rng: random.Random) -> str:
    """One edit of the kinds people make: mostly a value, sometimes anything else."""
    kind = rng.choice(
        ["value", "value", "value", "comment", "float", "confidence", "target", "done",
         "title", "add-line", "string", "quoted", "flow", "inf", "broken", "crlf", "hex",
         "typo-key", "indent", "folded"]
    )  # fmt: skip
    rate = text[text.index("- id: rate") :]
    old = rate[rate.index("current:") :].split("\n", 1)[0]
    new = {
        "value": f"current: {rng.randint(30, 60)}",
        "comment": f"current: {old.split()[1]}   # note {rng.randint(1, 9)}",
        "float": f"current: {rng.randint(30, 60)}.5",
        "string": "current: n/a",
        "quoted": f'current: "{rng.randint(30, 60)}"',
        "inf": "current: .inf",
        "hex": "current: 0x2A",
    }.get(kind)
    if new is not None:
        return text.replace(old, new, 1)
    if kind == "confidence":
        return text.replace(text[text.index("confidence:") :].split("\n", 1)[0],
                            f"confidence: 0.{rng.randint(1, 9)}", 1)  # fmt: skip
    if kind == "target":
        return text.replace("target: 50", "target: 45", 1).replace("target: 45\n", "target: 50\n")
    if kind == "done":
        return text.replace("done: false", "done: X").replace("done: true", "done: false").replace(
            "done: X", "done: true"
        )
    if kind == "title":
        return text.replace("title: Funded rate", f"title: Funded rate {rng.randint(1, 9)}", 1)
    if kind == "add-line":
        line = "        source: funnel\n"
        return text.replace(line, line + "        owner: sam\n")
    if kind == "typo-key":  # the line keeps its value, but no longer says `current`
        return text.replace(old, old.replace("current:", "curent:"), 1)
    if kind == "indent":
        return text.replace("        " + old, "          " + old, 1)
    if kind == "folded":
        folded = text[text.index("- id: folded") :]
        line = folded[folded.index("current:") :].split("\n", 1)[0]
        return text.replace(line, f"current: {rng.randint(10, 30)}", 1)
    if kind == "flow":
        return text.replace("current: 35,", f"current: {rng.randint(20, 40)},")
    if kind == "broken":
        return text.replace("kpis:", "kpis: [")
    return text.replace("\n", "\r\n") if "\r\n" not in text else text.replace("\r\n", "\n")


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    """90 back-dated commits of random edits to a team file (a broken version among them)."""
    rng = random.Random(2026)
    repo = GitRepo(tmp_path_factory.mktemp("patch") / "okrs")
    files = {"okrctl.yaml": CONFIG, "goals/company.yaml": COMPANY, "goals/teams/signups.yaml": TEAM}
    repo.commit(files, "2026-10-01", "goals")
    text = TEAM
    for day in range(90):
        edited = edit(text, rng)
        if edited == text:
            continue
        when = (date(2026, 10, 2) + timedelta(days=day)).isoformat()
        repo.commit({"goals/teams/signups.yaml": edited}, when, f"edit {day}")
        if "kpis: [" in edited or "curent:" in edited or "          current" in edited:
            continue  # a slip, undone by the next commit
        text = edited
    if (repo.root / "goals/teams/signups.yaml").read_text() != text:
        repo.commit({"goals/teams/signups.yaml": text}, "2026-12-20", "as it ends")
    return repo


FOLDED = TEAM[TEAM.index("      - id: folded") : TEAM.index("kpis:")]
VALID = TEAM.replace(FOLDED, "")
"""The team as `check` accepts it (a value continued on the next line is a string)."""

REFS = [
    "signups/funding/rate", "signups/funding/ach", "signups/funding/tickets",
    "signups/funding/folded", "signups/latency",
]  # fmt: skip


def _everything(root) -> list:
    shutil.rmtree(root / ".git/okrctl", ignore_errors=True)  # cold: every version read
    outputs = [run_cli("history", ref, "--repo", root, "--format", "json").stdout for ref in REFS]
    for command in ("check", "status"):
        shutil.rmtree(root / ".git/okrctl", ignore_errors=True)
        outputs.append(
            run_cli(command, "--repo", root, "--format", "json", "--as-of", "2026-12-20").stdout
        )
    return outputs


def test_reading_by_changed_lines_equals_reading_every_version_whole(history, monkeypatch):
    patched = _everything(history.root)
    monkeypatch.setattr(version_patch, "PATCH_VERSIONS", False)
    whole = _everything(history.root)
    assert patched == whole
    assert '"value": 34' in patched[0]  # the first value, read whole
    assert len(patched[0]) > 2000  # dozens of check-ins


def test_check_ins_are_read_from_their_neighbours(tmp_path, monkeypatch):
    """The point of it: a quarter of check-ins (values, confidences, notes in comments) is
    read without reading one version whole: back from the working tree's, which the loader
    read anyway."""
    from okrctl.store import versions

    rng = random.Random(7)
    repo = GitRepo(tmp_path / "okrs")
    team = "goals/teams/signups.yaml"
    repo.commit({"okrctl.yaml": CONFIG, "goals/company.yaml": COMPANY, team: VALID}, "2026-10-01")
    text = VALID
    for day in range(30):
        old = text[text.index("current: 34") if day == 0 else text.index("        current: ") :]
        old = old.split("\n", 1)[0].strip()
        text = text.replace(old, f"current: {30 + day}   # check-in {day}", 1)
        if day % 3 == 0:
            text = text.replace("confidence: 0.5", "confidence: 0.6").replace(
                "confidence: 0.6\n", f"confidence: 0.{rng.randint(1, 9)}\n"
            )
        when = (date(2026, 10, 2) + timedelta(days=day)).isoformat()
        repo.commit({team: text}, when, f"checkin {day}")
    calls = []
    real = versions.read_whole
    monkeypatch.setattr(
        versions, "read_whole", lambda raw, stem: calls.append(1) or real(raw, stem)
    )
    result = run_cli("history", "signups/funding/rate", "--repo", repo.root, "--format", "json")
    assert len(result.json()["checkins"]) == 31
    assert len(calls) == 2  # `history REF` alone: each file's first version whole, then forward
    calls.clear()
    shutil.rmtree(repo.root / ".git/okrctl", ignore_errors=True)
    run_cli("check", "--repo", repo.root, "--format", "json")
    assert calls == []  # `check` reads them back from the working tree's
