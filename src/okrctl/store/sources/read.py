"""Read the numbers `measure:` blocks point at: SQL through SQLAlchemy, CSV files, JSON APIs.

One `Sources` per `okrctl measure` run: one engine per database (made on first use), and a
connection of its own for each source, so nothing one query sets (an attached database, a
setting) reaches the next; one HTTP client; a deadline per source. SQL is one statement, run in a
read-only transaction that is always rolled back: SQLite files are opened read-only with
`query_only` on and an authorizer that lets a query only read, PostgreSQL sessions are read-only
and every statement goes through the extended protocol (one command, never a script); other
databases never see a commit. Every error message is cleaned of the secrets this run read
(passwords in URLs, header values), whatever a driver echoes. What is refused, and why, is in
docs/measure.md ("What is refused").
"""

from __future__ import annotations

import csv
import json
import math
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from okrctl.model.bounds import MAX_MAGNITUDE
from okrctl.model.config import Database
from okrctl.model.controls import visible
from okrctl.model.measure import Measure
from okrctl.store.sources.measure_files import csv_problem
from okrctl.store.sources.sql_access import (
    SQLITE_READS,
    close_quietly,
    driver_message,
    missing_driver,
    no_pool,
    one_statement,
    refused_message,
    sqlite_action_name,
)
from okrctl.store.yaml.scalars import plain_number
from okrctl.store.yaml.splice import MILESTONE_WORDS

if TYPE_CHECKING:
    import httpx
    from sqlalchemy.engine import Connection, Engine


DEFAULT_MAX_BODY = 10_000_000  # bytes an HTTP source may answer (10 MB)


class SourceError(Exception):
    """A source that gave no usable number; the message says why (secrets removed, and a
    control character a database's or a server's words carry shown as its picture)."""

    def __init__(self, message: str) -> None:
        super().__init__(visible(message))


@dataclass(frozen=True, slots=True)
class Window:
    """What a query may bind: the day measured and the period around it (ISO dates)."""

    as_of: date
    period_start: date
    period_end: date

    def binds(self) -> dict[str, str]:
        return {
            "as_of": self.as_of.isoformat(),
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
        }


@dataclass(slots=True)
class Sources:
    root: Path
    databases: Mapping[str, Database]
    window: Window
    timeout: float = 30.0
    environ: Mapping[str, str] = field(default_factory=dict)
    max_body: int = DEFAULT_MAX_BODY
    _engines: dict[str, Engine] = field(default_factory=dict)
    _unreachable: dict[str, str] = field(default_factory=dict)
    _refused: list[str] = field(default_factory=list)
    _http: httpx.Client | None = None
    secrets: set[str] = field(default_factory=set)
    _deadline: float = float("inf")

    def read(self, measure: Measure, *, milestone: bool = False) -> int | float | bool:
        """The number (for a milestone, whether it is done) that `measure` points at."""
        try:
            if measure.sql is not None:
                raw = self._sql(measure.sql, measure.database or "")
            elif measure.csv is not None:
                raw = self._csv(measure.csv, measure.column or "", measure.row or "last")
            else:
                raw = self._http_json(measure)
            return as_value(raw, milestone=milestone)
        except SourceError as error:
            raise SourceError(self.redact(str(error))) from None

    def redact(self, text: str) -> str:
        for secret in sorted(self.secrets, key=len, reverse=True):
            if secret:
                text = text.replace(secret, "***")
        return text

    def close(self) -> None:
        for engine in self._engines.values():
            engine.dispose()
        if self._http is not None:
            self._http.close()

    # --- SQL ------------------------------------------------------------------------------

    def _sql(self, query: str, name: str) -> Any:
        from sqlalchemy import exc, text

        connection = self._connection(name)
        started = time.monotonic()
        self._deadline = started + self.timeout
        self._refused.clear()
        try:
            rows = connection.execute(text(query), self.window.binds()).all()
        except exc.SQLAlchemyError as error:
            if self._refused:
                raise SourceError(refused_message(self._refused[0])) from None
            if time.monotonic() - started >= self.timeout * 0.99:
                raise SourceError(f"timed out after {self.timeout:g} s") from None
            raise SourceError(one_statement(driver_message(error))) from None
        finally:
            close_quietly(connection)  # rolled back: nothing a query did is ever kept
        if not rows:
            raise SourceError("the query returned no row")
        if len(rows) > 1:
            raise SourceError(f"the query returned {len(rows)} rows; it must return one")
        if len(rows[0]) != 1:
            raise SourceError(f"the query returned {len(rows[0])} columns; it must return one")
        return rows[0][0]

    def _connection(self, name: str) -> Connection:
        """A new connection for one source, from the database's engine."""
        from sqlalchemy import exc

        broken = self._unreachable.get(name)
        if broken is not None:  # asked once: 500 sources must not wait 500 timeouts
            raise SourceError(broken)
        try:
            engine = self._engine(name)
            connection = engine.connect()
            if engine.dialect.name == "postgresql":
                milliseconds = int(self.timeout * 1000)
                connection.exec_driver_sql(f"SET statement_timeout = {milliseconds}")
                connection.exec_driver_sql("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
                connection.commit()
        except exc.SQLAlchemyError as error:
            self._unreachable[name] = f"database `{name}`: {driver_message(error)}"
            raise SourceError(self._unreachable[name]) from None
        except SourceError as error:
            self._unreachable[name] = str(error)
            raise
        return connection

    def _engine(self, name: str) -> Engine:
        found = self._engines.get(name)
        if found is not None:
            return found
        from sqlalchemy import create_engine, event, exc
        from sqlalchemy.engine import make_url

        database = self.databases.get(name)
        if database is None:
            raise SourceError(f"database `{name}` is not declared under `databases:`")
        if database.url_env is not None:
            url_text = self.environ.get(database.url_env)
            if not url_text:
                raise SourceError(
                    f"the environment variable {database.url_env} (database `{name}`) is not set"
                )
        else:
            assert database.url is not None
            url_text = database.url
        try:
            url = make_url(url_text)
        except exc.ArgumentError:
            raise SourceError(f"database `{name}`: not an SQLAlchemy URL") from None
        if url.password:
            self.secrets.update((str(url.password), url_text))
        backend = url.get_backend_name()
        connect_args: dict[str, Any] = {}
        if backend == "sqlite":
            url = self._sqlite_read_only(url, name)
        elif backend == "postgresql":
            connect_args["connect_timeout"] = max(1, math.ceil(self.timeout))
            if url.get_driver_name() == "psycopg":
                # Every statement prepared: the extended protocol takes one command, so a
                # `select 1; commit; set ... read write; delete ...` script is refused.
                connect_args["prepare_threshold"] = 0
        try:
            engine = create_engine(url, connect_args=connect_args, poolclass=no_pool())
        except (exc.ArgumentError, exc.NoSuchModuleError, ImportError) as error:
            raise SourceError(f"database `{name}`: {missing_driver(error, backend)}") from None
        self._engines[name] = engine
        if backend == "sqlite":
            event.listen(engine, "connect", self._sqlite_guard)
        return engine

    def _sqlite_read_only(self, url: Any, name: str) -> Any:
        """A SQLite file, relative to the repository root, opened read-only: never created."""
        database = url.database or ""
        if database in ("", ":memory:") or database.startswith("file:"):
            return url
        path = Path(database)
        if not path.is_absolute():
            path = self.root / path
        if not path.is_file():
            raise SourceError(f"database `{name}`: no SQLite file at {url.database}")
        return url.set(database=f"file:{path.resolve()}?mode=ro", query={"uri": "true"})

    def _sqlite_guard(self, dbapi_connection: Any, _record: Any) -> None:
        """Each SQLite connection may only read: `query_only` on, and an authorizer that refuses
        every action but reading tables and calling functions (ATTACH would open another file
        read-write, and `VACUUM INTO` writes a new one). SQLite has no statement timeout: a
        progress handler interrupts a query that runs past the deadline `_sql` sets (checked
        every 10,000 virtual machine steps)."""
        dbapi_connection.execute("PRAGMA query_only = ON")
        dbapi_connection.set_authorizer(self._sqlite_authorize)
        dbapi_connection.set_progress_handler(
            lambda: 1 if time.monotonic() > self._deadline else 0, 10_000
        )

    def _sqlite_authorize(self, action: int, first: str | None, *_rest: str | None) -> int:
        import sqlite3

        if action in SQLITE_READS:
            return sqlite3.SQLITE_OK
        self._refused.append(sqlite_action_name(action, first))
        return sqlite3.SQLITE_DENY

    # --- CSV ------------------------------------------------------------------------------

    def _csv(self, relative: str, column: str, row: str) -> Any:
        problem = csv_problem(self.root, relative)
        if problem is not None:
            raise SourceError(problem)
        try:
            with open(self.root / relative, encoding="utf-8-sig", newline="") as file:
                reader = csv.DictReader(file)
                if reader.fieldnames is None or column not in reader.fieldnames:
                    names = ", ".join(f"`{n}`" for n in reader.fieldnames or [])
                    raise SourceError(
                        f"{relative} has no column `{column}`"
                        + (f" (its columns: {names})" if names else " (the file is empty)")
                    )
                cells = [(number, line[column]) for number, line in enumerate(reader, start=2)]
        except (OSError, UnicodeDecodeError, csv.Error) as error:
            raise SourceError(f"cannot read {relative}: {error}") from None
        filled = [(number, (text or "").strip()) for number, text in cells]
        filled = [(number, text) for number, text in filled if text]
        if row == "count":
            return len(filled)
        if not filled:
            raise SourceError(f"{relative}: column `{column}` has no values")
        if row in ("last", "first"):
            number, text = filled[-1] if row == "last" else filled[0]
            return _csv_number(text, relative, number, column)
        values = [_csv_number(text, relative, number, column) for number, text in filled]
        if row == "sum":
            return math.fsum(values)
        if row == "mean":
            return math.fsum(values) / len(values)
        return min(values) if row == "min" else max(values)

    # --- HTTP -----------------------------------------------------------------------------

    def _http_json(self, measure: Measure) -> Any:
        import httpx
        import jmespath
        from jmespath.exceptions import JMESPathError

        assert measure.http is not None and measure.json_path is not None
        headers = {}
        for header, value in measure.headers.items():
            secret = self.environ.get(value.env)
            if secret is None:
                raise SourceError(
                    f"the environment variable {value.env} (header {header}) is not set"
                )
            self.secrets.add(secret)
            headers[header] = secret
        deadline = time.monotonic() + self.timeout
        if self._http is None:
            self._http = httpx.Client(timeout=self.timeout, follow_redirects=True)
        outcome: list[tuple[int, str, str, bytes] | BaseException] = []
        worker = threading.Thread(
            target=self._fetch, args=(measure.http, headers, deadline, outcome), daemon=True
        )
        worker.start()
        # The timeout is a deadline for the whole source: a server that drips a byte a second,
        # or stalls after its headers, is given up on when it passes (the worker, a daemon,
        # ends at its next read); no source holds the run longer than the timeout.
        worker.join(self.timeout)
        if worker.is_alive() or not outcome:
            raise SourceError(f"timed out after {self.timeout:g} s")
        answer = outcome[0]
        if isinstance(answer, BaseException):
            raise _request_error(answer, self.timeout)
        status, reason, kind, body = answer
        if status >= 400:
            raise SourceError(f"HTTP {status} {reason}".rstrip())
        data = _json_answer(body, kind)
        try:
            found = jmespath.search(measure.json_path, data)
        except JMESPathError as error:
            raise SourceError(f"`json: {measure.json_path}` is not a JMESPath: {error}") from None
        if found is None:
            raise SourceError(f"`json: {measure.json_path}` finds nothing in the answer")
        return found

    def _fetch(
        self,
        url: str,
        headers: dict[str, str],
        deadline: float,
        outcome: list[tuple[int, str, str, bytes] | BaseException],
    ) -> None:
        """GET `url` in a worker thread, streaming the body up to `max_body` bytes and never
        past `deadline`; the answer (status, reason, content type, body) or the error lands in
        `outcome`."""
        assert self._http is not None
        try:
            with self._http.stream("GET", url, headers=headers) as response:
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > self.max_body:
                    raise SourceError(_too_large(self.max_body, f"{int(declared):,} bytes"))
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > self.max_body:
                        raise SourceError(_too_large(self.max_body, "cut off there"))
                    if time.monotonic() > deadline:
                        raise SourceError(f"timed out after {self.timeout:g} s")
                kind = response.headers.get("content-type", "")
                outcome.append((response.status_code, response.reason_phrase, kind, bytes(body)))
        except BaseException as error:  # handed to the caller, which says what went wrong
            outcome.append(error)














def _request_error(error: BaseException, timeout: float) -> SourceError:
    """What the worker of an HTTP source met, as the source's failure."""
    import httpx

    if isinstance(error, SourceError):
        return error
    if isinstance(error, httpx.TimeoutException):
        return SourceError(f"timed out after {timeout:g} s")
    if isinstance(error, httpx.HTTPError):
        return SourceError(f"the request failed: {error}")
    return SourceError(f"the request failed: {type(error).__name__}: {error}")


def _json_answer(body: bytes, kind: str) -> Any:
    """The answer as JSON data: not JSON, or nested deeper than Python can follow, is a bad
    source, never a crash."""
    try:
        return json.loads(body)
    except RecursionError:
        raise SourceError("the answer is nested too deeply to read as JSON") from None
    except (ValueError, UnicodeDecodeError):
        raise SourceError(f"the answer is not JSON ({kind or 'no content type'})") from None


def _too_large(limit: int, detail: str) -> str:
    return (
        f"the answer is larger than the {limit:,}-byte limit ({detail}); `okrctl measure"
        " --max-body BYTES` raises it"
    )








def _csv_number(text: str, relative: str, line: int, column: str) -> float | int:
    value = plain_number(text)
    if value is None:
        raise SourceError(f"{relative}:{line}: `{column}` is {text!r}, not a number")
    return value


def as_value(raw: Any, *, milestone: bool) -> int | float | bool:
    """A source's answer as a check-in value: a finite number within okrctl's range, or (for a
    milestone) true or false."""
    if raw is None:
        raise SourceError("the source gave NULL (no value)")
    if milestone:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, int | float | Decimal):
            return bool(raw)
        if isinstance(raw, str) and raw.strip().lower() in MILESTONE_WORDS:
            return MILESTONE_WORDS[raw.strip().lower()]
        raise SourceError(f"{_shown(raw)} is not a milestone value (true/false, 1/0)")
    if isinstance(raw, bool):
        raise SourceError(f"{_shown(raw)} is not a number")
    if isinstance(raw, Decimal):
        raw = int(raw) if raw == raw.to_integral_value() else float(raw)
    if isinstance(raw, str):
        parsed = plain_number(raw.strip())
        if parsed is None:
            raise SourceError(f"{_shown(raw)} is not a number")
        raw = parsed
    if not isinstance(raw, int | float):
        raise SourceError(f"{_shown(raw)} is not a number")
    if isinstance(raw, float) and not math.isfinite(raw):
        raise SourceError(f"{raw} is not a finite number")
    if abs(raw) > MAX_MAGNITUDE:
        raise SourceError(f"{raw} is too large: okrctl takes numbers up to 10^15 in size")
    return raw


def _shown(raw: Any) -> str:
    text = repr(raw)
    return text if len(text) <= 40 else text[:37] + "…"
