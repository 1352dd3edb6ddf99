"""`import okrctl` does what the CLI does: one call per command, the same numbers and text, and
one question to git per command however many modules need the repository."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date

import pytest

import okrctl
from conftest import run_cli

AS_OF = "2026-11-15"
REF = "signups/effortless-funding/funded-rate"


def cli_json(*args):
    result = run_cli(*args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_status_show_history_and_check_give_the_cli_s_json(quarter):
    workspace = okrctl.Workspace.open(quarter)
    scored = okrctl.status(workspace, "growth", as_of=date(2026, 11, 15))
    assert scored.exit_code == 0
    assert scored.as_json() == cli_json(
        "status", "growth", "--repo", quarter, "--as-of", AS_OF, "--format", "json"
    )
    page = okrctl.show(workspace, "growth/convert-signups", as_of=date(2026, 11, 15))
    assert page.as_json() == cli_json(
        "show", "growth/convert-signups", "--repo", quarter, "--as-of", AS_OF, "--format", "json"
    )
    assert okrctl.history(workspace, REF).as_json() == cli_json(
        "history", REF, "--repo", quarter, "--format", "json"
    )
    found = okrctl.check_repo(workspace, as_of=date(2026, 11, 15))
    listed = run_cli("check", "--repo", quarter, "--as-of", AS_OF, "--format", "json")
    assert [f.as_json() for f in found.findings] == json.loads(listed.stdout)["findings"]
    assert found.exit_code() == listed.exit_code


def test_a_report_renders_to_the_cli_s_text(quarter):
    request = okrctl.report(quarter, "tom", since="2026-11-01", as_of=date(2026, 11, 15))
    assert request.template == "one-on-one"
    expected = run_cli(
        "report", "tom", "--since", "2026-11-01", "--repo", quarter, "--as-of", AS_OF
    ).stdout
    assert okrctl.render_report(request) == expected
    page = okrctl.render_report(request, html=True)
    assert page.startswith("<!DOCTYPE html>")
    assert "<title>Harbor Invest — one-on-one — 2026-Q4</title>" in page


def test_a_library_call_outside_the_repository_finds_it_by_path(quarter, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert okrctl.status(str(quarter)).card.units
    with pytest.raises(okrctl.ConfigError, match=r"no okrctl\.yaml"):
        okrctl.status(None)


def git_commands(root, *args):
    """The git commands one `okrctl` run starts, from git's own trace."""
    trace = root.parent / f"trace-{args[0]}"
    trace.unlink(missing_ok=True)
    env = {**os.environ, "GIT_TRACE": str(trace)}
    subprocess.run(
        [sys.executable, "-m", "okrctl", *args, "--repo", str(root)],
        env=env,
        capture_output=True,
        check=False,
    )
    return [
        line.split("trace: built-in: ", 1)[1]
        for line in trace.read_text().splitlines()
        if "trace: built-in: git " in line
    ]


@pytest.mark.parametrize("command", [("check",), ("status",), ("report",), ("show", REF)])
def test_a_command_asks_git_for_the_repository_once(quarter, command):
    started = git_commands(quarter, *command)
    assert sum("rev-parse --show-toplevel" in c for c in started) == 1, started
    assert not any("rev-parse --git-dir" in c for c in started), started


def test_a_command_reads_every_blob_through_one_cat_file(quarter):
    """The retro reads goals at a tag, the history and each version's intent: one `git
    cat-file` process serves them all (the workspace's repository), not one per reader."""
    started = git_commands(quarter, "retro", "2026-Q4")
    assert sum(c.startswith("git cat-file") for c in started) == 1, started
