"""What :func:`crawler.warc.wire.from_tape` makes of a tape: the records are the bytes on the
wire, and the parsed fields describe the exchange to a revisit policy (status, reason,
headers, protocol), which sees only the response."""

from __future__ import annotations

from datetime import UTC, datetime

from scrapy.http import Request

from crawler.warc.captured import CapturedRequest, CapturedResponse
from crawler.warc.tape import WireTape
from crawler.warc.wire import from_tape

T0 = datetime(2026, 11, 27, 1, 2, 3, 456789, tzinfo=UTC)
URL = "http://example.com/cari"
SENT = b"POST /cari HTTP/1.1\r\nhost: example.com\r\ncontent-length: 14\r\n\r\n"


def described(received: bytes) -> tuple[CapturedRequest, CapturedResponse]:
    tape = WireTape()
    tape.record_sent(SENT + b"kota=Samarinda")
    tape.record_received(received)
    tape.finish()
    request = Request(URL, method="POST", body=b"kota=Samarinda")
    return from_tape(request, tape, T0, "10.0.0.7", "disconnect")


def test_the_parsed_fields_describe_the_exchange() -> None:
    head = b'HTTP/1.0 404 Tidak Ada\r\nETag: "v1"\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\n'
    sent, got = described(head + b"tidak ada")
    assert (sent.method, sent.url, sent.body) == ("POST", URL, b"kota=Samarinda")
    assert got.url == URL
    assert (got.protocol, got.status, got.reason) == ("HTTP/1.0", 404, "Tidak Ada")
    assert got.headers == [("ETag", '"v1"'), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")]
    assert (got.ip_address, got.truncated) == ("10.0.0.7", "disconnect")
    # the payload stays on the tape, as received, and is not copied into the body
    assert got.body == b""
    assert got.wire is not None and got.wire.head == head
    assert got.wire.payload_length == len(b"tidak ada")
    assert got.wire.payload.read() == b"tidak ada"


def test_a_head_without_a_status_line_describes_no_status() -> None:
    _, got = described(b"\r\n\r\nbukan HTTP")
    assert (got.protocol, got.status, got.reason, got.headers) == ("HTTP/1.1", 0, "", [])
    _, got = described(b"HTTP/1.1 204\r\n\r\n")  # a status without a reason phrase
    assert (got.protocol, got.status, got.reason) == ("HTTP/1.1", 204, "")
