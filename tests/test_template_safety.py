"""Templates come from pull requests: they may not read files outside templates/, nor take
unbounded time or memory. Each hostile template is a located error (exit 1), never a
traceback, and stops quickly."""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import pytest

from conftest import run_cli
from okrctl.model.errors import OkrctlError
from okrctl.render.markdown import render
from okrctl.render.template_budget import Budget


def with_template(repo, text, name="company.md.j2"):
    folder = repo / "templates"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text)
    return repo


def test_a_linked_template_cannot_read_a_file_outside_templates(repo):
    (repo / "templates").mkdir()
    os.symlink("/etc/hostname", repo / "templates/company.md.j2")
    result = run_cli("report", "--repo", repo)
    assert result.exit_code == 1
    assert "company.md.j2 leads outside templates/" in result.stderr
    hostname = Path("/etc/hostname").read_text().strip() or socket.gethostname()
    assert hostname not in result.stdout


def test_an_include_of_a_linked_template_is_refused(repo):
    with_template(repo, '{% include "secret.md.j2" %}')
    os.symlink(repo / "okrctl.yaml", repo / "templates/secret.md.j2")
    result = run_cli("report", "--repo", repo)
    assert result.exit_code == 1
    assert "templates/company.md.j2:1:" in result.stderr
    assert "secret.md.j2 leads outside templates/" in result.stderr
    assert "period" not in result.stdout


HOSTILE = {
    "indent": "{{ 'x'|indent(10**9) }}",
    "bar": "{{ 1|bar(10**10) }}",
    "percent format": '{{ "%0*d"|format(10**9, 1) }}',
    "percent operator": '{{ "%0999999999d" % 1 }}',
    "str.format width": '{{ "{:>999999999}".format(1) }}',
    "str.format nested width": '{{ "{0:>{1}}".format(1, 10**9) }}',
    "center method": '{{ "x".center(10**9) }}',
    "big range": "{{ range(10**9)|list }}",
    "repeat": "{{ 'a'*10**10 }}",
    "repeat list": "{{ ([1]*10**9)|length }}",
    "power": "{{ 7**(10**9) }}",
    "self include": '{% include "company.md.j2" %}',
    "recursive macro": "{% macro m(n) %}{{ m(n) }}{% endmacro %}{{ m(1) }}",
    "doubling": (
        '{% set ns = namespace(s="a") %}{% for i in range(64) %}'
        "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}"
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_templates_fail_fast_with_their_file_and_line(repo, text):
    with_template(repo, text)
    started = time.monotonic()
    result = run_cli("report", "--repo", repo)
    elapsed = time.monotonic() - started
    assert result.exit_code == 1
    assert result.stderr.startswith("okrctl: templates/company.md.j2:1: "), result.stderr
    assert "budget" in result.stderr or "itself" in result.stderr
    assert elapsed < 15


@pytest.mark.parametrize(
    "text",
    [
        "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}",
        '{% for c in ("a"*1000000) %}{% for d in ("a"*1000000) %}{% endfor %}{% endfor %}',
        "{% for a in range(100000) %}{% for b in range(100000) %}.{% endfor %}{% endfor %}",
    ],
    ids=["range loops", "string loops", "printing loops"],
)
@pytest.mark.slow
def test_loops_stop_at_the_time_budget(tmp_path, text):
    (tmp_path / "company.md.j2").write_text("\n" + text)
    started = time.monotonic()
    # 2 s, not less: on a loaded machine a shorter timer can fire while Jinja is still setting
    # up the render, before the template's own frame (and so its line) exists
    with pytest.raises(OkrctlError, match=r"company\.md\.j2:2: over the rendering budget"):
        render("company", {}, tmp_path, Budget(seconds=2))
    assert time.monotonic() - started < 10


def test_output_over_its_budget_stops(tmp_path):
    (tmp_path / "company.md.j2").write_text(
        "{% for a in range(1000) %}{{ 'x' * 1000 }}{% endfor %}"
    )
    with pytest.raises(OkrctlError, match="the output is over 100,000 characters"):
        render("company", {}, tmp_path, Budget(output_chars=100_000))


def test_ordinary_formatting_is_untouched(repo):
    with_template(
        repo,
        '{{ "{:,}".format(54041000) }} {{ "%d"|format(54041000) }} {{ "%8.2f"|format(3.14159) }}'
        ' {{ "a"|center(5) }}| {{ range(3)|list }} {{ "ab" * 2 }} {{ 2 ** 10 }}',
    )
    result = run_cli("report", "--repo", repo)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "54,041,000 54041000     3.14   a  | [0, 1, 2] abab 1024"


def test_a_linked_site_stylesheet_is_a_message_not_a_traceback(repo, tmp_path):
    (repo / "templates/site").mkdir(parents=True)
    os.symlink("/etc/hostname", repo / "templates/site/site.css")
    result = run_cli("site", tmp_path / "public", "--repo", repo)
    assert (result.exit_code, result.stderr) == (
        1,
        "okrctl: templates/site/site.css: site.css leads outside site/ (a symbolic link);"
        " templates are read only from files inside the templates folder\n",
    )
    assert not (tmp_path / "public").exists()
