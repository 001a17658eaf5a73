"""What the capture middleware archives for one response: the exchange as Scrapy saw it when
no wire tape came with it (another download handler), the tape's bytes when one did, and
nothing for an answer served from the HTTP cache."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from ipaddress import ip_address
from pathlib import Path
from typing import Any

from scrapy.http import Request, Response
from scrapy.utils.test import get_crawler
from warcio.archiveiterator import ArchiveIterator

from crawler import keys
from crawler.warc.capture import WarcCaptureMiddleware
from crawler.warc.tape import WireTape

T0 = datetime(2026, 11, 27, 1, 2, 3, 456789, tzinfo=UTC)
URL = "http://example.com/cari?q=banjir"


def middleware(folder: Path) -> WarcCaptureMiddleware:
    crawler = get_crawler(
        settings_dict={"WARTA_OUTPUT_DIR": str(folder), "WARTA_WARC_WRITER_THREAD": False}
    )
    capture = WarcCaptureMiddleware.from_crawler(crawler)
    capture.writer.inner.clock = lambda: T0
    return capture


def archive(folder: Path, request: Request, response: Response) -> dict[str, Any]:
    """Run one response through capture; its request and response records, read back."""
    capture = middleware(folder)
    answer = asyncio.run(capture.process_response(request, response))
    assert answer is response
    capture.spider_closed("finished")
    found: dict[str, Any] = {}
    [path] = folder.glob("*.warc.gz")
    with path.open("rb") as stream:
        for record in ArchiveIterator(stream):
            if record.rec_type in ("request", "response"):
                found[record.rec_type] = (record, record.content_stream().read())
    return found


def date_of(record: Any) -> datetime:
    return datetime.fromisoformat(record.rec_headers.get_header("WARC-Date"))


def test_without_a_tape_the_exchange_is_archived_as_scrapy_saw_it(tmp_path: Path) -> None:
    request = Request(
        URL,
        method="POST",
        body=b"kota=Samarinda",
        headers={"X-Kota": ["Samarinda", "Bontang"], "Proxy-Authorization": "Basic c2VjcmV0"},
        meta={"download_latency": 0.25},
    )
    response = Response(
        "http://example.com/hasil",
        status=404,
        headers={"Set-Cookie": ["a=1", "b=2"], "Content-Type": "text/plain"},
        body=b"tidak ada",
        request=request,
        ip_address=ip_address("10.0.0.7"),
        protocol="HTTP/1.0",
    )
    found = archive(tmp_path, request, response)
    sent, body = found["request"]
    assert sent.rec_headers.get_header("WARC-Target-URI") == URL
    assert sent.http_headers.protocol == "POST"
    assert sent.http_headers.statusline == "/cari?q=banjir HTTP/1.0"
    headers = sent.http_headers.headers
    assert ("X-Kota", "Samarinda") in headers and ("X-Kota", "Bontang") in headers
    # sent only to a proxy: a credential that must not reach the archive
    assert sent.http_headers.get_header("Proxy-Authorization") is None
    assert body == b"kota=Samarinda"
    # sent the download latency before the answer came
    assert date_of(sent) == T0 - timedelta(seconds=0.25)

    got, payload = found["response"]
    assert got.rec_headers.get_header("WARC-Target-URI") == "http://example.com/hasil"
    assert got.rec_headers.get_header("WARC-IP-Address") == "10.0.0.7"
    assert got.rec_headers.get_header("WARC-Protocol") is None  # HTTP/1.x needs none
    assert date_of(got) == T0
    assert got.http_headers.protocol == "HTTP/1.0"
    assert got.http_headers.statusline == "404 Not Found"
    assert got.http_headers.get_header("Content-Type") == "text/plain"
    assert [v for n, v in got.http_headers.headers if n == "Set-Cookie"] == ["a=1", "b=2"]
    assert payload == b"tidak ada"


def test_without_latency_protocol_or_address_nothing_is_made_up(tmp_path: Path) -> None:
    request = Request(URL)
    response = Response(URL, status=200, body=b"ok", request=request)
    found = archive(tmp_path, request, response)
    sent, _ = found["request"]
    got, payload = found["response"]
    assert date_of(sent) == date_of(got) == T0
    assert sent.http_headers.statusline == "/cari?q=banjir HTTP/1.1"
    assert got.http_headers.protocol == "HTTP/1.1"
    assert got.http_headers.statusline == "200 OK"
    assert got.rec_headers.get_header("WARC-Protocol") is None
    assert got.rec_headers.get_header("WARC-IP-Address") is None
    assert payload == b"ok"


def test_an_http2_answer_says_its_protocol(tmp_path: Path) -> None:
    request = Request(URL)
    response = Response(URL, body=b"ok", request=request, protocol="h2")
    got, _ = archive(tmp_path, request, response)["response"]
    assert got.rec_headers.get_header("WARC-Protocol") == "h2"


def test_with_a_tape_the_bytes_on_the_wire_are_archived(tmp_path: Path) -> None:
    tape = WireTape()
    tape.record_sent(b"GET /cari?q=banjir HTTP/1.1\r\nhost: example.com\r\n\r\n")
    tape.record_received(b"HTTP/1.1 200 Baik Sekali\r\ncontent-length: 2\r\n\r\nhi")
    tape.finish()
    request = Request(URL, meta={keys.WIRE: tape})
    response = Response(URL, body=b"hi", headers={"Content-Length": "2"}, request=request)
    found = archive(tmp_path, request, response)
    assert keys.WIRE not in request.meta  # the tape is used up with its response
    got, payload = found["response"]
    assert got.http_headers.statusline == "200 Baik Sekali"
    assert got.http_headers.headers == [("content-length", "2")]
    assert payload == b"hi"
    sent, _ = found["request"]
    assert sent.http_headers.headers == [("host", "example.com")]


def test_an_answer_from_the_http_cache_is_not_archived_again(tmp_path: Path) -> None:
    capture = middleware(tmp_path)
    request = Request(URL)
    response = Response(URL, body=b"ok", request=request, flags=["cached"])
    assert asyncio.run(capture.process_response(request, response)) is response
    capture.spider_closed("finished")
    assert list(tmp_path.glob("*.warc.gz")) == []
    assert keys.WARC_RECORD not in request.meta
