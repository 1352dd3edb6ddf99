"""`okrctl measure`: numbers read from a real SQLite file, real CSV files and a real HTTP server
on 127.0.0.1, checked in as one commit; every way a source can fail, reported and located."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from conftest import BASE, CONFIG, QuietHTTPServer, findings, run_cli
from gitrepo import GitRepo

DATABASE_CONFIG = CONFIG + 'databases:\n  metrics: {url: "sqlite:///data/metrics.db"}\n'


class Api(BaseHTTPRequestHandler):
    """A small JSON API: each path one behaviour a source may meet."""

    def do_GET(self) -> None:
        if self.path == "/rate":
            self._send(200, b'{"data": {"funded_rate": 35.5}}', "application/json")
        elif self.path == "/private":
            if self.headers.get("Authorization") == "Bearer s3cret-token":
                self._send(200, b'{"value": 36}', "application/json")
            else:
                self._send(401, b'{"error": "no"}', "application/json")
        elif self.path == "/broken":
            self._send(500, b"oops", "text/plain")
        elif self.path == "/html":
            self._send(200, b"<html>hello</html>", "text/html")
        elif self.path == "/odd-type":  # a C1 control (8-bit CSI: "hide what follows")
            self._send(200, b"<html>hello</html>", "text/\x9b8mhtml")
        elif self.path == "/slow":
            time.sleep(3)
            self._send(200, b'{"data": {"funded_rate": 1}}', "application/json")
        elif self.path == "/drip":  # a byte every 0.2 s, for a minute
            self._drip(b'{"data": {"funded_rate": 1}}' + b" " * 300)
        elif self.path == "/claims-2gb":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "2000000000")
            self.end_headers()
            self.wfile.write(b"[" * 1000)
        elif self.path == "/endless":  # no length: as many bytes as are read
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            try:
                for _ in range(2_000):
                    self.wfile.write(b"[1, " * 16_384)
            except OSError:
                pass
        elif self.path == "/deep":
            self._send(200, b"[" * 100_000 + b"]" * 100_000, "application/json")
        else:
            self._send(404, b"{}", "application/json")

    def _send(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _drip(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            for byte in body:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.2)
        except OSError:
            pass

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def api() -> Iterator[str]:
    server = QuietHTTPServer(("127.0.0.1", 0), Api)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def make_database(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as db:
        db.execute("create table deposits (day text, amount real)")
        db.executemany(
            "insert into deposits values (?, ?)",
            [("2026-10-01", 10.0), ("2026-10-15", 3.0), ("2026-11-20", 2.5)],
        )
        db.execute("create table launches (name text, shipped int)")
        db.execute("insert into launches values ('instant-ach', 1)")
    sqlite3.connect(path).close()


def company(measure: str) -> str:
    """The base company, its key result read by `measure` (a flow mapping)."""
    return BASE["goals/company.yaml"].replace(
        "        source: finance report\n",
        f"        source: finance report\n        measure: {measure}\n",
    )


def both(measure: str) -> str:
    """The company with its key result read by `measure` and its KPI from the CSV."""
    return with_kpi_measure(company(measure), CSV)


def with_kpi_measure(text: str, measure: str) -> str:
    return text.replace(
        "    source: finance model\n", f"    source: finance model\n    measure: {measure}\n"
    )


def pillar(measure: str) -> str:
    return BASE["goals/pillars/growth.yaml"].replace(
        "        source: funnel dashboard\n",
        f"        source: funnel dashboard\n        measure: {measure}\n",
    )


def team(measure: str) -> str:
    return BASE["goals/teams/signups.yaml"].replace(
        "        source: release notes\n",
        f"        source: release notes\n        measure: {measure}\n",
    )


SUM_SQL = '{sql: "select sum(amount) from deposits where day <= :as_of", database: metrics}'
SHIPPED_SQL = '{sql: "select shipped from launches", database: metrics}'
CSV = "{csv: data/ltv.csv, column: ltv_cac}"


def measured_repo(tmp_path: Path, api: str, **overrides: str) -> GitRepo:
    """Every kind of source at once: SQL (a number and a milestone), CSV and HTTP."""
    repo = GitRepo(tmp_path / "okrs")
    make_database(repo.root / "data/metrics.db")
    files = {
        **BASE,
        "okrctl.yaml": DATABASE_CONFIG,
        "goals/company.yaml": with_kpi_measure(company(SUM_SQL), CSV),
        "goals/pillars/growth.yaml": pillar(f'{{http: "{api}/rate", json: data.funded_rate}}'),
        "goals/teams/signups.yaml": team(SHIPPED_SQL),
        "data/ltv.csv": "week,ltv_cac\n2026-11-09,3.1\n2026-11-16,3.4\n",
        **overrides,
    }
    repo.commit(files, "2026-10-01", "goals")
    return repo


def measure(repo: GitRepo, *args: str):
    return run_cli(
        "measure", "--repo", repo.root, "--format", "json", "--as-of", "2026-11-23", *args
    )


def test_every_source_lands_in_one_commit_with_a_trailer_per_ref(tmp_path, api):
    repo = measured_repo(tmp_path, api)
    before = repo.git("rev-parse", "HEAD")
    result = measure(repo)
    assert result.exit_code == 0, result.stderr
    payload = result.json()
    assert payload["failed"] == []
    assert {m["ref"]: (m["old"], m["new"], m["changed"]) for m in payload["measured"]} == {
        "acme/grow/deposits": (12, 15.5, True),
        "acme/ltv-cac": (3.2, 3.4, True),
        "growth/convert/rate": (None, 35.5, True),
        "signups/funding/ach": (False, True, True),
    }
    assert payload["commit"] == repo.git("rev-parse", "HEAD") != before
    assert repo.git("rev-list", "--count", f"{before}..HEAD") == "1"
    message = repo.git("log", "-1", "--format=%B")
    assert message.splitlines()[0] == "measure: 4 values as of 2026-11-23"
    trailers = [line for line in message.splitlines() if line.startswith("Okr-Checkin:")]
    assert trailers == [
        "Okr-Checkin: acme/grow/deposits",
        "Okr-Checkin: acme/ltv-cac",
        "Okr-Checkin: growth/convert/rate",
        "Okr-Checkin: signups/funding/ach",
    ]
    company_text = (repo.root / "goals/company.yaml").read_text()
    assert "        current: 15.5\n" in company_text and "    current: 3.4\n" in company_text
    assert "        done: true\n" in (repo.root / "goals/teams/signups.yaml").read_text()
    history = run_cli("history", "acme/grow/deposits", "--repo", repo.root, "--format", "json")
    assert [c["value"] for c in history.json()["checkins"]] == [12, 15.5]
    assert repo.git("status", "--porcelain") == ""


def test_the_sql_binds_the_day_measured(tmp_path, api):
    repo = measured_repo(tmp_path, api)
    result = run_cli(
        "measure",
        "acme",
        "--repo",
        repo.root,
        "--format",
        "json",
        "--dry-run",
        "--as-of",
        "2026-10-10",
    )
    new = {m["ref"]: m["new"] for m in result.json()["measured"]}
    assert new["acme/grow/deposits"] == 10.0


def test_a_second_run_with_nothing_new_makes_no_commit(tmp_path, api):
    repo = measured_repo(tmp_path, api)
    assert measure(repo).exit_code == 0
    head = repo.git("rev-parse", "HEAD")
    again = measure(repo)
    assert again.exit_code == 0
    assert again.json()["commit"] is None
    assert not any(m["changed"] for m in again.json()["measured"])
    assert repo.git("rev-parse", "HEAD") == head


def test_dry_run_writes_nothing(tmp_path, api):
    repo = measured_repo(tmp_path, api)
    head = repo.git("rev-parse", "HEAD")
    before = (repo.root / "goals/company.yaml").read_bytes()
    result = measure(repo, "--dry-run")
    assert result.exit_code == 0
    assert result.json()["commit"] is None
    assert [m["changed"] for m in result.json()["measured"]] == [True] * 4
    assert (repo.root / "goals/company.yaml").read_bytes() == before
    assert repo.git("rev-parse", "HEAD") == head


def test_a_value_read_that_looks_like_a_slip_is_written_and_said(tmp_path, api):
    """A CSV of fractions for a number held as 3.2: written as the source says (measure runs
    unattended), and said on stderr, with what was perhaps meant."""
    repo = measured_repo(tmp_path, api, **{"data/ltv.csv": "week,ltv_cac\n2026-11-16,0.034\n"})
    result = run_cli("measure", "--repo", repo.root, "--as-of", "2026-11-23")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        "okrctl: note: 0.034 is 88 times smaller than any value acme/ltv-cac holds or aims for "
        "(healthy ≥ 3, now 3.2); did you mean 3.4? Is its source counted in the number's unit?\n"
    )
    assert "    current: 0.034\n" in (repo.root / "goals/company.yaml").read_text()


def test_scope_limits_the_sources_read(tmp_path, api):
    repo = measured_repo(tmp_path, api)
    result = measure(repo, "signups", "--dry-run")
    assert [m["ref"] for m in result.json()["measured"]] == ["signups/funding/ach"]


def test_text_output_is_a_table_and_a_summary(tmp_path, api):
    repo = measured_repo(tmp_path, api)
    result = run_cli("measure", "--repo", repo.root, "--dry-run", "--as-of", "2026-11-23")
    assert result.exit_code == 0
    assert result.stdout == (
        "ref                  old       new\n"
        "acme/grow/deposits   12        15.5  changed\n"
        "acme/ltv-cac         3.2       3.4   changed\n"
        "growth/convert/rate  none      35.5  changed\n"
        "signups/funding/ach  not done  done  changed\n"
        "Dry run: 4 values would change; nothing written.\n"
    )


def test_measure_as_a_user_types_it_from_a_subfolder_piped(tmp_path, api):
    """The real entry point, from deep in the goals, without --repo, output piped: the SQLite
    URL and the CSV path are relative to the repository root, not to the current folder."""
    repo = measured_repo(tmp_path, api)
    folder = repo.root / "goals" / "teams"
    run = subprocess.run(
        [sys.executable, "-m", "okrctl", "measure", "--as-of", "2026-11-23"],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    head = repo.git("rev-parse", "HEAD")
    # Piped: plain text, no colour codes.
    assert run.stdout == (
        "ref                  old       new\n"
        "acme/grow/deposits   12        15.5  changed\n"
        "acme/ltv-cac         3.2       3.4   changed\n"
        "growth/convert/rate  none      35.5  changed\n"
        "signups/funding/ach  not done  done  changed\n"
        f"Committed 4 values in {head[:10]}.\n"
    )
    assert repo.git("log", "-1", "--format=%s") == "measure: 4 values as of 2026-11-23"
    assert not (folder / "data").exists()  # nothing looked for beside the current folder
    assert repo.git("status", "--porcelain") == ""


FAILURES = {
    "no row": (
        {"goals/company.yaml": both('{sql: "select 1 from deposits where 0", database: metrics}')},
        "acme/grow/deposits",
        "goals/company.yaml:15:18",
        "the query returned no row",
    ),
    "two rows": (
        {"goals/company.yaml": both('{sql: "select amount from deposits", database: metrics}')},
        "acme/grow/deposits",
        "goals/company.yaml:15:18",
        "the query returned 3 rows; it must return one",
    ),
    "null": (
        {"goals/company.yaml": both('{sql: "select null", database: metrics}')},
        "acme/grow/deposits",
        "goals/company.yaml:15:18",
        "the source gave NULL (no value)",
    ),
    "text": (
        {"goals/company.yaml": both("{sql: \"select 'many'\", database: metrics}")},
        "acme/grow/deposits",
        "goals/company.yaml:15:18",
        "'many' is not a number",
    ),
    "driver error": (
        {"goals/company.yaml": both('{sql: "select nope from deposits", database: metrics}')},
        "acme/grow/deposits",
        "goals/company.yaml:15:18",
        "no such column: nope",
    ),
    "a write": (
        {"goals/company.yaml": both('{sql: "delete from deposits", database: metrics}')},
        "acme/grow/deposits",
        "goals/company.yaml:15:18",
        "DELETE is refused: a measure: query may only read (one SELECT; no ATTACH, PRAGMA or"
        " writes)",
    ),
    "missing column": (
        {
            "goals/company.yaml": with_kpi_measure(
                company(SUM_SQL), "{csv: data/ltv.csv, column: nps}"
            )
        },
        "acme/ltv-cac",
        "goals/company.yaml:23:14",
        "data/ltv.csv has no column `nps` (its columns: `week`, `ltv_cac`)",
    ),
    "not a number in the CSV": (
        {"data/ltv.csv": "week,ltv_cac\n2026-11-09,3.1\n2026-11-16,n/a\n"},
        "acme/ltv-cac",
        "goals/company.yaml:23:14",
        "data/ltv.csv:3: `ltv_cac` is 'n/a', not a number",
    ),
    "HTTP error": (
        {"goals/pillars/growth.yaml": pillar('{http: "API/broken", json: value}')},
        "growth/convert/rate",
        "goals/pillars/growth.yaml:15:18",
        "HTTP 500 Internal Server Error",
    ),
    "not JSON": (
        {"goals/pillars/growth.yaml": pillar('{http: "API/html", json: value}')},
        "growth/convert/rate",
        "goals/pillars/growth.yaml:15:18",
        "the answer is not JSON (text/html)",
    ),
    "a control character in what the server says": (
        {"goals/pillars/growth.yaml": pillar('{http: "API/odd-type", json: value}')},
        "growth/convert/rate",
        "goals/pillars/growth.yaml:15:18",
        "the answer is not JSON (text/\ufffd8mhtml)",
    ),
    "JMESPath finds nothing": (
        {"goals/pillars/growth.yaml": pillar('{http: "API/rate", json: data.missing}')},
        "growth/convert/rate",
        "goals/pillars/growth.yaml:15:18",
        "`json: data.missing` finds nothing in the answer",
    ),
}


@pytest.mark.parametrize("case", list(FAILURES))
def test_a_failing_source_is_located_and_the_others_still_land(tmp_path, api, case):
    overrides, ref, where, error = FAILURES[case]
    overrides = {k: v.replace("API", api) for k, v in overrides.items()}
    repo = measured_repo(tmp_path, api, **overrides)
    result = measure(repo)
    assert result.exit_code == 1
    payload = result.json()
    assert payload["failed"] == [{"ref": ref, "error": f"{where}: {error}"}]
    assert len(payload["measured"]) == 3
    assert payload["commit"] == repo.git("rev-parse", "HEAD")
    trailers = [x for x in repo.git("log", "-1", "--format=%B").splitlines() if "Okr-Checkin" in x]
    assert len(trailers) == 3 and f"Okr-Checkin: {ref}" not in trailers


def test_a_slow_source_times_out(tmp_path, api):
    repo = measured_repo(
        tmp_path,
        api,
        **{"goals/pillars/growth.yaml": pillar(f'{{http: "{api}/slow", json: data.funded_rate}}')},
    )
    started = time.monotonic()
    result = measure(repo, "--timeout", "0.5", "--dry-run")
    assert time.monotonic() - started < 3
    assert result.json()["failed"] == [
        {
            "ref": "growth/convert/rate",
            "error": "goals/pillars/growth.yaml:15:18: timed out after 0.5 s",
        }
    ]


def http_rate_from(api: str, path: str, tmp_path: Path) -> GitRepo:
    growth = pillar(f'{{http: "{api}{path}", json: data.funded_rate}}')
    return measured_repo(tmp_path, api, **{"goals/pillars/growth.yaml": growth})


@pytest.mark.slow
def test_the_timeout_is_a_deadline_for_a_server_that_drips(tmp_path, api):
    repo = http_rate_from(api, "/drip", tmp_path)
    started = time.monotonic()
    result = measure(repo, "growth", "--timeout", "1", "--dry-run")
    assert time.monotonic() - started < 2.5  # the body alone would take a minute
    assert result.json()["failed"] == [
        {
            "ref": "growth/convert/rate",
            "error": "goals/pillars/growth.yaml:15:18: timed out after 1 s",
        }
    ]


@pytest.mark.parametrize(
    ("path", "limit", "detail"),
    [
        ("/claims-2gb", [], "2,000,000,000 bytes"),
        ("/endless", [], "cut off there"),
        ("/endless", ["--max-body", "1000"], "cut off there"),
    ],
)
def test_an_answer_over_the_size_limit_is_refused(tmp_path, api, path, limit, detail):
    repo = http_rate_from(api, path, tmp_path)
    result = measure(repo, "growth", "--dry-run", *limit)
    size = "1,000" if limit else "10,000,000"
    assert result.json()["failed"] == [
        {
            "ref": "growth/convert/rate",
            "error": f"goals/pillars/growth.yaml:15:18: the answer is larger than the {size}-byte"
            f" limit ({detail}); `okrctl measure --max-body BYTES` raises it",
        }
    ]


def test_an_answer_nested_past_recursion_is_a_bad_source(tmp_path, api):
    repo = http_rate_from(api, "/deep", tmp_path)
    result = measure(repo, "growth", "--dry-run")
    assert result.exit_code == 1
    assert result.json()["failed"] == [
        {
            "ref": "growth/convert/rate",
            "error": "goals/pillars/growth.yaml:15:18: the answer is nested too deeply to read as"
            " JSON",
        }
    ]


def test_a_slow_query_times_out(tmp_path, api):
    endless = (
        '{sql: "with recursive n(x) as (select 1 union all select x + 1 from n) '
        'select count(*) from n", database: metrics}'
    )
    repo = measured_repo(tmp_path, api, **{"goals/company.yaml": company(endless)})
    result = measure(repo, "acme", "--timeout", "0.5", "--dry-run")
    assert result.json()["failed"] == [
        {"ref": "acme/grow/deposits", "error": "goals/company.yaml:15:18: timed out after 0.5 s"}
    ]


def test_headers_come_from_the_environment_and_never_show(tmp_path, api, monkeypatch):
    measure_block = (
        f'{{http: "{api}/private", json: value, '
        "headers: {Authorization: {env: METRICS_TOKEN}}}"
    )
    repo = measured_repo(tmp_path, api, **{"goals/pillars/growth.yaml": pillar(measure_block)})
    unset = measure(repo, "growth", "--dry-run")
    assert unset.json()["failed"][0]["error"].endswith(
        "the environment variable METRICS_TOKEN (header Authorization) is not set"
    )
    monkeypatch.setenv("METRICS_TOKEN", "Bearer s3cret-token")
    ok = measure(repo, "growth", "--dry-run")
    assert ok.json()["measured"][0]["new"] == 36
    assert "s3cret" not in ok.stdout + ok.stderr


def test_an_unset_url_env_is_a_failure_of_measure_not_of_check(tmp_path, api):
    config = CONFIG + "databases:\n  metrics: {url_env: OKRCTL_TEST_UNSET_URL}\n"
    repo = measured_repo(tmp_path, api, **{"okrctl.yaml": config})
    assert [f for f in findings(repo.root)[1] if f[0] != "stale"] == []
    result = measure(repo, "--dry-run")
    errors = [f["error"] for f in result.json()["failed"]]
    assert errors == [
        "goals/company.yaml:15:18: the environment variable OKRCTL_TEST_UNSET_URL "
        "(database `metrics`) is not set",
        "goals/teams/signups.yaml:15:18: the environment variable OKRCTL_TEST_UNSET_URL "
        "(database `metrics`) is not set",
    ]


def test_a_missing_sqlite_file_is_not_created(tmp_path, api):
    config = CONFIG + 'databases:\n  metrics: {url: "sqlite:///data/none.db"}\n'
    repo = measured_repo(tmp_path, api, **{"okrctl.yaml": config})
    result = measure(repo, "acme", "--dry-run")
    assert result.json()["failed"][0]["error"].endswith(
        "database `metrics`: no SQLite file at data/none.db"
    )
    assert not (repo.root / "data/none.db").exists()


# --- check reads measure: blocks without running them ----------------------------------------


@pytest.mark.parametrize(
    ("measure_block", "expected"),
    [
        (
            '{sql: "select 1", database: warehouse}',
            [("unknown-ref", "goals/company.yaml", 15, 46)],
        ),
        ("{csv: data/none.csv, column: x}", [("schema", "goals/company.yaml", 15, 24)]),
        ("{csv: ../outside.csv, column: x}", [("schema", "goals/company.yaml", 15, 24)]),
        ("{csv: data/ltv.csv, column: x, row: median}", [("schema", "goals/company.yaml", 15, 54)]),
        (
            '{sql: "select 1", csv: data/ltv.csv, database: metrics}',
            [("schema", "goals/company.yaml", 15, 18)],
        ),
        ("{database: metrics}", [("schema", "goals/company.yaml", 15, 18)]),
    ],
)
def test_check_finds_bad_measure_blocks_where_they_are(tmp_path, api, measure_block, expected):
    repo = measured_repo(tmp_path, api, **{"goals/company.yaml": company(measure_block)})
    code, found = findings(repo.root)
    assert code == 1
    assert [f for f in found if f[0] != "stale"] == expected


def test_check_messages_for_measure_blocks(tmp_path, api):
    repo = measured_repo(
        tmp_path, api, **{"goals/company.yaml": company('{sql: "select 1", database: metics}')}
    )
    result = run_cli("check", "--repo", repo.root, "--format", "json")
    [finding] = [f for f in result.json()["findings"] if f["rule"] != "stale"]
    assert finding["message"] == (
        "database `metics` is not declared (did you mean `metrics`?); okrctl.yaml declares "
        "`metrics`"
    )
    repo.write({"goals/company.yaml": company("{csv: data/none.csv, column: x}")})
    found = run_cli("check", "--repo", repo.root, "--format", "json").json()["findings"]
    [finding] = [f for f in found if f["rule"] != "stale"]
    assert finding["message"] == (
        "the CSV file `data/none.csv` does not exist (paths are relative to the repository root)"
    )


def test_a_measure_answers_where_the_number_comes_from(tmp_path, api):
    no_source = company(SUM_SQL).replace("        source: finance report\n", "")
    repo = measured_repo(tmp_path, api, **{"goals/company.yaml": no_source})
    assert [f for f in findings(repo.root)[1] if f[0] == "no-source"] == []


def test_a_password_in_an_inline_url_is_refused(tmp_path, api):
    config = CONFIG + 'databases:\n  metrics: {url: "postgresql://me:hunter2@db/x"}\n'
    repo = measured_repo(tmp_path, api, **{"okrctl.yaml": config})
    result = run_cli("check", "--repo", repo.root)
    assert result.exit_code != 0
    assert "hunter2" not in result.stdout + result.stderr
    assert "url_env" in result.stdout + result.stderr


def test_json_payload_is_plain_data(tmp_path, api):
    repo = measured_repo(tmp_path, api)
    payload = measure(repo, "--dry-run").json()
    assert set(payload) == {"measured", "failed", "commit"}
    json.dumps(payload)


def test_the_same_number_written_another_way_is_unchanged(tmp_path, api):
    repo = measured_repo(
        tmp_path, api, **{"goals/company.yaml": both('{sql: "select 12.0", database: metrics}')}
    )
    result = measure(repo, "acme", "--dry-run")
    assert result.json()["measured"][0] == {
        "ref": "acme/grow/deposits",
        "old": 12,
        "new": 12.0,
        "changed": False,
    }


def test_a_refused_commit_leaves_every_file_as_it_was(tmp_path, api):
    repo = measured_repo(tmp_path, api)
    hook = repo.root / ".git/hooks/pre-commit"
    hook.write_text("#!/bin/sh\necho 'no commits today' >&2\nexit 1\n")
    hook.chmod(0o755)
    before = {p: p.read_bytes() for p in (repo.root / "goals").rglob("*.yaml")}
    head = repo.git("rev-parse", "HEAD")
    result = measure(repo)
    assert result.exit_code == 1
    assert "no commits today" in result.stderr
    assert "put back as they were" in result.stderr
    assert {p: p.read_bytes() for p in (repo.root / "goals").rglob("*.yaml")} == before
    assert repo.git("rev-parse", "HEAD") == head


def test_usage_errors_exit_2(tmp_path, api):
    repo = measured_repo(tmp_path, api)
    unknown = measure(repo, "acmee")
    assert unknown.exit_code == 2
    assert "unknown unit 'acmee'" in unknown.stderr and "did you mean acme" in unknown.stderr
    assert measure(repo, "--timeout", "0").exit_code == 2


def test_a_literal_header_value_is_refused_by_check(tmp_path, api):
    block = f'{{http: "{api}/private", json: value, headers: {{Authorization: "Bearer x"}}}}'
    repo = measured_repo(tmp_path, api, **{"goals/pillars/growth.yaml": pillar(block)})
    found = run_cli("check", "--repo", repo.root, "--format", "json").json()["findings"]
    [schema] = [f for f in found if f["rule"] == "schema"]
    line = (repo.root / "goals/pillars/growth.yaml").read_text().splitlines()[14]
    assert (schema["line"], schema["column"]) == (15, line.index('"Bearer x"') + 1)
    assert "env" in schema["message"]


def test_the_editor_schema_describes_measure_blocks():
    result = run_cli("schema")
    definitions = result.json()["$defs"]
    assert set(definitions["Measure"]["properties"]) == {
        "sql",
        "database",
        "csv",
        "column",
        "row",
        "http",
        "json",
        "headers",
    }


# --- a query may only read: each source its own read-only connection ---------------------------

ATTACKS = {
    "attach-then-drop": (
        "attach database 'data/metrics.db' as w",
        "drop table w.launches",
        "ATTACH is refused",
    ),
    "attach-outside": ("attach database '{outside}' as x", "select 1", "ATTACH is refused"),
    "detach": ("detach database main", "select 1", "DETACH is refused"),
    "vacuum-into": ("vacuum into '{outside}'", "select 1", "ATTACH is refused"),
    "writable-schema": ("pragma writable_schema = on", "select 1", "PRAGMA writable_schema"),
    "delete": ("delete from deposits", "select 1", "DELETE is refused"),
    "script": (
        "select 1; drop table deposits",
        "select 1",
        "one statement per source: the query holds several",
    ),
}


@pytest.mark.parametrize("attack", ATTACKS, ids=list(ATTACKS))
def test_a_query_can_neither_write_nor_reach_another_file(tmp_path, api, attack):
    outside = tmp_path / "outside.db"
    first, second, refused = (text.format(outside=outside) for text in ATTACKS[attack])
    repo = measured_repo(
        tmp_path,
        api,
        **{
            "goals/company.yaml": company(f'{{sql: "{first}", database: metrics}}'),
            "goals/teams/signups.yaml": team(f'{{sql: "{second}", database: metrics}}'),
        },
    )
    database = repo.root / "data/metrics.db"
    assert repo.git("ls-files", "data/metrics.db") == "data/metrics.db"
    before = database.read_bytes()
    result = measure(repo, "--dry-run")
    errors = {f["ref"]: f["error"] for f in result.json()["failed"]}
    assert refused in errors["acme/grow/deposits"], errors
    assert database.read_bytes() == before
    assert not outside.exists()
    assert repo.git("status", "--porcelain") == ""
    with sqlite3.connect(database) as db:  # every table still there
        tables = {row[0] for row in db.execute("select name from sqlite_master")}
    assert tables == {"deposits", "launches"}


def test_reading_queries_still_work_with_the_guard(tmp_path, api):
    recursive = (
        "with recursive r(n) as (select 1 union all select n + 1 from r where n < 4) "
        "select sum(n) + (select count(*) from deposits) from r"
    )
    sql = company(f'{{sql: "{recursive}", database: metrics}}')
    repo = measured_repo(tmp_path, api, **{"goals/company.yaml": sql})
    result = measure(repo, "acme", "--dry-run")
    assert result.exit_code == 0, result.stdout
    assert result.json()["measured"][0]["new"] == 13


@pytest.mark.parametrize(
    ("sql", "written"),
    [
        ("select 55.0", "        current: 55\n"),  # the file holds an integer: it stays one
        ("select 55.25", "        current: 55.25\n"),
        ("select 55", "        current: 55\n"),
    ],
)
def test_a_value_is_written_in_the_shape_the_file_uses(tmp_path, api, sql, written):
    repo = measured_repo(
        tmp_path, api, **{"goals/company.yaml": company(f'{{sql: "{sql}", database: metrics}}')}
    )
    result = measure(repo, "acme")
    assert result.exit_code == 0, result.stdout
    assert written in (repo.root / "goals/company.yaml").read_text()
    history = run_cli("history", "acme/grow/deposits", "--repo", repo.root, "--format", "json")
    assert [c["value"] for c in history.json()["checkins"]][-1] == float(written.split()[-1])


def test_history_shows_each_ref_its_own_line_of_a_measure_commit(tmp_path, api):
    repo = measured_repo(tmp_path, api)
    assert measure(repo).exit_code == 0
    notes = {}
    for ref in ("acme/grow/deposits", "growth/convert/rate"):
        history = run_cli("history", ref, "--repo", repo.root, "--format", "json").json()
        notes[ref] = history["checkins"][-1]["note"]
    assert notes == {
        "acme/grow/deposits": "acme/grow/deposits: 12 → 15.5",
        "growth/convert/rate": "growth/convert/rate: none → 35.5",
    }
