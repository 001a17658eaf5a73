"""The guard on a crawl state from elsewhere: what its refusal says, and statement deadlines.

A refused state is reported in one line (the crawl log, the flow's error): the objects that
are not warta's, then those missing or altered, each list in kind-then-name order and cut
at three, so the same file always gives the same message. The deadline that stops a
crafted query must never stop an honest one, however many rows it walks.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from crawler.incremental import sqlite_guard
from crawler.incremental.store import CrawlState

PREFIX = "schema is not warta's crawl state: "
# Counts to n row by row: far more SQLite VM steps than one progress-handler interval.
COUNT_TO = "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < {n}) "


def _state(folder: Path, sql: str) -> sqlite3.Connection:
    """A genuine state file, altered by ``sql``, opened without the guard's checks."""
    path = folder / "state.sqlite"
    with CrawlState(path) as state:
        state.start_run("c1", folder / "out")
    db = sqlite3.connect(path)
    db.executescript(sql)
    return db


@pytest.mark.parametrize(
    ("sql", "problem"),
    [
        pytest.param(
            "CREATE TABLE zz (x); CREATE TABLE yy (x); CREATE INDEX a_idx ON zz (x);"
            "CREATE INDEX b_idx ON yy (x); CREATE VIEW a_view AS SELECT 1;",
            "unexpected index 'a_idx', unexpected index 'b_idx', unexpected table 'yy'",
            id="five-extra",
        ),
        pytest.param(
            "CREATE TABLE notes (x TEXT); DROP TABLE urls; DROP TABLE runs;",
            "unexpected table 'notes', missing or altered index 'sqlite_autoindex_urls_1', "
            "missing or altered index 'urls_by_key', missing or altered table 'runs'",
            id="extra-and-four-missing",
        ),
        pytest.param(
            "ALTER TABLE runs ADD COLUMN extra TEXT;",
            "unexpected table 'runs', missing or altered table 'runs'",
            id="altered",
        ),
    ],
)
def test_a_foreign_schema_is_named_in_one_stable_line(
    tmp_path: Path, sql: str, problem: str
) -> None:
    db = _state(tmp_path, sql)
    try:
        assert sqlite_guard.schema_problem(db) == PREFIX + problem
    finally:
        db.close()


def test_missing_objects_are_named_by_kind_then_name(monkeypatch: pytest.MonkeyPatch) -> None:
    """Not by the table they belong to: index a_idx (on zz) comes before b_idx (on yy)."""
    expected = frozenset(
        {
            ("index", "b_idx", "yy", "CREATE INDEX b_idx ON yy (x)"),
            ("index", "a_idx", "zz", "CREATE INDEX a_idx ON zz (x)"),
            ("table", "yy", "yy", "CREATE TABLE yy (x)"),
        }
    )
    monkeypatch.setattr(sqlite_guard, "expected_objects", lambda: expected)
    db = sqlite3.connect(":memory:")
    problem = sqlite_guard.schema_problem(db)
    db.close()
    assert problem == PREFIX + (
        "missing or altered index 'a_idx', missing or altered index 'b_idx', "
        "missing or altered table 'yy'"
    )


def test_a_genuine_state_has_no_problem(tmp_path: Path) -> None:
    db = _state(tmp_path, "")
    assert sqlite_guard.schema_problem(db) is None
    db.close()


def test_an_honest_long_statement_runs_to_its_end() -> None:
    """The deadline is checked every PROGRESS_STEPS VM steps; an honest statement that
    takes many of them (execute or executescript) finishes well within it."""
    db = sqlite_guard.connect(":memory:")
    try:
        assert db.execute(COUNT_TO.format(n=200_000) + "SELECT count(*) FROM c").fetchone() == (
            200_000,
        )
        db.executescript("CREATE TABLE t AS " + COUNT_TO.format(n=200_000) + "SELECT n FROM c;")
        assert db.execute("SELECT max(n) FROM t").fetchone() == (200_000,)
    finally:
        db.close()


def test_the_deadline_is_the_one_asked_for() -> None:
    db = sqlite_guard.connect(":memory:", statement_seconds=0.05)
    try:
        with pytest.raises(sqlite3.OperationalError, match="interrupted"):
            db.execute(COUNT_TO.format(n=10_000_000) + "SELECT count(*) FROM c").fetchone()
        assert db.execute("SELECT 1").fetchone() == (1,)  # the next statement has its own
    finally:
        db.close()
