"""Opening a crawl state that came from elsewhere: exactly warta's schema, and bounded work.

A state snapshot travels through shared storage, so whoever can write there can hand a crawl
any SQLite file. One that passed the integrity and ``meta`` checks but had its ``runs`` table
replaced by an endlessly recursive view spun a crawl at 100 % CPU, deaf to SIGTERM and to
the crawl's time limit, while it held the site's lease. Two defences here:

- :func:`schema_problem` accepts a database only when its ``sqlite_master`` is exactly what
  :data:`~crawler.incremental.schema.SCHEMA` creates: the same tables and indexes with the
  same SQL, and no view, trigger or anything else;
- :func:`connect` gives every statement a deadline, enforced by SQLite's progress handler
  (which runs inside the query, where a Python signal handler cannot reach), so no query,
  however it was made, runs longer than ``statement_seconds``.
"""

from __future__ import annotations

import sqlite3
import time
from functools import cache
from typing import Any

from crawler.incremental.schema import SCHEMA

PROGRESS_STEPS = 10_000  # SQLite VM instructions between deadline checks (~1 ms)
STATEMENT_SECONDS = 60.0  # the longest one statement on the state may take
SchemaObject = tuple[str, str, str, str | None]  # type, name, table, SQL


@cache
def expected_objects() -> frozenset[SchemaObject]:
    """``sqlite_master`` of a state made by this code: its tables, indexes and SQLite's own."""
    db = sqlite3.connect(":memory:")
    try:
        db.executescript(SCHEMA)
        return frozenset(_objects(db))
    finally:
        db.close()


def _objects(db: sqlite3.Connection) -> list[SchemaObject]:
    rows = db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
    return [
        (str(t), str(n), str(tbl), None if sql is None else str(sql)) for t, n, tbl, sql in rows
    ]


def schema_problem(db: sqlite3.Connection) -> str | None:
    """What makes ``db``'s schema other than warta's (one line), or None if it is exactly it."""
    found = set(_objects(db))
    expected = expected_objects()
    extra = sorted(found - expected, key=lambda o: (o[0], o[1]))
    missing = sorted(expected - found, key=lambda o: (o[0], o[1]))
    if not extra and not missing:
        return None
    parts = [f"unexpected {kind} {name!r}" for kind, name, _, _ in extra[:3]]
    parts += [f"missing or altered {kind} {name!r}" for kind, name, _, _ in missing[:3]]
    return "schema is not warta's crawl state: " + ", ".join(parts)


class DeadlineConnection(sqlite3.Connection):
    """A connection whose every ``execute``/``executescript`` must finish within a deadline.

    The clock starts at ``execute``; fetching rows afterwards counts towards the same
    statement. Past the deadline SQLite stops with ``OperationalError: interrupted``.
    """

    statement_seconds = STATEMENT_SECONDS
    _started = 0.0

    def start_clock(self, seconds: float) -> None:
        self.statement_seconds = seconds
        self.set_progress_handler(self._past_deadline, PROGRESS_STEPS)

    def _past_deadline(self) -> int:
        return int(time.monotonic() - self._started > self.statement_seconds)

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        self._started = time.monotonic()
        return super().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Any, /) -> sqlite3.Cursor:
        self._started = time.monotonic()
        return super().executemany(sql, parameters)

    def executescript(self, sql_script: str, /) -> sqlite3.Cursor:
        self._started = time.monotonic()
        return super().executescript(sql_script)


def connect(
    database: str, statement_seconds: float = STATEMENT_SECONDS, **options: Any
) -> DeadlineConnection:
    """``sqlite3.connect`` with a deadline on every statement (see :class:`DeadlineConnection`)."""
    db = sqlite3.connect(database, factory=DeadlineConnection, **options)
    assert isinstance(db, DeadlineConnection)
    db.start_clock(statement_seconds)
    return db


__all__ = [
    "STATEMENT_SECONDS",
    "DeadlineConnection",
    "connect",
    "expected_objects",
    "schema_problem",
]
