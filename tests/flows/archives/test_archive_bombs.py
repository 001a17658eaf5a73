"""A compression bomb stored in the archive reaches no researcher (issue 27, finding 5).

The crawl refuses a body that inflates past DOWNLOAD_MAXSIZE but archives it as received,
which is right. Reading it back must not inflate it: here a 1 MB gzip body that inflates
to 1 GiB and a 400-byte brotli body that inflates to 256 MiB are stored in a WARC in a local
archive, and ``warta archives get`` and ``warta reextract`` read them.
"""

from __future__ import annotations

import gzip
import io
import os
import struct
import subprocess
import sys
import zlib
from datetime import date, timedelta
from pathlib import Path

import brotli
import pytest

from crawler.config.sites import PACKAGE_ROOT, load_site
from crawler.extraction.reextract import reextract
from crawler.warc.reader import MAX_DECODED_BYTES, WarcReader
from crawler.warc.records import CapturedRequest, CapturedResponse
from crawler.warc.writer import RotatingWarcWriter
from flows.archives.index import build_index
from flows.storage import open_storage
from flows.storage.crawl_upload import store_crawl
from tests.crawler.warc.conftest import T0, make_id_factory
from tests.memory import TreeMemory

CRAWL_ID = "20261127T101500Z"
DAY = date(2026, 11, 27)
PAGE = (b"<html><head><title>Banjir di Samarinda</title></head><body><article><p>"
        + b"Banjir merendam tiga kecamatan di Samarinda sejak Senin pagi. " * 20
        + b"</p></article></body></html>")  # fmt: skip
Bombed = tuple[str, Path, dict[str, str]]  # archive URI, crawl folder, record IDs by name


def gzip_bomb(mebibytes: int) -> bytes:
    """One gzip member of ``mebibytes`` MiB of zeros, built in seconds: after a full flush
    deflate starts afresh, so each MiB of zeros compresses to the same 1 KB block."""
    zeros = bytes(2**20)
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = packer.compress(zeros) + packer.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(mebibytes):
        crc = zlib.crc32(zeros, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    trailer = struct.pack("<II", crc, (mebibytes * 2**20) & 0xFFFFFFFF)
    return header + block * mebibytes + packer.flush() + trailer


def _exchange(
    url: str, body: bytes, encoding: str | None
) -> tuple[CapturedRequest, CapturedResponse]:
    headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))]
    if encoding:
        headers.append(("Content-Encoding", encoding))
    request = CapturedRequest("GET", url, [("Accept-Encoding", "gzip, br")], T0)
    response = CapturedResponse(url=url, protocol="HTTP/1.1", status=200, reason="OK",
                                headers=headers, body=body, timestamp=T0 + timedelta(seconds=1),
                                ip_address="127.0.0.1")  # fmt: skip
    return request, response


@pytest.fixture(scope="module")
def bombed(tmp_path_factory: pytest.TempPathFactory) -> Bombed:
    """A local archive whose one crawl holds two bombs and two ordinary pages."""
    root = tmp_path_factory.mktemp("bombs")
    folder = root / "crawls" / "niaga" / CRAWL_ID
    folder.mkdir(parents=True)
    writer = RotatingWarcWriter(folder, "warta", "test", id_factory=make_id_factory())
    ids = {}
    for name, body, encoding in (
        ("gzip-bomb", gzip_bomb(1024), "gzip"),
        ("br-bomb", brotli.compress(bytes(256 * 2**20), quality=5), "br"),
        ("gzip-page", gzip.compress(PAGE), "gzip"),
        ("br-page", brotli.compress(PAGE), "br"),
    ):
        location = writer.write_exchange(*_exchange(f"http://example.com/{name}/", body, encoding))
        ids[name] = location.as_meta()["record_id"]
    writer.close()
    build_index(folder, "niaga", CRAWL_ID, DAY)
    uri = str(root / "archive")
    store_crawl(folder, open_storage(uri), "niaga", CRAWL_ID, DAY)
    return uri, folder, ids


def _get(uri: str, url: str, out: Path) -> tuple[int, str, int]:
    """``warta archives get`` as a researcher runs it: (exit code, stderr, peak memory)."""
    cmd = [sys.executable, "-m", "flows.cli", "archives", "get", uri, url, "-o", str(out)]
    proc = subprocess.Popen(cmd, cwd=PACKAGE_ROOT, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "WARTA_MAX_DECODED_BYTES": ""})  # fmt: skip
    memory = TreeMemory(proc.pid, interval=0.05)
    try:
        _, err = proc.communicate(timeout=300)
    finally:
        memory.stop()
    return proc.returncode, err, memory.peak


@pytest.mark.slow
def test_archives_get_refuses_to_inflate_a_bomb(bombed: Bombed,
                                                tmp_path: Path) -> None:  # fmt: skip
    uri, _, _ = bombed
    code, err, page_peak = _get(uri, "http://example.com/gzip-page/", tmp_path / "page.html")
    assert code == 0, err
    assert (tmp_path / "page.html").read_bytes() == PAGE
    for name in ("gzip-bomb", "br-bomb"):
        out = tmp_path / f"{name}.html"
        code, err, peak = _get(uri, f"http://example.com/{name}/", out)
        print(f"\n{name}: peak {peak / 2**20:.0f} MiB (an ordinary page: "
              f"{page_peak / 2**20:.0f} MiB); {err.strip()}")  # fmt: skip
        assert code == 1
        assert f"more than {MAX_DECODED_BYTES:,} bytes" in err and "WARTA_MAX_DECODED_BYTES" in err
        assert not out.exists() or out.stat().st_size == 0
        assert peak - page_peak < 2 * MAX_DECODED_BYTES + 100 * 2**20, (peak, page_peak)


def test_reextract_skips_a_bomb_and_keeps_the_pages(
    bombed: Bombed,
) -> None:
    _, folder, ids = bombed
    [warc] = sorted(folder.glob("*.warc.gz"))
    stats = reextract(
        [warc], load_site("niaga"), io.StringIO(), workers=0, wanted=set(ids.values())
    )
    assert stats.candidates == 2  # both ordinary pages decoded and handed to the extractor
    assert len(stats.too_large) == 2 and all(
        "WARTA_MAX_DECODED_BYTES" in p for p in stats.too_large
    )


def test_ordinary_pages_decode_as_before(bombed: Bombed) -> None:
    _, folder, _ = bombed
    [warc] = sorted(folder.glob("*.warc.gz"))
    with WarcReader(warc) as reader:
        pages = [r.content() for r in reader
                 if r.rec_type == "response" and "page" in (r.target_uri or "")]  # fmt: skip
    assert pages == [PAGE, PAGE]
