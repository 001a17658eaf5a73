"""The compacted index's snapshot: which compacted files are live and which crawls they hold.

A compaction (:mod:`flows.archives.compact`) writes its Parquet files and then one snapshot,
both under fresh names, and publishes them last by replacing the small pointer
``_index/current.json`` conditionally (If-Match on S3, a file lock locally). A reader reads
the pointer, then the snapshot it names: it sees the whole of one compaction or none of it,
however a compaction ends. A file no snapshot names (a compaction killed or beaten by
another) is never read. Every key and count here is checked before use, so a crafted
snapshot cannot send a reader outside ``_index/`` or make it count rows a file lacks.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from crawler.layout import (
    INDEX_POINTER_KEY,
    SNAPSHOT_PREFIX,
    check_id,
    compacted_prefix,
    snapshot_key,
)
from flows.storage.base import Storage, StorageConflict, check_key

SNAPSHOT_FORMAT: Literal["warta-index-snapshot/1"] = "warta-index-snapshot/1"
POINTER_FORMAT: Literal["warta-index-pointer/1"] = "warta-index-pointer/1"
TABLES = ("captures", "articles")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class IndexCorrupt(Exception):
    """The compacted index cannot be trusted; the message names the object and the reason.

    Queries stop on it rather than answer from an index that may be wrong.
    """


class CompactedFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str
    size: int = Field(ge=0)
    rows: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class Part(BaseModel):
    """One compacted file per table, and the crawls (id -> UTC day) whose rows it holds."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    captures: CompactedFile
    articles: CompactedFile
    crawls: dict[str, date]

    def file(self, table: str) -> CompactedFile:
        return self.captures if table == "captures" else self.articles


class Partition(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    site: str
    month: str = Field(pattern=_MONTH.pattern)
    parts: list[Part]

    def crawls(self) -> dict[str, date]:
        return {cid: day for part in self.parts for cid, day in part.crawls.items()}


class Snapshot(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal["warta-index-snapshot/1"] = SNAPSHOT_FORMAT
    generation: int = Field(ge=1)
    created: datetime
    arrivals_from: date | None = Field(
        default=None,
        description="Every crawl stored before this UTC day is in a partition; readers find "
        "later ones in the arrivals log. None: readers list the whole archive.",
    )
    partitions: list[Partition]

    def covered(self) -> set[tuple[str, str]]:
        """(site, crawl id) of every crawl whose rows are in a compacted file."""
        return {(p.site, cid) for p in self.partitions for cid in p.crawls()}

    def files(self) -> Iterator[tuple[Partition, Part]]:
        for partition in self.partitions:
            for part in partition.parts:
                yield partition, part

    def to_json(self) -> bytes:
        return (self.model_dump_json(indent=1) + "\n").encode()


class Pointer(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal["warta-index-pointer/1"] = POINTER_FORMAT
    generation: int = Field(ge=1)
    snapshot: str


def _check(snapshot: Snapshot, key: str) -> Snapshot:
    """Every file key inside its own table, site and month folder; each crawl in one part."""
    seen: set[tuple[str, str]] = set()
    places: set[tuple[str, str]] = set()
    for partition in snapshot.partitions:
        try:
            check_id(partition.site, "site")
        except ValueError as exc:
            raise IndexCorrupt(f"snapshot {key}: {exc}") from None
        if (partition.site, partition.month) in places:
            raise IndexCorrupt(f"snapshot {key} lists {partition.site} {partition.month} twice")
        places.add((partition.site, partition.month))
        for part in partition.parts:
            for table in TABLES:
                file_key = part.file(table).key
                folder = f"{compacted_prefix(table, partition.site)}month={partition.month}/"
                try:
                    check_key(file_key)
                except ValueError as exc:
                    raise IndexCorrupt(f"snapshot {key}: {exc}") from None
                if not file_key.startswith(folder) or "/" in file_key[len(folder) :]:
                    raise IndexCorrupt(f"snapshot {key}: {file_key!r} is not under {folder}")
            for crawl_id, day in part.crawls.items():
                if f"{day:%Y-%m}" != partition.month or (partition.site, crawl_id) in seen:
                    raise IndexCorrupt(
                        f"snapshot {key}: crawl {partition.site} {crawl_id} ({day}) "
                        f"is misplaced or listed twice"
                    )
                seen.add((partition.site, crawl_id))
    return snapshot


def _parse(data: bytes, key: str, model: type[BaseModel]) -> BaseModel:
    try:
        return model.model_validate(json.loads(data))
    except (ValueError, ValidationError) as exc:
        first = " ".join(str(exc).splitlines()[0:3])
        raise IndexCorrupt(f"{key} is not a valid {model.__name__.lower()}: {first}") from None


def load_snapshot(storage: Storage) -> tuple[Snapshot | None, str | None]:
    """The current snapshot (None before the first compaction) and the pointer's version."""
    found = storage.get_versioned(INDEX_POINTER_KEY)
    if found is None:
        return None, None
    data, version = found
    pointer = _parse(data, INDEX_POINTER_KEY, Pointer)
    assert isinstance(pointer, Pointer)
    if (
        not pointer.snapshot.startswith(SNAPSHOT_PREFIX)
        or "/" in pointer.snapshot[len(SNAPSHOT_PREFIX) :]
    ):
        raise IndexCorrupt(f"{INDEX_POINTER_KEY} names {pointer.snapshot!r}, not a snapshot")
    snapshot = _parse(storage.get_bytes(check_key(pointer.snapshot)), pointer.snapshot, Snapshot)
    assert isinstance(snapshot, Snapshot)
    if snapshot.generation != pointer.generation:
        raise IndexCorrupt(
            f"{pointer.snapshot} is generation {snapshot.generation}, "
            f"the pointer says {pointer.generation}"
        )
    return _check(snapshot, pointer.snapshot), version


def publish(
    storage: Storage, partitions: list[Partition], generation: int, token: str,
    version: str | None, arrivals_from: date | None = None,
) -> Snapshot:  # fmt: skip
    """Write the snapshot under a fresh key, then point ``current.json`` at it, but only if
    the pointer is still at ``version`` (StorageConflict: another compaction came first)."""
    ordered = sorted(partitions, key=lambda p: (p.site, p.month))
    snapshot = Snapshot(
        generation=generation, created=datetime.now(UTC), arrivals_from=arrivals_from,
        partitions=ordered,
    )  # fmt: skip
    key = snapshot_key(generation, token)
    _check(snapshot, key)
    storage.put_bytes(key, snapshot.to_json())
    pointer = Pointer(generation=generation, snapshot=key)
    storage.put_bytes_if(INDEX_POINTER_KEY, (pointer.model_dump_json() + "\n").encode(), version)
    return snapshot


__all__ = [
    "CompactedFile",
    "IndexCorrupt",
    "Part",
    "Partition",
    "Pointer",
    "Snapshot",
    "StorageConflict",
    "load_snapshot",
    "publish",
]
