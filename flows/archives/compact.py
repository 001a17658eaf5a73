"""Compaction: many small per-crawl index files become a few large ones, by site and month.

Every crawl stores its own ``captures`` and ``articles`` Parquet files (:mod:`index`); a
query that opened each of them would cost a millisecond and 90 KB per crawl, whatever it
asked. ``compact`` reads the crawls no snapshot holds yet, and writes their rows as one new
file per table into their partition, ``_index/<table>/site=<site>/month=<YYYY-MM>/``
(the month of the crawl's UTC day). A partition that would have more than ``max_parts``
files, or whose month is over, is rewritten as one file. Then the new snapshot is published
(:mod:`snapshot`): files first, under fresh names; the snapshot; the pointer last, replaced
only if no other compaction moved it meanwhile. So a compaction killed at any point leaves
the index as it was (plus files nobody reads), crawls stored meanwhile stay readable from
their own files, and the next run redoes the work. Nothing is deleted: archives only grow.
"""

from __future__ import annotations

import logging
import secrets
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from crawler.config.operator import load_operator_settings
from crawler.layout import compacted_key, file_key, manifest_key, month_of
from flows.archives.index import INDEX_FILES, SCHEMAS
from flows.archives.query import index_files_of
from flows.archives.snapshot import (
    CompactedFile,
    IndexCorrupt,
    Part,
    Partition,
    load_snapshot,
    publish,
)
from flows.storage.base import Storage, StorageError, sha256_file, sha256_stream
from flows.storage.manifest import ManifestError, parse_manifest

log = logging.getLogger("warta.archives.compact")

READERS = 8  # crawls read at once: S3 answers are latency, not bandwidth
ROW_GROUP = 65_536  # rows: small enough that a URL lookup skips most of a large file
Tables = dict[str, pa.Table]


@dataclass
class CompactionReport:
    """What one run did. ``generation`` is None when there was nothing to compact."""

    generation: int | None = None
    crawls: int = 0
    partitions: int = 0
    merged: int = 0
    files: int = 0
    bytes: int = 0
    rows: dict[str, int] = field(default_factory=lambda: dict.fromkeys(INDEX_FILES, 0))
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _verified_bytes(storage: Storage, key: str, sha256: str, size: int | None = None) -> bytes:
    data = storage.get_bytes(key)
    digest, length = sha256_stream(iter([data]))
    if digest != sha256 or (size is not None and length != size):
        raise IndexCorrupt(f"{key}: content does not match its recorded sha256")
    return data


def _table(data: bytes, table: str, key: str) -> pa.Table:
    try:
        read = pq.read_table(pa.BufferReader(data))
        return read.select(SCHEMAS[table].names).cast(SCHEMAS[table])
    except (pa.ArrowException, KeyError, ValueError) as exc:
        raise IndexCorrupt(f"{key} is not a {table} index: {exc}") from None


def read_crawl(storage: Storage, site: str, day: date, crawl_id: str) -> Tables:
    """One stored crawl's index tables, each checked against the digest in its manifest and
    holding rows of this crawl only."""
    key = manifest_key(site, crawl_id, day)
    manifest = parse_manifest(storage.get_bytes(key), key)
    entries = {f.key: f for f in manifest.files}
    tables = {}
    for table, name in INDEX_FILES.items():
        index_key = file_key(site, day, crawl_id, name)
        entry = entries.get(index_key)
        if entry is None:
            raise IndexCorrupt(f"manifest {key} does not list {index_key}")
        read = _table(_verified_bytes(storage, index_key, entry.sha256, entry.size), table, key)
        for column, value in (("site", site), ("crawl_id", crawl_id)):
            if read.num_rows and not pc.all(pc.equal(read[column], value)).as_py():
                raise IndexCorrupt(f"{index_key} holds rows of another {column} than {value!r}")
        tables[table] = read
    return tables


def read_part(storage: Storage, part: Part) -> Tables:
    """A compacted part, each file checked against the digest its snapshot recorded."""
    out = {}
    for table in INDEX_FILES:
        entry = part.file(table)
        out[table] = _table(_verified_bytes(storage, entry.key, entry.sha256, entry.size), table,
                            entry.key)  # fmt: skip
        if out[table].num_rows != entry.rows:
            raise IndexCorrupt(f"{entry.key} has {out[table].num_rows} rows, not {entry.rows}")
    return out


def _part_or_crawls(
    storage: Storage, part: Part, site: str, report: CompactionReport
) -> list[Tables]:
    """A part's rows; if its file fails its digest, the same rows from its crawls' files."""
    try:
        return [read_part(storage, part)]
    except (IndexCorrupt, StorageError) as exc:
        report.problems.append(f"{exc}; rebuilt from its {len(part.crawls)} crawl(s)")
    return [read_crawl(storage, site, day, crawl_id) for crawl_id, day in part.crawls.items()]


def _sorted(table: str, rows: pa.Table) -> pa.Table:
    """Captures by SURT and time as CDX indexes are (row groups then prune URL lookups);
    articles by URL and time."""
    keys = ["surt", "fetch_time", "record_type"] if table == "captures" else ["url", "fetch_time"]
    return rows.sort_by([(k, "ascending") for k in keys])


def _write(storage: Storage, key: str, rows: pa.Table, work: Path) -> CompactedFile:
    path = work / key.rsplit("/", 1)[-1]
    pq.write_table(rows, path, compression="zstd", row_group_size=ROW_GROUP)
    digest = sha256_file(path)
    size = path.stat().st_size
    storage.put_file(key, path, digest)
    path.unlink()
    return CompactedFile(key=key, size=size, rows=rows.num_rows, sha256=digest)


def _month_over(month: str, today: date) -> bool:
    return month < month_of(today)


def compact(
    storage: Storage,
    *,
    site: str | None = None,
    until: date | None = None,
    max_parts: int | None = None,
    today: date | None = None,
    repair: bool = False,
    full: bool = False,
    on_partition: Callable[[str, str], None] | None = None,
) -> CompactionReport:
    """Compact every stored crawl (of ``site``, of days up to ``until``) that no snapshot
    holds, and publish a new snapshot. Raises StorageConflict if another compaction
    published first (run again: it starts from that one's snapshot). ``max_parts``
    defaults to ``compact_max_parts`` in config/settings.yaml. ``repair`` rewrites every
    partition in reach, checking each file's digest: a part that fails is rebuilt from its
    crawls' own files. ``full`` finds new crawls by listing the whole archive rather than
    the arrivals log (for crawls stored by a warta older than the log). The
    ``on_partition`` hook is for tests."""
    started = time.monotonic()
    listed_at = datetime.now(UTC)
    max_parts = max_parts or load_operator_settings().compact_max_parts
    report = CompactionReport()
    today = today or listed_at.date()
    snapshot, version = load_snapshot(storage)
    found = index_files_of(
        storage, snapshot, site=site, until=until, open_compacted=False, full=full
    )
    pending: dict[tuple[str, str], list[tuple[str, date]]] = defaultdict(list)
    for crawl_site, day, crawl_id in found.pending:
        pending[(crawl_site, month_of(day))].append((crawl_id, day))
    partitions = {(p.site, p.month): p for p in snapshot.partitions} if snapshot else {}
    for (p_site, month), partition in partitions.items():
        if site and p_site != site:
            continue
        if repair or (_month_over(month, today) and len(partition.parts) > 1):
            pending.setdefault((p_site, month), [])  # a finished month becomes one file
    # Readers may skip the arrivals before the day before this listing began, if this run
    # takes every crawl stored by then; else the old day stands (None: they list it all).
    arrivals_from = snapshot.arrivals_from if snapshot else None
    if not (site or until):
        arrivals_from = (listed_at - timedelta(days=1)).date()
    if not pending and (snapshot is None or arrivals_from == snapshot.arrivals_from):
        report.seconds = time.monotonic() - started
        return report
    generation = (snapshot.generation if snapshot else 0) + 1
    token = secrets.token_hex(6)
    with (
        tempfile.TemporaryDirectory(prefix="warta-compact-") as work,
        ThreadPoolExecutor(READERS) as pool,
    ):
        for (p_site, month), crawls in sorted(pending.items()):
            if on_partition is not None:
                on_partition(p_site, month)
            new = _compact_partition(
                storage, pool, partitions.get((p_site, month)), p_site, month, crawls,
                max_parts=0 if repair else max_parts,  # 0: rewrite every partition reached
                today=today, name=(generation, token),
                work=Path(work), report=report,
            )  # fmt: skip
            if new is not None:
                partitions[(p_site, month)] = new
    if report.problems:  # a crawl left out must stay visible in the arrivals readers list
        arrivals_from = snapshot.arrivals_from if snapshot else None
    if report.partitions or (snapshot and arrivals_from != snapshot.arrivals_from):
        partitions_now = list(partitions.values())
        published = publish(storage, partitions_now, generation, token, version, arrivals_from)
        report.generation = published.generation
    report.seconds = time.monotonic() - started
    return report


def _compact_partition(
    storage: Storage, pool: ThreadPoolExecutor, existing: Partition | None, site: str,
    month: str, crawls: list[tuple[str, date]], *, max_parts: int, today: date,
    name: tuple[int, str], work: Path, report: CompactionReport,
) -> Partition | None:  # fmt: skip
    """The partition with the new crawls added as one part, or all of it merged into one."""
    parts = list(existing.parts) if existing else []
    read: list[Tables] = []
    added: dict[str, date] = {}

    def one(crawl: tuple[str, date]) -> tuple[str, date, Tables | str]:
        crawl_id, day = crawl
        try:
            return crawl_id, day, read_crawl(storage, site, day, crawl_id)
        except (IndexCorrupt, ManifestError, StorageError) as exc:
            return crawl_id, day, str(exc)

    for crawl_id, day, tables in pool.map(one, sorted(crawls, key=lambda c: c[0])):
        if isinstance(tables, str):
            report.problems.append(f"{site} {crawl_id} left uncompacted: {tables}")
            continue  # still read from its own files by every query
        read.append(tables)
        added[crawl_id] = day
    merge = len(parts) + bool(added) > max_parts or (_month_over(month, today) and len(parts) > 1)
    if not added and not merge:
        return None
    report.crawls += len(added)
    if merge:
        rebuilt = pool.map(lambda p: _part_or_crawls(storage, p, site, report), parts)
        for part, rows in zip(parts, rebuilt, strict=True):
            read += rows
            added.update(part.crawls)
        parts = []
        report.merged += 1
    files = {}
    for table in INDEX_FILES:
        rows = pa.concat_tables([t[table] for t in read]) if read else SCHEMAS[table].empty_table()
        key = compacted_key(table, site, month, *name)
        files[table] = _write(storage, key, _sorted(table, rows), work)
        report.rows[table] += rows.num_rows
        report.files += 1
        report.bytes += files[table].size
    report.partitions += 1
    part = Part(captures=files["captures"], articles=files["articles"], crawls=added)
    return Partition(site=site, month=month, parts=[*parts, part])
