"""What a researcher takes away: the attention numbers and the matching stories as CSV or
Parquet, and the WARC records of the matching stories.

The records are read one ranged GET each (``Storage.read_range``, the reader ``warta
archives get`` uses) and written one after the other: each is a gzip member, so their
concatenation is itself a valid ``.warc.gz`` that warcio, pywb and ReplayWeb.page read.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from crawler.layout import PARQUET_SUFFIX, WARC_GZ_SUFFIX
from flows.explore.queries import ArchiveIndex, Point
from flows.explore.search import Search
from flows.storage.base import Storage

ATTENTION_COLUMNS = ("period", "site", "matching", "total", "share")
RECORD_LIMIT = 1000  # WARC records in one download
ROUTES = ("/attention.csv", "/stories.csv", "/stories.parquet", "/records.warc.gz")


def _csv(header: Sequence[str], rows: Iterator[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def attention_csv(points: Sequence[Point]) -> bytes:
    """One row per period and site: matching stories, all stories, their ratio."""
    return _csv(
        ATTENTION_COLUMNS,
        ((p.period.isoformat(), p.site, p.matching, p.total, f"{p.share:.6f}") for p in points),
    )


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value


def stories_csv(table: pa.Table) -> bytes:
    """The stories table as CSV; lists (authors, tags) as JSON arrays, times in ISO 8601."""
    rows = table.to_pylist()
    return _csv(table.column_names, ([_cell(v) for v in row.values()] for row in rows))


def stories_parquet(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue()


def warc_records(storage: Storage, pointers: Sequence[dict[str, Any]]) -> Iterator[bytes]:
    """The stored response record of each story, as stored (one gzip member each)."""
    for row in pointers:
        yield storage.read_range(row["warc_key"], row["warc_offset"], row["warc_length"])


def for_search(
    route: str,
    index: ArchiveIndex,
    search: Search,
    groups: dict[str, list[str]],
    urls: list[str] | None = None,
) -> tuple[bytes, str, str]:
    """(body, file name, media type) of one of the ROUTES for a search; the WARC records
    only of ``urls`` among its stories when some are given."""
    stem = "warta-" + (search.q or "all")[:40]
    if route == "/attention.csv":
        body = attention_csv(index.attention(search, groups))
        return body, f"{stem}-attention-{search.every}.csv", "text/csv; charset=utf-8"
    if route == "/stories.csv":
        body = stories_csv(index.export(search, groups, text=False))
        return body, f"{stem}-stories.csv", "text/csv; charset=utf-8"
    if route == "/stories.parquet":
        body = stories_parquet(index.export(search, groups, text=True))
        return body, f"{stem}-stories{PARQUET_SUFFIX}", "application/vnd.apache.parquet"
    if route == "/records.warc.gz":
        pointers = index.pointers(search, groups, RECORD_LIMIT, (urls or [])[:RECORD_LIMIT])
        return (
            b"".join(warc_records(index.storage, pointers)),
            f"{stem}{WARC_GZ_SUFFIX}",
            "application/warc",
        )
    raise ValueError(f"no download {route!r}")
