"""From nothing to goals checked in CI: init, demo, codeowners, the pre-commit hook, CLI manners."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from conftest import PROJECT_ROOT, demo_copy, run_cli
from gitrepo import GitRepo
from okrctl.cli import app


def test_init_in_an_empty_folder_then_check_passes(tmp_path):
    target = tmp_path / "okrs"
    result = run_cli("init", target)
    assert result.exit_code == 0, result.stderr
    created = [line.split()[1] for line in result.stdout.splitlines() if line.startswith("created")]
    assert created == [
        "goals/company.yaml",
        "goals/pillars/main-pillar.yaml",
        "goals/teams/first-team.yaml",
        "okrctl.yaml",
        ".okrctl/unit.schema.json",
        ".okrctl/config.schema.json",
        ".github/ISSUE_TEMPLATE/okr-checkin.yml",
        ".github/workflows/okr-checkin.yml",
        ".github/workflows/okr-measure.yml",
        ".github/workflows/okr-send.yml",
        ".github/workflows/okr-site.yml",
        ".github/workflows/okrs.yml",
        ".pre-commit-config.yaml",
        ".vscode/settings.json",
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


def _load(text):
    return YAML(typ="safe", pure=True).load(text)


def _branch(folder):
    done = subprocess.run(
        ["git", "branch", "--show-current"], cwd=folder, capture_output=True, text=True
    )
    return done.stdout.strip()


def test_the_workflow_uses_the_action_and_triggers_on_the_branch_that_exists(tmp_path):
    run_cli("init", tmp_path)
    assert _branch(tmp_path) == "main"
    workflow = _load((tmp_path / ".github/workflows/okrs.yml").read_text())
    triggers = workflow["on"]
    assert triggers["push"] == {"branches": ["main"]}
    assert "pull_request" in triggers and triggers["schedule"] == [{"cron": "0 8 * * 1"}]
    check_steps = workflow["jobs"]["check"]["steps"]
    assert check_steps[0]["with"] == {"fetch-depth": 0}
    assert check_steps[1]["uses"] == "actions/cache/restore@v4"  # warm by default (docs/ci.md)
    assert check_steps[2] == {
        "uses": "okrctl/okrctl@v0.1.0",
        "with": {"command": "check --format github", "repo": "."},
    }
    digest_steps = workflow["jobs"]["digest"]["steps"]
    assert {
        "run": 'okrctl report --template company --repo . >> "$GITHUB_STEP_SUMMARY"'
    } in digest_steps
    hooks = _load((tmp_path / ".pre-commit-config.yaml").read_text())
    assert hooks["repos"][0]["rev"] == "v0.1.0"
    assert hooks["repos"][0]["hooks"][0]["args"] == ["--repo", "."]


def test_init_scaffolds_a_daily_measure_that_pushes_its_commit(tmp_path):
    run_cli("init", tmp_path / "okrs")
    workflow = _load((tmp_path / "okrs/.github/workflows/okr-measure.yml").read_text())
    assert workflow["on"]["schedule"] == [{"cron": "0 6 * * *"}]
    assert workflow["permissions"] == {"contents": "write"}
    [job] = workflow["jobs"].values()
    assert job["steps"][2] == {"uses": "okrctl/okrctl@v0.1.0", "with": {"command": ""}}
    assert job["steps"][3]["run"] == (
        "status=0\nokrctl measure --repo . || status=$?\ngit push origin HEAD:main\nexit $status\n"
    )


def test_init_scaffolds_a_site_published_to_pages_on_each_push(tmp_path):
    run_cli("init", tmp_path / "okrs")
    workflow = _load((tmp_path / "okrs/.github/workflows/okr-site.yml").read_text())
    assert workflow["on"]["push"] == {"branches": ["main"]}
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    build = workflow["jobs"]["build"]["steps"]
    assert {"run": "okrctl site public --repo ."} in build
    assert build[-2] == {"uses": "actions/upload-pages-artifact@v3", "with": {"path": "public"}}
    assert build[-1]["uses"] == "actions/cache/save@v4"  # okrctl's caches, kept for the next push
    assert workflow["jobs"]["deploy"]["steps"] == [
        {"id": "deployment", "uses": "actions/deploy-pages@v4"}
    ]


def test_init_scaffolds_a_weekly_send_with_its_secrets(tmp_path):
    run_cli("init", tmp_path / "okrs")
    workflow = _load((tmp_path / "okrs/.github/workflows/okr-send.yml").read_text())
    assert workflow["on"]["schedule"] == [{"cron": "0 7 * * 1"}]
    job = workflow["jobs"]["send"]
    assert job["env"]["OKRCTL_SMTP_PASSWORD"] == "${{ secrets.OKRCTL_SMTP_PASSWORD }}"
    runs = [step["run"] for step in job["steps"] if "run" in step]
    assert runs == [
        'okrctl send digest --repo . --to "${{ secrets.OKR_DIGEST_TO }}"',
        "okrctl send nudges --repo .",
    ]


def test_init_honours_the_configured_default_branch(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    (home / ".gitconfig").write_text("[init]\n\tdefaultBranch = trunk\n")
    monkeypatch.setenv("HOME", str(home))
    run_cli("init", tmp_path / "okrs")
    assert _branch(tmp_path / "okrs") == "trunk"
    workflow = _load((tmp_path / "okrs/.github/workflows/okrs.yml").read_text())
    assert workflow["on"]["push"] == {"branches": ["trunk"]}


def test_init_inside_a_repository_puts_ci_and_editor_files_at_its_top(tmp_path):
    repo = GitRepo(tmp_path)
    repo.git("checkout", "-q", "-b", "develop")
    result = run_cli("init", tmp_path / "okrs")
    assert result.exit_code == 0, result.stderr
    assert "initialised a git repository" not in result.stdout
    assert not (tmp_path / "okrs" / ".git").exists()
    for name in (".github/workflows/okrs.yml", ".pre-commit-config.yaml", "CODEOWNERS"):
        assert (tmp_path / name).is_file() and not (tmp_path / "okrs" / name).exists()
    workflow = _load((tmp_path / ".github/workflows/okrs.yml").read_text())
    assert workflow["on"]["push"] == {"branches": ["develop"]}
    steps = workflow["jobs"]["check"]["steps"]
    assert steps[2]["with"]["repo"] == "okrs"
    assert "hashFiles('okrs/**/*.yaml', 'okrs/**/*.yml')" in steps[1]["with"]["key"]
    hooks = _load((tmp_path / ".pre-commit-config.yaml").read_text())["repos"][0]
    assert hooks["hooks"][0]["args"] == ["--repo", "okrs"]
    assert hooks["hooks"][0]["files"].startswith("^okrs/(okrctl")
    assert "/okrs/goals/teams/first-team.yaml @team-lead" in (tmp_path / "CODEOWNERS").read_text()


def test_init_never_overwrites_and_says_what_to_add_by_hand(tmp_path):
    GitRepo(tmp_path)
    (tmp_path / "okrs").mkdir()
    (tmp_path / "okrs" / "okrctl.yaml").write_text("company: Mine\nperiod: 2026-Q4\n")
    (tmp_path / ".pre-commit-config.yaml").write_text("repos: []\n")
    (tmp_path / "CODEOWNERS").write_text("* @everyone\n")
    result = run_cli("init", tmp_path / "okrs")
    assert "kept    okrctl.yaml (it exists)" in result.stdout
    assert (tmp_path / "okrs" / "okrctl.yaml").read_text() == "company: Mine\nperiod: 2026-Q4\n"
    assert (tmp_path / ".pre-commit-config.yaml").read_text() == "repos: []\n"
    assert (tmp_path / "CODEOWNERS").read_text() == "* @everyone\n"
    assert (
        "add to ../.pre-commit-config.yaml by hand:\n  - repo: https://github.com/okrctl/okrctl"
        in (result.stdout)
    )
    assert "add to ../CODEOWNERS by hand:" in result.stdout
    assert "/okrs/goals/teams/first-team.yaml @team-lead" in result.stdout


def test_init_wires_the_editor_schemas(tmp_path):
    GitRepo(tmp_path)
    run_cli("init", tmp_path / "okrs")
    settings = json.loads((tmp_path / ".vscode/settings.json").read_text())
    assert settings["yaml.schemas"] == {
        "okrs/.okrctl/unit.schema.json": ["okrs/goals/**/*.yaml", "okrs/goals/**/*.yml"],
        "okrs/.okrctl/config.schema.json": ["okrs/okrctl.yaml"],
    }
    # the language server, for the Generic LSP Client extension (docs/editors.md)
    assert settings["glspc.server.command"] == "okrctl"
    assert settings["glspc.server.commandArguments"] == ["lsp", "--stdio"]
    unit_schema = json.loads((tmp_path / "okrs/.okrctl/unit.schema.json").read_text())
    assert unit_schema["title"] == "okrctl unit file"
    for path in (tmp_path / "okrs").rglob("*.yaml"):
        first = path.read_text().splitlines()[0]
        schema = "config" if path.name == "okrctl.yaml" else "unit"
        assert first.startswith("# yaml-language-server: $schema="), path
        target = (path.parent / first.split("=", 1)[1]).resolve()
        assert target == (tmp_path / f"okrs/.okrctl/{schema}.schema.json").resolve()


@pytest.mark.slow
def test_the_action_installs_okrctl_from_its_checkout_and_runs_the_command(tmp_path):
    """The composite action's own steps, run as GitHub would run them on the demo."""
    action = _load((PROJECT_ROOT / "action.yml").read_text())
    assert set(action["inputs"]) == {"command", "repo", "python-version"}
    steps = action["runs"]["steps"]
    assert steps[0]["uses"].startswith("actions/setup-python@")
    assert steps[1]["run"] == 'python -m pip install --quiet "$GITHUB_ACTION_PATH"'
    demo = tmp_path / "demo"
    assert run_cli("demo", demo).exit_code == 0

    def step(command: str) -> subprocess.CompletedProcess[str]:
        env = {
            **os.environ,
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
            "OKRCTL_COMMAND": command,
            "OKRCTL_REPO": "demo",
        }
        return subprocess.run(
            ["bash", "-c", steps[2]["run"]], cwd=tmp_path, env=env, capture_output=True, text=True
        )

    done = step("check --format github")
    assert done.returncode == 0, done.stderr
    assert "::warning file=goals/" in done.stdout  # the demo is its own git repository
    done = step("""report -o "Q4 digest.md" --template 'company'""")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "Q4 digest.md").read_text().startswith("# Harbor Invest")
    done = step("report -o 'unclosed.md")
    assert done.returncode == 1
    assert "the command input cannot be split into words (No closing quotation)" in done.stderr
    done = step("check; touch pwned")  # a shell would run the second command
    assert done.returncode == 2 and not (tmp_path / "pwned").exists()


def test_codeowners_of_the_demo(tmp_path):

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


@pytest.mark.slow
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
    text = run_cli("retro", "2026-Q4", "--repo", target).stdout
    assert (  # counted in the key result's unit, as every other view counts it (not "1.0 → 0.8")
        "| 2026-10-20 | Lena Fischer | `referrals/invite-loop/invites-per-funder` target"
        " | 1 invites → 0.8 invites | Lower the invite target to 0.8: the Q3 baseline was"
        " measured wrongly |\n"
    ) in text
    cadence = text.split("## Check-in cadence\n")[1].split("\n## ")[0]
    assert "| Referrals | 6 | " in cadence and "| Chloé Martin | 2 | " in cadence  # names, as above
    before = run_cli("retro", "2026-Q3", "--repo", target, "--format", "json").json()["rolled"]
    assert (before["into"], before["carried"], before["dropped"]) == (
        "2026-Q4",
        ["risk/stop-fraud-early"],
        ["harbor/launch-plans", "harbor/first-deposits", "trust/audit-ready"],
    )
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
    assert run_cli("-V").stdout == run_cli("--version").stdout


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


@pytest.mark.skipif(
    not (PROJECT_ROOT / ".git").exists(),
    reason="pre-commit try-repo installs the hook from a git checkout of okrctl",
)
@pytest.mark.slow
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
        "goals/teams/first-team.yaml:13:17: error unknown-ref: `main-pillar/pilar` names no "
        "objective"
    ) in bad.stdout


def _local_hooks(top: Path) -> None:
    """The scaffolded pre-commit config, each hook run from this checkout (`repo: local`,
    language `system`) with the definition okrctl publishes and the scaffold's own args and
    files: pre-commit itself runs them, with no network to install a hook environment."""
    published = {h["id"]: h for h in _load((PROJECT_ROOT / ".pre-commit-hooks.yaml").read_text())}
    scaffolded = _load((top / ".pre-commit-config.yaml").read_text())["repos"][0]["hooks"]
    hooks = [{**published[h["id"]], **h, "language": "system"} for h in scaffolded]
    config = {"repos": [{"repo": "local", "hooks": hooks}]}
    (top / ".pre-commit-config.yaml").write_text(json.dumps(config, indent=2))


def _pre_commit(top: Path, *files: str) -> subprocess.CompletedProcess[str]:
    bin_dir = Path(sys.executable).parent
    env = dict(os.environ)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    env["PRE_COMMIT_HOME"] = str(top.parent / "pre-commit-home")
    subprocess.run(["git", "add", "-A"], cwd=top, check=True)
    return subprocess.run(
        [str(bin_dir / "pre-commit"), "run", "--files", *files],
        cwd=top,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_the_scaffolded_pre_commit_hooks_pass_then_catch_a_misformatted_file(tmp_path):
    """`init okrs` inside an outer repository: pre-commit runs the hooks from the top-level
    with file names, and `fmt` finds the goals repository from them."""
    top = tmp_path / "company"
    GitRepo(top)
    assert run_cli("init", top / "okrs").exit_code == 0
    _local_hooks(top)
    files = ["okrs/goals/company.yaml", "okrs/goals/teams/first-team.yaml"]
    clean = _pre_commit(top, *files)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert re.search(r"okrctl fmt\.+Passed", clean.stdout), clean.stdout
    assert re.search(r"okrctl check\.+Passed", clean.stdout), clean.stdout

    team = top / "okrs/goals/teams/first-team.yaml"
    team.write_text(team.read_text().replace("\n  ", "\n    "))
    dirty = _pre_commit(top, *files)
    assert dirty.returncode == 1, dirty.stdout
    assert re.search(r"okrctl fmt\.+Failed", dirty.stdout), dirty.stdout
    assert "would reformat okrs/goals/teams/first-team.yaml" in dirty.stdout


def test_fmt_given_files_finds_their_repository_from_anywhere(tmp_path, monkeypatch):
    GitRepo(tmp_path)
    run_cli("init", tmp_path / "okrs")
    monkeypatch.chdir(tmp_path)
    result = run_cli("fmt", "--check", "okrs/goals/company.yaml")
    assert result.exit_code == 0, result.stderr
    assert "0 files would be reformatted, 1 unchanged" in result.stderr
    (tmp_path / "other").mkdir()
    (tmp_path / "other/okrctl.yaml").write_text("company: Other\nperiod: 2026-Q4\n")
    (tmp_path / "other/x.yaml").write_text("kind: team\n")
    mixed = run_cli("fmt", "--check", "okrs/goals/company.yaml", "other/x.yaml")
    assert mixed.exit_code == 2
    assert "belong to 2 goals repositories" in mixed.stderr
