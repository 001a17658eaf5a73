"""A real Scrapy crawl of a local site, replayed in pywb: bytes out must equal bytes in.

The site serves a gzip-encoded HTML page sent in chunks (the case where a wrong
Transfer-Encoding header or payload digest breaks replay), a PNG image the page shows, and
a text body that happens to look like a chunk header. Expected payloads come from the
server's own bytes, not from the WARC, so the whole chain is checked.
"""

from __future__ import annotations

import gzip
import os
import re
import struct
import subprocess
import sys
import textwrap
import threading
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from crawler.warc.indexing import build_cdxj
from crawler.warc.verify import verify_paths

REPO = Path(__file__).resolve().parents[2]


def tiny_png() -> bytes:
    """A valid 2x1 RGB PNG, built by hand so the test needs no image library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 2, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00\x00\x00\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


PNG = tiny_png()
PAGE_HTML = (
    b"<!doctype html><html><head><title>Berita Samarinda</title></head><body>"
    b'<h1>Banjir di Samarinda</h1><img src="/foto/banjir.png" alt="banjir">'
    + b"<p>Isi berita tentang banjir di Samarinda, Kalimantan Timur.</p>" * 80
    + b"</body></html>"
)
PAGE_GZ = gzip.compress(PAGE_HTML, mtime=0)
# Starts like a chunk-size line: replayed intact only if no chunked header survives.
LOOKS_CHUNKED = b"1a\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\n\r\ntail after the fake chunks\n"


class Site(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _send(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path == "/berita/banjir":
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i in range(0, len(PAGE_GZ), 97):
                part = PAGE_GZ[i : i + 97]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")
        elif self.path == "/foto/banjir.png":
            self._send(PNG, "image/png")
        elif self.path == "/catatan.txt":
            self._send(LOOKS_CHUNKED, "text/plain")
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()


CRAWL = textwrap.dedent("""
    import sys
    import scrapy
    from scrapy.crawler import CrawlerProcess

    base, out_dir = sys.argv[1], sys.argv[2]

    class Spider(scrapy.Spider):
        name = "replay-test"
        start_urls = [base + "/berita/banjir", base + "/catatan.txt"]

        def parse(self, response):
            if response.url.endswith("/banjir"):
                yield from response.follow_all(css="img::attr(src)", callback=self.parse)

    process = CrawlerProcess(settings={
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        "DOWNLOADER_MIDDLEWARES": {"crawler.warc.capture.WarcCaptureMiddleware": 950},
        "ROBOTSTXT_OBEY": True,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "WARNING",
        "WARTA_WARC_ENABLED": True,
        "WARTA_OUTPUT_DIR": out_dir,
        "WARTA_WARC_PREFIX": "replaytest",
    })
    process.crawl(Spider)
    process.start()
""")


@pytest.fixture(scope="module")
def site_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def crawl_dir(site_url: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("crawl")
    script = work / "crawl.py"
    script.write_text(CRAWL)
    out_dir = work / "out"
    result = subprocess.run(
        [sys.executable, str(script), site_url, str(out_dir)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return out_dir


@pytest.fixture(scope="module")
def replay_source(crawl_dir: Path, site_url: str) -> tuple[list[Path], dict[str, bytes]]:
    warcs = sorted(crawl_dir.glob("*.warc.gz"))
    build_cdxj(warcs, crawl_dir / "index.cdxj")
    expected = {
        site_url + "/berita/banjir": PAGE_GZ,
        site_url + "/foto/banjir.png": PNG,
        site_url + "/catatan.txt": LOOKS_CHUNKED,
    }
    return warcs, expected


@pytest.mark.slow
def test_crawl_output_verifies(crawl_dir: Path, replay_source: object) -> None:
    report = verify_paths([crawl_dir])
    assert report.ok, report.format()
    assert report.record_counts["response"] == 4  # robots.txt (404), page, image, text
    assert len(report.indexes) == 1


@pytest.mark.slow
@pytest.mark.parametrize("collection", ["C", "W"])
def test_id_replay_is_byte_for_byte(replay: Any, collection: str) -> None:
    assert replay.mismatches(collection) == []


@pytest.mark.slow
def test_gzip_page_replays_with_its_encoding(replay: Any, site_url: str) -> None:
    got = replay.get(site_url + "/berita/banjir", "id_")
    assert got.headers.get("Content-Encoding") == "gzip"
    assert gzip.decompress(got.body) == PAGE_HTML


@pytest.mark.slow
def test_rewritten_page_shows_the_archived_image(replay: Any, site_url: str) -> None:
    page = site_url + "/berita/banjir"
    top = replay.get(page, "")  # the framed view a researcher opens
    assert top.status == 200
    inner = replay.get(page, "mp_")  # the rewritten page inside the frame
    assert inner.status == 200
    html = (gzip.decompress(inner.body) if inner.body[:2] == b"\x1f\x8b" else inner.body).decode()
    assert "Banjir di Samarinda" in html
    match = re.search(r'<img src="([^"]+)"', html)
    assert match, html[:2000]
    src = match.group(1)
    # The image now points into the archive, not at the live site.
    assert src.startswith("/C/") and src.endswith(site_url + "/foto/banjir.png"), src
    image = replay.get_path(src)
    assert image.status == 200 and image.body == PNG
