"""Crash safety: torn writes are cut off, killed crawls leave only valid closed files."""

from __future__ import annotations

import gzip
import io
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.warc import records as R
from crawler.warc.reader import WarcReader
from crawler.warc.recovery import recover_file, recover_open_files, scan_valid_prefix
from crawler.warc.writer import RotatingWarcWriter
from tests.ecosystem import warcio_check

REPO = Path(__file__).resolve().parents[3]


def record_types(path: Path) -> list[str]:
    with open(path, "rb") as stream:
        return [rec.rec_type for rec in ArchiveIterator(stream)]


def write_open_file(kit: SimpleNamespace, directory: Path, pairs: int) -> Path:
    """Write some pairs and leave the file as a killed crawl would: still ``.open``."""
    writer = RotatingWarcWriter(
        directory, "warta", "h", id_factory=kit.make_id_factory(), clock=kit.make_clock()
    )
    for i in range(pairs):
        writer.write_exchange(*kit.gzip_chunked_exchange(f"/p{i}"))
    path = writer.current_file
    assert path is not None
    return path  # the writer is abandoned without close(), like after SIGKILL


def test_half_record_is_cut_off(kit: SimpleNamespace, tmp_path: Path) -> None:
    path = write_open_file(kit, tmp_path, pairs=2)
    whole = path.read_bytes()
    extra = tmp_path / "extra"
    with RotatingWarcWriter(
        extra, "x", "h", id_factory=kit.make_id_factory(), clock=kit.make_clock()
    ) as other:
        loc = other.write_exchange(*kit.plain_exchange())
    member = (extra / loc.file).read_bytes()[loc.offset : loc.offset + loc.length]
    with open(path, "ab") as out:
        out.write(member[: len(member) // 2])

    (report,) = recover_open_files(tmp_path)
    assert report.status == "recovered"
    assert report.records == 5  # warcinfo + 2 pairs
    assert report.kept_bytes == len(whole)
    assert report.dropped_bytes == len(member) // 2
    assert report.result.read_bytes() == whole
    assert not path.exists()
    warcio_check(report.result, verbose=False)


def test_complete_gzip_member_with_torn_record_inside_is_dropped(
    kit: SimpleNamespace, tmp_path: Path
) -> None:
    path = write_open_file(kit, tmp_path, pairs=1)
    whole = path.read_bytes()
    # A gzip member that is itself complete but holds only part of a record.
    torn = gzip.compress(b"WARC/1.1\r\nWARC-Type: response\r\nContent-Length: 500\r\n\r\nabc")
    path.write_bytes(whole + torn + b"garbage that is not gzip")
    report = recover_file(path)
    assert report.records == 3
    assert report.result.read_bytes() == whole


def test_bad_digest_record_is_dropped(kit: SimpleNamespace, tmp_path: Path) -> None:
    path = write_open_file(kit, tmp_path, pairs=1)
    whole = path.read_bytes()
    plain = gzip.decompress(whole)
    last = plain.rindex(b"WARC/1.1\r\n")
    tampered = plain[last:].replace(b"Host: example.com", b"Host: example.org")
    path.write_bytes(whole + gzip.compress(tampered))
    report = recover_file(path)
    assert (report.records, report.result.read_bytes()) == (3, whole)


def test_nothing_valid_is_moved_aside(tmp_path: Path) -> None:
    empty = tmp_path / "warta-1-00000-h.warc.gz.open"
    empty.write_bytes(b"")
    junk = tmp_path / "warta-1-00001-h.warc.gz.open"
    junk.write_bytes(b"\x1f\x8b\x08\x00junk")
    reports = recover_open_files(tmp_path)
    assert [r.status for r in reports] == ["corrupt", "corrupt"]
    assert [(r.source, r.records, r.kept_bytes, r.dropped_bytes) for r in reports] == [
        (empty, 0, 0, 0),
        (junk, 0, 0, 8),
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "warta-1-00000-h.warc.gz.corrupt",
        "warta-1-00001-h.warc.gz.corrupt",
    ]
    assert (tmp_path / "warta-1-00001-h.warc.gz.corrupt").read_bytes() == b"\x1f\x8b\x08\x00junk"


def test_recovery_never_overwrites(kit: SimpleNamespace, tmp_path: Path) -> None:
    path = write_open_file(kit, tmp_path, pairs=1)
    final = path.with_name(path.name.removesuffix(".open"))
    final.write_bytes(b"someone else's file")
    with pytest.raises(FileExistsError, match=f"cannot recover {path}: {final} already exists"):
        recover_file(path)
    assert path.exists() and final.read_bytes() == b"someone else's file"


def test_failed_write_is_rolled_back(kit: SimpleNamespace, tmp_path: Path) -> None:
    class Exploding:
        def read(self, size: int = -1) -> bytes:
            raise OSError("disk on fire")

    with RotatingWarcWriter(
        tmp_path, "warta", "h", id_factory=kit.make_id_factory(), clock=kit.make_clock()
    ) as writer:
        first = writer.write_exchange(*kit.plain_exchange())
        before = (tmp_path / (first.file + ".open")).stat().st_size
        rec = R.metadata(
            R.derived_uri("article", "http://example.com/"),
            b"{}",
            "application/json",
            writer.spec(),
        )
        rec.raw_stream = Exploding()
        good = R.metadata(
            R.derived_uri("text", "http://example.com/"), b"x", "text/plain", writer.spec()
        )
        with pytest.raises(OSError, match="disk on fire"):
            writer.write_records([good, rec])
        assert (tmp_path / (first.file + ".open")).stat().st_size == before
        writer.write_exchange(*kit.plain_exchange("/after"))
    (path,) = tmp_path.glob("*.warc.gz")
    warcio_check(path, verbose=False)
    assert record_types(path) == ["warcinfo", "response", "request", "response", "request"]


WRITER_LOOP = textwrap.dedent("""
    import os, sys, time
    from datetime import UTC, datetime
    from crawler.warc import records as R
    from crawler.warc.writer import RotatingWarcWriter

    class Stalling:
        # Hands out 10 chunks of a big body, then hangs mid-record until killed.
        def __init__(self):
            self.calls = 0
        def read(self, size=-1):
            self.calls += 1
            if self.calls > 10:
                print("mid-record", flush=True)
                while True:
                    time.sleep(1)
            return os.urandom(16384)

    writer = RotatingWarcWriter(sys.argv[1], "warta", "h", max_bytes=200_000)
    i = 0
    while len(writer.files_written) < 2:
        now = datetime.now(UTC)
        url = f"http://example.com/{i}"
        body = os.urandom(1000 + (i * 7919) % 120_000)
        writer.write_exchange(
            R.CapturedRequest("GET", url, [("User-Agent", "t")], now),
            R.CapturedResponse(url, "HTTP/1.1", 200, "OK",
                               [("Content-Type", "application/octet-stream")], body, now))
        i += 1
    if sys.argv[2] == "stall":
        rec = R.metadata(R.derived_uri("article", "http://example.com/"), b"x" * 10**6,
                         "application/json", writer.spec())
        rec.raw_stream = Stalling()
        writer.write_records([rec])
    else:
        print("rotated", flush=True)
        while True:
            writer.write_exchange(
                R.CapturedRequest("GET", "http://example.com/", [], datetime.now(UTC)),
                R.CapturedResponse("http://example.com/", "HTTP/1.1", 200, "OK", [],
                                   os.urandom(50_000), datetime.now(UTC)))
""")


@pytest.mark.parametrize("mode", ["stall", "loop"])
def test_sigkill_leaves_valid_closed_files_and_recoverable_open_file(
    tmp_path: Path, mode: str
) -> None:
    """``stall`` is killed inside a record for certain; ``loop`` wherever it happens to be."""
    script = tmp_path / "loop.py"
    script.write_text(WRITER_LOOP)
    out_dir = tmp_path / "warcs"
    proc = subprocess.Popen(
        [sys.executable, str(script), str(out_dir), mode],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.strip() == ("mid-record" if mode == "stall" else "rotated"), line
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    closed = sorted(out_dir.glob("*.warc.gz"))
    assert len(closed) >= 2
    for path in closed:
        warcio_check(path, verbose=False)
    open_files = list(out_dir.glob("*.warc.gz.open"))
    # Killed between closing one file and opening the next, there is no .open file at all.
    assert len(open_files) == 1 if mode == "stall" else len(open_files) <= 1
    reports = recover_open_files(out_dir)
    assert len(reports) == len(open_files)
    with WarcReader(closed[0]) as reader:
        warcinfo_size = next(iter(reader)).length
    for report in reports:
        if mode == "loop" and report.status == "corrupt":
            # Killed while the next file's warcinfo was being written: nothing whole to keep.
            assert report.records == 0 and report.dropped_bytes < warcinfo_size
            continue
        assert report.status == "recovered" and report.records >= 1
        if mode == "stall":
            assert report.dropped_bytes > 0
        warcio_check(report.result, verbose=False)
        assert record_types(report.result)[0] == "warcinfo"
    assert not list(out_dir.glob("*.open"))


def _plain_record(fields: list[tuple[str, str]], block: bytes) -> bytes:
    head = "WARC/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in fields) + "\r\n"
    return head.encode() + block + b"\r\n\r\n"


def test_valid_records_in_any_form_are_kept(kit: SimpleNamespace, tmp_path: Path) -> None:
    """Field order is free, a digest may be other than SHA-1 (not checked then), and a header
    may be longer than one read: whole records all the same."""
    import hashlib

    path = write_open_file(kit, tmp_path, pairs=1)
    block = b'{"note": "kept"}'
    records = [
        _plain_record(
            [("Content-Length", str(len(block))), ("WARC-Type", "metadata"),
             ("WARC-Record-ID", "<urn:uuid:1>")],
            block,
        ),
        _plain_record(
            [("WARC-Type", "metadata"), ("WARC-Record-ID", "<urn:uuid:2>"),
             ("WARC-Block-Digest", "sha256:" + hashlib.sha256(block).hexdigest()),
             ("Content-Length", str(len(block)))],
            block,
        ),
        _plain_record(
            [("WARC-Type", "metadata"), ("WARC-Record-ID", "<urn:uuid:3>"),
             ("X-Padding", os.urandom(100_000).hex()), ("Content-Length", str(len(block)))],
            block,
        ),
    ]  # fmt: skip
    whole = path.read_bytes() + b"".join(gzip.compress(r, mtime=0) for r in records)
    path.write_bytes(whole)
    report = recover_file(path)
    assert (report.records, report.dropped_bytes) == (3 + 3, 0)
    assert report.result.read_bytes() == whole


def test_a_zlib_stream_is_not_a_gzip_member(kit: SimpleNamespace, tmp_path: Path) -> None:
    import zlib

    path = write_open_file(kit, tmp_path, pairs=1)
    whole = path.read_bytes()
    block = b"{}"
    record = _plain_record([("WARC-Type", "metadata"), ("Content-Length", "2")], block)
    path.write_bytes(whole + zlib.compress(record))
    report = recover_file(path)
    assert report.records == 3 and report.result.read_bytes() == whole


@pytest.mark.parametrize("step", [1, 5, 4096])
def test_where_reads_end_does_not_change_what_is_kept(
    kit: SimpleNamespace, tmp_path: Path, step: int
) -> None:
    """Reads end anywhere: a file's every 64 KiB, a pipe's wherever it likes. A member,
    header or trailer split across reads must count as whole all the same."""

    class ShortReads(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            return super().read(step if size is None or size < 0 else min(step, size))

    path = write_open_file(kit, tmp_path, pairs=2)
    # Stored (level 0) members give out their bytes as they come in, so the trailer is
    # split too; deflate would often send it in one piece, as a copy of the header's end.
    stored = gzip.compress(
        _plain_record([("WARC-Type", "metadata"), ("Content-Length", "2")], b"{}"),
        compresslevel=0,
    )
    whole = path.read_bytes() + stored
    torn = gzip.compress(b"WARC/1.1\r\nWARC-Type: response\r\nContent-Length: 500\r\n\r\nabc")
    assert scan_valid_prefix(ShortReads(whole)) == (len(whole), 6)
    assert scan_valid_prefix(ShortReads(whole + torn + whole)) == (len(whole), 6)


def test_recovery_is_logged_as_a_warning_when_anything_is_lost(
    kit: SimpleNamespace, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A whole file recovered is news (INFO); bytes dropped, or a file with no whole record
    (even an empty one), is a loss the operator should see (WARNING)."""
    whole = write_open_file(kit, tmp_path / "whole", pairs=1)
    torn = write_open_file(kit, tmp_path / "torn", pairs=1)
    with open(torn, "ab") as out:
        out.write(b"\x1f\x8b\x08\x00torn")
    empty = tmp_path / "empty" / "warta-1-00000-h.warc.gz.open"
    empty.parent.mkdir()
    empty.write_bytes(b"")
    caplog.set_level("INFO", logger="crawler.warc.recovery")
    reports = [recover_file(whole), recover_file(torn), recover_file(empty)]
    kept = reports[0].kept_bytes
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("INFO", f"Recovered {whole} -> {reports[0].result}: 3 whole records, 0 bytes dropped"),
        ("WARNING", f"Recovered {torn} -> {reports[1].result}: 3 whole records, 8 bytes dropped"),
        ("WARNING", f"Recovered {empty} -> {reports[2].result}: 0 whole records, 0 bytes dropped"),
    ]
    assert reports[1].kept_bytes == kept
