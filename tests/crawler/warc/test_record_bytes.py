"""Byte-level tests of the warcinfo, metadata, revisit and HTTP/2 response records, and of
the request and response header rules, with fixed record IDs and dates."""

from __future__ import annotations

import base64
import hashlib
import time
from datetime import UTC, datetime, timedelta, timezone
from io import BytesIO

import pytest
from warcio.recordloader import ArcWarcRecord
from warcio.warcwriter import WARCWriter

from crawler.warc import records as R
from crawler.warc.tape import WireMessage

T0 = datetime(2026, 11, 27, 1, 2, 3, 456789, tzinfo=UTC)
ID1 = "<urn:uuid:00000000-0000-4000-8000-000000000001>"
ID2 = "<urn:uuid:00000000-0000-4000-8000-000000000002>"
ID3 = "<urn:uuid:00000000-0000-4000-8000-000000000003>"
PAGE = "https://example.com/a"


def serialize(rec: ArcWarcRecord) -> bytes:
    out = BytesIO()
    WARCWriter(out, gzip=False, warc_version="1.1").write_record(rec)
    return out.getvalue()


def sha1_b32(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def test_warcinfo_bytes() -> None:
    rec = R.warcinfo("f.warc.gz", {"software": "warta"}, R.RecordSpec(ID1, T0))
    assert rec.rec_type == "warcinfo"
    assert serialize(rec) == (
        b"WARC/1.1\r\n"
        b"WARC-Type: warcinfo\r\n"
        b"WARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-000000000001>\r\n"
        b"WARC-Date: 2026-11-27T01:02:03.456789Z\r\n"
        b"WARC-Filename: f.warc.gz\r\n"
        b"WARC-Block-Digest: " + sha1_b32(b"software: warta\r\n").encode() + b"\r\n"
        b"Content-Type: application/warc-fields\r\n"
        b"Content-Length: 17\r\n"
        b"\r\n"
        b"software: warta\r\n"
        b"\r\n\r\n"
    )


def test_metadata_bytes() -> None:
    payload = b'{"title": "x"}'
    rec = R.metadata(
        R.derived_uri("article", PAGE),
        payload,
        "application/json",
        R.RecordSpec(ID2, T0, warcinfo_id=ID1),
        refers_to=ID3,
        refers_to_target_uri=PAGE,
        refers_to_date=T0,
    )
    assert rec.rec_type == "metadata"
    digest = sha1_b32(payload).encode()
    assert serialize(rec) == (
        b"WARC/1.1\r\n"
        b"WARC-Type: metadata\r\n"
        b"WARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-000000000002>\r\n"
        b"WARC-Date: 2026-11-27T01:02:03.456789Z\r\n"
        b"WARC-Target-URI: urn:warta:article:" + hashlib.sha1(PAGE.encode()).hexdigest().encode()
        + b"\r\n"
        b"WARC-Refers-To: <urn:uuid:00000000-0000-4000-8000-000000000003>\r\n"
        b"WARC-Refers-To-Target-URI: https://example.com/a\r\n"
        b"WARC-Refers-To-Date: 2026-11-27T01:02:03.456789Z\r\n"
        b"WARC-Warcinfo-ID: <urn:uuid:00000000-0000-4000-8000-000000000001>\r\n"
        b"WARC-Payload-Digest: " + digest + b"\r\n"
        b"WARC-Block-Digest: " + digest + b"\r\n"
        b"Content-Type: application/json\r\n"
        b"Content-Length: 14\r\n"
        b"\r\n" + payload + b"\r\n\r\n"
    )  # fmt: skip


def test_conversion_record_is_of_its_type() -> None:
    rec = R.conversion(R.derived_uri("text", PAGE), b"teks", "text/plain", R.RecordSpec(ID1, T0))
    assert rec.rec_type == "conversion"
    assert rec.rec_headers.get_header("WARC-Type") == "conversion"


def test_revisit_bytes() -> None:
    resp = R.CapturedResponse(
        PAGE, "HTTP/1.1", 200, "OK", [("Content-Type", "text/html")], b"ignored", T0, "127.0.0.1"
    )
    original = R.RevisitOf(ID3, PAGE, T0, "sha1:AAAA")
    rec = R.revisit(resp, R.RecordSpec(ID2, T0), original, R.PROFILE_IDENTICAL, concurrent_to=ID1)
    assert rec.rec_type == "revisit"
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n"
    assert serialize(rec) == (
        b"WARC/1.1\r\n"
        b"WARC-Type: revisit\r\n"
        b"WARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-000000000002>\r\n"
        b"WARC-Date: 2026-11-27T01:02:03.456789Z\r\n"
        b"WARC-Target-URI: https://example.com/a\r\n"
        b"WARC-Profile: http://netpreserve.org/warc/1.1/revisit/identical-payload-digest\r\n"
        b"WARC-Refers-To: <urn:uuid:00000000-0000-4000-8000-000000000003>\r\n"
        b"WARC-Refers-To-Target-URI: https://example.com/a\r\n"
        b"WARC-Refers-To-Date: 2026-11-27T01:02:03.456789Z\r\n"
        b"WARC-Payload-Digest: sha1:AAAA\r\n"
        b"WARC-IP-Address: 127.0.0.1\r\n"
        b"WARC-Concurrent-To: <urn:uuid:00000000-0000-4000-8000-000000000001>\r\n"
        b"WARC-Block-Digest: " + sha1_b32(http).encode() + b"\r\n"
        b"Content-Type: application/http; msgtype=response\r\n"
        b"Content-Length: 44\r\n"
        b"\r\n" + http + b"\r\n\r\n"
    )


def test_http2_truncated_response_bytes() -> None:
    resp = R.CapturedResponse(
        PAGE, "h2", 200, "OK", [("Content-Type", "text/plain")], b"hi", T0,
        truncated=R.TRUNCATED_LENGTH,
    )  # fmt: skip
    rec = R.response(resp, R.RecordSpec(ID2, T0))
    assert rec.rec_type == "response"
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n"
    assert serialize(rec) == (
        b"WARC/1.1\r\n"
        b"WARC-Type: response\r\n"
        b"WARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-000000000002>\r\n"
        b"WARC-Date: 2026-11-27T01:02:03.456789Z\r\n"
        b"WARC-Target-URI: https://example.com/a\r\n"
        b"WARC-Protocol: h2\r\n"
        b"WARC-Truncated: length\r\n"
        b"WARC-Payload-Digest: " + sha1_b32(b"hi").encode() + b"\r\n"
        b"WARC-Block-Digest: " + sha1_b32(http + b"hi").encode() + b"\r\n"
        b"Content-Type: application/http; msgtype=response\r\n"
        b"Content-Length: 47\r\n"
        b"\r\n" + http + b"hi\r\n\r\n"
    )


def test_response_with_wire_stores_the_bytes_received_not_the_body() -> None:
    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    framed = b"2\r\nhi\r\n0\r\n\r\n"
    wire = WireMessage.from_bytes(head, framed)
    resp = R.CapturedResponse(PAGE, "HTTP/1.1", 200, "OK", [], b"hi", T0, wire=wire)
    data = serialize(R.response(resp, R.RecordSpec(ID2, T0)))
    assert data.endswith(b"\r\n\r\n" + head + framed + b"\r\n\r\n")
    assert b"WARC-Payload-Digest: " + sha1_b32(framed).encode() + b"\r\n" in data


def test_request_with_wire_stores_the_bytes_sent_not_the_body() -> None:
    head = b"POST /a HTTP/1.1\r\nhost: example.com\r\ncontent-length: 5\r\n\r\n"
    wire = WireMessage.from_bytes(head, b"kota=")
    req = R.CapturedRequest("POST", PAGE, [("Content-Length", "3")], T0, b"abc", wire=wire)
    data = serialize(R.request(req, R.RecordSpec(ID1, T0)))
    assert data.split(b"\r\n\r\n", 1)[1] == head + b"kota=\r\n\r\n"


def request_block(req: R.CapturedRequest) -> bytes:
    rec = R.request(req, R.RecordSpec(ID1, T0))
    assert rec.rec_type == "request"
    data = serialize(rec)
    assert b"Content-Type: application/http; msgtype=request\r\n" in data
    return data.split(b"\r\n\r\n", 1)[1]


def test_request_host_comes_after_the_last_at_sign_of_the_authority() -> None:
    req = R.CapturedRequest("GET", "http://user:p@ss@example.com:8080", [], T0)
    assert request_block(req) == b"GET / HTTP/1.1\r\nHost: example.com:8080\r\n\r\n\r\n\r\n"


def test_request_body_length_is_added_only_when_the_request_gives_none() -> None:
    given = R.CapturedRequest("POST", PAGE, [("Content-Length", "2")], T0, b"ab")
    assert request_block(given) == (
        b"POST /a HTTP/1.1\r\nHost: example.com\r\nContent-Length: 2\r\n\r\nab\r\n\r\n"
    )
    chunked = R.CapturedRequest("POST", PAGE, [("Transfer-Encoding", "chunked")], T0, b"ab")
    assert request_block(chunked) == (
        b"POST /a HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\nab\r\n\r\n"
    )
    missing = R.CapturedRequest("POST", PAGE, [], T0, b"ab")
    assert request_block(missing) == (
        b"POST /a HTTP/1.1\r\nHost: example.com\r\nContent-Length: 2\r\n\r\nab\r\n\r\n"
    )


def test_only_a_chunked_transfer_encoding_is_renamed() -> None:
    headers = [
        ("Transfer-Encoding", "gzip"),
        ("X-Mode", "chunked"),
        ("Transfer-Encoding", "Chunked"),
    ]
    assert R.archival_response_headers(headers) == [
        ("Transfer-Encoding", "gzip"),
        ("X-Mode", "chunked"),
        ("X-Archive-Orig-Transfer-Encoding", "Chunked"),
    ]


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: R.response(
                R.CapturedResponse(PAGE, "HTTP/1.1", 200, "OK", [("A:B", "x")], b"", T0),
                R.RecordSpec(ID1, T0),
            ),
            "invalid HTTP response header 'A:B': 'x'",
        ),
        (
            lambda: R.warcinfo("f.warc.gz", {"bad\nname": "x"}, R.RecordSpec(ID1, T0)),
            "invalid warcinfo header 'bad\\\\nname': 'x'",
        ),
        (
            lambda: R.warcinfo(
                "f.warc.gz", {}, R.RecordSpec(ID1, T0, extra_headers=[("X", "a\r")])
            ),
            "invalid WARC header 'X': 'a\\\\r'",
        ),
    ],
)
def test_a_bad_field_is_named_with_where_it_was(build: object, message: str) -> None:
    with pytest.raises(ValueError, match=f"^{message}$"):
        build()  # type: ignore[operator]


def test_a_wire_message_is_its_head_and_payload_with_the_payload_length() -> None:
    empty = WireMessage.from_bytes(b"HTTP/1.1 204 No Content\r\n\r\n")
    assert (empty.payload.read(), empty.payload_length) == (b"", 0)
    full = WireMessage.from_bytes(b"HTTP/1.1 200 OK\r\n\r\n", b"abc")
    assert (full.payload.read(), full.payload_length) == (b"abc", 3)


def test_a_response_from_the_wire_shows_the_parsed_status_line() -> None:
    wire = WireMessage.from_bytes(b"HTTP/1.0 404 Not Found\r\nServer: x\r\n\r\n", b"")
    resp = R.CapturedResponse(PAGE, "HTTP/1.1", 200, "OK", [], b"", T0, wire=wire)
    http = R.response(resp, R.RecordSpec(ID2, T0)).http_headers
    assert (http.protocol, http.statusline, http.get_statuscode()) == (
        "HTTP/1.0",
        "404 Not Found",
        "404",
    )
    assert http.get_header("Server") == "x"


def test_warc_date_is_utc_whatever_the_local_time_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "WITA-8")  # a POSIX zone eight hours east of UTC, as Samarinda
    time.tzset()
    try:
        moment = datetime(2026, 1, 2, 10, 4, 5, tzinfo=timezone(timedelta(hours=8)))
        assert R.warc_date(moment) == "2026-01-02T02:04:05.000000Z"
    finally:
        monkeypatch.undo()
        time.tzset()
