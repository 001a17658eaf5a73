"""SQL over every crawl's index: DuckDB with the views ``captures`` and ``articles``.

The index files are found from one listing of the archive: a crawl counts once its manifest
is stored (the manifest is written last), and its index keys follow from the manifest's key
(:mod:`crawler.layout`). They are opened as pyarrow datasets, on the local disk or through
pyarrow's own S3 filesystem (DuckDB's httpfs extension is not needed), and DuckDB scans them
with column and filter push-down: a query that never names ``text`` never reads it.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.fs as pafs

from crawler.layout import file_key, parse_manifest_key
from flows.archives.index import INDEX_FILES, SCHEMAS
from flows.storage.base import Storage
from flows.storage.local import LocalStorage

FORMATS = ("table", "csv", "json")


@dataclass
class IndexFiles:
    """The stored index objects of every complete crawl, per table, and crawls without one."""

    keys: dict[str, list[str]] = field(default_factory=lambda: {t: [] for t in INDEX_FILES})
    crawls: int = 0
    unindexed: list[str] = field(default_factory=list)


def find_index_files(
    storage: Storage, *, site: str | None = None, since: date | None = None,
    until: date | None = None,
) -> IndexFiles:  # fmt: skip
    """One listing of the archive (or of one site) tells which crawls have an index."""
    listed = {info.key for info in storage.list(f"{site}/" if site else "")}
    found = IndexFiles()
    for key in sorted(listed):
        parsed = parse_manifest_key(key)
        if parsed is None:
            continue
        crawl_site, day, crawl_id = parsed
        if (since and day < since) or (until and day > until):
            continue
        found.crawls += 1
        wanted = {t: file_key(crawl_site, day, crawl_id, n) for t, n in INDEX_FILES.items()}
        if not all(k in listed for k in wanted.values()):
            found.unindexed.append(key)
            continue
        for table, index_key in wanted.items():
            found.keys[table].append(index_key)
    return found


def arrow_filesystem(storage: Storage) -> tuple[pafs.FileSystem, str]:
    """A pyarrow filesystem reaching the archive, and the path its keys are relative to.

    For S3 the endpoint, region and credentials are the ones boto3 resolved (AWS_* variables,
    ~/.aws/config), so the index is read with exactly the configuration the rest of warta uses.
    """
    if isinstance(storage, LocalStorage):
        return pafs.LocalFileSystem(), str(storage.root.resolve())
    from flows.storage.s3 import S3Storage

    if not isinstance(storage, S3Storage):
        raise TypeError(f"no Arrow filesystem for {type(storage).__name__}")
    client = storage.client
    creds = storage._session.get_credentials()
    frozen = creds.get_frozen_credentials() if creds else None
    options: dict[str, Any] = {"region": client.meta.region_name or "us-east-1"}
    if frozen is not None:
        options.update(access_key=frozen.access_key, secret_key=frozen.secret_key)
        if frozen.token:
            options["session_token"] = frozen.token
    endpoint = urlsplit(client.meta.endpoint_url)
    if endpoint.hostname and not endpoint.hostname.endswith("amazonaws.com"):
        options.update(endpoint_override=endpoint.netloc, scheme=endpoint.scheme or "https")
    base = f"{storage.bucket}/{storage.prefix}".rstrip("/")
    return pafs.S3FileSystem(**options), base


def open_datasets(storage: Storage, files: IndexFiles) -> dict[str, ds.Dataset]:
    filesystem, base = arrow_filesystem(storage)
    return {
        table: ds.dataset(
            [f"{base}/{key}" for key in keys],
            schema=SCHEMAS[table],
            format="parquet",
            filesystem=filesystem,
        )
        for table, keys in files.keys.items()
    }


def connect(
    storage: Storage, *, site: str | None = None, since: date | None = None,
    until: date | None = None,
) -> tuple[duckdb.DuckDBPyConnection, IndexFiles]:  # fmt: skip
    """An in-memory DuckDB whose ``captures`` and ``articles`` views cover every crawl."""
    files = find_index_files(storage, site=site, since=since, until=until)
    con = duckdb.connect(":memory:")
    for table, dataset in open_datasets(storage, files).items():
        con.register(table, dataset)
    return con, files


def run_query(con: duckdb.DuckDBPyConnection, sql: str) -> pa.Table:
    return con.sql(sql).to_arrow_table()


def _plain(value: Any) -> Any:
    """A JSON-friendly value: times in ISO 8601, nested lists and structs kept."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, Decimal):  # sums come back as DuckDB HUGEINT / DECIMAL
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)


def format_result(table: pa.Table, how: str, max_width: int = 60) -> str:
    """The result as an aligned text table, CSV (nested values as JSON) or a JSON array."""
    rows = [{k: _plain(v) for k, v in row.items()} for row in table.to_pylist()]
    if how == "json":
        return json.dumps(rows, ensure_ascii=False, indent=1, default=str)
    cells = [[_cell(v) for v in row.values()] for row in rows]
    if how == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(table.column_names)
        writer.writerows(cells)
        return out.getvalue().rstrip("\n")
    cut = [[c if len(c) <= max_width else c[: max_width - 1] + "…" for c in r] for r in cells]
    widths = [max([len(n)] + [len(r[i]) for r in cut]) for i, n in enumerate(table.column_names)]
    lines = ["  ".join(n.ljust(w) for n, w in zip(table.column_names, widths, strict=True))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in cut]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(line.rstrip() for line in lines)
