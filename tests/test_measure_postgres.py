"""`okrctl measure` against a real PostgreSQL server, started here in a temporary folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

import postgres
from conftest import BASE, CONFIG, MACHINE_TEMP, run_cli
from gitrepo import GitRepo


@pytest.fixture(scope="module")
def server() -> Iterator[postgres.Server]:
    with tempfile.TemporaryDirectory(prefix="okrctl-pg-", dir=MACHINE_TEMP) as folder:
        started = postgres.start(Path(folder))
        if isinstance(started, str):
            pytest.skip(started)
        try:
            started.psql(
                "create table deposits (day date, amount numeric);"
                "insert into deposits values ('2026-10-01', 10.5), ('2026-11-02', 4);"
                "grant select, insert, delete on deposits to okrctl;"
            )
            yield started
        finally:
            started.stop()


def repo_with(tmp_path: Path, sql: str) -> GitRepo:
    company = BASE["goals/company.yaml"].replace(
        "        source: finance report\n",
        f'        source: finance report\n        measure: {{sql: "{sql}", database: warehouse}}\n',
    )
    repo = GitRepo(tmp_path / "okrs")
    config = CONFIG + "databases:\n  warehouse: {url_env: WAREHOUSE_URL}\n"
    repo.commit({**BASE, "okrctl.yaml": config, "goals/company.yaml": company}, "2026-10-01")
    return repo


def measure(repo: GitRepo, *args: str):
    return run_cli(
        "measure", "--repo", repo.root, "--format", "json", "--as-of", "2026-11-23", *args
    )


def test_a_query_reads_postgresql_and_binds_the_dates(tmp_path, server, monkeypatch):
    monkeypatch.setenv("WAREHOUSE_URL", server.url())
    repo = repo_with(
        tmp_path,
        "select sum(amount) from deposits where day between cast(:period_start as date) "
        "and cast(:as_of as date)",
    )
    result = measure(repo)
    assert result.exit_code == 0, result.stdout
    assert result.json()["measured"] == [
        {"ref": "acme/grow/deposits", "old": 12, "new": 14.5, "changed": True}
    ]
    assert "        current: 14.5\n" in (repo.root / "goals/company.yaml").read_text()
    assert result.json()["commit"] == repo.git("rev-parse", "HEAD")


def assert_both_rows_remain(server: postgres.Server) -> None:
    server.psql(  # psql fails (check=True) when the block raises
        "do $$ begin if (select count(*) from deposits) <> 2 then "
        "raise exception 'rows were deleted'; end if; end $$"
    )


@pytest.mark.parametrize(
    ("sql", "refused"),
    [
        ("delete from deposits returning 1", "read-only transaction"),  # the login may write
        (
            "select 1; commit; set session characteristics as transaction read write; "
            "delete from deposits",
            "one statement per source: the query holds several",  # no way out of read-only
        ),
    ],
    ids=["a write", "a script"],
)
def test_postgresql_refuses_a_write(tmp_path, server, monkeypatch, sql, refused):
    monkeypatch.setenv("WAREHOUSE_URL", server.url())
    repo = repo_with(tmp_path, sql)
    result = measure(repo, "--dry-run")
    assert result.exit_code == 1
    [failed] = result.json()["failed"]
    assert refused in failed["error"], failed
    assert_both_rows_remain(server)


def test_a_setting_made_by_one_source_does_not_reach_the_next(tmp_path, server, monkeypatch):
    """Each source its own connection: a `set` of the first is gone for the second."""
    monkeypatch.setenv("WAREHOUSE_URL", server.url())
    repo = repo_with(tmp_path, "select set_config('okrctl.marker', '41', false)::int + 1")
    team = BASE["goals/teams/signups.yaml"].replace(
        "        source: release notes\n",
        '        source: release notes\n        measure: {sql: "select '
        "coalesce(current_setting('okrctl.marker', true), '') = '41'\", database: warehouse}\n",
    )
    repo.commit({"goals/teams/signups.yaml": team}, "2026-10-02")
    result = measure(repo, "--dry-run")
    assert result.exit_code == 0, result.stdout
    assert {m["ref"]: m["new"] for m in result.json()["measured"]} == {
        "acme/grow/deposits": 42,
        "signups/funding/ach": False,
    }


def test_a_wrong_password_is_reported_without_the_password(tmp_path, server, monkeypatch):
    monkeypatch.setenv("WAREHOUSE_URL", server.url(password="wrong-hunter2"))
    repo = repo_with(tmp_path, "select 1")
    result = measure(repo)
    assert result.exit_code == 1
    [failed] = result.json()["failed"]
    assert failed["error"].startswith("goals/company.yaml:15:18: database `warehouse`: ")
    assert "password authentication failed" in failed["error"]
    assert "hunter2" not in result.stdout + result.stderr
    assert result.json()["commit"] is None


@pytest.mark.slow
def test_a_slow_postgresql_query_times_out(tmp_path, server, monkeypatch):
    monkeypatch.setenv("WAREHOUSE_URL", server.url())
    repo = repo_with(tmp_path, "select 1 from pg_sleep(5)")
    result = measure(repo, "--timeout", "1", "--dry-run")
    [failed] = result.json()["failed"]
    assert failed["error"] == "goals/company.yaml:15:18: timed out after 1 s"


# --- the harness itself: a machine with PostgreSQL's binaries but no `postgres` user ----------

NOT_ROOT = "making a system user, or running as another one, needs root"


@pytest.mark.skipif(os.geteuid() != 0, reason=NOT_ROOT)
def test_as_root_without_a_postgres_user_the_harness_makes_its_own():
    if postgres._binaries() is None:
        pytest.skip("PostgreSQL is not installed (Debian package postgresql)")
    made = "okrctl-pg-probe"
    subprocess.run(["userdel", made], capture_output=True, check=False)
    folder = tempfile.TemporaryDirectory(prefix="okrctl-pg-", dir=MACHINE_TEMP)  # the user's too
    try:
        started = postgres.start(Path(folder.name), users=("okrctl-no-such-user", made))
        assert isinstance(started, postgres.Server), started
        try:
            assert started.run_as == ["runuser", "-u", made, "--"]
            started.psql("select 1")
        finally:
            started.stop()
    finally:
        subprocess.run(["userdel", made], capture_output=True, check=False)
        folder.cleanup()


@pytest.mark.skipif(os.geteuid() != 0, reason=NOT_ROOT)
def test_as_a_normal_user_the_harness_runs_the_server_as_that_user():
    if postgres._binaries() is None:
        pytest.skip("PostgreSQL is not installed (Debian package postgresql)")
    python = shutil.which("python3", path="/usr/bin:/bin")
    if python is None:
        pytest.skip("no system python3 that another user may run")
    script = (
        "import sys, tempfile; from pathlib import Path; sys.path.insert(0, sys.argv[1]);"
        " import postgres\n"
        "with tempfile.TemporaryDirectory() as folder:\n"
        "    server = postgres.start(Path(folder))\n"
        "    assert isinstance(server, postgres.Server), server\n"
        "    assert server.run_as == [], server.run_as\n"
        "    try:\n"
        "        server.psql('select 1')\n"
        "    finally:\n"
        "        server.stop()\n"
        "print('ran as', __import__('getpass').getuser())\n"
    )
    done = subprocess.run(
        ["runuser", "-u", "nobody", "--", python, "-c", script, str(Path(__file__).parent)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd="/tmp",
        check=False,
    )
    if "Permission denied" in done.stderr and "tests" in done.stderr:
        pytest.skip(f"the tests folder is not readable by nobody: {done.stderr.strip()}")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "ran as nobody\n"
