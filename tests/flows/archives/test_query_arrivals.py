"""Which crawls a query reads when the snapshot points readers at the arrivals log: one
listing per UTC day from the snapshot's day to tomorrow, each crawl once (by site and id),
only the asked site's, day by day. Hand-made markers in a local folder: no crawl is stored."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from crawler.layout import ARRIVALS_PREFIX, arrival_key
from flows.archives.query import index_files_of
from flows.archives.snapshot import Snapshot
from flows.storage import open_storage
from flows.storage.base import Storage
from tests.flows.archives.test_compact import Listings

D1, D2 = date(2026, 1, 1), date(2026, 1, 2)


def _snapshot(arrivals_from: date) -> Snapshot:
    return Snapshot(generation=1, created=datetime.now(UTC), arrivals_from=arrivals_from,
                    partitions=[])  # fmt: skip


def _arrivals_listed(seen: Listings) -> list[str]:
    return [
        p.removeprefix(ARRIVALS_PREFIX).rstrip("/")
        for p in seen.prefixes
        if p.startswith(ARRIVALS_PREFIX)
    ]


def _days(first: date, last: date) -> list[str]:
    return [f"{first + timedelta(days=n)}" for n in range((last - first).days + 1)]


@pytest.fixture
def marked(tmp_path: Path) -> tuple[Storage, date]:
    """Arrival markers stored over two days, three days ago and the day after."""
    storage = open_storage(str(tmp_path / "archive"))
    first = datetime.now(UTC).date() - timedelta(days=3)
    for stored, site, day, crawl_id in [
        (first, "zz", D1, "c1"), (first, "aa", D2, "c0"), (first, "bb", D1, "c9"),
        (first + timedelta(days=1), "bb", D1, "c4"), (first + timedelta(days=1), "aa", D1, "c5"),
        (first + timedelta(days=1), "aa", D1, "c1"),  # the same id as zz's: another crawl
        (first + timedelta(days=1), "zz", D1, "c1"),  # zz's c1 stored again: counted once
    ]:  # fmt: skip
        storage.put_bytes(arrival_key(stored, site, day, crawl_id, True), b"{}\n")
    storage.put_bytes(f"{ARRIVALS_PREFIX}{first}/stray.txt", b"")  # not a marker: ignored
    return storage, first


def test_arrived_crawls_come_once_each_day_by_day(marked: tuple[Storage, date]) -> None:
    storage, first = marked
    seen = Listings(storage)
    found = index_files_of(seen, _snapshot(first))
    assert found.pending == [
        ("aa", D1, "c1"), ("aa", D1, "c5"), ("bb", D1, "c4"), ("bb", D1, "c9"),
        ("zz", D1, "c1"), ("aa", D2, "c0"),
    ]  # fmt: skip
    assert found.crawls == 6 and len(found.keys["articles"]) == 6
    today = datetime.now(UTC).date()
    assert _arrivals_listed(seen) == _days(first, today + timedelta(days=1))  # to tomorrow

    only = index_files_of(storage, _snapshot(first), site="bb")
    assert only.pending == [("bb", D1, "c4"), ("bb", D1, "c9")]


def test_a_snapshot_from_a_clock_ahead_is_listed_one_day(marked: tuple[Storage, date]) -> None:
    storage, _first = marked
    tomorrow = datetime.now(UTC).date() + timedelta(days=1)
    seen = Listings(storage)
    assert index_files_of(seen, _snapshot(tomorrow)).crawls == 0
    assert _arrivals_listed(seen) == [f"{tomorrow}"]


@pytest.fixture
def far_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A local time zone whose date differs from the UTC date right now."""
    zone = "Etc/GMT-14" if datetime.now(UTC).hour >= 12 else "Etc/GMT+12"  # UTC+14 / UTC-12
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    assert datetime.now().date() != datetime.now(UTC).date()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("far_zone")
def test_arrival_days_are_utc_days_whatever_the_local_zone(
    marked: tuple[Storage, date],
) -> None:
    storage, first = marked
    seen = Listings(storage)
    assert index_files_of(seen, _snapshot(first)).crawls == 6
    assert _arrivals_listed(seen)[-1] == f"{datetime.now(UTC).date() + timedelta(days=1)}"
