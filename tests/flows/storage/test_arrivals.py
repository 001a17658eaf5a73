"""The arrival marker of a stored crawl: filed under the UTC day it was stored, naming the
crawl (site, crawl day, id) and whether both of its index files were stored with it."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path

import pytest

from crawler.layout import (
    ARTICLES_INDEX,
    CAPTURES_INDEX,
    arrivals_prefix,
    manifest_key,
    parse_arrival_key,
)
from flows.storage import open_storage
from flows.storage.arrivals import note_arrival
from flows.storage.manifest import Manifest, ManifestFile

CRAWL = "20251230T235900Z"
DAY = date(2025, 12, 30)


def _manifest(*names: str) -> Manifest:
    files = [
        ManifestFile(name=n, key=f"niaga/2025/12/30/{n}", size=1, sha256="0" * 64, kind="parquet")
        for n in names
    ]
    return Manifest(site="niaga", crawl_id=CRAWL, crawl_date=DAY, files=files)


@pytest.mark.parametrize(
    ("names", "indexed"),
    [
        ((CAPTURES_INDEX, ARTICLES_INDEX), True),
        ((CAPTURES_INDEX,), False),
        ((ARTICLES_INDEX,), False),
        ((), False),
    ],
)
def test_the_marker_names_the_crawl_and_whether_it_is_indexed(
    tmp_path: Path, names: tuple[str, ...], indexed: bool
) -> None:
    storage = open_storage(str(tmp_path / "archive"))
    key = note_arrival(storage, _manifest(*names))
    stored = datetime.now(UTC).date()  # today in UTC, wherever the worker runs
    assert key.startswith(arrivals_prefix(stored))
    assert parse_arrival_key(key) == ("niaga", DAY, CRAWL, indexed)
    assert [i.key for i in storage.list()] == [key]
    body = storage.get_bytes(key)
    assert body.endswith(b"}\n")
    assert json.loads(body) == {"manifest": manifest_key("niaga", CRAWL, DAY)}


class _Evening(datetime):
    """20:00 UTC on 27 November: already the 28th on a machine in Samarinda (WITA)."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        moment = datetime(2025, 11, 27, 20, 0, tzinfo=UTC)
        return moment.astimezone(tz) if tz else moment.astimezone().replace(tzinfo=None)


def test_the_marker_is_filed_under_the_utc_day_not_the_machines(
    tmp_path: Path, machine_in_wita: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("flows.storage.arrivals.datetime", _Evening)
    assert _Evening.now().date() == date(2025, 11, 28)  # the machine's own day
    key = note_arrival(open_storage(str(tmp_path / "archive")), _manifest())
    assert key.startswith(arrivals_prefix(date(2025, 11, 27)))
