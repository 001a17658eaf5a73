"""Compaction run after run on a local folder (fast): what a site or day filter takes,
when a partition gets a new part and when it is merged into one, the arrivals day each
snapshot hands to readers, and what the report counts.

The crawls are copies of one two-page crawl (``source`` of test_compact_partitions)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bench.scale_archive import store_copy
from crawler.layout import manifest_key
from flows.archives.compact import CompactionReport, Tables, compact, read_part
from flows.archives.query import connect, find_index_files, run_query
from flows.archives.snapshot import IndexCorrupt, Partition, Snapshot, load_snapshot, publish
from flows.storage import open_storage
from flows.storage.base import Storage
from tests.flows.archives.test_compact_partitions import C1, C2, D1, D2, SITE, source, two_days
from tests.flows.archives.test_snapshot import _part

__all__ = ["source", "two_days"]  # fixtures

OTHER = "kaltim"
JAN, FEB = "2026-01", "2026-02"
JAN15, FEB1 = date(2026, 1, 15), date(2026, 2, 1)


def _snapshot(storage: Storage) -> Snapshot:
    snapshot, _ = load_snapshot(storage)
    assert snapshot is not None
    return snapshot


def _parts(storage: Storage) -> dict[tuple[str, str], int]:
    return {(p.site, p.month): len(p.parts) for p in _snapshot(storage).partitions}


def _yesterdays() -> set[date]:
    """The UTC day before today, or the one before (should a run cross midnight)."""
    today = datetime.now(UTC).date()
    return {today - timedelta(days=1), today - timedelta(days=2)}


def _timed(run: Callable[[], CompactionReport]) -> tuple[CompactionReport, float]:
    started = time.monotonic()
    report = run()
    return report, time.monotonic() - started


def test_a_site_or_day_filter_compacts_only_its_crawls(two_days: Storage, source: Tables) -> None:
    store_copy(two_days, source, OTHER, D1, C1)
    store_copy(two_days, source, OTHER, D2, C2)
    report = compact(two_days, site=SITE, max_parts=4)
    assert (report.crawls, report.problems) == (2, [])
    snapshot = _snapshot(two_days)
    assert snapshot.covered() == {(SITE, C1), (SITE, C2)}
    # other sites' crawls are not in it: readers must still list the whole archive
    assert snapshot.arrivals_from is None
    stored = [f for _, part in snapshot.files() for f in (part.captures, part.articles)]
    root = Path(two_days.root)  # type: ignore[attr-defined]
    assert (
        report.bytes
        == sum(f.size for f in stored)
        == sum((root / f.key).stat().st_size for f in stored)
    )
    files = find_index_files(two_days, site=SITE)
    assert (files.crawls, files.compacted, files.pending) == (2, 2, [])
    assert files.generation == 1

    assert compact(two_days, until=D1, max_parts=4).crawls == 1
    snapshot = _snapshot(two_days)
    assert snapshot.covered() == {(SITE, C1), (SITE, C2), (OTHER, C1)}
    assert snapshot.arrivals_from is None  # a day filter leaves later crawls out too
    files = find_index_files(two_days)
    assert (files.crawls, files.pending, files.generation) == (4, [(OTHER, D2, C2)], 2)

    # A run over everything lets readers skip the arrivals before yesterday; a site's run
    # later keeps that day: it took the site's crawls only.
    assert compact(two_days, max_parts=4).crawls == 1
    arrivals_from = _snapshot(two_days).arrivals_from
    assert arrivals_from in _yesterdays()
    store_copy(two_days, source, SITE, date(2026, 1, 3), "20260103T060000Z")
    assert compact(two_days, site=SITE, max_parts=4).crawls == 1
    assert _snapshot(two_days).arrivals_from == arrivals_from


def test_a_run_with_nothing_new_still_moves_the_arrivals_day(two_days: Storage) -> None:
    compact(two_days, site=SITE, max_parts=4)
    assert _snapshot(two_days).arrivals_from is None
    report, took = _timed(lambda: compact(two_days, max_parts=4))
    assert (report.crawls, report.partitions, report.generation) == (0, 0, 2)
    assert _snapshot(two_days).arrivals_from in _yesterdays()
    assert 0 <= report.seconds <= took
    again, took = _timed(lambda: compact(two_days, max_parts=4))
    assert 0 <= again.seconds <= took  # timed on the way out of a run with nothing to do
    assert (again.crawls, again.partitions) == (0, 0)


def test_a_crawl_left_out_keeps_the_arrivals_day_where_it_was(
    two_days: Storage, source: Tables
) -> None:
    compact(two_days, max_parts=4)
    arrivals_from = _snapshot(two_days).arrivals_from
    assert arrivals_from is not None
    day = date(2026, 1, 3)
    store_copy(two_days, source, SITE, day, "20260103T060000Z")
    store_copy(two_days, source, SITE, day, "20260103T070000Z")
    two_days.put_bytes(manifest_key(SITE, "20260103T070000Z", day), b"{not json")
    report = compact(two_days, max_parts=4)
    assert report.crawls == 1 and len(report.problems) == 1
    assert _snapshot(two_days).arrivals_from == arrivals_from


def _crawl_counts(storage: Storage) -> dict[str, int]:
    con, _ = connect(storage)
    rows = run_query(con, "SELECT crawl_id, count(*) AS n FROM articles GROUP BY ALL")
    return {r["crawl_id"]: r["n"] for r in rows.to_pylist()}


def test_a_running_month_gets_a_part_a_run_up_to_max_parts(tmp_path: Path, source: Tables) -> None:
    storage = open_storage(str(tmp_path / "archive"))
    parts, merged = [], []
    for n in range(1, 5):
        store_copy(storage, source, SITE, date(2026, 1, n), f"2026010{n}T060000Z")
        report = compact(storage, max_parts=3, today=JAN15)
        parts.append(_parts(storage)[(SITE, JAN)])
        merged.append(report.merged)
    assert parts == [1, 2, 3, 1] and merged == [0, 0, 0, 1]  # a 4th part would pass 3
    per_crawl = source["articles"].num_rows
    assert _crawl_counts(storage) == {f"2026010{n}T060000Z": per_crawl for n in range(1, 5)}
    assert report.rows["articles"] == 4 * per_crawl


def test_a_finished_month_becomes_one_file_once(tmp_path: Path, source: Tables) -> None:
    storage = open_storage(str(tmp_path / "archive"))
    for n in (1, 2):
        store_copy(storage, source, SITE, date(2026, 1, n), f"2026010{n}T060000Z")
        compact(storage, max_parts=4, today=JAN15)
    assert _parts(storage) == {(SITE, JAN): 2}
    seen: list[tuple[str, str]] = []

    def hook(site: str, month: str) -> None:
        seen.append((site, month))

    report = compact(storage, max_parts=4, today=FEB1, on_partition=hook)
    assert (report.merged, seen, _parts(storage)) == (1, [(SITE, JAN)], {(SITE, JAN): 2 - 1})
    seen.clear()
    compact(storage, max_parts=4, today=date(2026, 3, 1), on_partition=hook)
    assert seen == []  # one file already: not opened again
    assert _crawl_counts(storage) == {
        f"2026010{n}T060000Z": source["articles"].num_rows for n in (1, 2)
    }


def test_a_running_month_is_not_rewritten_while_no_crawl_arrives(
    tmp_path: Path, source: Tables
) -> None:
    storage = open_storage(str(tmp_path / "archive"))
    for n in (1, 2, 3):
        store_copy(storage, source, SITE, date(2026, 1, n), f"2026010{n}T060000Z")
        compact(storage, max_parts=4, today=JAN15)
    seen: list[tuple[str, str]] = []
    # even with max_parts lowered below its 3 parts: the next crawl's run merges them
    compact(storage, max_parts=2, today=JAN15, on_partition=lambda s, m: seen.append((s, m)))
    assert seen == [] and _parts(storage) == {(SITE, JAN): 3}


def test_repair_of_one_site_rewrites_that_site_only(two_days: Storage, source: Tables) -> None:
    store_copy(two_days, source, OTHER, D1, C1)
    compact(two_days, max_parts=4)
    seen: list[tuple[str, str]] = []
    report = compact(two_days, site=OTHER, repair=True, max_parts=4,
                     on_partition=lambda s, m: seen.append((s, m)))  # fmt: skip
    assert seen == [(OTHER, JAN)] and report.merged == 1 and report.crawls == 0


def test_a_compacted_file_changed_in_place_fails_its_digest(two_days: Storage) -> None:
    """Same size, one byte flipped: only the sha256 tells."""
    compact(two_days, max_parts=4)
    [(_, part)] = list(_snapshot(two_days).files())
    path = Path(two_days.root) / part.captures.key  # type: ignore[attr-defined]
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(IndexCorrupt, match=f"{part.captures.key}: .*sha256"):
        read_part(two_days, part)


def test_repair_of_a_part_without_crawls_whose_files_are_gone(tmp_path: Path) -> None:
    """Nothing to rebuild it from: the partition becomes one empty file per table."""
    storage = open_storage(str(tmp_path / "archive"))
    publish(storage, [Partition(site=SITE, month=JAN, parts=[_part(crawls={})])], 1, "t0", None)
    report = compact(storage, repair=True, max_parts=4)
    assert (report.merged, report.crawls, len(report.problems)) == (1, 0, 1)
    [(_, part)] = list(_snapshot(storage).files())
    assert (part.crawls, part.captures.rows, part.articles.rows) == ({}, 0, 0)
    assert read_part(storage, part)["articles"].num_rows == 0


def test_a_compacted_file_recorded_with_another_size_is_refused(two_days: Storage) -> None:
    """A snapshot crafted with the file's true digest but a size it does not have."""
    compact(two_days, max_parts=4)
    [(_, part)] = list(_snapshot(two_days).files())
    wrong = part.captures.model_copy(update={"size": part.captures.size + 1})
    with pytest.raises(IndexCorrupt, match=f"{part.captures.key}: "):
        read_part(two_days, part.model_copy(update={"captures": wrong}))


def test_a_crawl_whose_manifest_gives_another_size_is_left_out(two_days: Storage) -> None:
    key = manifest_key(SITE, C1, D1)
    manifest = json.loads(two_days.get_bytes(key))
    entry = next(f for f in manifest["files"] if f["name"] == "articles.parquet")
    entry["size"] += 1  # the digest is still the file's own
    two_days.put_bytes(key, json.dumps(manifest).encode())
    report = compact(two_days, max_parts=4)
    assert report.crawls == 1
    [problem] = report.problems
    assert problem.startswith(f"{SITE} {C1} left uncompacted: {entry['key']}: ")
