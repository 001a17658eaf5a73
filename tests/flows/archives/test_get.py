"""One page by URL: the timestamps ``--at`` accepts and which capture a lookup picks,
against a hand-written ``captures`` table (no index builder, no storage)."""

from __future__ import annotations

from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from warcio.warcwriter import WARCWriter

from flows.archives.get import (
    NotArchived,
    find_capture,
    get_page,
    parse_timestamp,
    resolve_revisit,
)
from flows.archives.index import CAPTURES_SCHEMA
from flows.storage import LocalStorage

A = "https://example.com/a"
A_HTTP = "http://www.example.com/a"  # the same page (same SURT), spelt otherwise


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023", datetime(2023, 1, 1, tzinfo=UTC)),
        ("202303", datetime(2023, 3, 1, tzinfo=UTC)),
        (" 20230315 ", datetime(2023, 3, 15, tzinfo=UTC)),
        ("20230315201005", datetime(2023, 3, 15, 20, 10, 5, tzinfo=UTC)),
        ("2023-03-15", datetime(2023, 3, 15, tzinfo=UTC)),
        ("2023-03-15T21:10:00+08:00", datetime(2023, 3, 15, 13, 10, tzinfo=UTC)),
        ("2023-03-15T13:10:00Z", datetime(2023, 3, 15, 13, 10, tzinfo=UTC)),
    ],
)
def test_timestamps_read_as_in_wayback_urls_or_iso(text: str, expected: datetime) -> None:
    assert parse_timestamp(text) == expected


@pytest.mark.parametrize("text", ["202", "202303152010051", "2023031520100512", "soon", ""])
def test_other_timestamps_are_refused(text: str) -> None:
    """15 digits and more are a typo, not a time (ISO 8601 would read them as one)."""
    with pytest.raises(ValueError, match="not a timestamp"):
        parse_timestamp(text)


def _t(day: int, hour: int = 0) -> datetime:
    return datetime(2023, 3, day, hour, tzinfo=UTC)


def _captures(*rows: tuple[str, datetime, str, str, str | None, str | None, datetime | None],
              lengths: list[int] | None = None) -> duckdb.DuckDBPyConnection:  # fmt: skip
    """A ``captures`` view of (url, time, type, record id, refers_to, target, target date);
    row n's record lies in object ``kn`` at offset n, ``lengths[n]`` bytes long (else 10)."""
    from crawler.warc.rows import surt_of

    columns: dict[str, list[object]] = {name: [] for name in CAPTURES_SCHEMA.names}
    for n, (url, when, kind, record_id, refers, target, target_date) in enumerate(rows):
        row = dict.fromkeys(CAPTURES_SCHEMA.names)
        row.update(url=url, surt=surt_of(url), fetch_time=when, record_type=kind, status=200,
                   record_id=record_id, refers_to=refers, revisit_target=target,
                   revisit_date=target_date, warc_key=f"k{n}", warc_file=f"f{n}", offset=n,
                   length=lengths[n] if lengths else 10, crawl_id=f"c{n}",
                   site="niaga")  # fmt: skip
        for name in columns:
            columns[name].append(row[name])
    con = duckdb.connect(":memory:")
    con.register("captures", pa.table(columns, schema=CAPTURES_SCHEMA))
    return con


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    return _captures(
        (A, _t(1), "response", "<urn:1>", None, None, None),
        (A, _t(3), "revisit", "<urn:3>", "<urn:1>", A, _t(1)),
        (A_HTTP, _t(5), "response", "<urn:5>", None, None, None),
        (A, _t(9), "request", "<urn:9>", None, None, None),  # never a capture to show
        ("https://example.com/b", _t(9), "response", "<urn:b>", None, None, None),
    )


def test_the_latest_capture_of_the_url_as_given_wins(con: duckdb.DuckDBPyConnection) -> None:
    assert find_capture(con, A).record_id == "<urn:3>"  # not the later one spelt otherwise
    assert find_capture(con, A_HTTP).record_id == "<urn:5>"
    assert find_capture(con, "http://example.com/a").record_id == "<urn:5>"  # by SURT: latest


def test_the_capture_closest_in_time_wins_then_the_url_as_given(
    con: duckdb.DuckDBPyConnection,
) -> None:
    assert find_capture(con, A, _t(4, 13)).record_id == "<urn:5>"  # 11 h after, not 37 h
    assert find_capture(con, A, _t(4)).record_id == "<urn:3>"  # a day either side: as given
    assert find_capture(con, A_HTTP, _t(4)).record_id == "<urn:5>"
    assert find_capture(con, A, _t(1, 11)).record_id == "<urn:1>"
    with pytest.raises(NotArchived, match=r"^https://example\.com/c is not in the index$"):
        find_capture(con, "https://example.com/c")


def test_a_revisit_is_followed_to_its_response(con: duckdb.DuckDBPyConnection) -> None:
    revisit = find_capture(con, A, _t(3))
    assert resolve_revisit(con, revisit).record_id == "<urn:1>"
    response = find_capture(con, A_HTTP)
    assert resolve_revisit(con, response) is response
    by_target = _captures(
        (A, _t(1), "response", "<urn:1>", None, None, None),
        (A, _t(3), "revisit", "<urn:3>", "<urn:gone>", A, _t(1)),  # id unknown: URI and date
        (A, _t(4), "revisit", "<urn:4>", None, A, _t(2)),  # no response at that date
    )
    assert resolve_revisit(by_target, find_capture(by_target, A, _t(3))).record_id == "<urn:1>"
    with pytest.raises(NotArchived, match="revisit of a capture that is not in the index"):
        resolve_revisit(by_target, find_capture(by_target, A))


def test_a_revisit_is_followed_by_its_record_id_alone(con: duckdb.DuckDBPyConnection) -> None:
    only_id = _captures(
        (A, _t(1), "response", "<urn:1>", None, None, None),
        (A, _t(2), "response", "<urn:2>", None, None, None),
        (A, _t(3), "revisit", "<urn:3>", "<urn:1>", None, None),  # no target URI nor date
        (A, _t(4), "revisit", "<urn:4>", "<urn:1>", A, _t(2)),  # the id wins over the date
    )
    assert resolve_revisit(only_id, find_capture(only_id, A, _t(3))).record_id == "<urn:1>"
    assert resolve_revisit(only_id, find_capture(only_id, A, _t(4))).record_id == "<urn:1>"


def _record(url: str, body: bytes) -> bytes:
    """One response record as stored: a gzip member of its own."""
    out = BytesIO()
    writer = WARCWriter(out, gzip=True, warc_version="1.1")
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n" + body
    writer.write_record(writer.create_warc_record(url, "response", payload=BytesIO(http)))
    return out.getvalue()


def test_get_page_reads_the_capture_closest_in_time_and_follows_revisits(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "archive")
    records = [_record(A, b"lama"), b"", _record(A, b"baru")]
    for n, data in enumerate(records):
        storage.put_bytes(f"k{n}", b"-" * n + data)  # row n's record lies at offset n
    con = _captures(
        (A, _t(1), "response", "<urn:1>", None, None, None),
        (A, _t(3), "revisit", "<urn:3>", "<urn:1>", A, _t(1)),
        (A, _t(5), "response", "<urn:5>", None, None, None),
        lengths=[len(r) for r in records],
    )
    pages = {at: get_page(storage, con, A, at) for at in (None, _t(1), _t(3))}
    assert {at: p[3].content() for at, p in pages.items()} == {
        None: b"baru", _t(1): b"lama", _t(3): b"lama"
    }  # fmt: skip
    capture, response, data, _record_read = pages[_t(3)]
    assert (capture.record_id, response.record_id) == ("<urn:3>", "<urn:1>")
    assert data == records[0]
