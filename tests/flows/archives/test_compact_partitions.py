"""Compaction of two or three small crawls on a local folder (fast): the compacted captures
in CDX order, a day filter inside one partition, and the messages that name what is wrong.

The crawls are copies of one two-page crawl (``stored_archive`` of test_research_local)."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bench.scale_archive import first_crawl, store_copy
from crawler.layout import manifest_key
from flows.archives import compact as compact_module
from flows.archives.compact import Tables, compact
from flows.archives.query import connect, find_index_files, run_query
from flows.archives.snapshot import IndexCorrupt, load_snapshot
from flows.storage import open_storage
from flows.storage.base import Storage
from tests.flows.archives.test_research_local import stored_archive

SITE = "niaga"
D1, D2 = date(2026, 1, 1), date(2026, 1, 2)
C1, C2 = "20260101T060000Z", "20260102T060000Z"
# Pages whose URL order is not their SURT order (hosts read right to left).
MOVED = {
    "http://example.com/berita/1": ("http://b.example.com/1", "com,example,b)/1"),
    "http://example.com/berita/2": ("http://a.example.org/2", "org,example,a)/2"),
}


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Tables:
    """The crawl's tables, its two pages moved to hosts of other domains."""
    tables = first_crawl(open_storage(stored_archive(tmp_path_factory.mktemp("src"))[0]))
    captures = tables["captures"]
    moved = [MOVED[url] for url in captures["url"].to_pylist()]
    for n, column in enumerate(("url", "surt")):
        index = captures.schema.get_field_index(column)
        captures = captures.set_column(index, column, pa.array([m[n] for m in moved]))
    return {**tables, "captures": captures}


@pytest.fixture
def two_days(tmp_path: Path, source: Tables) -> Storage:
    """Two crawls of one site, on two days of one month."""
    storage = open_storage(str(tmp_path / "archive"))
    store_copy(storage, source, SITE, D1, C1)
    store_copy(storage, source, SITE, D2, C2)
    return storage


def test_compacted_captures_are_in_surt_then_time_order(two_days: Storage) -> None:
    report = compact(two_days, max_parts=4)
    assert (report.crawls, report.partitions, report.problems) == (2, 1, [])
    snapshot, _ = load_snapshot(two_days)
    assert snapshot is not None
    [[part]] = [p.parts for p in snapshot.partitions]
    rows = pq.read_table(Path(two_days.root) / part.captures.key).to_pylist()  # type: ignore[attr-defined]
    com, org = "http://b.example.com/1", "http://a.example.org/2"
    assert [(r["url"], r["record_type"]) for r in rows] == [
        (com, "request"), (com, "request"), (com, "response"), (com, "response"),
        (org, "request"), (org, "request"), (org, "response"), (org, "response"),
    ]  # fmt: skip
    assert [r["crawl_id"] for r in rows[:2]] == [C1, C2]


def test_a_day_filter_inside_a_partition_leaves_out_the_other_days(two_days: Storage) -> None:
    compact(two_days, max_parts=4)
    files = find_index_files(two_days, since=D2)
    assert (files.crawls, files.compacted, files.exclude) == (1, 1, {SITE: {C1}})
    con, _ = connect(two_days, since=D2)
    counted = run_query(con, "SELECT crawl_id, count(*) AS n FROM articles GROUP BY ALL")
    assert counted.to_pylist() == [{"crawl_id": C2, "n": 2}]


def test_a_compacted_file_missing_or_resized_is_named_with_its_state(two_days: Storage) -> None:
    compact(two_days, max_parts=4)
    snapshot, _ = load_snapshot(two_days)
    assert snapshot is not None
    entry = snapshot.partitions[0].parts[0].captures
    path = Path(two_days.root) / entry.key  # type: ignore[attr-defined]
    path.unlink()
    with pytest.raises(IndexCorrupt, match=f"{entry.key} is missing, the snapshot says "
                                           f"{entry.size} bytes"):  # fmt: skip
        connect(two_days)
    path.write_bytes(b"1234567")
    with pytest.raises(IndexCorrupt, match=f"{entry.key} is 7 bytes, the snapshot says "
                                           f"{entry.size} bytes"):  # fmt: skip
        connect(two_days)


def test_a_crawl_with_a_broken_manifest_is_named_and_left_out(two_days: Storage) -> None:
    key = manifest_key(SITE, C1, D1)
    two_days.put_bytes(key, b"{not json")
    report = compact(two_days, max_parts=4)
    assert report.crawls == 1
    [problem] = report.problems
    assert problem.startswith(f"{SITE} {C1} left uncompacted: manifest {key} is not valid")


def compacted_files(storage: Storage) -> list[tuple[Any, Any]]:
    """The one compacted part's two files of a compacted archive: (stored, parquet metadata)."""
    snapshot, _ = load_snapshot(storage)
    assert snapshot is not None
    [[part]] = [p.parts for p in snapshot.partitions]
    root = Path(storage.root)  # type: ignore[attr-defined]
    return [(f, pq.ParquetFile(root / f.key).metadata) for f in (part.captures, part.articles)]


def test_compacted_files_are_zstd_parquet(two_days: Storage) -> None:
    """zstd, as the per-crawl index files are: the compacted copy must not grow the archive."""
    compact(two_days, max_parts=4)
    for stored, meta in compacted_files(two_days):
        codecs = {
            meta.row_group(g).column(c).compression
            for g in range(meta.num_row_groups)
            for c in range(meta.num_columns)
        }
        assert codecs == {"ZSTD"}, (stored.key, codecs)


def test_compacted_files_are_cut_in_row_groups(
    two_days: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Row groups of ROW_GROUP rows, so that a URL lookup reads only the group its SURT
    falls in (lowered here to 2 rows: the crawls are small)."""
    monkeypatch.setattr(compact_module, "ROW_GROUP", 2)
    compact(two_days, max_parts=4)
    for stored, meta in compacted_files(two_days):
        sizes = [meta.row_group(g).num_rows for g in range(meta.num_row_groups)]
        assert sum(sizes) == stored.rows > 2
        assert max(sizes) == 2, (stored.key, sizes)


class Puts:
    """A storage whose ``put_file`` calls are recorded (key and the digest handed over)."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.digests: dict[str, str] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self.storage, name)

    def put_file(self, key: str, path: Path, sha256: str) -> None:
        self.digests[key] = sha256
        self.storage.put_file(key, path, sha256)


def test_each_compacted_file_is_stored_with_its_digest(two_days: Storage) -> None:
    """The digest goes with the upload, so the backend checks the bytes it received (S3
    refuses a body that does not match; an upload without one is not checked at all)."""
    seen = Puts(two_days)
    compact(seen, max_parts=4)
    snapshot, _ = load_snapshot(two_days)
    assert snapshot is not None
    [[part]] = [p.parts for p in snapshot.partitions]
    for stored in (part.captures, part.articles):
        data = (Path(two_days.root) / stored.key).read_bytes()  # type: ignore[attr-defined]
        assert seen.digests[stored.key] == hashlib.sha256(data).hexdigest() == stored.sha256


class _Frozen(datetime):
    """2026-01-31 20:00 UTC, on a machine whose clock is set to UTC+14 (naive now() is
    already 1 February there)."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> _Frozen:
        instant = datetime(2026, 1, 31, 20, tzinfo=UTC)
        local = instant.astimezone(timezone(timedelta(hours=14))).replace(tzinfo=None)
        found = instant.astimezone(tz) if tz is not None else local
        return cls.fromisoformat(found.isoformat())


def test_the_arrivals_day_is_the_utc_day_whatever_the_machines_zone(
    two_days: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(compact_module, "datetime", _Frozen)
    compact(two_days, max_parts=4)
    snapshot, _ = load_snapshot(two_days)
    assert snapshot is not None
    # a day before the listing, in UTC: a crawl stored on the 30th (UTC) is still found
    assert snapshot.arrivals_from == date(2026, 1, 30)


def test_equal_captures_of_crawls_come_in_crawl_id_order(tmp_path: Path, source: Tables) -> None:
    """Crawl ids need not follow their days: ties between crawls go by id, whatever order
    the crawls were found in."""
    storage = open_storage(str(tmp_path / "archive"))
    store_copy(storage, source, SITE, D1, "zz-first")
    store_copy(storage, source, SITE, D2, "aa-second")
    compact(storage, max_parts=4)
    snapshot, _ = load_snapshot(storage)
    assert snapshot is not None
    [[part]] = [p.parts for p in snapshot.partitions]
    assert list(part.crawls) == ["aa-second", "zz-first"]
    rows = pq.read_table(Path(storage.root) / part.captures.key).to_pylist()  # type: ignore[attr-defined]
    assert [r["crawl_id"] for r in rows[:2]] == ["aa-second", "zz-first"]
