"""Make ``.warc.gz.open`` files left by a killed crawl valid: keep whole records, cut the rest.

Each record is one gzip member (see writer.py). A member counts only if it decompresses to
its end (gzip CRC and size checked), holds exactly one WARC record whose Content-Length
matches and whose WARC-Block-Digest verifies. The file is cut after the last such member
and renamed to its final name; a file with no whole record is moved aside as ``.corrupt``.
Reading is streamed, so memory stays bounded whatever the record size.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

from crawler.layout import (
    CORRUPT_SUFFIX,
    OPEN_SUFFIX,
    WARC_GZ_SUFFIX,
    fsync_folder,
    open_warc_files,
)

logger = logging.getLogger(__name__)

_CHUNK = 64 * 1024
_MAX_HEADER = 1024 * 1024
_TRAILER = b"\r\n\r\n"


@dataclass(frozen=True, slots=True)
class RecoveryReport:
    """What happened to one ``.open`` file."""

    source: Path
    result: Path
    status: Literal["recovered", "corrupt"]
    records: int
    kept_bytes: int
    dropped_bytes: int


class _RecordCheck:
    """Streams one decompressed member and decides whether it is exactly one whole record."""

    def __init__(self) -> None:
        self.head = bytearray()
        self.header_done = False
        self.block_remaining = -1
        self.digester: hashlib._Hash | None = None
        self.expected_digest: str | None = None
        self.tail = bytearray()
        self.valid = True

    def feed(self, data: bytes) -> None:
        if not self.valid or not data:
            return
        if not self.header_done:
            self.head += data
            end = self.head.find(b"\r\n\r\n")
            if end < 0:
                if len(self.head) > _MAX_HEADER:
                    self.valid = False
                return
            data = bytes(self.head[end + 4 :])
            self._parse_header(bytes(self.head[:end]))
            self.header_done = True
            if not self.valid:
                return
        take = min(len(data), self.block_remaining)
        if take and self.digester is not None:
            self.digester.update(data[:take])
        self.block_remaining -= take
        self.tail += data[take:]
        if len(self.tail) > len(_TRAILER):
            self.valid = False

    def _parse_header(self, raw: bytes) -> None:
        lines = raw.split(b"\r\n")
        if not lines[0].startswith(b"WARC/"):
            self.valid = False
            return
        fields: dict[str, str] = {}
        for line in lines[1:]:
            name, sep, raw_value = line.partition(b":")
            if not sep:
                self.valid = False
                return
            fields[name.strip().decode("latin-1").lower()] = raw_value.strip().decode("latin-1")
        try:
            self.block_remaining = int(fields["content-length"])
        except (KeyError, ValueError):
            self.valid = False
            return
        algo, _, expected = fields.get("warc-block-digest", "").partition(":")
        if algo.lower() == "sha1" and expected:
            self.digester = hashlib.sha1()
            self.expected_digest = expected.upper()

    def complete(self) -> bool:
        if not (self.valid and self.header_done and self.block_remaining == 0):
            return False
        if bytes(self.tail) != _TRAILER:
            return False
        if self.digester is not None:
            return base64.b32encode(self.digester.digest()).decode() == self.expected_digest
        return True


def scan_valid_prefix(stream: BinaryIO) -> tuple[int, int]:
    """Return (bytes of whole valid records at the start, number of such records)."""
    good_end = 0
    count = 0
    pending = b""  # read but not yet decompressed: what follows the member before
    while True:
        decomp = zlib.decompressobj(zlib.MAX_WBITS + 16)
        check = _RecordCheck()
        consumed = 0  # compressed bytes of this member fed so far
        while not decomp.eof:
            if not pending:
                pending = stream.read(_CHUNK)
                if not pending:  # end of the file, at a member boundary or inside one
                    return good_end, count
            try:
                check.feed(decomp.decompress(pending))
            except zlib.error:
                return good_end, count
            # Bytes after the member's end are left in unused_data (empty until then).
            consumed += len(pending) - len(decomp.unused_data)
            pending = decomp.unused_data
            if not check.valid:
                return good_end, count
        if not check.complete():
            return good_end, count
        good_end += consumed
        count += 1


def final_name(open_path: Path) -> Path:
    return open_path.with_name(open_path.name[: -len(OPEN_SUFFIX)])


def recover_file(open_path: Path) -> RecoveryReport:
    """Cut one ``.open`` file after its last whole record and give it its final name."""
    target = final_name(open_path)
    if not target.name.endswith(WARC_GZ_SUFFIX):
        raise ValueError(f"not an open WARC file: {open_path}")
    size = open_path.stat().st_size
    with open(open_path, "rb") as stream:
        kept, count = scan_valid_prefix(stream)
    if count == 0:
        result = target.with_name(target.name + CORRUPT_SUFFIX)
        status: Literal["recovered", "corrupt"] = "corrupt"
    else:
        result = target
        status = "recovered"
        if kept < size:
            with open(open_path, "r+b") as out:
                out.truncate(kept)
                out.flush()
                os.fsync(out.fileno())
    if result.exists():
        raise FileExistsError(f"cannot recover {open_path}: {result} already exists")
    os.rename(open_path, result)
    fsync_folder(result.parent)
    report = RecoveryReport(
        open_path, result, status, count, kept if count else 0, size - kept if count else size
    )
    log = logger.warning if report.dropped_bytes or status == "corrupt" else logger.info
    log(
        "Recovered %s -> %s: %d whole records, %d bytes dropped",
        open_path,
        result,
        count,
        report.dropped_bytes,
    )
    return report


def recover_open_files(directory: str | os.PathLike[str]) -> list[RecoveryReport]:
    """Recover every ``*.warc.gz.open`` in ``directory`` (not recursive), oldest name first."""
    folder = Path(directory)
    if not folder.is_dir():
        return []
    return [recover_file(p) for p in open_warc_files(folder)]
