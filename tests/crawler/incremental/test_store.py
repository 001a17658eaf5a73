"""The crawl state DB: rows, durability, reconciliation from WARCs, export and import."""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler.incremental.interrupted import archived_responses
from crawler.incremental.revisits import read_archived
from crawler.incremental.snapshot import export_state, import_state
from crawler.incremental.store import CrawlState, StateError
from crawler.warc.records import CapturedRequest, CapturedResponse
from crawler.warc.writer import RotatingWarcWriter

T0 = datetime(2026, 11, 27, 1, 2, 3, tzinfo=UTC)
URL = "http://127.0.0.1:8000/pemilu-2024/"


def archive(folder: Path, url: str = URL, body: bytes = b"<html>berita</html>") -> tuple:
    """One exchange written the way the middleware writes it; the writer is left open."""
    writer = RotatingWarcWriter(folder, prefix="t", host="h")
    req = CapturedRequest("GET", url, [("User-Agent", "warta")], T0)
    resp = CapturedResponse(
        url, "HTTP/1.1", 200, "OK", [("Content-Type", "text/html"), ("ETag", '"abc"')], body, T0
    )
    return writer, writer.write_exchange(req, resp)


def record(state: CrawlState, folder: Path, location, body: bytes = b"<html>berita</html>") -> None:
    from crawler.warc.records import payload_digest

    state.record_response(
        URL,
        kind="article",
        status=200,
        etag='"abc"',
        last_modified=None,
        payload_digest=payload_digest(body),
        warc_path=folder / location.file,
        offset=location.offset,
        length=location.length,
        record_id=location.record_id,
        warc_date=T0,
    )


def test_rows_round_trip_and_archived_copy_reads_back(tmp_path: Path) -> None:
    writer, location = archive(tmp_path / "out")
    with CrawlState(tmp_path / "s.sqlite") as state:
        state.start_run("c1", tmp_path / "out")
        record(state, tmp_path / "out", location)
        capture = state.capture(URL)
        assert capture is not None and capture.archived and capture.etag == '"abc"'
        assert state.is_archived("127.0.0.1:8000/pemilu-2024")
        # the record is still in the .open file: it is found there
        archived = read_archived(capture)
        assert archived is not None and archived.body == b"<html>berita</html>"
        writer.close()
        assert read_archived(capture) is not None  # and under its final name
        state.record_response(
            URL,
            kind="page",
            status=500,
            etag=None,
            last_modified=None,
            payload_digest=None,
            warc_path=tmp_path / "x.warc.gz",
            offset=0,
            length=1,
            record_id="<x>",
            warc_date=T0,
        )
        after = state.capture(URL)
        assert after is not None and after.archived and after.last_status == 500
        assert after.kind == "article" and after.record_id == location.record_id


def test_uncommitted_rows_are_recovered_from_the_warcs_of_an_unfinished_run(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    _, location = archive(out)  # never closed: a killed crawl's .open file
    state = CrawlState(tmp_path / "s.sqlite", commit_interval=3600)
    state.start_run("killed", out)
    record(state, out, location)  # pending in a transaction that is never committed
    state.db.close()  # the process dies: nothing after start_run was committed
    with CrawlState(tmp_path / "s.sqlite") as again:
        assert again.capture(URL) is None
        assert again.reconcile() == 1
        capture = again.capture(URL)
        assert capture is not None and capture.record_id == location.record_id
        assert capture.etag == '"abc"' and capture.warc_file == location.file
        assert again.reconcile() == 0  # the run is now marked interrupted


def test_export_while_open_and_import(tmp_path: Path) -> None:
    _, location = archive(tmp_path / "out")
    with CrawlState(tmp_path / "live.sqlite") as state:
        state.start_run("c1", tmp_path / "out")
        record(state, tmp_path / "out", location)
        state.flush()
        snapshot = export_state(tmp_path / "live.sqlite", tmp_path / "up" / "niaga.sqlite")
    assert not Path(str(snapshot) + "-wal").exists()
    target = import_state(snapshot, tmp_path / "worker2" / "state" / "niaga.sqlite")
    with CrawlState(target) as moved:
        assert moved.capture(URL) is not None and moved.counts()["runs"] == 1


def test_import_refuses_what_is_not_a_state_and_keeps_the_old_one(tmp_path: Path) -> None:
    good = tmp_path / "state.sqlite"
    CrawlState(good).close()
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(StateError):
        import_state(junk, good)
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(StateError):
        import_state(other, good)
    with pytest.raises(StateError):
        import_state(good, good, replace=False)
    CrawlState(good).close()  # still a good state


def test_opening_a_file_that_is_not_sqlite_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.sqlite"
    bad.write_text("hello")
    with pytest.raises(StateError, match="not a usable crawl state"):
        CrawlState(bad)


def test_a_queue_half_written_by_a_kill_is_set_aside(tmp_path: Path) -> None:
    from crawler.incremental.interrupted import set_aside_damaged_queue

    job = tmp_path / ".scrapy-job"
    (job / "requests.queue").mkdir(parents=True)
    (job / "requests.queue" / "active.json").write_text("[]")
    (job / "requests.queue" / "0s").write_bytes(b"\x00\x00\x00\x02rest")
    (job / "requests.queue" / "1s").write_bytes(b"\x00\x00\x00\x00")  # header only: empty
    assert set_aside_damaged_queue(job) is None and job.is_dir()  # sound queues stay
    slot = job / "requests.queue" / "127.0.0.1-f5287"
    slot.mkdir()
    (slot / "20").write_bytes(b"")  # created, killed before its header
    aside = set_aside_damaged_queue(job)
    assert aside is not None and aside.is_dir() and not job.exists()


def test_recovered_row_is_complete_and_a_committed_row_is_not_imported_again(
    tmp_path: Path,
) -> None:
    """Reconcile rebuilds the row from the WARC (where, what, validators, when); a row the
    killed run had already committed for the same record is left alone and not counted."""
    out = tmp_path / "out"
    writer = RotatingWarcWriter(out, prefix="t", host="h")
    headers = [("Content-Type", "text/html"), ("Last-Modified", "Mon, 02 Nov 2026 10:00:00 GMT")]
    body = b"<html>pemilu</html>"
    location = writer.write_exchange(
        CapturedRequest("GET", URL, [("User-Agent", "warta")], T0),
        CapturedResponse(URL, "HTTP/1.1", 200, "OK", headers, body, T0),
    )
    other = URL + "lain/"
    writer.write_exchange(
        CapturedRequest("GET", other, [], T0),
        CapturedResponse(other, "HTTP/1.1", 200, "OK", [], body, T0),
    )
    state = CrawlState(tmp_path / "s.sqlite", commit_interval=10**9)
    state.start_run("killed", out)
    state.db.close()
    with CrawlState(tmp_path / "s.sqlite") as again:
        assert again.reconcile() == 2
        capture = again.capture(URL)
    assert capture is not None
    assert (capture.kind, capture.status, capture.warc_file) == ("page", 200, location.file)
    assert (capture.warc_offset, capture.warc_length) == (location.offset, location.length)
    assert capture.last_modified == "Mon, 02 Nov 2026 10:00:00 GMT"
    assert capture.payload_digest == location.payload_digest
    assert capture.last_fetched == capture.warc_date == "2026-11-27T01:02:03.000000Z"

    committed = tmp_path / "committed.sqlite"
    state = CrawlState(committed, commit_interval=10**9)
    state.start_run("killed", out)
    record(state, out, location, body)
    state.flush()
    state.db.close()
    with CrawlState(committed) as again:
        assert again.reconcile() == 1  # only the other page: URL's row had been committed
        assert again.capture(URL).kind == "article"  # type: ignore[union-attr]


def test_a_new_200_replaces_the_archived_copy_and_an_error_is_still_noted(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    _, first = archive(out)
    with CrawlState(tmp_path / "s.sqlite") as state:
        record(state, out, first)
        state.record_response(
            URL, kind="article", status=200, etag=None, last_modified=None,
            payload_digest="sha1:NEW", warc_path=out / "new.warc.gz", offset=7, length=9,
            record_id="<urn:uuid:new>", warc_date=T0,
        )  # fmt: skip
        replaced = state.capture(URL)
        assert replaced is not None and replaced.record_id == "<urn:uuid:new>"
        assert (replaced.warc_file, replaced.warc_offset) == ("new.warc.gz", 7)

        gone = "http://127.0.0.1:8000/hilang/"
        state.record_response(
            gone, kind="page", status=404, etag=None, last_modified=None, payload_digest=None,
            warc_path=out / "new.warc.gz", offset=20, length=5, record_id="<urn:uuid:404>",
            warc_date=T0,
        )  # fmt: skip
        missing = state.capture(gone)
        assert missing is not None and missing.last_status == 404 and not missing.archived


def test_runs_are_numbered_and_a_finished_run_is_not_reconciled(tmp_path: Path) -> None:
    with CrawlState(tmp_path / "deep" / "er" / "s.sqlite") as state:  # folders are made
        assert state.start_run("c1", tmp_path / "out1") == 1
        state.finish_run("finished")
        assert state.start_run("c2", tmp_path / "out2") == 2
        state.finish_run("closespider_itemcount")
        assert state.counts() == {"urls": 0, "archived": 0, "articles": 0, "runs": 2}
    db = sqlite3.connect(tmp_path / "deep" / "er" / "s.sqlite")
    reasons = db.execute("SELECT crawl_id, reason FROM runs ORDER BY id").fetchall()
    db.close()
    assert reasons == [("c1", "finished"), ("c2", "closespider_itemcount")]


def test_counts_tell_urls_archived_articles_and_runs_apart(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _, location = archive(out)
    with CrawlState(tmp_path / "s.sqlite") as state:
        state.start_run("c1", out)
        record(state, out, location)
        state.record_response(
            "http://127.0.0.1:8000/x/", kind="page", status=500, etag=None, last_modified=None,
            payload_digest=None, warc_path=out / "x.warc.gz", offset=0, length=1,
            record_id="<x>", warc_date=T0,
        )  # fmt: skip
        state.record_article("k1", URL, URL, None, location.record_id, location.file, 0)
        state.record_article("k2", URL + "2/", URL + "2/", None, None, None, None)
        assert state.counts() == {"urls": 2, "archived": 1, "articles": 2, "runs": 1}


def test_with_no_commit_delay_every_write_is_committed_at_once(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _, location = archive(out)
    path = tmp_path / "s.sqlite"
    with CrawlState(path, commit_interval=0) as state:
        record(state, out, location)
        state.flush()
        state.set_kind(URL, "not-article")  # a write after a flush is timed like any other
        reader = sqlite3.connect(path)
        assert reader.execute("SELECT kind FROM urls").fetchall() == [("not-article",)]
        reader.close()


def test_a_write_waits_for_the_commit_interval_or_a_flush(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _, location = archive(out)
    path = tmp_path / "s.sqlite"
    with CrawlState(path, commit_interval=60) as state:
        record(state, out, location)
        reader = sqlite3.connect(path)
        assert reader.execute("SELECT COUNT(*) FROM urls").fetchone() == (0,)
        state.flush()
        assert reader.execute("SELECT COUNT(*) FROM urls").fetchone() == (1,)
        reader.close()


def test_an_empty_open_warc_left_by_a_kill_is_read_quietly(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A kill can leave a just-created ``.open`` file with nothing in it: it holds no
    response, and is no damage to warn about; the other files are read as usual."""
    out = tmp_path / "out"
    writer, location = archive(out)
    writer.close()
    (out / "u-20261127010203-00001-h.warc.gz.open").write_bytes(b"")
    with caplog.at_level(logging.WARNING, logger="crawler.incremental.interrupted"):
        found = list(archived_responses(out))
    assert [f.record_id for f in found] == [location.record_id]
    assert caplog.records == []


@pytest.fixture
def local_time_not_utc() -> Iterator[None]:
    saved = os.environ.get("TZ")
    os.environ["TZ"] = "WIB-7"  # POSIX form of Asia/Jakarta: UTC+7, no tzdata needed
    time.tzset()
    yield
    if saved is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = saved
    time.tzset()


@pytest.mark.usefixtures("local_time_not_utc")
def test_state_times_are_utc_whatever_the_local_zone(tmp_path: Path) -> None:
    """The dates a revisit refers to (WARC-Refers-To-Date) come from these strings."""
    with CrawlState(tmp_path / "s.sqlite", clock=lambda: T0) as state:
        record(state, tmp_path / "out", archive(tmp_path / "out")[1])
        capture = state.capture(URL)
    assert capture is not None
    assert capture.warc_date == capture.first_seen == "2026-11-27T01:02:03.000000Z"
