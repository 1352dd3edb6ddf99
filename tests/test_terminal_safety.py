"""Text from a goals repository that reaches a terminal is shown, never obeyed: a control
character in a title, a commit's author or message, or a file's name (`\\e]0;…\\a` sets the
window's title, `\\e]52;…` the clipboard, `\\e[8m` hides what follows) is a finding where it
is written in YAML, and its picture (␛, ␇) where git or the file system gave it."""

from __future__ import annotations

import os

import pytest

from conftest import BASE, TEAM, run_cli, typed, write_repo
from gitrepo import GitRepo

TEAM_FILE = "goals/teams/signups.yaml"
CONTROLS = ("\x1b", "\x07", "\x9b", "\r")


def _obeyed(text: str) -> list[str]:
    return [c for c in CONTROLS if c in text]


@pytest.mark.parametrize(
    ("written", "column"),
    [('"Effortless \\e]0;pwned\\a funding"', 12), ('"Effortless \\x9b8m funding"', 12)],
)
def test_a_control_character_in_a_title_is_a_located_finding(tmp_path, written, column):
    team = TEAM.replace("title: Effortless funding", f"title: {written}")
    root = write_repo(tmp_path, {**BASE, TEAM_FILE: team})
    check = run_cli("check", "--repo", root)
    assert check.exit_code == 1
    assert check.stdout.startswith(
        f"{TEAM_FILE}:6:{column}: error schema: `title` is not valid: it holds a control "
        "character (an escape such as `\\e`, a bell `\\a`, a carriage return `\\r`), which a "
        "terminal showing it would obey: remove it\n"
    )
    status = run_cli("status", "--repo", root)
    assert status.exit_code == 1 and _obeyed(status.stdout + status.stderr) == []


def test_line_breaks_and_tabs_are_text(tmp_path):
    team = TEAM.replace(
        "why: Funding is where people drop off.",
        'why: "Funding is where\\tpeople drop off.\\nHalf never fund."',
    )
    root = write_repo(tmp_path, {**BASE, TEAM_FILE: team})
    assert run_cli("check", "--repo", root).exit_code == 0


def test_an_author_and_a_message_from_git_are_shown_as_pictures(tmp_path):
    repo = GitRepo(tmp_path / "okrs")
    repo.commit(BASE, "2026-10-01", "goals")
    repo.git("config", "user.name", "Mal\x1b[31mlory")
    repo.commit(
        {"goals/company.yaml": BASE["goals/company.yaml"].replace("current: 12", "current: 13")},
        "2026-10-05",
        "deposits up \x1b]0;pwned\x07 again\x1b[8m",
    )
    ref = "acme/grow/deposits"
    history = run_cli("history", ref, "--repo", repo.root)
    assert history.exit_code == 0, history.stderr
    assert _obeyed(history.stdout) == []
    last = history.stdout.splitlines()[-1].split()
    assert last[1] == "Mal␛[31mlory" and last[-3:] == ["up", "␛]0;pwned␇", "again␛[8m"]
    shown = run_cli("show", ref, "--repo", repo.root, "--as-of", "2026-10-06").stdout
    assert "last check-in: 2026-10-05 by Mal␛[31mlory, 1 day ago" in shown
    assert _obeyed(shown) == []
    data = run_cli("history", ref, "--format", "json", "--repo", repo.root).json()
    assert [(c["author"], c["note"]) for c in data["checkins"]][-1] == (
        "Mal␛[31mlory",
        "deposits up ␛]0;pwned␇ again␛[8m",
    )
    report = run_cli("report", "acme", "--repo", repo.root, "--as-of", "2026-10-06")
    assert report.exit_code == 0 and _obeyed(report.stdout) == []
    typed_in = typed("history", ref, cwd=repo.root / "goals" / "teams")  # installed, piped
    assert typed_in.returncode == 0 and typed_in.stdout == history.stdout


@pytest.mark.parametrize("committed", [False, True])
def test_a_file_named_with_a_control_character_is_a_finding_named_by_pictures(
    tmp_path, committed
):
    repo = GitRepo(tmp_path / "okrs")
    repo.commit(BASE, "2026-10-01", "goals")
    name = "goals/teams/ops\x1b]0;pwned\x07.yaml"
    with open(os.fsencode(repo.root / name), "w", encoding="utf-8") as file:
        file.write(TEAM.replace("lead: sam", "lead: ana").replace("funding", "ops"))
    at = ["--at", repo.commit({}, "2026-10-02", "ops")] if committed else []
    found = run_cli("check", "--format", "json", "--repo", repo.root, *at).json()["findings"]
    assert [(f["file"], f["line"], f["message"]) for f in found if f["rule"] == "schema"] == [
        (
            "goals/teams/ops␛]0;pwned␇.yaml",
            1,
            "the name holds a control character (shown as its picture, such as ␛), which a "
            "terminal showing it would obey; rename it",
        )
    ]
    text = run_cli("check", "--repo", repo.root, *at)
    assert text.exit_code == 1 and _obeyed(text.stdout + text.stderr) == []


def test_a_key_quoted_in_a_finding_shows_its_controls_and_starts_no_line(tmp_path):
    """An unknown key `"x\\e]0;…\\a\\n::error …"` was quoted as it is: an escape for the
    terminal, and a line GitHub Actions would run as a workflow command."""
    team = TEAM + '"odd\\e]0;pwned\\a\\n::error title=x::owned": 1\n'
    root = write_repo(tmp_path, {**BASE, TEAM_FILE: team})
    check = run_cli("check", "--repo", root)
    first = check.stdout.splitlines()[0]
    assert first.startswith(
        f"{TEAM_FILE}:15:1: error schema: unknown field `odd␛]0;pwned␇␊::error title=x::owned`"
    )
    assert _obeyed(check.stdout) == []
    github = run_cli("check", "--format", "github", "--repo", root).stdout
    assert [line for line in github.splitlines() if line.startswith("::error ")] == [
        f"::error file={TEAM_FILE},line=15,col=1,title=schema::" + first.split(" schema: ")[1]
    ]


def test_a_raw_control_character_is_located_and_shown_as_its_picture(tmp_path):
    """YAML refuses a raw escape; the finding was at 1:1 over two lines, and its excerpt
    wrote the escape to the terminal."""
    team = TEAM + "# a note \x1b[31m in red\n"
    root = write_repo(tmp_path, {**BASE, TEAM_FILE: team})
    check = run_cli("check", "--repo", root)
    assert check.exit_code == 1
    lines = check.stdout.splitlines()
    assert lines[lines.index("") + 1 :][:3] == [  # (after the pillar's `unsupported`)
        f"{TEAM_FILE}:15:10: error schema: YAML error: the character #x001b is not allowed here"
        " (control characters are not allowed); remove it",
        "  15 | # a note ␛[31m in red",
        "                ^",
    ]
