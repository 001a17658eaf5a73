"""A large archive index made from one real crawl: its two index files copied under new
crawl ids, sites and days, each with a manifest, as ``store_crawl`` would leave them.

This is issue 24's method of measuring ("copies of one demo crawl's index under new crawl
ids"): the rows are a real crawl's, only ``site`` and ``crawl_id`` are rewritten so that
every copy is a crawl of its own. The copies are clearly synthetic: no WARC is stored for
them, and their manifests count ``synthetic_copy: 1``.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta

import pyarrow as pa
import pyarrow.parquet as pq

from crawler.layout import CRAWL_ID_FORMAT, file_key, parse_manifest_key
from flows.archives.compact import Tables, read_crawl
from flows.archives.index import INDEX_FILES
from flows.storage.arrivals import note_arrival
from flows.storage.base import Storage, sha256_stream
from flows.storage.manifest import Manifest, ManifestFile

START = datetime(2026, 1, 1, 0, 0)


def first_crawl(storage: Storage) -> Tables:
    """The index tables of the first indexed crawl in ``storage`` (checked against its
    manifest's digests)."""
    for info in storage.list(""):
        parsed = parse_manifest_key(info.key)
        if parsed is not None:
            site, day, crawl_id = parsed
            return read_crawl(storage, site, day, crawl_id)
    raise LookupError(f"no stored crawl in {storage.uri}")


def plan(crawls: int, sites: int, per_day: int = 4) -> Iterator[tuple[str, date, str]]:
    """(site, day, crawl id) of ``crawls`` copies: ``per_day`` crawls a day on each of
    ``sites`` sites, the days running on from 2026-01-01 (so partitions span months)."""
    for n in range(crawls):
        site_no, slot = n % sites, n // sites
        hours = 24 // per_day * (slot % per_day)
        moment = START + timedelta(days=slot // per_day, hours=hours, minutes=site_no)
        yield f"site{site_no:04d}", moment.date(), moment.strftime(CRAWL_ID_FORMAT)


def _parquet(table: pa.Table) -> bytes:
    out = io.BytesIO()
    pq.write_table(table, out, compression="zstd")
    return out.getvalue()


def _copy(table: pa.Table, site: str, crawl_id: str) -> pa.Table:
    for column, value in (("site", site), ("crawl_id", crawl_id)):
        index = table.schema.get_field_index(column)
        table = table.set_column(index, column, pa.array([value] * table.num_rows, pa.string()))
    return table


def store_copy(storage: Storage, source: Tables, site: str, day: date, crawl_id: str) -> Manifest:
    """One synthetic crawl: the source's index rows as ``site``'s crawl ``crawl_id``."""
    entries = []
    for table, name in INDEX_FILES.items():
        data = _parquet(_copy(source[table], site, crawl_id))
        key = file_key(site, day, crawl_id, name)
        storage.put_bytes(key, data)
        digest, size = sha256_stream(iter([data]))
        entries.append(ManifestFile(name=name, key=key, size=size, sha256=digest, kind="parquet"))
    counts = {"articles": source["articles"].num_rows, "synthetic_copy": 1}
    manifest = Manifest(site=site, crawl_id=crawl_id, crawl_date=day, counts=counts, files=entries)
    storage.put_bytes(manifest.key, manifest.to_json())  # the crawl is complete
    note_arrival(storage, manifest)  # as store_crawl does
    return manifest


def store_copies(
    storage: Storage, source: Tables, copies: list[tuple[str, date, str]], threads: int = 8
) -> int:
    with ThreadPoolExecutor(threads) as pool:
        done = list(pool.map(lambda c: store_copy(storage, source, *c), copies))
    return len(done)
