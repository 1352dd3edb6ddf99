"""What an SQL source may do, and what its failures say: SQLite's authorizer allows reads only
(docs/measure.md, "Safety"), a script of several statements is refused, drivers' errors are
shortened to their first line, and a missing driver names the package to install."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection


# What a measure: query may do in SQLite: SELECT, read a column, call a function, recurse in a
# WITH (sqlite3's SQLITE_SELECT, SQLITE_READ, SQLITE_FUNCTION and SQLITE_RECURSIVE codes).
SQLITE_READS = frozenset({21, 20, 31, 33})


# The authorizer's action codes, 0 to 33, as sqlite3.h numbers them.
SQLITE_ACTIONS = (
    *("COPY", "CREATE_INDEX", "CREATE_TABLE", "CREATE_TEMP_INDEX", "CREATE_TEMP_TABLE"),
    *("CREATE_TEMP_TRIGGER", "CREATE_TEMP_VIEW", "CREATE_TRIGGER", "CREATE_VIEW", "DELETE"),
    *("DROP_INDEX", "DROP_TABLE", "DROP_TEMP_INDEX", "DROP_TEMP_TABLE", "DROP_TEMP_TRIGGER"),
    *("DROP_TEMP_VIEW", "DROP_TRIGGER", "DROP_VIEW", "INSERT", "PRAGMA", "READ", "SELECT"),
    *("TRANSACTION", "UPDATE", "ATTACH", "DETACH", "ALTER_TABLE", "REINDEX", "ANALYZE"),
    *("CREATE_VTABLE", "DROP_VTABLE", "FUNCTION", "SAVEPOINT", "RECURSIVE"),
)


def sqlite_action_name(action: int, first: str | None) -> str:
    """`ATTACH`, `PRAGMA writable_schema`, `DELETE`...: what a refused action is called."""
    known = 0 <= action < len(SQLITE_ACTIONS)
    name = SQLITE_ACTIONS[action].replace("_", " ") if known else f"action {action}"
    if name == "PRAGMA" and first:
        return f"PRAGMA {first}"
    return name


def refused_message(action: str) -> str:
    return (
        f"{action} is refused: a measure: query may only read (one SELECT; no ATTACH, PRAGMA or"
        " writes)"
    )


def one_statement(message: str) -> str:
    """The drivers' words for a script of several statements, said plainly."""
    lowered = message.lower()
    if "one statement at a time" in lowered or "multiple commands" in lowered:
        return f"one statement per source: the query holds several ({message})"
    return message


def close_quietly(connection: Connection) -> None:
    try:
        connection.rollback()
        connection.close()
    except Exception:  # closing after a failure: nothing more to report
        pass


def no_pool() -> Any:
    from sqlalchemy.pool import NullPool

    return NullPool


def driver_message(error: Exception) -> str:
    """The driver's own message, first line, without SQLAlchemy's background link."""
    original = getattr(error, "orig", None) or error
    text = str(original).strip().splitlines()
    return text[0] if text else type(original).__name__


def missing_driver(error: Exception, backend: str) -> str:
    if isinstance(error, ImportError) and backend == "postgresql":
        return "the PostgreSQL driver is not installed: pip install 'okrctl[postgres]'"
    return driver_message(error)
