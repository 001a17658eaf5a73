"""SQL over every crawl's index: DuckDB with the views ``captures`` and ``articles``.

The rows come from two kinds of files. Compacted files (:mod:`flows.archives.compact`) hold
many crawls each, by site and month; the current snapshot lists them and the crawls they
hold, and a site or day filter opens only the partitions it reaches. Every other crawl is
found from one listing of the archive: it counts once its manifest is stored (the manifest is
written last), and its index keys follow from the manifest's key (:mod:`crawler.layout`).
A crawl is read from exactly one of the two, so nothing is counted twice.

They are opened as pyarrow datasets, on the local disk or through
pyarrow's own S3 filesystem (DuckDB's httpfs extension is not needed), and DuckDB scans them
with column and filter push-down: a query that never names ``text`` never reads it.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import operator
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.fs as pafs

from crawler.layout import (
    arrivals_prefix,
    compacted_prefix,
    file_key,
    manifest_key,
    month_of,
    parse_arrival_key,
    parse_manifest_key,
)
from flows.archives.index import INDEX_FILES, SCHEMAS
from flows.archives.snapshot import CompactedFile, IndexCorrupt, Snapshot, load_snapshot
from flows.storage.base import Storage
from flows.storage.local import LocalStorage

FORMATS = ("table", "csv", "json")


@dataclass
class IndexFiles:
    """The index objects a query opens, per table: the compacted files of the current
    snapshot that the filters reach, then the files of every complete crawl not compacted
    yet. ``crawls`` counts both kinds; ``compacted`` the first. Crawls a compacted file holds
    but the day filters exclude are in ``exclude`` (site -> crawl ids), filtered out by row."""

    keys: dict[str, list[str]] = field(default_factory=lambda: {t: [] for t in INDEX_FILES})
    crawls: int = 0
    unindexed: list[str] = field(default_factory=list)
    compacted: int = 0
    generation: int | None = None
    exclude: dict[str, set[str]] = field(default_factory=dict)
    checks: dict[str, list[tuple[str, CompactedFile]]] = field(
        default_factory=lambda: {t: [] for t in INDEX_FILES}
    )
    pending: list[tuple[str, date, str]] = field(default_factory=list)  # not compacted yet


def _months(since: date | None, until: date | None) -> tuple[str, str]:
    return (month_of(since) if since else "0000-00", month_of(until) if until else "9999-99")


def _in_range(day: date, since: date | None, until: date | None) -> bool:
    return not ((since and day < since) or (until and day > until))


def _listing(storage: Storage, site: str | None, snapshot: Snapshot | None) -> dict[str, int]:
    """Key -> size of the archive (or one site's folder and its compacted files)."""
    prefixes = [f"{site}/" if site else ""]
    if site and snapshot is not None:
        prefixes += [compacted_prefix(table, site) for table in INDEX_FILES]
    return {info.key: info.size for prefix in prefixes for info in storage.list(prefix)}


Stored = tuple[str, date, str, bool]  # site, crawl day, crawl id, has an index


def _stored(listed: dict[str, int]) -> Iterator[Stored]:
    """The crawls a full listing shows: one per manifest."""
    for key in sorted(listed):
        parsed = parse_manifest_key(key)
        if parsed is not None:
            site, day, crawl_id = parsed
            keys = [file_key(site, day, crawl_id, n) for n in INDEX_FILES.values()]
            yield site, day, crawl_id, all(k in listed for k in keys)


def _arrived(storage: Storage, first: date, site: str | None) -> list[Stored]:
    """The crawls stored from the day ``first`` on (UTC), from the arrivals log: one
    listing per day, however many crawls the archive holds."""
    days = (datetime.now(UTC).date() + timedelta(days=1) - first).days + 1
    found: dict[tuple[str, str], Stored] = {}
    for n in range(max(days, 1)):
        for info in storage.list(arrivals_prefix(first + timedelta(days=n))):
            parsed = parse_arrival_key(info.key)
            if parsed is not None and (site is None or parsed[0] == site):
                found.setdefault((parsed[0], parsed[2]), parsed)
    return sorted(found.values(), key=lambda c: (c[1], c[0], c[2]))


def _add_compacted(
    found: IndexFiles, snapshot: Snapshot, listed: dict[str, int], site: str | None,
    since: date | None, until: date | None,
) -> None:  # fmt: skip
    first, last = _months(since, until)
    for partition, part in snapshot.files():
        if (site and partition.site != site) or not first <= partition.month <= last:
            continue  # pruned: this partition's files are not even looked at
        inside = [c for c, d in part.crawls.items() if _in_range(d, since, until)]
        if not inside:
            continue
        found.crawls += len(inside)
        found.compacted += len(inside)
        outside = set(part.crawls) - set(inside)
        if outside:
            found.exclude.setdefault(partition.site, set()).update(outside)
        for table in INDEX_FILES:
            entry = part.file(table)
            size = listed.get(entry.key)
            if size != entry.size:
                state = "missing" if size is None else f"{size} bytes"
                raise IndexCorrupt(
                    f"compacted file {entry.key} is {state}, the snapshot says {entry.size} "
                    "bytes; run warta archives compact --repair, or query with --no-compacted"
                )
            found.keys[table].append(entry.key)
            found.checks[table].append((entry.key, entry))


def find_index_files(
    storage: Storage, *, site: str | None = None, since: date | None = None,
    until: date | None = None, compacted: bool = True,
) -> IndexFiles:  # fmt: skip
    """One listing of the archive (or of one site) and the compacted index's snapshot tell
    which files hold the selected crawls' rows. With ``compacted=False`` the snapshot is
    ignored and every crawl is read from its own files, as before compaction existed."""
    snapshot = load_snapshot(storage)[0] if compacted else None
    return index_files_of(storage, snapshot, site=site, since=since, until=until)


def index_files_of(
    storage: Storage, snapshot: Snapshot | None, *, site: str | None = None,
    since: date | None = None, until: date | None = None, open_compacted: bool = True,
    full: bool = False,
) -> IndexFiles:  # fmt: skip
    """:func:`find_index_files` against a snapshot already read (None: no compacted index).

    Crawls stored since the snapshot are found in the arrivals log (a few listings) when the
    snapshot says from which day on; otherwise, or with ``full``, by listing the archive.
    Without ``open_compacted`` only the crawls not compacted yet are looked up.
    """
    found = IndexFiles()
    covered: set[tuple[str, str]] = set()
    if snapshot is not None and snapshot.arrivals_from is not None and not full:
        prefixes = [compacted_prefix(t, site) for t in INDEX_FILES] if open_compacted else []
        listed = {i.key: i.size for prefix in prefixes for i in storage.list(prefix)}
        crawls: Iterable[Stored] = _arrived(storage, snapshot.arrivals_from, site)
    else:
        listed = _listing(storage, site, snapshot if open_compacted else None)
        crawls = _stored(listed)
    if snapshot is not None:
        found.generation = snapshot.generation
        covered = snapshot.covered()
        if open_compacted:
            _add_compacted(found, snapshot, listed, site, since, until)
    for crawl_site, day, crawl_id, indexed in crawls:
        if not _in_range(day, since, until):
            continue
        if (crawl_site, crawl_id) in covered:
            continue  # its rows are in a compacted file: counted there, and only there
        found.crawls += 1
        if not indexed:
            found.unindexed.append(manifest_key(crawl_site, crawl_id, day))
            continue
        for table, name in INDEX_FILES.items():
            found.keys[table].append(file_key(crawl_site, day, crawl_id, name))
        found.pending.append((crawl_site, day, crawl_id))
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


def _check_compacted(
    dataset: ds.Dataset, table: str, checks: list[tuple[str, CompactedFile]], base: str
) -> None:
    """Each compacted file's footer: the snapshot's row count and the table's exact schema.
    A file replaced by another (crafted, truncated, from elsewhere) stops the query here."""
    wanted = {f"{base}/{key}": entry for key, entry in checks}
    fragments = [f for f in dataset.get_fragments() if f.path in wanted]

    def check(fragment: ds.ParquetFileFragment) -> None:
        entry = wanted[fragment.path]
        try:
            rows = fragment.metadata.num_rows
            schema = fragment.physical_schema
        except (OSError, pa.ArrowException) as exc:
            raise IndexCorrupt(
                f"compacted file {entry.key} is not readable Parquet: {exc}"
            ) from None
        if rows != entry.rows:
            raise IndexCorrupt(
                f"compacted file {entry.key} has {rows} rows, the snapshot says {entry.rows}"
            )
        if not schema.equals(SCHEMAS[table], check_metadata=False):
            raise IndexCorrupt(f"compacted file {entry.key} does not have the {table} schema")

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(check, fragments))


def _excluded(exclude: dict[str, set[str]]) -> pc.Expression | None:
    """Rows of crawls a compacted file holds but the day filters leave out."""
    terms = [
        (pc.field("site") == site) & pc.field("crawl_id").isin(sorted(ids))
        for site, ids in sorted(exclude.items())
    ]
    if not terms:
        return None
    return ~functools.reduce(operator.or_, terms)


def open_datasets(storage: Storage, files: IndexFiles) -> dict[str, ds.Dataset]:
    filesystem, base = arrow_filesystem(storage)
    keep = _excluded(files.exclude)
    datasets = {}
    for table, keys in files.keys.items():
        dataset = ds.dataset(
            [f"{base}/{key}" for key in keys],
            schema=SCHEMAS[table],
            format="parquet",
            filesystem=filesystem,
        )
        _check_compacted(dataset, table, files.checks.get(table, []), base)
        datasets[table] = dataset.filter(keep) if keep is not None else dataset
    return datasets


def connect(
    storage: Storage, *, site: str | None = None, since: date | None = None,
    until: date | None = None, compacted: bool = True,
) -> tuple[duckdb.DuckDBPyConnection, IndexFiles]:  # fmt: skip
    """An in-memory DuckDB whose ``captures`` and ``articles`` views cover every crawl.

    Raises :class:`IndexCorrupt` when a compacted file does not match its snapshot.
    """
    files = find_index_files(storage, site=site, since=since, until=until, compacted=compacted)
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
    """Text as it is, numbers and nested values as JSON, anything else (a time of day, a
    UUID) as its text rather than a quoted JSON string."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float | list | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


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
