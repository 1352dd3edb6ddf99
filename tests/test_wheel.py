"""The wheel carries everything `okrctl` needs, and its console script works from anywhere."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import zipfile

import pytest

from conftest import PROJECT_ROOT


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """Build the wheel without isolation and install it (no deps) into a folder of its own."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out / "dist"),
            str(PROJECT_ROOT),
        ],
        check=True,
        capture_output=True,
    )
    [wheel] = (out / "dist").glob("okrctl-*.whl")
    target = out / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    return wheel, target


def test_wheel_contents(installed):
    wheel, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    for module in (
        "cli",
        "store/load",
        "model/goals",
        "store/yaml/read",
        "store/git/log",
        "commands/checkin",
        "core/graph",
        "core/schema",
        "core/rules/structure",
    ):
        assert f"okrctl/{module}.py" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "okrctl = okrctl.__main__:run" in zipfile.ZipFile(wheel).read(entry_points).decode()
    assert not any("/tests/" in n or n.startswith("goals/") for n in names)
    for data in (
        "okrctl/templates/company.md.j2",
        "okrctl/templates/_macros.md.j2",
        "okrctl/render/command_templates/status.md.j2",
        "okrctl/render/command_templates/diff.md.j2",
        "okrctl/render/command_templates/retro.md.j2",
        "okrctl/commands/scaffold_files/top/.github/workflows/okrs.yml",
        "okrctl/commands/scaffold_files/top/.pre-commit-config.yaml",
        "okrctl/commands/scaffold_files/top/.vscode/settings.json",
        "okrctl/commands/scaffold_files/goals-repo/okrctl.yaml",
        "okrctl/demo_company/okrctl.yaml",
        "okrctl/demo_company/goals/teams/signups.yaml",
    ):
        assert data in names, data


@pytest.mark.slow
def test_installed_script_checks_the_demo_from_a_subfolder(installed):
    _, target = installed
    env = {**os.environ, "PYTHONPATH": str(target)}
    done = subprocess.run(
        [str(target / "bin" / "okrctl"), "check", "--format", "json"],
        cwd=PROJECT_ROOT / "goals" / "people",
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert '"errors": 0' in done.stdout
    demo = subprocess.run(
        [str(target / "bin" / "okrctl"), "demo", str(target.parent / "demo")],
        cwd="/",
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert demo.returncode == 0, demo.stderr
    assert (target.parent / "demo" / "goals" / "teams" / "signups.yaml").is_file()
    for command, expected in (
        (["status", "--format", "md"], "## Objectives"),  # templates shipped in the package
        (["retro", "2026-Q4"], "# Retrospective: 2026-Q4"),
    ):
        shown = subprocess.run(
            [str(target / "bin" / "okrctl"), *command],
            cwd=target.parent / "demo",
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert expected in shown.stdout, shown.stderr
    where = subprocess.run(
        [sys.executable, "-c", "import okrctl; print(okrctl.__file__)"],
        env=env,
        cwd="/",
        capture_output=True,
        text=True,
        check=True,
    )
    assert where.stdout.startswith(str(target))


def test_the_wheel_carries_its_licence_types_and_project_urls(installed):
    wheel, _ = installed
    archive = zipfile.ZipFile(wheel)
    names = set(archive.namelist())
    assert "okrctl/py.typed" in names
    assert "okrctl-0.1.0.dist-info/licenses/LICENSE" in names
    metadata = archive.read("okrctl-0.1.0.dist-info/METADATA").decode()
    assert "License-Expression: MIT" in metadata
    for label in ("Homepage", "Documentation", "Source", "Issues"):
        assert f"Project-URL: {label}, https://github.com/okrctl/okrctl" in metadata


def test_the_sdist_carries_what_its_tests_need(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "sdist", "-d", str(tmp_path)],
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
    )
    [sdist] = tmp_path.glob("okrctl-*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    for needed in (
        "LICENSE",
        "README.md",
        "action.yml",
        ".pre-commit-hooks.yaml",
        "okrctl.yaml",
        "goals/company.yaml",
        "templates/company.md.j2",
        "docs/rules.md",
        "benchmarks/generate.py",
        "tests/conftest.py",
        "tests/golden/status-demo.txt",
        "src/okrctl/py.typed",
    ):
        assert needed in names, needed
