"""The compacted index's snapshot on its own (hand-made partitions, a local folder, no
Parquet): what ``publish`` and ``load_snapshot`` refuse, named, and what a published
snapshot looks like."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from crawler.layout import INDEX_POINTER_KEY, SNAPSHOT_PREFIX, compacted_prefix
from flows.archives.snapshot import (
    CompactedFile,
    IndexCorrupt,
    Part,
    Partition,
    Snapshot,
    load_snapshot,
    publish,
)
from flows.storage import open_storage
from flows.storage.base import Storage

SITE, MONTH = "niaga", "2026-01"


def _part(site: str = SITE, month: str = MONTH, name: str = "part-1.parquet",
          crawls: dict[str, date] | None = None) -> Part:  # fmt: skip
    files = {
        table: CompactedFile(
            key=f"{compacted_prefix(table, site)}month={month}/{name}",
            size=10,
            rows=1,
            sha256="0" * 64,
        )
        for table in ("captures", "articles")
    }
    return Part(**files, crawls={"c1": date(2026, 1, 5)} if crawls is None else crawls)


@pytest.fixture
def storage(tmp_path: Path) -> Storage:
    return open_storage(str(tmp_path / "archive"))


def test_a_published_snapshot_loads_back_with_its_utc_time(storage: Storage) -> None:
    before = datetime.now(UTC)
    publish(storage, [Partition(site=SITE, month=MONTH, parts=[_part()])], 1, "t0", None)
    snapshot, version = load_snapshot(storage)
    assert snapshot is not None and version is not None
    assert snapshot.created.utcoffset() == timedelta(0)
    assert before <= snapshot.created <= datetime.now(UTC)
    assert snapshot.covered() == {(SITE, "c1")}


def test_the_stored_snapshot_is_one_space_indented_json(storage: Storage) -> None:
    """Readable and diffable by an operator, one value a line, yet small."""
    published = publish(storage, [Partition(site=SITE, month=MONTH, parts=[_part()])], 1, "t0",
                        None)  # fmt: skip
    pointer = json.loads(storage.get_bytes(INDEX_POINTER_KEY))
    text = storage.get_bytes(pointer["snapshot"]).decode()
    assert text == json.dumps(json.loads(text), indent=1, ensure_ascii=False) + "\n"
    assert '\n "generation": 1,\n' in text and text.count("\n") > 10
    assert Snapshot.model_validate_json(text) == published


@pytest.mark.parametrize(
    ("partition", "message"),
    [
        (Partition(site="bad site", month=MONTH, parts=[]), "invalid site 'bad site'"),
        (Partition(site=SITE, month=MONTH, parts=[_part(name="deeper/part-1.parquet")]),
         "is not under _index/captures/site=niaga/month=2026-01/"),
        (Partition(site=SITE, month=MONTH, parts=[_part(crawls={"c1": date(2026, 2, 1)})]),
         "crawl niaga c1 .2026-02-01. is misplaced or listed twice"),
    ],
    ids=["site", "subfolder", "month"],
)  # fmt: skip
def test_publish_refuses_a_partition_it_could_not_load_again(
    storage: Storage, partition: Partition, message: str
) -> None:
    with pytest.raises(IndexCorrupt, match=message):
        publish(storage, [partition], 1, "t0", None)
    assert storage.head(INDEX_POINTER_KEY) is None


def test_a_pointer_into_a_folder_under_the_snapshots_is_refused(storage: Storage) -> None:
    partition = Partition(site=SITE, month=MONTH, parts=[_part()])
    snapshot = Snapshot(generation=1, created=datetime.now(UTC), partitions=[partition])
    key = f"{SNAPSHOT_PREFIX}elsewhere/00000001-x.json"
    storage.put_bytes(key, snapshot.to_json())
    pointer = {"format": "warta-index-pointer/1", "generation": 1, "snapshot": key}
    storage.put_bytes(INDEX_POINTER_KEY, json.dumps(pointer).encode())
    with pytest.raises(IndexCorrupt, match="not a snapshot"):
        load_snapshot(storage)
