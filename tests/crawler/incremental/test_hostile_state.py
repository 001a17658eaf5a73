"""A crafted state snapshot from shared storage (issue 27, finding 4).

A snapshot whose ``runs`` table is replaced by an endlessly recursive view passed the
integrity and ``meta`` checks, and the crawl then spun at 100 % CPU for over ten minutes,
deaf to SIGTERM and to its time limit. Here the files are real SQLite databases made the
way an attacker would: a genuine state exported by warta, then altered with SQL.
"""

from __future__ import annotations

import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from crawler.incremental import sqlite_guard
from crawler.incremental.snapshot import export_state, import_state
from crawler.incremental.store import CrawlState, StateError
from crawler.process.runner import CRAWL_CLOSE_GRACE, CrawlFailed, crawl_deadline, run_crawl
from tests.conftest import PolitenessOff
from tests.scripted_server import ScriptedServer

RUNS_COLUMNS = "id, crawl_id, output_dir, started, finished, reason"
# Never yields a row, never ends: pure CPU, as the attack was.
ENDLESS = ("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) "
           "SELECT n, 'x', '/tmp', 'now', NULL, NULL FROM r WHERE n < 0")  # fmt: skip
ALTERATIONS = {
    "recursive view": f"DROP TABLE runs; CREATE VIEW runs({RUNS_COLUMNS}) AS {ENDLESS};",
    "trigger": "CREATE TRIGGER t AFTER INSERT ON urls BEGIN DELETE FROM articles; END;",
    "extra table": "CREATE TABLE notes (x TEXT);",
    "altered column": "ALTER TABLE runs ADD COLUMN extra TEXT;",
}


def _genuine(folder: Path) -> Path:
    with CrawlState(folder / "state.sqlite") as state:
        state.start_run("20260101T000000Z", folder / "crawl")
        state.finish_run("finished")
    return export_state(folder / "state.sqlite", folder / "snapshot.sqlite")


def _crafted(folder: Path, sql: str) -> Path:
    snapshot = _genuine(folder)
    db = sqlite3.connect(snapshot)
    db.executescript(sql)
    db.close()
    return snapshot


@pytest.mark.parametrize("alteration", ALTERATIONS)
def test_a_snapshot_whose_schema_is_not_warta_s_is_refused(tmp_path: Path, alteration: str) -> None:
    snapshot = _crafted(tmp_path, ALTERATIONS[alteration])
    good = tmp_path / "worker" / "state.sqlite"
    import_state(_genuine(tmp_path / "good"), good)
    before = good.read_bytes()
    with pytest.raises(StateError, match="schema is not warta's"):
        import_state(snapshot, good)
    assert good.read_bytes() == before  # the good state stays
    with pytest.raises(StateError, match="schema is not warta's"):
        CrawlState(snapshot)  # nor does a crawl open one placed by hand


def test_a_genuine_snapshot_is_accepted(tmp_path: Path) -> None:
    target = import_state(_genuine(tmp_path), tmp_path / "worker" / "state.sqlite")
    with CrawlState(target) as state:
        assert state.counts()["runs"] == 1


def test_every_statement_has_a_deadline(tmp_path: Path) -> None:
    snapshot = _crafted(tmp_path, ALTERATIONS["recursive view"])
    db = sqlite_guard.connect(str(snapshot), statement_seconds=1.0)
    started = time.monotonic()
    with pytest.raises(sqlite3.OperationalError, match="interrupted"):
        db.execute("SELECT * FROM runs WHERE finished IS NULL").fetchall()
    assert time.monotonic() - started < 5
    assert db.execute("SELECT count(*) FROM urls").fetchone()[0] == 0  # the next one runs
    db.close()


def test_the_crawl_state_keeps_the_deadline_it_is_given(tmp_path: Path) -> None:
    """WARTA_STATE_STATEMENT_TIMEOUT reaches every statement on the state; by default
    the guard's minute lets an honest long statement run to its end."""
    count = ("WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < {n}) "
             "SELECT count(*) FROM c")  # fmt: skip
    with CrawlState(tmp_path / "state.sqlite", statement_seconds=0.05) as state:
        with pytest.raises(sqlite3.OperationalError, match="interrupted"):
            state.db.execute(count.format(n=2_000_000)).fetchone()
        assert state.counts()["runs"] == 0  # the next statement runs
    with CrawlState(tmp_path / "state.sqlite") as state:
        assert state.db.execute(count.format(n=200_000)).fetchone()[0] == 200_000


def test_the_flow_kills_a_crawl_after_its_own_limit_by_default() -> None:
    assert crawl_deadline({}) == 12 * 3600 + CRAWL_CLOSE_GRACE
    assert crawl_deadline({"CLOSESPIDER_TIMEOUT": "600"}) == 600 + CRAWL_CLOSE_GRACE
    assert crawl_deadline({"CLOSESPIDER_TIMEOUT": 0}) == 12 * 3600 + CRAWL_CLOSE_GRACE
    assert crawl_deadline({}, 30) == 30


@pytest.mark.slow
def test_a_crawl_handed_the_crafted_state_stops_at_once(
    tmp_path: Path, politeness_off: PolitenessOff
) -> None:
    """The whole attack: the crafted file where the crawl's state lives."""
    state = _crafted(tmp_path, ALTERATIONS["recursive view"])
    settings = politeness_off(WARTA_STATE_PATH=str(state), WARTA_EXTRACT_WORKERS=0)
    started = time.monotonic()
    with ScriptedServer({}) as server, pytest.raises(CrawlFailed):
        try:
            run_crawl("niaga", tmp_path / "crawl", "20260101T000000Z", base_url=server.base_url,
                      settings=settings, timeout=120)  # fmt: skip
        except subprocess.TimeoutExpired:
            pytest.fail("the crawl hung on the crafted state")
    assert time.monotonic() - started < 100
    assert "schema is not warta's" in (tmp_path / "crawl" / "crawl.log").read_text()
