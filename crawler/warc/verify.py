"""Check that WARC files and their CDXJ index can be trusted (``warta verify PATH...``).

Two independent reads of every ``.warc.gz``: warcio (record by record, block and payload
digests, links between records) and the member scanner from :mod:`recovery` (each gzip
member decompresses to its end and holds exactly one whole record). warcio alone passes
some damage silently: a member cut inside its header or trailer is simply taken as the end
of the file. Then the links are checked across all given files, and every ``.cdxj`` index
found is checked against the records it claims to point at.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from crawler.layout import CDXJ_SUFFIX, CORRUPT_SUFFIX, OPEN_SUFFIX, WARC_SUFFIXES, warc_files
from crawler.warc.indexing import INDEXED_RECORDS, line_mismatches, read_cdxj
from crawler.warc.reader import WarcReader, WarcReadError, WarcRecord
from crawler.warc.recovery import scan_valid_prefix
from crawler.warc.verify_report import Collector, Problem, RecordInfo, VerifyReport

_CHUNK = 1024 * 1024


# -- finding the files ----------------------------------------------------------------
def _classify(path: Path, col: Collector, warcs: list[Path], indexes: list[Path]) -> None:
    name = path.name
    if name.endswith(OPEN_SUFFIX):
        col.problem(path, "open-file", "WARC file was never finished (run recovery or wait)")
    elif name.endswith(CORRUPT_SUFFIX):
        col.warn(path, "corrupt-file", "moved aside by recovery: it holds no whole record")
    elif name.endswith(WARC_SUFFIXES):
        warcs.append(path)
    elif name.endswith(CDXJ_SUFFIX):
        indexes.append(path)


def _unique(paths: list[Path]) -> list[Path]:
    """The same file named twice (via its folder, relative and absolute) is read once."""
    seen: dict[Path, Path] = {}
    for path in paths:
        seen.setdefault(path.resolve(), path)
    return list(seen.values())


def _walk(folder: Path) -> Iterable[Path]:
    """Files under ``folder``, sorted, hidden folders (the Scrapy job queue) left out. A data
    folder (one holding ``crawls/``) means its crawls: ``archive/`` holds copies of them."""
    if (folder / "crawls").is_dir():
        folder = folder / "crawls"
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            yield Path(root) / name


def _collect_paths(paths: Iterable[str | os.PathLike[str]], col: Collector) -> None:
    warcs: list[Path] = []
    indexes: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in _walk(path):
                _classify(child, col, warcs, indexes)
        elif path.is_file():
            before = len(warcs) + len(indexes) + len(col.report.problems)
            _classify(path, col, warcs, indexes)
            known = len(warcs) + len(indexes) + len(col.report.problems)
            if known == before and not path.name.endswith(CORRUPT_SUFFIX):
                col.problem(
                    path, "not-warc", f"not a WARC ({', '.join(WARC_SUFFIXES)}) or CDXJ file"
                )
        else:
            col.problem(path, "missing", "no such file or folder")
    col.report.warc_files = _unique(warcs)
    col.report.indexes = _unique(indexes)
    if not col.report.warc_files:
        col.problem(", ".join(map(str, paths)) or "(none)", "no-warc", "no WARC files found")


def _earlier_record_ids(given: list[Path]) -> set[str]:
    """Record IDs in the crawl folders beside the given ones (``crawls/<site>/*/``): the
    earlier crawls an incremental crawl's revisit and derived records refer to. A given
    file's own folder is not searched: leaving out a file of the same crawl is a gap."""
    own = {p.resolve().parent for p in given}
    ids: set[str] = set()
    for site_folder in {folder.parent for folder in own}:
        crawls = sorted(p for p in site_folder.iterdir() if p.is_dir())
        for path in [warc for crawl in crawls for warc in warc_files(crawl)]:
            if path.parent in own or path.parent.name.startswith("."):
                continue
            reader = WarcReader(path, parse_http=False, check_start=False)
            with contextlib.suppress(Exception), reader:
                ids.update(entry.record_id for entry in reader if entry.record_id)
    return ids


# -- one WARC file ----------------------------------------------------------------------
def _record_info(path: Path, entry: WarcRecord, length: int) -> RecordInfo:
    headers = entry.record.rec_headers
    return RecordInfo(
        file=path,
        offset=entry.offset,
        length=length,
        rec_type=entry.rec_type,
        record_id=entry.record_id or "",
        uri=entry.target_uri or "",
        date=entry.date or "",
        concurrent_to=tuple(v for k, v in headers.headers if k.lower() == "warc-concurrent-to"),
        refers_to=entry.header("WARC-Refers-To"),
        warcinfo_id=entry.header("WARC-Warcinfo-ID"),
        payload_digest=entry.header("WARC-Payload-Digest"),
    )


def _record_problems(entry: WarcRecord, first: bool, end_error: bool) -> list[tuple[str, str]]:
    """(kind, message) for one record read to its end."""
    record = entry.record
    found: list[tuple[str, str]] = []
    if first and record.rec_type != "warcinfo":
        found.append(("no-warcinfo", "file does not start with a warcinfo record"))
    if not record.rec_headers.get_header("WARC-Record-ID"):
        found.append(("bad-header", "record has no WARC-Record-ID"))
    declared = (record.rec_headers.get_header("Content-Length") or "").strip()
    # The LimitReader counts down from Content-Length (HTTP headers included); warcio
    # checks no digest when the block ends early, so a cut record must be caught here.
    short = getattr(record.raw_stream, "limit", 0)
    if not declared.isdigit():
        found.append(("bad-header", "record header cut short or without a valid Content-Length"))
    elif short:
        found.append(("truncated", f"block ends {short} bytes short of its {declared}"))
    found.extend(("digest", message) for message in record.digest_checker.problems)
    if end_error:
        found.append(("record-end", "record not followed by its end marker (bad Content-Length?)"))
    return found


def _scan_records(path: Path, col: Collector) -> int:
    """The warcio pass; returns where the last record it read ends, or -1 if it gave up."""
    end = 0
    first = True
    # No start check: a file that holds no record is reported as such below.
    with WarcReader(path, check_digests=True, check_start=False) as reader:
        errors = 0
        try:
            # warcio prints Content-Length mismatches to stderr; count them, keep output clean.
            with contextlib.redirect_stderr(io.StringIO()):
                for entry in reader:
                    length = entry.length  # reads the record to its end, checking digests
                    end = entry.offset + length
                    info = _record_info(path, entry, length)
                    for kind, message in _record_problems(entry, first, reader.errors > errors):
                        col.problem(path, kind, message, entry.offset, None, info.record_id or None)
                    errors = reader.errors
                    first = False
                    col.report.record_counts[entry.rec_type] += 1
                    col.records.append(info)
        except Exception as exc:  # warcio raises many types for damaged input
            cause = exc.__cause__ if isinstance(exc, WarcReadError) and exc.__cause__ else exc
            text = "".join(
                c if c.isascii() and c.isprintable() else "?" for c in " ".join(str(cause).split())
            )
            col.problem(
                path,
                "unreadable",
                f"cannot read on from here: {text[:120] or type(cause).__name__}",
                offset=reader.position,
            )
            col.unread_from[path] = reader.position
            return -1
    if first:
        col.problem(path, "no-warcinfo", "file holds no WARC record", offset=0)
    return end


def _check_file(path: Path, col: Collector) -> None:
    before = len(col.report.problems)
    end = _scan_records(path, col)
    size = path.stat().st_size
    if not path.name.endswith(".gz"):
        if 0 <= end < size:
            with open(path, "rb") as stream:
                stream.seek(end)
                rest = stream.read(_CHUNK)
            if rest.strip():
                col.problem(
                    path, "trailing-bytes", f"{size - end} bytes after the last record", offset=end
                )
        return
    with open(path, "rb") as stream:
        good_end, _count = scan_valid_prefix(stream)
    if good_end < size:
        flagged = {p.offset for p in col.report.problems[before:]}
        if good_end not in flagged:
            col.problem(
                path,
                "bad-member",
                f"gzip member is not one whole, intact record (truncated, damaged or failing "
                f"its block digest); {size - good_end} bytes from here on are suspect",
                offset=good_end,
            )


# -- links between records --------------------------------------------------------------
def _check_links(col: Collector) -> None:
    by_id: dict[str, RecordInfo] = {}
    for rec in col.records:
        if rec.record_id in by_id:
            first = by_id[rec.record_id]
            col.problem(
                rec.file,
                "duplicate-id",
                f"record ID also used at {first.file.name} @{first.offset}",
                offset=rec.offset,
                record_id=rec.record_id,
            )
        else:
            by_id.setdefault(rec.record_id, rec)
    earlier: set[str] | None = None  # looked up only when a reference is not in by_id
    requests_for: dict[str, list[RecordInfo]] = {}
    for rec in col.records:
        if rec.rec_type == "request":
            for target in rec.concurrent_to:
                requests_for.setdefault(target, []).append(rec)
    for rec in col.records:
        where = (rec.offset, None, rec.record_id)
        if rec.rec_type == "response":
            linked = [by_id[t] for t in rec.concurrent_to if t in by_id]
            linked = [r for r in linked if r.rec_type == "request"]
            linked += requests_for.get(rec.record_id, [])
            if not linked:
                col.problem(
                    rec.file,
                    "no-request",
                    f"response for {rec.uri} has no request record linked by WARC-Concurrent-To",
                    *where,
                )
            elif all(r.uri != rec.uri for r in linked):
                col.problem(
                    rec.file,
                    "request-uri",
                    f"linked request is for {linked[0].uri}, not {rec.uri}",
                    *where,
                )
        if rec.refers_to and rec.refers_to not in by_id:
            if earlier is None:
                earlier = _earlier_record_ids(col.report.warc_files)
            if rec.refers_to in earlier:
                col.report.earlier_refs += 1
            else:
                col.problem(
                    rec.file,
                    "dangling-refers-to",
                    f"{rec.rec_type} record's WARC-Refers-To {rec.refers_to} is in none of "
                    "the given files nor in crawl folders beside them (give the earlier "
                    "crawl's folder too, or the data folder)",
                    *where,
                )
        if rec.warcinfo_id:
            info = by_id.get(rec.warcinfo_id)
            if info is None or info.rec_type != "warcinfo":
                col.problem(
                    rec.file,
                    "dangling-warcinfo",
                    f"WARC-Warcinfo-ID {rec.warcinfo_id} is not a warcinfo record "
                    "in the given files",
                    *where,
                )


# -- CDXJ indexes -----------------------------------------------------------------------
def _resolve(filename: str, index: Path, files: Sequence[Path]) -> Path | None:
    if "/" in filename:
        target = (index.parent / filename).resolve()
        return next((f for f in files if f.resolve() == target), None)
    same_dir = [f for f in files if f.name == filename]
    near = [f for f in same_dir if f.parent.resolve() == index.parent.resolve()]
    candidates = near or same_dir
    return candidates[0] if candidates else None


def _check_index(
    index: Path,
    col: Collector,
    by_pos: dict[tuple[Path, int], RecordInfo],
    covered: set[tuple[Path, int]],
) -> None:
    files = col.report.warc_files
    previous: str | None = None
    for number, raw, parsed in read_cdxj(index):
        col.report.index_lines += 1
        if parsed is None:
            col.problem(index, "index-unparsable", "not a CDXJ line", line=number)
            continue
        if previous is not None and raw < previous:
            col.problem(
                index,
                "index-unsorted",
                "line sorts before the one above it (replay tools binary-search the index)",
                line=number,
            )
        previous = raw
        target = _resolve(parsed.filename, index, files)
        if target is None:
            if not (index.parent / parsed.filename).is_file():
                col.problem(
                    index,
                    "index-missing-file",
                    f"points at {parsed.filename!r}, which does not exist",
                    line=number,
                )
            continue
        rec = by_pos.get((target, parsed.offset))
        if rec is None and parsed.offset >= col.unread_from.get(target, parsed.offset + 1):
            continue  # in the part of the file already reported unreadable
        if rec is None:
            col.problem(
                index,
                "index-bad-offset",
                f"no record starts at {target.name} @{parsed.offset}",
                line=number,
            )
            continue
        covered.add((target, parsed.offset))
        wrong = line_mismatches(parsed, rec)
        if wrong:
            col.problem(
                index,
                "index-mismatch",
                f"{target.name} @{parsed.offset}: " + "; ".join(wrong),
                line=number,
                record_id=rec.record_id,
            )


def _check_indexes(col: Collector) -> None:
    if not col.report.indexes:
        return
    by_pos = {(r.file, r.offset): r for r in col.records}
    covered: set[tuple[Path, int]] = set()
    for index in col.report.indexes:
        try:
            _check_index(index, col, by_pos, covered)
        except (OSError, UnicodeDecodeError) as exc:
            col.problem(index, "index-unreadable", str(exc))
    for rec in col.records:
        if rec.rec_type in INDEXED_RECORDS and (rec.file, rec.offset) not in covered:
            col.problem(
                rec.file,
                "index-missing",
                f"{rec.rec_type} for {rec.uri} is in no given index",
                offset=rec.offset,
                record_id=rec.record_id,
            )


def verify_paths(paths: Iterable[str | os.PathLike[str]]) -> VerifyReport:
    """Check WARC files, folders of them, and CDXJ indexes; never raises for bad data."""
    col = Collector()
    _collect_paths(list(paths), col)
    for warc in col.report.warc_files:
        try:
            _check_file(warc, col)
        except OSError as exc:
            col.problem(warc, "unreadable", str(exc))
    _check_links(col)
    _check_indexes(col)
    return col.report


__all__ = ["Problem", "RecordInfo", "VerifyReport", "verify_paths"]
