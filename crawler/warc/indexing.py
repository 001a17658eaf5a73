"""Build the CDXJ index a replay tool (pywb) needs to find each capture in the WARC files.

The index is made by cdxj-indexer, the standard tool, with the options pywb's own
``wb-manager`` uses: sorted lines, POST/PUT bodies folded into the key (``post_append``).
Only ``response`` and ``revisit`` records get a line: they are what replay serves. Request,
warcinfo, metadata and conversion records are reached through ``WARC-Concurrent-To`` and
``WARC-Refers-To`` instead, and indexing metadata would put ``urn:warta:`` keys into a
replay index. The file is written to a temporary name and renamed, so an index is never
seen half written.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol

import surt
from cdxj_indexer.main import CDXJIndexer
from warcio.timeutils import iso_date_to_timestamp

from crawler.layout import CDXJ_SUFFIX, OPEN_SUFFIX, WARC_SUFFIXES, fsync_folder

INDEXED_RECORDS = ("response", "revisit")


class IndexingError(ValueError):
    """A WARC file could not be indexed; the old index, if any, is left untouched."""


@dataclass(frozen=True, slots=True)
class CdxjLine:
    """One parsed CDXJ line: SURT key, 14-digit timestamp and the JSON block."""

    urlkey: str
    timestamp: str
    fields: dict[str, Any]

    @property
    def filename(self) -> str:
        return str(self.fields.get("filename", ""))

    @property
    def offset(self) -> int:
        return int(self.fields.get("offset", -1))

    @property
    def length(self) -> int:
        return int(self.fields.get("length", -1))


class IndexTarget(Protocol):
    """The record an index line points at, as read from its WARC file."""

    rec_type: str
    uri: str
    date: str
    length: int
    payload_digest: str | None


class _NamedIndexer(CDXJIndexer):
    """Adds the file name to an error, so a bad file in a long list is easy to find."""

    def process_one(self, input_: BinaryIO, output: Any, filename: str) -> None:
        try:
            super().process_one(input_, output, filename)
        except Exception as exc:
            raise IndexingError(f"cannot index {filename}: {exc}".strip()) from exc


def check_warc_inputs(warc_paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Existing, finished WARC files with distinct base names (indexes and WACZ name them so)."""
    paths = [Path(p) for p in warc_paths]
    names: dict[str, Path] = {}
    for path in paths:
        if path.name.endswith(OPEN_SUFFIX):
            raise IndexingError(f"{path} is still being written (or needs recovery); not indexed")
        if not path.name.endswith(WARC_SUFFIXES):
            raise IndexingError(f"{path} is not a WARC file ({' or '.join(WARC_SUFFIXES)})")
        if not path.is_file():
            raise FileNotFoundError(f"WARC file not found: {path}")
        if path.name in names and names[path.name].resolve() != path.resolve():
            # The index names files by base name; two files of one name would be ambiguous.
            raise IndexingError(f"two WARC files share the name {path.name}: {names[path.name]}")
        names[path.name] = path
    return list(dict.fromkeys(paths))


def build_cdxj(
    warc_paths: Iterable[str | os.PathLike[str]],
    out_path: str | os.PathLike[str],
    *,
    dir_root: str | os.PathLike[str] | None = None,
) -> Path:
    """Index ``warc_paths`` into one sorted CDXJ file at ``out_path``; return its path.

    ``filename`` in each line is the WARC's base name (what pywb expects when the WARCs sit
    in a collection's ``archive/`` folder), or its path relative to ``dir_root`` if given.
    """
    inputs = check_warc_inputs(warc_paths)
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            indexer = _NamedIndexer(
                handle,
                [str(p) for p in inputs],
                sort=True,
                post_append=True,
                records=",".join(INDEXED_RECORDS),
                dir_root=str(dir_root) if dir_root is not None else None,
            )
            indexer.process_all()
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, out)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    fsync_folder(out.parent)
    return out


def parse_cdxj_line(line: str) -> CdxjLine:
    """Split ``<urlkey> <timestamp> {json}``; raises ValueError on anything else."""
    urlkey, sep1, rest = line.rstrip("\n").partition(" ")
    timestamp, sep2, block = rest.partition(" ")
    if not (sep1 and sep2 and urlkey and timestamp.isdigit() and block.startswith("{")):
        raise ValueError(f"not a CDXJ line: {line[:200]!r}")
    fields = json.loads(block)
    if not isinstance(fields, dict):
        raise ValueError(f"CDXJ block is not a JSON object: {block[:200]!r}")
    return CdxjLine(urlkey, timestamp, fields)


def read_cdxj(path: str | os.PathLike[str]) -> Iterator[tuple[int, str, CdxjLine | None]]:
    """Yield (line number, raw line, parsed line or None if unparsable); skips blank lines."""
    with open(path, encoding="utf-8") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                yield number, raw, parse_cdxj_line(raw)
            except ValueError:
                yield number, raw, None


def line_mismatches(line: CdxjLine, record: IndexTarget) -> list[str]:
    """Why ``line`` does not describe ``record`` (found at its file and offset); [] if it does."""
    wrong: list[str] = []
    if record.rec_type not in INDEXED_RECORDS:
        wrong.append(f"record is a {record.rec_type}")
    if line.length != record.length:
        wrong.append(f"length {line.length} != {record.length}")
    if line.fields.get("url", record.uri) != record.uri:
        wrong.append(f"url {line.fields.get('url')!r} != {record.uri!r}")
    if record.date and line.timestamp != iso_date_to_timestamp(record.date):
        wrong.append(f"timestamp {line.timestamp} != WARC-Date {record.date}")
    digest = line.fields.get("digest")
    if digest and record.payload_digest and digest != record.payload_digest:
        wrong.append(f"digest {digest} != {record.payload_digest}")
    # POST/PUT keys carry the request body (post_append), so only GET keys are plain SURTs.
    if "method" not in line.fields and record.uri and line.urlkey != surt.surt(record.uri):
        wrong.append(f"key {line.urlkey!r} is not the SURT of the url")
    return wrong


__all__ = [
    "CDXJ_SUFFIX",
    "INDEXED_RECORDS",
    "CdxjLine",
    "IndexTarget",
    "IndexingError",
    "build_cdxj",
    "check_warc_inputs",
    "line_mismatches",
    "parse_cdxj_line",
    "read_cdxj",
]
