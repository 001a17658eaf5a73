"""What the capture middleware archives for one response: the exchange as Scrapy saw it when
no wire tape came with it (another download handler), the tape's bytes when one did, and
nothing for an answer served from the HTTP cache."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from io import BytesIO
from ipaddress import ip_address
from pathlib import Path
from typing import Any

from scrapy.http import Request, Response
from scrapy.utils.test import get_crawler
from warcio.archiveiterator import ArchiveIterator

from crawler import keys
from crawler.warc.capture import Refetch, WarcCaptureMiddleware
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
        # the dropped header first: the ones after it are still archived
        headers={"Proxy-Authorization": "Basic c2VjcmV0", "X-Kota": ["Samarinda", "Bontang"]},
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
    # the request says where its response record is, for the spider and the crawl state
    where = request.meta[keys.WARC_RECORD]
    [path] = tmp_path.glob("*.warc.gz")
    assert where["file"] == path.name
    with path.open("rb") as stream:
        stream.seek(where["offset"])
        member = BytesIO(stream.read(where["length"]))
    [record] = ArchiveIterator(member)
    assert record.rec_type == "response"
    assert record.rec_headers.get_header("WARC-Record-ID") == where["record_id"]
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


HEAD = b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n"


def taped(
    received: bytes, limit: int = 0, sent: bytes = b"GET /cari?q=banjir HTTP/1.1\r\n\r\n"
) -> WireTape:
    tape = WireTape(limit=limit)
    if sent:
        tape.record_sent(sent)
    tape.record_received(received)
    return tape


def archive_tape(
    folder: Path, tape: WireTape, flags: list[str] | None = None, ip: str | None = None
) -> dict[str, Any]:
    request = Request(URL, meta={keys.WIRE: tape})
    response = Response(
        URL,
        body=b"0123456789",
        request=request,
        flags=flags or [],
        ip_address=ip_address(ip) if ip else None,
    )
    return archive(folder, request, response)


def test_a_taped_exchange_says_how_it_was_cut_short(tmp_path: Path) -> None:
    whole = taped(HEAD + b"0123456789")
    whole.finish()
    cases = [
        (whole, [], None),
        (taped(HEAD + b"0123456789", limit=len(HEAD) + 4), [], "length"),  # DOWNLOAD_MAXSIZE
        (taped(HEAD + b"01234"), ["dataloss"], "disconnect"),  # the server hung up
    ]
    for n, (tape, flags, truncated) in enumerate(cases):
        got, _ = archive_tape(tmp_path / str(n), tape, flags)["response"]
        assert got.rec_headers.get_header("WARC-Truncated") == truncated, flags


def test_a_taped_exchange_keeps_the_server_address(tmp_path: Path) -> None:
    tape = taped(HEAD + b"0123456789")
    got, _ = archive_tape(tmp_path / "ip", tape, ip="10.0.0.7")["response"]
    assert got.rec_headers.get_header("WARC-IP-Address") == "10.0.0.7"
    got, _ = archive_tape(tmp_path / "none", taped(HEAD + b"0123456789"))["response"]
    assert got.rec_headers.get_header("WARC-IP-Address") is None


def test_a_taped_exchange_is_dated_by_the_wire(tmp_path: Path) -> None:
    # sent: when the handler took the request, else the first byte out; received: the
    # first byte in; only a tape that saw neither falls back on the writer's clock (T0)
    started = T0 - timedelta(seconds=3)
    tape = taped(HEAD + b"0123456789")
    tape.started_at = started
    found = archive_tape(tmp_path / "started", tape)
    assert date_of(found["request"][0]) == started
    assert date_of(found["response"][0]) == tape.received_at != T0

    tape = taped(HEAD + b"0123456789")
    found = archive_tape(tmp_path / "sent", tape)
    assert date_of(found["request"][0]) == tape.sent_at != T0

    tape = taped(HEAD + b"0123456789", sent=b"")
    found = archive_tape(tmp_path / "unsent", tape)
    assert date_of(found["request"][0]) == T0


def test_the_request_record_holds_the_body_sent(tmp_path: Path) -> None:
    sent = b"POST /cari HTTP/1.1\r\nhost: example.com\r\ncontent-length: 14\r\n\r\nkota=Samarinda"
    for n, request_bytes in enumerate([sent, b"GET /cari HTTP/1.1\r\nhost: example.com\r\n\r\n"]):
        found = archive_tape(tmp_path / str(n), taped(HEAD + b"0123456789", sent=request_bytes))
        record, body = found["request"]
        assert record.http_headers.get_header("host") == "example.com"
        assert body == request_bytes.partition(b"\r\n\r\n")[2]


class ArchivedPolicy:
    """A revisit policy that judges nothing and notes what it is told was archived."""

    def __init__(self) -> None:
        self.archived_urls: list[str] = []

    def judge(self, request: Request, response: Response, captured: Any) -> None:
        return None

    def archived(self, request: Request, *args: Any) -> None:
        self.archived_urls.append(request.url)

    def close(self, reason: str) -> None:
        pass


def test_only_a_whole_response_becomes_the_reference_copy(tmp_path: Path) -> None:
    # an incremental crawl compares later answers with the reference: never a cut-short one
    whole = taped(HEAD + b"0123456789")
    whole.finish()
    cut = taped(HEAD + b"0123456789", limit=len(HEAD) + 4)
    for n, (tape, expected) in enumerate([(whole, [URL]), (cut, [])]):
        capture = middleware(tmp_path / str(n))
        policy = ArchivedPolicy()
        capture.revisits = policy  # type: ignore[assignment]
        request = Request(URL, meta={keys.WIRE: tape})
        response = Response(URL, body=b"0123456789", request=request)
        assert asyncio.run(capture.process_response(request, response)) is response
        capture.spider_closed("finished")
        assert policy.archived_urls == expected
        assert request.meta[keys.WARC_RECORD]["file"].endswith(".warc.gz")


class RefetchPolicy(ArchivedPolicy):
    """A revisit policy that finds its archived copy gone and asks for the page again."""

    def __init__(self, retry: Request) -> None:
        super().__init__()
        self.retry = retry
        self.judged: list[int] = []

    def judge(self, request: Request, response: Response, captured: Any) -> Refetch:
        self.judged.append(captured.status)
        return Refetch(self.retry)


def test_a_policy_asking_to_fetch_again_gets_its_retry_after_the_response_is_archived(
    tmp_path: Path,
) -> None:
    capture = middleware(tmp_path)
    retry = Request(URL, dont_filter=True)
    policy = RefetchPolicy(retry)
    capture.revisits = policy  # type: ignore[assignment]
    request = Request(URL, meta={keys.WIRE: taped(HEAD + b"0123456789")})
    response = Response(URL, status=200, body=b"0123456789", request=request)
    assert asyncio.run(capture.process_response(request, response)) is retry
    capture.spider_closed("finished")
    assert policy.judged == [200]
    # the answer is archived all the same, and the retry knows where
    assert retry.meta[keys.NOT_MODIFIED_RECORD]["file"].endswith(".warc.gz")
    assert policy.archived_urls == []
