"""The one-pass digests are the ones warcio's ``ensure_digest`` would add."""

from __future__ import annotations

from io import BytesIO

from warcio.recordbuilder import RecordBuilder
from warcio.statusandheaders import StatusAndHeaders

from crawler.warc.digests import add_digests


def drop_cookies(header: tuple[str, str]) -> tuple[str, str] | None:
    return None if header[0].lower() == "set-cookie" else header


def test_block_digest_is_over_the_http_headers_as_the_filter_leaves_them() -> None:
    def http() -> StatusAndHeaders:
        headers = [("Content-Type", "text/plain"), ("Set-Cookie", "a=b")]
        return StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")

    def warc() -> StatusAndHeaders:
        return StatusAndHeaders("", [("WARC-Type", "response")], protocol="WARC/1.1")

    ours = warc()
    add_digests("response", ours, http(), b"hi", drop_cookies)
    builder = RecordBuilder(warc_version="WARC/1.1", header_filter=drop_cookies)
    theirs = builder.create_warc_record(
        "http://example.com/",
        "response",
        payload=BytesIO(b"hi"),
        length=2,
        warc_headers=warc(),
        http_headers=http(),
    )
    builder.ensure_digest(theirs, block=True, payload=True)
    assert ours.headers == theirs.rec_headers.headers
    assert ours.headers[-1][0] == "WARC-Block-Digest"


def test_a_payload_digest_the_record_already_carries_is_kept() -> None:
    """A record given its payload digest (a revisit names the original's) keeps that one:
    it is not computed again over this record's body, nor written twice."""
    given = "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ"
    warc = StatusAndHeaders(
        "", [("WARC-Type", "response"), ("WARC-Payload-Digest", given)], protocol="WARC/1.1"
    )
    http = StatusAndHeaders("200 OK", [("Content-Type", "text/plain")], protocol="HTTP/1.1")
    add_digests("response", warc, http, b"a different body", None)
    assert [v for k, v in warc.headers if k == "WARC-Payload-Digest"] == [given]
    assert warc.get_header("WARC-Block-Digest", "").startswith("sha1:")
