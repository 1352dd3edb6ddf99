"""From nothing to goals checked in CI: init, demo, codeowners, the pre-commit hook, CLI manners."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
import yaml

from conftest import PROJECT_ROOT, run_cli
from gitrepo import GitRepo
from okrctl.cli import app


def test_init_in_an_empty_folder_then_check_passes(tmp_path):
    target = tmp_path / "okrs"
    result = run_cli("init", target)
    assert result.exit_code == 0, result.stderr
    created = [line.split()[1] for line in result.stdout.splitlines() if line.startswith("created")]
    assert created == [
        ".github/workflows/okrs.yml",
        ".pre-commit-config.yaml",
        "goals/company.yaml",
        "goals/pillars/main-pillar.yaml",
        "goals/teams/first-team.yaml",
        "okrctl.yaml",
        "CODEOWNERS",
    ]
    assert (target / ".git").is_dir()
    check = run_cli("check", "--repo", target, "--strict")
    assert check.exit_code == 0
    assert check.stdout.startswith("No findings in 3 files.")
    assert (
        "# The company: the mission every goal ladders up to"
        in (target / "goals/company.yaml").read_text()
    )


def test_the_generated_workflow_checks_pull_requests_and_sends_a_weekly_digest(tmp_path):
    run_cli("init", tmp_path)
    workflow = yaml.safe_load((tmp_path / ".github/workflows/okrs.yml").read_text())
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert "pull_request" in triggers and triggers["schedule"] == [{"cron": "0 8 * * 1"}]
    check_steps = workflow["jobs"]["check"]["steps"]
    assert check_steps[0]["with"] == {"fetch-depth": 0}
    assert {"run": "okrctl check --format github"} in check_steps
    digest_steps = workflow["jobs"]["digest"]["steps"]
    assert {"run": 'okrctl report --template company >> "$GITHUB_STEP_SUMMARY"'} in digest_steps
    hooks = yaml.safe_load((tmp_path / ".pre-commit-config.yaml").read_text())
    assert hooks["repos"][0]["hooks"][0]["entry"] == "okrctl check"


def test_init_never_overwrites_and_leaves_an_existing_repository_alone(tmp_path):
    GitRepo(tmp_path)
    (tmp_path / "okrs").mkdir()
    (tmp_path / "okrs" / "okrctl.yaml").write_text("company: Mine\nperiod: 2026-Q4\n")
    result = run_cli("init", tmp_path / "okrs")
    assert "kept    okrctl.yaml (it exists)" in result.stdout
    assert "initialised a git repository" not in result.stdout
    assert (tmp_path / "okrs" / "okrctl.yaml").read_text() == "company: Mine\nperiod: 2026-Q4\n"
    assert not (tmp_path / "okrs" / ".git").exists()
    codeowners = (tmp_path / "okrs" / "CODEOWNERS").read_text()
    assert "/okrs/goals/teams/first-team.yaml @team-lead" in codeowners


def test_codeowners_of_the_demo(tmp_path):
    from test_status import demo_copy

    root = demo_copy(tmp_path)
    GitRepo(root)
    text = run_cli("codeowners", "--repo", root).stdout
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    assert lines[:3] == [
        "/okrctl.yaml @ines",
        "/goals/company.yaml @ines",
        "/goals/people/chloe.yaml @chloe",
    ]
    assert "/goals/teams/signups.yaml @sam" in lines
    assert run_cli("codeowners", "--repo", root, "-o", root / "CODEOWNERS").exit_code == 0
    assert (root / "CODEOWNERS").read_text() == text


def test_demo_then_retro_shows_the_scripted_goalpost_move(tmp_path):
    target = tmp_path / "demo"
    result = run_cli("demo", target)
    assert result.exit_code == 0, result.stderr
    assert "okrctl retro 2026-Q4" in result.stdout
    retro = run_cli("retro", "2026-Q4", "--repo", target, "--format", "json").json()
    assert [(m["ref"], m["field"], m["old"], m["new"]) for m in retro["goalpost_moves"]] == [
        ("referrals/invite-loop/invites-per-funder", "target", 1.0, 0.8)
    ]
    assert retro["added_mid_period"] == ["payments/help-instant-ach"]
    again = run_cli("demo", target)
    assert again.exit_code == 2
    assert "is not empty" in again.stderr


def commands():
    import typer.main

    group = typer.main.get_command(app)
    return sorted(group.commands)


@pytest.mark.parametrize("command", commands())
def test_every_command_has_help_with_an_example(command):
    result = run_cli(command, "--help")
    assert result.exit_code == 0
    assert "Example: okrctl " in result.stdout


def test_completion_and_version():
    result = run_cli("--help")
    assert "--install-completion" in result.stdout and "--show-completion" in result.stdout
    assert run_cli("--version").stdout.startswith("okrctl 0.1.0")


def test_errors_go_to_stderr_and_data_to_stdout(tmp_path):
    result = run_cli("status", "--repo", tmp_path)
    assert result.exit_code == 2 and result.stdout == "" and "no okrctl.yaml" in result.stderr


PRE_COMMIT = shutil.which("pre-commit") or str(PROJECT_ROOT / ".venv" / "bin" / "pre-commit")


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory):
    return tmp_path_factory.mktemp("pre-commit-home")


def try_repo(repo, home):
    env = {**os.environ, "PRE_COMMIT_HOME": str(home)}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pre_commit",
            "try-repo",
            str(PROJECT_ROOT),
            "okrctl-check",
            "--all-files",
        ],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_the_pre_commit_hook_passes_a_good_repo_and_fails_a_bad_one(tmp_path, pre_commit_home):
    repo = tmp_path / "okrs"
    run_cli("init", repo)
    git = GitRepo(repo)
    git.git("add", "-A")
    git.git("commit", "-q", "-m", "goals")
    good = try_repo(repo, pre_commit_home)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "okrctl check" in good.stdout and "Passed" in good.stdout
    team = repo / "goals/teams/first-team.yaml"
    team.write_text(team.read_text().replace("[main-pillar/pillar-goal]", "[main-pillar/pilar]"))
    bad = try_repo(repo, pre_commit_home)
    assert bad.returncode == 1
    assert "Failed" in bad.stdout
    assert (
        "goals/teams/first-team.yaml:12:17: error unknown-ref: `main-pillar/pilar` names no "
        "objective"
    ) in bad.stdout
