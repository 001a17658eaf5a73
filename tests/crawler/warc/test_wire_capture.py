"""Exact capture: every WARC request and response block equals the bytes on the wire.

A raw-socket server (tests/wire_server.py) sends what real servers send and the parsed
view loses: chunked gzip, header case, interleaved duplicates, a reason phrase of its own,
a non-ASCII header value, an HTTP/1.0 body ended by closing. It records what it received
and sent; the crawl's WARC must hold exactly those bytes. Downloads cut short by the size
limit, the time limit or a reset are archived as far as they got, with WARC-Truncated.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.layout import warc_files
from crawler.process.runner import run_crawl
from crawler.warc.reader import WarcReader
from crawler.warc.verify import verify_paths
from tests.conftest import PolitenessOff
from tests.wire_server import CLOSE, RESET, SLEEP, Step, WireServer, chunked

pytestmark = pytest.mark.slow

SCRIPTED = {"WARTA_EXTRACT_WORKERS": 0, "WARTA_STATE_ENABLED": False, "RETRY_TIMES": 0,
            "DOWNLOAD_TIMEOUT": 3, "DOWNLOAD_MAXSIZE": 200_000, "DOWNLOAD_WARNSIZE": 0}  # fmt: skip
HTML = (b"<html><head><title>Berita</title></head><body><p>Samarinda, Kalimantan Timur. "
        b"Harga kebutuhan pokok stabil.</p></body></html>") * 20  # fmt: skip
ROBOTS = b"User-agent: *\nAllow: /\n"

ROUTES: dict[str, list[Step]] = {
    "/robots.txt": [b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
                    b"\r\n%s" % (len(ROBOTS), ROBOTS)],
    "/chunked-gzip": [b"HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\n"
                      b"Content-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n"
                      b"ETag: \"v1\"\r\n\r\n" + chunked(gzip.compress(HTML, mtime=0), 300)],
    "/quirky": [b"HTTP/1.1 200 Baik Sekali\r\nSet-Cookie: a=1; Path=/\r\nx-kota: Samarinda\r\n"
                b"set-cookie: b=2; Path=/\r\nX-Wilayah: Kalimantan Timur \xe2\x80\x94 "
                b"Bont\xc3\xa1ng\r\nX-Latin: caf\xe9\r\nContent-Type: text/html\r\n"
                b"Content-Length: %d\r\n\r\n%s" % (len(HTML), HTML)],
    "/http10": [b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n" + HTML, CLOSE],
    # cut short: past DOWNLOAD_MAXSIZE, slower than DOWNLOAD_TIMEOUT, reset, lying length
    "/besar": [b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
               b"Transfer-Encoding: chunked\r\n\r\n" + chunked(b"x" * 400_000, 16384)],
    "/tetes": [b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5000\r\n\r\n",
               *[step for _ in range(8) for step in (b"<p>tetes</p>\n", (SLEEP, 0.5))]],
    "/putus": [b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5000\r\n\r\n"
               + HTML[:1000], (SLEEP, 0.2), RESET],
    "/bohong": [b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 9000\r\n\r\n"
                + HTML[:1000], CLOSE],
    "/hampa": [RESET],  # no byte at all
}  # fmt: skip
EXACT = ["/robots.txt", "/chunked-gzip", "/quirky", "/http10"]
TRUNCATED = {"/besar": "length", "/tetes": "time", "/putus": "disconnect", "/bohong": "disconnect"}


def _blocks(folder: Path) -> dict[tuple[str, str], list[tuple[bytes, dict[str, str]]]]:
    """(record type, path) -> [(block, WARC headers)] for every request/response record."""
    found: dict[tuple[str, str], list[tuple[bytes, dict[str, str]]]] = {}
    for path in warc_files(folder):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream, no_record_parse=True):
                if record.rec_type not in ("request", "response"):
                    continue
                uri = record.rec_headers.get_header("WARC-Target-URI")
                key = (record.rec_type, "/" + uri.split("/", 3)[3])
                headers = dict(record.rec_headers.headers)
                found.setdefault(key, []).append((record.raw_stream.read(), headers))
    return found


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory, politeness_off: PolitenessOff) -> Any:
    folder = tmp_path_factory.mktemp("wire")
    paths = [p for p in ROUTES if p != "/robots.txt"]
    with WireServer(ROUTES) as server:
        result = run_crawl(
            "niaga", folder / "crawl", "20260101T000000Z", base_url=server.base_url,
            settings=politeness_off(**SCRIPTED), spider_args={"urls": ",".join(paths)}, timeout=180,
        )  # fmt: skip
    return server, result.output_dir


def test_every_block_is_the_bytes_on_the_wire(crawl: Any) -> None:
    server, folder = crawl
    blocks = _blocks(folder)
    compared = 0
    for exchange in server.exchanges:
        if exchange.path not in EXACT and exchange.path in ROUTES:
            continue
        (request_block, _), = blocks[("request", exchange.path)]  # fmt: skip
        assert request_block == exchange.received, exchange.path
        (response_block, headers), = blocks[("response", exchange.path)]  # fmt: skip
        assert response_block == bytes(exchange.sent), exchange.path
        assert "WARC-Truncated" not in headers
        compared += 1
    assert compared >= len(EXACT) + 3  # the site's sitemap, feed and listing 404s too


def test_cut_short_responses_keep_what_arrived(crawl: Any) -> None:
    server, folder = crawl
    blocks = _blocks(folder)
    for path, reason in TRUNCATED.items():
        (block, headers), = blocks[("response", path)]  # fmt: skip
        assert headers.get("WARC-Truncated") == reason, path
        sent = bytes(server.exchange(path).sent)
        assert sent.startswith(block), path  # what arrived, in order, nothing made up
        assert len(block) > block.index(b"\r\n\r\n") + 4, path  # some of the body too
    assert ("response", "/hampa") not in blocks
    failures = [json.loads(line) for line in (folder / "failures.jsonl").read_text().splitlines()]
    reasons = {f["url"].rsplit("/", 1)[-1]: f for f in failures}
    assert reasons["hampa"]["reason"] == "disconnect"
    assert reasons["hampa"]["bytes"] == 0
    assert reasons["tetes"]["reason"] == "timeout" and reasons["tetes"]["bytes"] > 0


def test_archive_reads_back_and_verifies(crawl: Any) -> None:
    _, folder = crawl
    files = warc_files(folder)
    report = verify_paths(files)
    assert report.ok, report.format()
    check = subprocess.run(
        [str(Path(sys.executable).parent / "warcio"), "check", "-v", *map(str, files)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr
    bodies = {}
    for path in files:
        with WarcReader(path) as reader:
            for entry in reader:
                if entry.rec_type == "response":
                    bodies[entry.target_uri.rsplit("/", 1)[-1]] = entry
                    if entry.target_uri.endswith("/chunked-gzip"):
                        assert entry.content() == HTML  # de-chunked and gunzipped
                    if entry.target_uri.endswith("/quirky"):
                        assert entry.http_headers.statusline == "200 Baik Sekali"
