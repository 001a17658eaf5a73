"""One archived page by URL: find its capture in the index, read its record by HTTP range.

Like Common Crawl's index, the ``captures`` table says where every record lies (stored
WARC object, offset, length), so a page costs one ranged GET of its gzip member, whatever
the size of the WARC. A revisit (the page did not change) is followed to the response it
stands for, which may lie in an earlier crawl.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import duckdb

from crawler.warc.reader import WarcRecord, record_from_bytes
from crawler.warc.rows import parse_warc_date, surt_of
from flows.storage.base import Storage

_COLUMNS = (
    "url, fetch_time, status, record_type, record_id, warc_key, warc_file, "
    '"offset", length, refers_to, revisit_target, revisit_date, crawl_id'
)


class NotArchived(LookupError):
    """No capture of the URL (or of the original a revisit names) is in the index."""


@dataclass(frozen=True)
class Capture:
    url: str
    fetch_time: datetime
    status: int | None
    record_type: str
    record_id: str | None
    warc_key: str
    warc_file: str
    offset: int
    length: int
    refers_to: str | None
    revisit_target: str | None
    revisit_date: datetime | None
    crawl_id: str


def parse_timestamp(text: str) -> datetime:
    """``20230303``, ``20230303201000`` (as in wayback URLs) or ISO 8601, read as UTC."""
    digits = text.strip()
    refused = ValueError(f"not a timestamp (YYYYMMDDhhmmss or ISO 8601): {text!r}")
    if digits.isdigit():  # 15 digits and more would pass as ISO 8601 (a wrong time): refused
        if not 4 <= len(digits) <= 14:
            raise refused
        return datetime.strptime(digits + "0101000000"[len(digits) - 4 :], "%Y%m%d%H%M%S"
                                 ).replace(tzinfo=UTC)  # fmt: skip
    parsed = parse_warc_date(digits)
    if parsed is None:
        raise refused
    return parsed


def _captures(con: duckdb.DuckDBPyConnection, where: str, params: list[Any]) -> list[Capture]:
    rows = con.execute(f"SELECT {_COLUMNS} FROM captures WHERE {where}", params).fetchall()
    return [Capture(*row) for row in rows]


def find_capture(con: duckdb.DuckDBPyConnection, url: str, at: datetime | None = None) -> Capture:
    """The response or revisit of ``url`` closest to ``at`` (default: the latest)."""
    key = surt_of(url)
    found = _captures(
        con,
        "record_type IN ('response', 'revisit') AND (url = ? OR surt = ?)",
        [url, key],
    )
    if not found:
        raise NotArchived(f"{url} is not in the index")
    if at is None:
        return max(found, key=lambda c: (c.url == url, c.fetch_time))
    return min(found, key=lambda c: (abs((c.fetch_time - at).total_seconds()), c.url != url))


def resolve_revisit(con: duckdb.DuckDBPyConnection, capture: Capture) -> Capture:
    """The response a revisit stands for (by record id, else by its target URI and date)."""
    if capture.record_type != "revisit":
        return capture
    if capture.refers_to:
        found = _captures(con, "record_type = 'response' AND record_id = ?", [capture.refers_to])
        if found:
            return found[0]
    if capture.revisit_target and capture.revisit_date:
        found = _captures(
            con,
            "record_type = 'response' AND url = ? AND fetch_time = ?",
            [capture.revisit_target, capture.revisit_date],
        )
        if found:
            return found[0]
    raise NotArchived(
        f"{capture.url} at {capture.fetch_time:%Y-%m-%d %H:%M:%S} is a revisit of a capture "
        "that is not in the index (an earlier crawl without one? run warta archives index)"
    )


def read_record(storage: Storage, capture: Capture) -> tuple[bytes, WarcRecord]:
    """The record's bytes as stored (one ranged GET) and the record parsed from them."""
    data = storage.read_range(capture.warc_key, capture.offset, capture.length)
    return data, record_from_bytes(data, capture.warc_key)


def get_page(
    storage: Storage, con: duckdb.DuckDBPyConnection, url: str, at: datetime | None = None
) -> tuple[Capture, Capture, bytes, WarcRecord]:
    """(capture asked for, response read, record bytes, record): what ``warta archives get``
    prints or writes."""
    capture = find_capture(con, url, at)
    response = resolve_revisit(con, capture)
    data, record = read_record(storage, response)
    return capture, response, data, record
