"""A newcomer's first hour, as the README and `--help` tell it: relative folders from any current
folder, `-o` into folders that do not exist yet, ordinary file permissions, closed pipes."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROJECT_ROOT, run_cli


@pytest.fixture
def cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.slow
def test_demo_with_no_folder_and_with_a_relative_one(cwd):
    for args, folder in (([], "okrctl-demo"), (["acme"], "acme")):
        result = run_cli("demo", *args)
        assert result.exit_code == 0, result.stderr
        log = subprocess.run(
            ["git", "rev-list", "--count", "HEAD"], cwd=cwd / folder, capture_output=True, text=True
        )
        assert int(log.stdout) > 50
        assert (cwd / folder / "goals/company.yaml").is_file()


def test_init_into_a_relative_folder_from_a_subfolder(cwd):
    (cwd / "work").mkdir()
    os.chdir(cwd / "work")
    result = run_cli("init", "../okrs")
    assert result.exit_code == 0, result.stderr
    assert run_cli("check", "--repo", "../okrs").exit_code == 0


@pytest.mark.slow
def test_every_command_takes_a_relative_repo_from_another_folder(cwd):
    assert run_cli("demo", "demo").exit_code == 0
    (cwd / "elsewhere").mkdir()
    os.chdir(cwd / "elsewhere")
    repo = ["--repo", "../demo"]
    as_of = ["--as-of", "2026-11-15"]
    for args in (
        ["check", *as_of],
        ["status", *as_of],
        ["show", "growth/convert-signups", *as_of],
        ["report", "tom", *as_of, "--since", "2026-11-01"],
        ["history", "signups/effortless-funding/funded-rate"],
        ["diff", "HEAD~3"],
        ["retro", "2026-Q4"],
        ["codeowners"],
        ["close", "2026-Q4"],
        ["checkin", "signups/effortless-funding/funded-rate", "41", "--no-commit"],
        ["roll", "2027-Q1", "--no-commit"],
    ):
        result = run_cli(*args, *repo)
        assert result.exit_code == 0, (args, result.stderr)


@pytest.mark.parametrize(
    "args",
    [
        ["schema", "-o", ".okrctl/unit.schema.json"],
        ["report", "--repo", str(PROJECT_ROOT), "-o", "out/reports/digest.md"],
        ["codeowners", "--repo", str(PROJECT_ROOT), "-o", "docs/owners/CODEOWNERS"],
    ],
    ids=["schema", "report", "codeowners"],
)
def test_output_folders_are_created_and_files_get_ordinary_permissions(cwd, args):
    old = os.umask(0o022)
    try:
        result = run_cli(*args)
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.stderr
    written = cwd / args[-1]
    assert written.is_file() and written.stat().st_size > 0
    assert stat.S_IMODE(written.stat().st_mode) == 0o644


def test_a_rewritten_output_keeps_its_mode(cwd):
    target = cwd / "unit.schema.json"
    target.write_text("old")
    target.chmod(0o600)
    assert run_cli("schema", "-o", target).exit_code == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_text().startswith("{")


@pytest.mark.parametrize("output_format", ["text", "json"])
def test_a_closed_pipe_is_not_a_failure(output_format):
    """`okrctl check | head -1`: the reader goes away; check still exits with its own code."""
    process = subprocess.Popen(
        [sys.executable, "-m", "okrctl", "check", "--format", output_format],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader is gone before a byte is written
    errors = process.stderr.read().decode()
    assert process.wait() == 0
    assert "Traceback" not in errors and "Broken pipe" not in errors


NO_POSIX_MODULES = """
import sys
sys.modules["fcntl"] = None  # as on Windows: importing them fails
sys.modules["resource"] = None
from okrctl.cli import main
sys.argv = ["okrctl", *sys.argv[1:]]
main()
"""


@pytest.mark.slow
def test_commands_run_where_posix_only_modules_are_missing(tmp_path):
    """Windows has no fcntl or resource: check-ins, history and reports still run."""
    assert run_cli("demo", tmp_path / "demo").exit_code == 0
    # The demo's roll ran here with fcntl, whose lock leaves its file behind (as every writing
    # command does on POSIX); without fcntl, filelock falls back to a lock that is the file's
    # existence. Windows itself locks with msvcrt instead, which a leftover file does not block.
    (tmp_path / "demo/.git/okrctl-checkin.lock").unlink()
    ref = "signups/effortless-funding/funded-rate"
    for args in (
        ["checkin", ref, "41"],
        ["history", ref, "--format", "json"],
        ["report", "--as-of", "2026-11-15"],
    ):
        result = subprocess.run(
            [sys.executable, "-c", NO_POSIX_MODULES, *args, "--repo", str(tmp_path / "demo")],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, (args, result.stderr)


def _complete(words: str, cwd) -> list[str]:
    """What bash completion offers for the last word, from a real okrctl process."""
    script = Path(sys.executable).parent / "okrctl"  # completion answers to its program name
    done = subprocess.run(
        [str(script)],
        cwd=cwd,
        env={
            **os.environ,
            "_OKRCTL_COMPLETE": "complete_bash",
            "COMP_WORDS": f"okrctl {words}",
            "COMP_CWORD": str(len(words.split()) + (words.endswith(" "))),
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_completion_offers_units_and_refs_of_the_repo_in_this_folder():
    assert _complete("status pay", PROJECT_ROOT / "goals" / "teams") == ["payments"]
    assert _complete("report sig", PROJECT_ROOT) == ["signups"]
    assert "growth/convert-signups" in _complete("show growth/", PROJECT_ROOT)
    assert _complete("history signups/effortless-funding/", PROJECT_ROOT) == [
        "signups/effortless-funding/funded-rate",
        "signups/effortless-funding/instant-ach",
        "signups/effortless-funding/unsubscribe",
    ]
    assert "signups/signup-test-suite" not in _complete("checkin signups/sig", PROJECT_ROOT)


def test_completion_reads_the_repo_named_by_repo_and_is_quiet_without_one(tmp_path):
    assert _complete(f"status --repo {PROJECT_ROOT} pay", tmp_path) == ["payments"]
    assert _complete("status pay", tmp_path) == []
