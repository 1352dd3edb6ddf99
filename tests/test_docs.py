"""The docs tell the truth: every rule documented, the README's commands are what CI runs."""

from __future__ import annotations

import re

import pytest

from conftest import PROJECT_ROOT
from okrctl.core.rules import REGISTRY


def test_every_registered_rule_is_documented():
    headings = re.findall(r"^## (\S+)$", (PROJECT_ROOT / "docs/rules.md").read_text(), re.M)
    assert sorted(headings) == sorted(REGISTRY)
    text = (PROJECT_ROOT / "docs/rules.md").read_text()
    for name, rule in REGISTRY.items():
        section = text.split(f"## {name}\n")[1].split("\n## ")[0]
        assert f"*Default: {rule.severity}.*" in section, name
        assert "Fails:\n\n```" in section and "Fixed:\n\n```" in section, name


@pytest.mark.skipif(
    not (PROJECT_ROOT / ".ci/run").exists(),
    reason="a source distribution carries no .ci/run: this checks the repository's CI",
)
def test_readme_opens_with_two_commands_and_ci_runs_the_second():
    readme = (PROJECT_ROOT / "README.md").read_text()
    commands = re.findall(r"```bash\n(.+?)\n```", readme, re.S)
    demo, tests = commands[0], commands[1]
    assert "okrctl status" in demo and "pip install" in demo
    ci = (PROJECT_ROOT / ".ci/run").read_text()
    assert tests in ci.splitlines()


@pytest.mark.skipif(
    not (PROJECT_ROOT / "mkdocs.yml").exists(), reason="a source distribution carries no site"
)
def test_the_docs_site_builds_with_no_warning(tmp_path):
    """`mkdocs build --strict`: a broken link or anchor, or a page left out of the navigation,
    fails the build."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert (tmp_path / "tutorial" / "index.html").is_file()
    pages = (PROJECT_ROOT / "mkdocs.yml").read_text()
    for page in sorted((PROJECT_ROOT / "docs").glob("*.md")):
        assert f" {page.name}" in pages, f"{page.name} is not in the site's navigation"


def test_no_table_cell_holds_a_pipe_in_code():
    """A `|` inside code in a table row splits the cell on GitHub (the rest of the row is lost),
    and written `\\|` it shows its backslash on the docs site: such examples live in lists."""
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark").enable("table")
    broken = []
    for page in [PROJECT_ROOT / "README.md", *sorted((PROJECT_ROOT / "docs").glob("*.md"))]:
        lines = page.read_text().splitlines()
        for token in parser.parse("\n".join(lines)):
            if token.type == "tr_open" and token.map:
                line = lines[token.map[0]]
                if any("|" in code for _, code in re.findall(r"(`+)(.+?)\1", line)):
                    broken.append(f"{page.name}:{token.map[0] + 1}")
    assert broken == []
