"""Every example okrctl shows (each command's `--help`, the package's docstring) runs on the
demo company as a user would type it, through the installed entry point, and exits 0 or the
code its help documents."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import okrctl
from okrctl.cli import app

DOCUMENTED_CODES = {
    "okrctl check --format github --strict": 1,  # --strict: the demo's warnings fail it
    "okrctl import okrs.xlsx": 1,  # the demo's unit files exist: "pass --force to replace it"
}


def help_examples() -> list[str]:
    """`Example: okrctl …` of every command and group, as `--help` prints it."""
    import typer.main

    click_app = typer.main.get_command(app)
    found = []

    def walk(command: object) -> None:
        help_text = getattr(command, "help", None) or ""
        found.extend(re.findall(r"^\s*Example: (okrctl .+)$", help_text, re.MULTILINE))
        for sub in getattr(command, "commands", {}).values():
            walk(sub)

    walk(click_app)
    return sorted(set(found))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo") / "okrctl-demo"
    command = [sys.executable, "-m", "okrctl", "demo", str(root)]
    subprocess.run(command, check=True, capture_output=True)
    return root


def test_every_command_has_an_example():
    assert len(help_examples()) >= 20


@pytest.mark.parametrize("example", help_examples())
def test_a_help_example_runs_on_the_demo(demo, tmp_path, example):
    where = tmp_path / "here"
    shutil.copytree(demo, where, symlinks=True)
    if example.startswith("okrctl import "):
        subprocess.run(["okrctl", "export", "okrs.xlsx"], cwd=where, env=_env(), check=True)
    if example.startswith(("okrctl init ", "okrctl demo ")):
        where = tmp_path / "empty"
        where.mkdir()
    done = subprocess.run(
        ["bash", "-c", example], cwd=where, env=_env(), capture_output=True, text=True, timeout=120
    )
    expected = next((c for p, c in DOCUMENTED_CODES.items() if example.startswith(p)), 0)
    assert done.returncode == expected, f"{example}\n{done.stdout[-500:]}\n{done.stderr[-1500:]}"
    assert "Traceback" not in done.stderr


def test_the_package_docstring_runs_on_the_demo(demo, tmp_path):
    doc = okrctl.__doc__ or ""
    block = doc.split("::\n", 1)[1].splitlines()
    code = textwrap.dedent("\n".join(line for line in block if line.startswith("    ")))
    code = code.replace('"path/to/goals-repo"', repr(str(demo)))
    done = subprocess.run(
        [sys.executable, "-c", code], env=_env(), capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "# " in done.stdout  # the report's heading


def _env() -> dict[str, str]:
    """The installed `okrctl` first on PATH, as after `pip install`."""
    return {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
