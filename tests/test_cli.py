"""The CLI contract: exit codes, output formats, paths, and the library underneath it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import BASE, PROJECT_ROOT, TEAM, copy_demo, run_cli, write_repo
from gitrepo import GitRepo

TEAM_FILE = "goals/teams/signups.yaml"
ORPHAN_TEAM = TEAM.replace(
    "    aligns_to: [growth/convert]\n", "    aligns_to: [growth/convert/rate]\n"
).replace("parent: growth\n", "")


def test_demo_company_checks_clean_from_any_folder(monkeypatch):
    for folder in (PROJECT_ROOT, PROJECT_ROOT / "tests", PROJECT_ROOT / "goals" / "teams"):
        monkeypatch.chdir(folder)
        result = run_cli("check", "--format", "json")
        assert result.exit_code == 0, result.stdout
        # by git dates, the demo's numbers go stale as the calendar moves on; nothing else may
        assert {f["rule"] for f in result.json()["findings"]} <= {"stale"}


def test_demo_company_has_no_findings_at_all(tmp_path):
    copy_demo(tmp_path)
    result = run_cli("check", "--repo", tmp_path)
    assert result.exit_code == 0
    assert result.stdout.startswith("No findings in 14 files.")


def test_demo_company_has_every_kind_of_key_result():
    import okrctl

    repository = okrctl.load_repo(PROJECT_ROOT)
    key_results = [kr for u in repository.units for o in u.unit.objectives for kr in o.key_results]
    numeric = [kr for kr in key_results if kr.baseline is not None]
    assert any(kr.target > kr.baseline for kr in numeric), "a rising key result"
    assert any(kr.target < kr.baseline for kr in numeric), "a falling key result"
    assert any(kr.milestone for kr in key_results)
    assert any(kr.keep is not None for kr in key_results)
    kinds = {u.unit.kind for u in repository.units}
    assert kinds == {"company", "pillar", "team", "person"}
    people = [u.unit for u in repository.units if u.unit.kind == "person"]
    origins = [o.origin for p in people for o in p.objectives]
    assert origins.count("self") / len(origins) >= 0.4
    assert any(p.accomplishments for p in people)


def test_text_format_groups_by_file_with_a_caret(tmp_path):
    write_repo(
        tmp_path,
        {TEAM_FILE: ORPHAN_TEAM.replace("    why: Funding is where people drop off.\n", "")},
    )
    result = run_cli("check", "--repo", tmp_path)
    assert result.exit_code == 1
    assert result.stdout == (
        "goals/teams/signups.yaml:1:1: error orphan: team `signups` has no `parent`: "
        "name the unit it belongs to\n"
        "   1 | kind: team\n"
        "       ^\n"
        "goals/teams/signups.yaml:4:5: warning missing-why: objective `funding` has no `why`: "
        "say why it matters, in a sentence that ladders up to the mission\n"
        "   4 |   - id: funding\n"
        "           ^\n"
        "\n"
        "1 error, 1 warning in 1 of 3 files.\n"
    )
    assert "\x1b[" not in result.stdout  # not a terminal: no escape codes


def test_json_shape_matches_the_spec(tmp_path):
    write_repo(tmp_path, {TEAM_FILE: ORPHAN_TEAM})
    payload = run_cli("check", "--repo", tmp_path, "--format", "json").json()
    assert payload == {
        "findings": [
            {
                "rule": "orphan",
                "severity": "error",
                "message": "team `signups` has no `parent`: name the unit it belongs to",
                "file": "goals/teams/signups.yaml",
                "line": 1,
                "column": 1,
                "ref": "signups",
            }
        ],
        "errors": 1,
        "warnings": 0,
    }


def test_warnings_pass_unless_strict(tmp_path):
    write_repo(tmp_path, {TEAM_FILE: TEAM.replace("        source: release notes\n", "")})
    assert run_cli("check", "--repo", tmp_path).exit_code == 0
    assert run_cli("check", "--repo", tmp_path, "--strict").exit_code == 1


def git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def test_github_annotations_use_paths_from_the_git_top_level(tmp_path):
    goals_repo = write_repo(tmp_path / "okrs", {TEAM_FILE: ORPHAN_TEAM})
    git(tmp_path, "init", "-q")
    result = run_cli("check", "--repo", goals_repo, "--format", "github")
    assert result.exit_code == 1
    assert result.stdout == (
        "::error file=okrs/goals/teams/signups.yaml,line=1,col=1,title=orphan::"
        "team `signups` has no `parent`: name the unit it belongs to\n"
    )
    assert "1 error, 0 warnings" in result.stderr


def test_github_annotations_outside_git_are_relative_to_the_repo(tmp_path):
    write_repo(tmp_path, {TEAM_FILE: ORPHAN_TEAM})
    result = run_cli("check", "--repo", tmp_path, "--format", "github")
    note, finding = result.stdout.splitlines()
    assert note == (
        "::warning title=okrctl::not a git repository: the stale rule and its check-in dates "
        "need history and were skipped"
    )
    assert finding.startswith("::error file=goals/teams/signups.yaml,line=1,col=1,")


def test_repo_option_accepts_the_config_file(tmp_path):
    write_repo(tmp_path, {})
    assert run_cli("check", "--repo", tmp_path / "okrctl.yaml").exit_code == 0


def test_bad_flag_is_a_usage_error(repo):
    result = run_cli("check", "--repo", repo, "--format", "xml")
    assert result.exit_code == 2


def test_python_dash_m_and_version():
    done = subprocess.run(
        [sys.executable, "-m", "okrctl", "--version"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert done.stdout.startswith("okrctl ")


_BUFFERED = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
"""The environment of a user's shell, where Python buffers what it writes to a pipe."""


def test_a_command_exits_with_all_its_output_and_its_code(tmp_path):
    """The command ends its process without freeing its objects (`okrctl.__main__.leave`):
    JSON larger than Python's buffer for a pipe still arrives whole, as the in-process run
    writes it, and a check that finds an error still exits 1."""
    repo = copy_demo(tmp_path)
    args = ("status", "--repo", str(repo), "--as-of", "2026-11-15", "--format", "json")
    piped = subprocess.run(
        [sys.executable, "-m", "okrctl", *args], capture_output=True, text=True, env=_BUFFERED
    )
    assert piped.returncode == 0, piped.stderr
    assert len(piped.stdout) > 16384
    assert piped.stdout == run_cli(*args).stdout
    (repo / "goals" / "teams" / "broken.yaml").write_text("unit: [\n", encoding="utf-8")
    failing = _okrctl("check", "--repo", str(repo))
    assert failing.returncode == 1
    assert "goals/teams/broken.yaml:2:1: error schema: YAML syntax error" in failing.stdout


@pytest.mark.parametrize(
    ("code", "status", "said"), [(None, 0, ""), (3, 3, ""), ("out of luck", 1, "out of luck\n")]
)
def test_leaving_is_sys_exit_without_the_freeing(code, status, said):
    """Like `sys.exit`: None is success, a number the status, a message goes to stderr with
    failure; what was printed is flushed."""
    script = f"import sys\nfrom okrctl.__main__ import leave\nprint('buffered')\nleave({code!r})\n"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=_BUFFERED, timeout=60
    )
    assert (done.returncode, done.stdout, done.stderr) == (status, "buffered\n", said)


def test_a_thread_still_at_work_is_waited_for(tmp_path):
    """A thread a library caller left running finishes before the process ends."""
    marker = tmp_path / "thread-done"
    script = (
        "import pathlib, threading, time\n"
        "from okrctl.__main__ import leave\n"
        f"late = lambda: (time.sleep(0.2), pathlib.Path({str(marker)!r}).write_text('done'))\n"
        "threading.Thread(target=late).start()\n"
        "leave(4)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], check=False, timeout=60)
    assert done.returncode == 4
    assert marker.read_text() == "done"


def test_a_profiler_still_gets_its_report(tmp_path):
    """Someone profiling a slow command gets the profile: the quick exit waits for it."""
    profile = tmp_path / "okrctl.prof"
    done = subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "okrctl", "--version"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0 and done.stdout.startswith("okrctl "), done.stderr
    assert profile.stat().st_size > 0


def _okrctl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "okrctl", *args], capture_output=True, text=True, check=False
    )


def test_a_run_builds_only_its_command_and_says_the_same():
    """main() hands typer only the command it runs; every command's help (and the send
    group's) reads exactly as through the whole app."""
    from typer.main import get_command
    from typer.testing import CliRunner

    from okrctl.cli import _app_for, app

    names = sorted(get_command(app).commands)
    assert {"check", "history", "send", "status"} <= set(names)
    for args in [[name, "--help"] for name in names] + [["send", "digest", "--help"]]:
        alone = CliRunner().invoke(_app_for(args), args)
        whole = CliRunner().invoke(app, args)
        assert (alone.exit_code, alone.stdout) == (whole.exit_code, whole.stdout), args
        assert _app_for(args) is not app
    for args in [[], ["--version"], ["hstory"], ["--help"]]:
        assert _app_for(args) is app


def test_the_entry_point_still_lists_every_command_and_suggests_for_a_typo():
    listed = _okrctl("--help")
    assert listed.returncode == 0
    assert all(f"  {name} " in listed.stdout for name in ("check", "history", "send", "site"))
    typo = _okrctl("hstory", "x")
    assert typo.returncode == 2
    assert "No such command 'hstory'. Did you mean 'history'?" in typo.stderr
    digest = _okrctl("send", "digest", "--help")
    assert digest.returncode == 0
    assert "Usage: python -m okrctl send digest" in digest.stdout


def test_schema_command_prints_the_unit_schema(tmp_path):
    result = run_cli("schema")
    schema = json.loads(result.stdout)
    assert result.exit_code == 0
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["required"] == ["kind"]
    assert schema["additionalProperties"] is False
    assert {"kind", "parent", "objectives", "kpis"} <= set(schema["properties"])
    key_result = schema["$defs"]["KeyResult"]
    assert key_result["properties"]["baseline"]["type"] == ["number", "null"]
    target = tmp_path / "unit.schema.json"
    assert run_cli("schema", "-o", target).exit_code == 0
    assert json.loads(target.read_text()) == schema


def test_the_library_does_what_the_cli_does(tmp_path):
    import okrctl

    write_repo(tmp_path, {TEAM_FILE: ORPHAN_TEAM})
    result = okrctl.check_repo(tmp_path)
    assert [(f.rule, f.file, f.line) for f in result.findings] == [
        ("orphan", "goals/teams/signups.yaml", 1)
    ]
    assert result.exit_code() == 1
    assert isinstance(okrctl.build_graph(result.repository), okrctl.Graph)


def test_help_does_not_import_the_heavy_libraries():
    code = (
        "import sys\n"
        "sys.argv = ['okrctl', '--help']\n"
        "from okrctl.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "libraries = ('pydantic', 'git', 'jinja2', 'ruamel', 'filelock', 'markdown_it')\n"
        "heavy = [m for m in libraries if m in sys.modules]\n"
        "print(heavy)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().endswith("[]")


def _many_findings(tmp_path, errors, warnings):
    """A goals repo in a git sub-folder with `errors` orphan errors and `warnings` missing-why
    warnings, one unit file each."""
    files = {}
    for i in range(errors):
        files[f"goals/teams/orphan-{i}.yaml"] = f"kind: team\nlead: sam\nname: Orphan {i}\n"
    for i in range(warnings):
        files[f"goals/teams/why-{i}.yaml"] = (
            "kind: team\nparent: growth\nlead: sam\nobjectives:\n  - id: o\n    title: T\n"
            "    aligns_to: [growth/convert]\n    key_results:\n      - id: k\n        title: K\n"
            "        milestone: true\n        done: false\n        source: notes\n"
        )
    root = write_repo(tmp_path / "okrs", files)
    git(tmp_path, "init", "-q")
    return root


def test_github_shows_ten_of_each_kind_errors_first_and_says_where_the_rest_are(
    tmp_path, monkeypatch
):
    root = _many_findings(tmp_path, errors=12, warnings=15)
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/goals")
    monkeypatch.setenv("GITHUB_SHA", "abc123")
    result = run_cli("check", "--repo", root, "--format", "github")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    kinds = [line.split(" ", 1)[0] for line in lines if line.startswith("::")]
    assert kinds == ["::error"] * 10 + ["::warning"] * 10 + ["::notice"]
    assert lines[-1] == (
        "::notice title=okrctl::7 more findings than GitHub shows as annotations "
        "(10 of each kind): all of them are in the job summary"
    )
    plain = [line for line in lines if not line.startswith("::")]
    assert len(plain) == 7 and plain[0].startswith("okrs/goals/teams/orphan-")
    table = summary.read_text()
    assert table.startswith("earlier step\n## okrctl check\n\n12 errors, 15 warnings")
    rows = [line for line in table.splitlines() if line.startswith("| [")]
    assert len(rows) == 27
    assert rows[0].startswith(
        "| [okrs/goals/teams/orphan-0.yaml:1:1]"
        "(https://github.com/acme/goals/blob/abc123/okrs/goals/teams/orphan-0.yaml#L1) | ❌ error"
    )
    assert "⚠️ warning | missing-why" in rows[-1]


def test_github_without_a_summary_points_at_the_log(tmp_path, monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    root = _many_findings(tmp_path, errors=11, warnings=0)
    result = run_cli("check", "--repo", root, "--format", "github")
    assert result.stdout.splitlines()[-1].endswith("all of them are in the lines above")


def test_github_says_a_shallow_clone_as_a_warning(tmp_path):
    origin = GitRepo(tmp_path / "origin")
    origin.commit({**BASE}, "2026-10-01")
    origin.commit(
        {"goals/teams/signups.yaml": TEAM.replace("done: false", "done: true")}, "2026-10-02"
    )
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{origin.root}", str(clone)])
    result = run_cli("check", "--repo", clone, "--format", "github")
    assert result.stdout.startswith(
        "::warning title=okrctl::history is truncated: this is a shallow clone."
    )
    assert "history is truncated" not in result.stderr


def on_a_terminal(*args) -> str:
    """okrctl's stdout as a terminal shows it (a pseudo-terminal), escape codes and all."""
    import os
    import pty

    leader, follower = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    subprocess.run(
        [sys.executable, "-m", "okrctl", *map(str, args)],
        stdout=follower,
        stderr=subprocess.DEVNULL,
        env={**env, "TERM": "xterm-256color", "COLUMNS": "200"},
        check=False,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: all read
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    return b"".join(chunks).decode().replace("\r\n", "\n")


def test_check_styles_its_findings_on_a_terminal_and_says_the_same_words(tmp_path):
    import re

    write_repo(tmp_path, {TEAM_FILE: ORPHAN_TEAM})
    shown = on_a_terminal("check", "--repo", tmp_path)
    assert "\x1b[1;31merror\x1b[0m" in shown  # the severity in bold red
    assert "\x1b[1mgoals/teams/signups.yaml:1:1:\x1b[0m" in shown  # the location in bold
    piped = run_cli("check", "--repo", tmp_path).stdout
    assert re.sub(r"\x1b\[[0-9;]*m", "", shown) == piped


def _demo_with_findings(tmp_path):
    root = copy_demo(tmp_path)
    team = root / "goals/teams/signups.yaml"
    team.write_text(team.read_text().replace("[growth/convert-signups]", "[growth/convert-signup]"))
    return root


def _okrctl_in(*args, cwd, columns=None):
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    if columns is not None:
        env["COLUMNS"] = str(columns)
    return subprocess.run(["okrctl", *args], cwd=cwd, env=env, capture_output=True, text=True)


def test_check_fits_columns_and_keeps_each_findings_head_on_its_first_line(tmp_path):
    root = _demo_with_findings(tmp_path)
    narrow = _okrctl_in("check", cwd=root, columns=60)
    assert narrow.returncode == 1
    lines = narrow.stdout.splitlines()
    assert max(len(line) for line in lines) <= 60
    head = "goals/teams/signups.yaml:14:17: error unknown-ref:"
    assert head in lines
    follows = lines[lines.index(head) + 1]
    assert follows.startswith("    `growth/convert-signup` names no objective")
    piped = _okrctl_in("check", cwd=root)  # no COLUMNS, not a terminal: one line per finding
    assert any(
        line.startswith(head + " `growth/convert-signup` names no objective")
        and line.endswith("(did you mean `growth/convert-signups`?)")
        for line in piped.stdout.splitlines()
    )


@pytest.mark.slow
def test_history_fits_columns_with_notes_beside_or_under_their_rows(tmp_path):
    from okrctl.commands.demo import replay

    root = copy_demo(tmp_path)
    replay(root)
    ref = "signups/effortless-funding/funded-rate"
    for width in (60, 100):
        lines = _okrctl_in("history", ref, cwd=root / "goals", columns=width).stdout.splitlines()
        assert max(len(line) for line in lines) <= width, (width, lines)
        assert "Q4 goals: the company, pillars, teams" in "\n".join(lines)
    narrow = _okrctl_in("history", ref, cwd=root, columns=60).stdout.splitlines()
    at = narrow.index(next(line for line in narrow if line.startswith("2026-10-01")))
    assert narrow[at + 1] == "    Q4 goals: the company, pillars, teams and people"


def test_check_on_a_terminal_fits_the_terminal(tmp_path):
    """No COLUMNS, a real pseudo-terminal 70 columns wide: rich's own rule."""
    import pexpect

    root = _demo_with_findings(tmp_path)
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    env["NO_COLOR"] = "1"
    child = pexpect.spawn(
        "okrctl", ["check"], cwd=str(root), env=env, dimensions=(50, 70), encoding="utf-8"
    )
    child.expect(pexpect.EOF, timeout=60)
    child.close()
    lines = [line.rstrip("\r") for line in child.before.split("\n") if line.strip()]
    assert child.exitstatus == 1
    assert max(len(line) for line in lines) <= 70, lines
    assert "goals/teams/signups.yaml:14:17: error unknown-ref:" in "\n".join(lines)


def test_dash_capital_v_is_the_version():
    from okrctl import __version__

    result = run_cli("-V")
    assert result.exit_code == 0 and __version__ in result.stdout
