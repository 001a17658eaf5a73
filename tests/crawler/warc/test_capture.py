"""WarcCaptureMiddleware in a real Scrapy crawl against a local HTTP server."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.metadata import version as package_version
from pathlib import Path
from types import SimpleNamespace

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler
from warcio.archiveiterator import ArchiveIterator

from crawler.warc.capture import WarcCaptureMiddleware, WarcConfigError, warcinfo_fields
from tests.ecosystem import warcio_check

REPO = Path(__file__).resolve().parents[3]
PAGE_HTML = (
    b"<html><body><h1>Berita Samarinda</h1>"
    b'<a href="/missing">gone</a> <a href="/boom">boom</a>'
    + b"<p>isi berita</p>" * 200
    + b"</body></html>"
)
PAGE_GZ = gzip.compress(PAGE_HTML, mtime=0)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path == "/robots.txt":
            self._send(200, b"User-agent: *\nDisallow: /private\n", {"Content-Type": "text/plain"})
        elif self.path == "/start":
            self._send(301, b"moved", {"Location": "/page", "Content-Type": "text/plain"})
        elif self.path == "/page":
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i in range(0, len(PAGE_GZ), 100):
                chunk = PAGE_GZ[i : i + 100]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.write(b"0\r\n\r\n")
        elif self.path == "/boom":
            self._send(500, b"server error", {"Content-Type": "text/plain"})
        else:
            self._send(404, b"not found", {"Content-Type": "text/plain"})


@pytest.fixture
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


CRAWL = textwrap.dedent("""
    import json, sys
    import scrapy
    from scrapy.crawler import CrawlerProcess
    from crawler import keys
    from crawler.warc import records as R
    from crawler.warc.capture import get_warc_writer

    base, out_dir, items = sys.argv[1], sys.argv[2], sys.argv[3]

    class Spider(scrapy.Spider):
        name = "warc-test"
        start_urls = [base + "/start"]
        custom_settings = {"HTTPERROR_ALLOWED_CODES": [404, 500]}

        def parse(self, response):
            yield {"url": response.url, "status": response.status,
                   "warc_record": response.meta.get(keys.WARC_RECORD)}
            if response.url.endswith("/page"):
                writer = get_warc_writer(self.crawler)
                loc = response.meta[keys.WARC_RECORD]
                writer.write_records([R.metadata(
                    R.derived_uri("article", response.url), b'{"title": "x"}',
                    "application/json", writer.spec(), refers_to=loc["record_id"],
                    refers_to_target_uri=response.url)])
                yield from response.follow_all(css="a", callback=self.parse)

    process = CrawlerProcess(settings={
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        "DOWNLOADER_MIDDLEWARES": {"crawler.warc.capture.WarcCaptureMiddleware": 950},
        "ROBOTSTXT_OBEY": True,
        "RETRY_TIMES": 1,
        "USER_AGENT": "warta-test/1.0",
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "INFO",
        "WARTA_WARC_ENABLED": True,
        "WARTA_OUTPUT_DIR": out_dir,
        "WARTA_WARC_PREFIX": "wartatest",
        "WARTA_WARCINFO": {"operator": "tests", "isPartOf": "warta-test"},
        "FEEDS": {items: {"format": "jsonlines"}},
    })
    process.crawl(Spider)
    process.start()
""")


def read_warc(path: Path) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    with open(path, "rb") as stream:
        for rec in ArchiveIterator(stream):
            entry: dict[str, object] = {
                "type": rec.rec_type,
                "uri": rec.rec_headers.get_header("WARC-Target-URI"),
                "id": rec.rec_headers.get_header("WARC-Record-ID"),
                "concurrent": rec.rec_headers.get_header("WARC-Concurrent-To"),
                "payload_digest": rec.rec_headers.get_header("WARC-Payload-Digest"),
                "http": rec.http_headers,
                "raw": rec.raw_stream.read() if rec.rec_type != "request" else b"",
            }
            out.append(entry)
    return out


@pytest.mark.slow
def test_crawl_archives_every_hop(site: str, tmp_path: Path) -> None:
    script = tmp_path / "crawl.py"
    script.write_text(CRAWL)
    out_dir = tmp_path / "out"
    items = tmp_path / "items.jsonl"
    # A .open file left by an earlier, killed crawl must be recovered at start.
    out_dir.mkdir()
    (out_dir / "wartatest-20000101000000000-00000-old.warc.gz.open").write_bytes(b"")
    result = subprocess.run(
        [sys.executable, str(script), site, str(out_dir), str(items)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert (out_dir / "wartatest-20000101000000000-00000-old.warc.gz.corrupt").exists()
    (warc,) = out_dir.glob("wartatest-*.warc.gz")
    assert not list(out_dir.glob("*.open"))
    warcio_check(warc, verbose=False)

    recs = read_warc(warc)
    assert recs[0]["type"] == "warcinfo"
    responses = [r for r in recs if r["type"] == "response"]
    by_id = {r["id"]: r for r in recs}
    statuses = [
        (str(r["uri"]).removeprefix(site), r["http"].get_statuscode())  # type: ignore[union-attr]
        for r in responses
    ]
    assert ("/robots.txt", "200") in statuses
    assert ("/start", "301") in statuses
    assert ("/page", "200") in statuses
    assert ("/missing", "404") in statuses
    assert statuses.count(("/boom", "500")) == 2  # the retry is archived too
    for resp in responses:
        req = by_id[resp["concurrent"]]
        assert req["type"] == "request" and req["concurrent"] == resp["id"]
        assert req["uri"] == resp["uri"]
        assert req["http"].get_header("User-Agent") == "warta-test/1.0"  # type: ignore[union-attr]

    (page,) = [r for r in responses if r["uri"] == site + "/page"]
    http = page["http"]
    assert http.get_header("Content-Encoding") == "gzip"  # type: ignore[union-attr]
    # Twisted consumes Transfer-Encoding (a connection-control header) before Scrapy sees
    # the response, so it never reaches the record over the de-chunked body.
    assert http.get_header("Transfer-Encoding") is None  # type: ignore[union-attr]
    assert page["raw"] == PAGE_GZ  # de-chunked, still gzip, byte for byte
    page_req = by_id[page["concurrent"]]
    assert "gzip" in page_req["http"].get_header("Accept-Encoding")  # type: ignore[union-attr]
    (meta,) = [r for r in recs if r["type"] == "metadata"]
    assert str(meta["uri"]).startswith("urn:warta:article:")

    scraped = [json.loads(line) for line in items.read_text().splitlines()]
    (page_item,) = [i for i in scraped if i["url"] == site + "/page"]
    loc = page_item["warc_record"]
    assert loc["record_id"] == page["id"] and loc["file"] == warc.name
    with open(warc, "rb") as stream:
        stream.seek(loc["offset"])
        member = gzip.decompress(stream.read(loc["length"]))
    assert member.startswith(b"WARC/1.1\r\nWARC-Type: response\r\n")
    assert f"WARC-Record-ID: {page['id']}".encode() in member

    with open(warc, "rb") as stream:
        info = next(iter(ArchiveIterator(stream))).content_stream().read().decode()
    assert "software: warta/" in info and "Scrapy 2." in info and "warcio 1." in info
    assert "format: WARC File Format 1.1\r\n" in info
    assert "operator: tests\r\nisPartOf: warta-test\r\n" in info


def test_disabled_raises_not_configured() -> None:
    crawler = get_crawler(settings_dict={"WARTA_WARC_ENABLED": False})
    with pytest.raises(NotConfigured) as refused:
        WarcCaptureMiddleware.from_crawler(crawler)
    assert str(refused.value) == "WARC capture disabled (WARTA_WARC_ENABLED is false)"


def test_enabled_without_output_dir_is_a_clear_error() -> None:
    crawler = get_crawler(settings_dict={"WARTA_WARC_ENABLED": True, "WARTA_OUTPUT_DIR": ""})
    with pytest.raises(WarcConfigError) as refused:
        WarcCaptureMiddleware.from_crawler(crawler)
    assert str(refused.value) == (
        "WARTA_OUTPUT_DIR must be set when WARTA_WARC_ENABLED is true "
        "(set it with -s WARTA_OUTPUT_DIR=... or disable WARC capture)"
    )


def test_enabled_by_default_writing_into_the_output_dir(
    tmp_path: Path, kit: SimpleNamespace
) -> None:
    """Capture is on unless WARTA_WARC_ENABLED says otherwise; closing finishes the file,
    and tells the revisit policy the crawl ended ("finished" unless a reason is given)."""
    out = tmp_path / "new" / "warcs"
    crawler = get_crawler(
        settings_dict={"WARTA_OUTPUT_DIR": str(out), "WARTA_WARC_WRITER_THREAD": False}
    )
    built = WarcCaptureMiddleware.from_crawler(crawler)
    closed: list[str] = []
    middleware = WarcCaptureMiddleware(
        crawler,
        built.writer.inner,
        SimpleNamespace(close=closed.append),  # type: ignore[arg-type]
    )
    middleware.writer.write_exchange(*kit.plain_exchange())
    middleware.spider_closed()
    assert closed == ["finished"]
    [path] = out.iterdir()
    assert path.name.endswith(".warc.gz")
    with path.open("rb") as stream:
        types = [r.rec_type for r in ArchiveIterator(stream)]
    assert types == ["warcinfo", "response", "request"]


def test_warcinfo_fields_order_and_override() -> None:
    fields = warcinfo_fields({"operator": "x", "robots": "obey"}, "box")
    assert list(fields) == ["software", "format", "conformsTo", "hostname", "operator", "robots"]
    assert fields["hostname"] == "box"
    assert fields["conformsTo"].endswith("/warc-1.1/")
    assert fields["format"] == "WARC File Format 1.1"  # the value WARC 1.1 (6.1) gives
    # what wrote the file, with the versions a reader of the archive may need
    software = fields["software"]
    assert software.startswith("warta/") and f"warcio {package_version('warcio')}," in software
    assert fields["operator"] == "x"
    typed = warcinfo_fields({"max_depth": 3, "obey_robots": True, "software": "mine"}, "box")
    assert (typed["max_depth"], typed["obey_robots"], typed["software"]) == ("3", "True", "mine")
