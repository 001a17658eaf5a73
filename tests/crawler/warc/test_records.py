"""Byte-level tests of the record builders, with fixed record IDs and dates."""

from __future__ import annotations

import base64
import gzip
import hashlib
from datetime import UTC, datetime
from io import BytesIO
from types import SimpleNamespace

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord
from warcio.warcwriter import WARCWriter

from crawler.warc import records as R

T0 = datetime(2026, 11, 27, 1, 2, 3, 456789, tzinfo=UTC)
REQ_ID = "<urn:uuid:00000000-0000-4000-8000-000000000002>"
RESP_ID = "<urn:uuid:00000000-0000-4000-8000-000000000001>"

EXPECTED_PLAIN = (
    b"WARC/1.1\r\n"
    b"WARC-Type: response\r\n"
    b"WARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-000000000001>\r\n"
    b"WARC-Date: 2026-11-27T01:02:03.706789Z\r\n"
    b"WARC-Target-URI: http://example.com/a?b=1\r\n"
    b"WARC-IP-Address: 127.0.0.1\r\n"
    b"WARC-Concurrent-To: <urn:uuid:00000000-0000-4000-8000-000000000002>\r\n"
    b"WARC-Payload-Digest: sha1:J6IQUHSLM34XZYPIUNU6IZVFA2SSEEAU\r\n"
    b"WARC-Block-Digest: sha1:2IH33PWJI5OCL42IGUIJLQUGIWJKP6TR\r\n"
    b"Content-Type: application/http; msgtype=response\r\n"
    b"Content-Length: 107\r\n"
    b"\r\n"
    b"HTTP/1.1 200 OK\r\n"
    b"Content-Type: text/html\r\n"
    b"Content-Length: 43\r\n"
    b"\r\n"
    b"<html><body><p>Samarinda</p></body></html>\n"
    b"\r\n\r\n"
    b"WARC/1.1\r\n"
    b"WARC-Type: request\r\n"
    b"WARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-000000000002>\r\n"
    b"WARC-Date: 2026-11-27T01:02:03.456789Z\r\n"
    b"WARC-Target-URI: http://example.com/a?b=1\r\n"
    b"WARC-Concurrent-To: <urn:uuid:00000000-0000-4000-8000-000000000001>\r\n"
    b"WARC-Payload-Digest: sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ\r\n"
    b"WARC-Block-Digest: sha1:VXENWHKL2NT75HKPMREAQCOJQFG4WLA3\r\n"
    b"Content-Type: application/http; msgtype=request\r\n"
    b"Content-Length: 97\r\n"
    b"\r\n"
    b"GET /a?b=1 HTTP/1.1\r\n"
    b"Host: example.com\r\n"
    b"User-Agent: warta/0.1\r\n"
    b"Accept-Encoding: gzip, deflate\r\n"
    b"\r\n"
    b"\r\n\r\n"
)


def sha1_b32(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def serialize(recs: list[ArcWarcRecord], use_gzip: bool = False) -> bytes:
    out = BytesIO()
    writer = WARCWriter(out, gzip=use_gzip, warc_version="1.1")
    for rec in recs:
        writer.write_record(rec)
    return out.getvalue()


def build_pair(req: R.CapturedRequest, resp: R.CapturedResponse) -> list[ArcWarcRecord]:
    return [
        R.response(resp, R.RecordSpec(RESP_ID, resp.timestamp), concurrent_to=REQ_ID),
        R.request(req, R.RecordSpec(REQ_ID, req.timestamp), concurrent_to=RESP_ID),
    ]


def test_plain_exchange_bytes_match_exactly(kit: SimpleNamespace) -> None:
    assert serialize(build_pair(*kit.plain_exchange())) == EXPECTED_PLAIN


def test_golden_digests_are_real_sha1_of_block_and_payload(kit: SimpleNamespace) -> None:
    response_block = EXPECTED_PLAIN.split(b"Content-Length: 107\r\n\r\n", 1)[1][:107]
    assert sha1_b32(response_block) == "sha1:2IH33PWJI5OCL42IGUIJLQUGIWJKP6TR"
    assert sha1_b32(kit.HTML) == "sha1:J6IQUHSLM34XZYPIUNU6IZVFA2SSEEAU"
    assert sha1_b32(b"") == "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ"


def test_gzip_output_is_one_member_per_record_and_same_content(kit: SimpleNamespace) -> None:
    data = serialize(build_pair(*kit.plain_exchange()), use_gzip=True)
    assert gzip.decompress(data) == EXPECTED_PLAIN
    assert data.count(b"\x1f\x8b\x08") >= 2
    again = serialize(build_pair(*kit.plain_exchange()), use_gzip=True)
    assert data == again  # deterministic down to the compressed bytes


def test_chunked_gzip_response_keeps_compressed_payload_and_renames_header(
    kit: SimpleNamespace,
) -> None:
    req, resp = kit.gzip_chunked_exchange()
    data = serialize(build_pair(req, resp))
    assert b"\r\nTransfer-Encoding" not in data
    assert b"\r\nX-Archive-Orig-Transfer-Encoding: chunked\r\n" in data
    assert b"\r\nContent-Encoding: gzip\r\n" in data

    it = ArchiveIterator(BytesIO(data), check_digests=True)
    response = next(iter(it))
    assert response.rec_headers.get_header("WARC-Payload-Digest") == sha1_b32(resp.body)
    assert response.raw_stream.read() == resp.body  # the compressed body, byte for byte
    # Reading it back, warcio undoes only the Content-Encoding.
    response = next(iter(ArchiveIterator(BytesIO(data))))
    assert response.content_stream().read() == kit.HTML


def test_request_line_host_and_body() -> None:
    req = R.CapturedRequest(
        method="post",
        url="https://user:pw@example.com:8443/search?q=a%20b#top",
        headers=[("Content-Type", "application/x-www-form-urlencoded")],
        timestamp=T0,
        body=b"q=x",
    )
    rec = R.request(req, R.RecordSpec(REQ_ID, T0), protocol="HTTP/1.0")
    head = rec.http_headers.to_str()
    assert head.splitlines()[0] == "POST /search?q=a%20b HTTP/1.0"
    assert ("Host", "example.com:8443") in rec.http_headers.headers
    assert ("Content-Length", "3") in rec.http_headers.headers


def test_existing_host_header_is_not_duplicated() -> None:
    req = R.CapturedRequest("GET", "http://example.com/", [("Host", "example.com")], T0)
    rec = R.request(req, R.RecordSpec(REQ_ID, T0))
    assert [n for n, _ in rec.http_headers.headers].count("Host") == 1


def test_status_line_uses_real_status_and_reason_and_http2_is_noted(
    kit: SimpleNamespace,
) -> None:
    _, resp = kit.plain_exchange()
    resp404 = R.CapturedResponse(resp.url, "h2", 404, "Not Found", [], b"", T0)
    rec = R.response(resp404, R.RecordSpec(RESP_ID, T0))
    assert rec.http_headers.to_str().splitlines()[0] == "HTTP/1.1 404 Not Found"
    assert rec.rec_headers.get_header("WARC-Protocol") == "h2"


def test_a_status_without_reason_phrase_ends_at_the_code(kit: SimpleNamespace) -> None:
    """HTTP/2 has no reason phrase: the archived status line is the code alone, with no
    space after it (the line parsers of replay tools split on that space)."""
    _, resp = kit.plain_exchange()
    no_reason = R.CapturedResponse(resp.url, "h2", 204, "", [], b"", T0)
    rec = R.response(no_reason, R.RecordSpec(RESP_ID, T0))
    assert rec.http_headers.statusline == "204"
    assert rec.http_headers.to_str().splitlines()[0] == "HTTP/1.1 204"


def test_warc_date_has_microseconds_and_needs_timezone() -> None:
    assert R.warc_date(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2026-01-02T03:04:05.000000Z"
    with pytest.raises(ValueError, match="timezone-aware"):
        R.warc_date(datetime(2026, 1, 2))


def test_header_injection_is_rejected() -> None:
    req = R.CapturedRequest("GET", "http://e.com/", [("X-A", "a\r\nX-B: b")], T0)
    with pytest.raises(ValueError, match="invalid HTTP request header"):
        R.request(req, R.RecordSpec(REQ_ID, T0))


def test_warcinfo_record(kit: SimpleNamespace) -> None:
    ids = kit.make_id_factory()
    rec = R.warcinfo(
        "f.warc.gz", {"software": "warta", "robots": "obey", "empty": ""}, R.RecordSpec(ids(), T0)
    )
    data = serialize([rec])
    assert b"WARC-Filename: f.warc.gz\r\n" in data
    assert b"\r\n\r\nsoftware: warta\r\nrobots: obey\r\n\r\n\r\n" in data
    assert b"empty" not in data


def test_derived_records_have_own_uri_and_refer_to_the_response() -> None:
    page = "https://www.niaga.asia/some-article/"
    uri = R.derived_uri("article", page)
    assert uri == "urn:warta:article:" + hashlib.sha1(page.encode()).hexdigest()
    meta = R.metadata(
        uri,
        b'{"title": "x"}',
        "application/json",
        R.RecordSpec(REQ_ID, T0),
        refers_to=RESP_ID,
        refers_to_target_uri=page,
        refers_to_date=T0,
    )
    conv = R.conversion(
        R.derived_uri("text", page),
        b"teks",
        "text/plain; charset=utf-8",
        R.RecordSpec(RESP_ID, T0),
        refers_to=REQ_ID,
    )
    assert meta.rec_headers.get_header("WARC-Type") == "metadata"
    assert meta.rec_headers.get_header("WARC-Refers-To") == RESP_ID
    assert meta.rec_headers.get_header("WARC-Refers-To-Target-URI") == page
    assert meta.rec_headers.get_header("WARC-Refers-To-Date") == "2026-11-27T01:02:03.456789Z"
    assert conv.rec_headers.get_header("WARC-Type") == "conversion"
    assert conv.rec_headers.get_header("WARC-Target-URI").startswith("urn:warta:text:")
    assert conv.content_type == "text/plain; charset=utf-8"
    with pytest.raises(ValueError, match="URI of their own"):
        R.metadata(page + "#warta-text", b"x", "text/plain", R.RecordSpec(REQ_ID, T0))
    with pytest.raises(ValueError, match="kind"):
        R.derived_uri("Bad Kind", page)


def test_body_that_looks_chunked_reads_back_unchanged() -> None:
    """With the header kept, warcio (and pywb, checked by hand) would 'de-chunk' this body."""
    body = b"1a\r\nthis line looks like chunk\r\n0\r\n\r\nrest of the real document\n"
    resp = R.CapturedResponse(
        "http://example.com/t",
        "HTTP/1.1",
        200,
        "OK",
        [("Content-Type", "text/plain"), ("Transfer-Encoding", "chunked")],
        body,
        T0,
    )
    data = serialize([R.response(resp, R.RecordSpec(RESP_ID, T0))])
    record = next(iter(ArchiveIterator(BytesIO(data))))
    assert record.content_stream().read() == body
