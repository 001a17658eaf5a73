"""Append records to size-rotated ``.warc.gz`` files that are only renamed once complete.

A file is written as ``<name>.open``; it gets its final name (WARC 1.1 Annex C) after flush,
fsync and close. Each record is its own gzip member and is flushed to the OS before a write
returns, so a killed process leaves whole records plus at most one torn member, which
:mod:`crawler.warc.recovery` cuts off.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from warcio.recordloader import ArcWarcRecord
from warcio.warcwriter import WARCWriter

from crawler.layout import OPEN_SUFFIX, WARC_GZ_SUFFIX, fsync_folder
from crawler.warc import records
from crawler.warc.records import CapturedRequest, CapturedResponse, RecordSpec

logger = logging.getLogger(__name__)

_NAME_PART_RE = re.compile(r"^[A-Za-z0-9._]+(?:-[A-Za-z0-9._]+)*$")

IdFactory = Callable[[], str]
Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class RecordLocation:
    """Where a record landed: final file name (no directory), gzip member offset and length."""

    file: str
    offset: int
    length: int
    record_id: str
    payload_digest: str | None = None  # the record's WARC-Payload-Digest, not in as_meta

    def as_meta(self) -> dict[str, str | int]:
        return {
            "file": self.file,
            "offset": self.offset,
            "length": self.length,
            "record_id": self.record_id,
        }


def warc_filename(prefix: str, moment: datetime, serial: int, host: str) -> str:
    """``{prefix}-{YYYYMMDDhhmmssSSS}-{serial:05d}-{host}.warc.gz`` (WARC 1.1 Annex C)."""
    moment = moment.astimezone(UTC)
    stamp = moment.strftime("%Y%m%d%H%M%S") + f"{moment.microsecond // 1000:03d}"
    return f"{prefix}-{stamp}-{serial:05d}-{host}{WARC_GZ_SUFFIX}"


class _CountingFile:
    """Tracks the offset so ``tell`` works without asking the OS after every gzip chunk."""

    def __init__(self, raw: BinaryIO, offset: int) -> None:
        self.raw = raw
        self.offset = offset

    def write(self, data: bytes) -> int:
        self.raw.write(data)
        self.offset += len(data)
        return len(data)

    def flush(self) -> None:
        self.raw.flush()


class _OpenWarc:
    def __init__(self, directory: Path, name: str, warcinfo_id: str) -> None:
        self.final_path = directory / name
        self.open_path = directory / (name + OPEN_SUFFIX)
        if self.final_path.exists():
            raise FileExistsError(f"WARC file already exists: {self.final_path}")
        # O_EXCL: never append to a file another writer (or an earlier crawl) owns.
        fd = os.open(self.open_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        self.raw = os.fdopen(fd, "wb")
        self.out = _CountingFile(self.raw, 0)
        # Only writes records built by crawler.warc.records, which carry their version line.
        self.warcio = WARCWriter(self.out, gzip=True)
        self.warcinfo_id = warcinfo_id

    @property
    def name(self) -> str:
        return self.final_path.name

    def truncate(self, offset: int) -> None:
        self.raw.flush()
        self.raw.truncate(offset)
        self.raw.seek(offset)
        self.out.offset = offset

    def finish(self) -> Path:
        self.raw.flush()
        os.fsync(self.raw.fileno())
        self.raw.close()
        os.rename(self.open_path, self.final_path)
        fsync_folder(self.final_path.parent)
        return self.final_path


class RotatingWarcWriter:
    """Writes records to ``directory``; opens files lazily and rotates after ``max_bytes``.

    Not thread-safe: Scrapy calls it from the reactor thread only.
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        prefix: str,
        host: str,
        max_bytes: int = 1_000_000_000,
        warcinfo: Mapping[str, str] | None = None,
        id_factory: IdFactory = records.new_record_id,
        clock: Clock = records.utc_now,
    ) -> None:
        for label, value in (("prefix", prefix), ("host", host)):
            if not _NAME_PART_RE.match(value):
                raise ValueError(
                    f"WARC file name {label} must be letters, digits, '.', '_' or inner '-', "
                    f"got {value!r}"
                )
        if max_bytes <= 0:
            raise ValueError(f"max_bytes must be positive, got {max_bytes}")
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.prefix = prefix
        self.host = host
        self.max_bytes = max_bytes
        self.warcinfo_fields = dict(warcinfo or {})
        self.id_factory = id_factory
        self.clock = clock
        self._serial = 0
        self._current: _OpenWarc | None = None
        self._closed = False
        self.files_written: list[Path] = []

    # -- helpers other components use to build their own records ------------------
    def new_record_id(self) -> str:
        return self.id_factory()

    def now(self) -> datetime:
        return self.clock()

    def spec(self, date: datetime | None = None) -> RecordSpec:
        """A fresh record identity from this writer's id factory and clock."""
        return RecordSpec(record_id=self.id_factory(), date=date or self.clock())

    @property
    def current_file(self) -> Path | None:
        """The ``.open`` path being written, if any."""
        return self._current.open_path if self._current else None

    # -- writing ------------------------------------------------------------------
    def write_exchange(
        self, request: CapturedRequest, response: CapturedResponse
    ) -> RecordLocation:
        """Write response then request (warcio's order), linked both ways by
        WARC-Concurrent-To; returns the response record's location."""
        current = self._ensure_open()
        response_id = self.id_factory()
        request_id = self.id_factory()
        resp_rec = records.response(
            response,
            RecordSpec(response_id, response.timestamp, current.warcinfo_id),
            concurrent_to=request_id,
        )
        req_rec = records.request(
            request,
            RecordSpec(request_id, request.timestamp, current.warcinfo_id),
            protocol=response.protocol,
            concurrent_to=response_id,
        )
        locations = self._write_group(current, [resp_rec, req_rec])
        return locations[0]

    def write_revisit(
        self,
        request: CapturedRequest,
        response: CapturedResponse,
        original: records.RevisitOf,
        profile: str,
    ) -> RecordLocation:
        """Write a revisit record of ``original`` and its request, linked both ways;
        returns the revisit record's location."""
        revisit_id, request_id = self.id_factory(), self.id_factory()
        revisit = records.revisit(
            response,
            RecordSpec(revisit_id, response.timestamp),
            original,
            profile,
            concurrent_to=request_id,
        )
        req = records.request(
            request,
            RecordSpec(request_id, request.timestamp),
            protocol=response.protocol,
            concurrent_to=revisit_id,
        )
        return self.write_records([revisit, req])[0]

    def write_records(self, warc_records: Iterable[ArcWarcRecord]) -> list[RecordLocation]:
        """Write already-built records (metadata, conversion, ...) into one file together."""
        batch = list(warc_records)
        if not batch:
            return []
        return self._write_group(self._ensure_open(), batch)

    def close(self) -> None:
        """Finish the current file (fsync + rename). Idempotent."""
        if self._closed:
            return
        self._closed = True
        self._finish_current()

    def __enter__(self) -> RotatingWarcWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals ----------------------------------------------------------------
    def _ensure_open(self) -> _OpenWarc:
        if self._closed:
            raise RuntimeError("RotatingWarcWriter is closed")
        if self._current is not None:
            return self._current
        name = warc_filename(self.prefix, self.clock(), self._serial, self.host)
        self._serial += 1
        spec = self.spec()
        current = _OpenWarc(self.directory, name, spec.record_id)
        self._current = current
        info = records.warcinfo(name, self.warcinfo_fields, spec)
        try:
            self._write_group(current, [info], rotate=False)
        except BaseException:
            self._current = None
            current.raw.close()
            raise
        logger.info("Opened WARC file %s", current.open_path)
        return current

    def _write_group(
        self, current: _OpenWarc, batch: list[ArcWarcRecord], rotate: bool = True
    ) -> list[RecordLocation]:
        start = current.out.offset
        locations: list[RecordLocation] = []
        try:
            for record in batch:
                offset = current.out.offset
                current.warcio.write_record(record)
                locations.append(
                    RecordLocation(
                        file=current.name,
                        offset=offset,
                        length=current.out.offset - offset,
                        record_id=record.rec_headers.get_header("WARC-Record-ID"),
                        payload_digest=record.rec_headers.get_header("WARC-Payload-Digest"),
                    )
                )
        except BaseException:
            # Leave no torn member behind; a group is written whole or not at all.
            try:
                current.truncate(start)
            except OSError:
                logger.exception("Could not roll back torn WARC write in %s", current.open_path)
            raise
        current.raw.flush()
        if rotate and current.out.offset >= self.max_bytes:
            self._finish_current()
        return locations

    def _finish_current(self) -> None:
        current, self._current = self._current, None
        if current is None:
            return
        path = current.finish()
        self.files_written.append(path)
        logger.info("Closed WARC file %s", path)
