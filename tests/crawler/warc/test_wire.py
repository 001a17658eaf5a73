"""The recording protocol's own limits, in memory: a response header block that passes
``max_head_bytes`` or ``max_head_lines`` drops the connection with HeadersTooLarge, the body
never counts towards them, and a tape handed to a (re)sent request starts afresh.

Driven through Twisted's real client protocol on an in-memory transport; the same limits
against a flooding server, in a crawl, are in test_header_flood.py (slow)."""

from __future__ import annotations

from twisted.internet.testing import StringTransport
from twisted.python.failure import Failure
from twisted.web._newclient import Request as WireRequest
from twisted.web._newclient import ResponseFailed
from twisted.web.http_headers import Headers

from crawler.warc.tape import WireTape
from crawler.warc.wire import HeadersTooLarge, RecordingHTTP11ClientProtocol

STATUS = b"HTTP/1.1 200 OK\r\n"
FIELD = b"X-Fill: 0123456789\r\n"  # 20 bytes, one line
BODY = b"<html><body><p>" + b"Samarinda. " * 200 + b"</p></body></html>"


def _connect(
    max_bytes: int = 0, max_lines: int = 0, tape: WireTape | None = None
) -> tuple[RecordingHTTP11ClientProtocol, StringTransport, list[object]]:
    protocol = RecordingHTTP11ClientProtocol()
    protocol.max_head_bytes, protocol.max_head_lines = max_bytes, max_lines
    protocol.pending_tape = tape
    transport = StringTransport()
    protocol.makeConnection(transport)
    answers: list[object] = []
    headers = Headers({b"host": [b"x.example"]})
    request = WireRequest(b"GET", b"/berita/", headers, None, persistent=True)
    protocol.request(request).addBoth(answers.append)
    return protocol, transport, answers


def _refused(answers: list[object]) -> bool:
    [answer] = answers
    if not isinstance(answer, Failure) or not isinstance(answer.value, ResponseFailed):
        return False
    return any(
        reason.check(HeadersTooLarge) and " bytes in " in str(reason.value)
        for reason in answer.value.reasons
    )


def _feed_head(protocol: RecordingHTTP11ClientProtocol, fields: int) -> None:
    """The status line and ``fields`` header lines, one read each, the block still open."""
    protocol.dataReceived(STATUS)
    for _ in range(fields):
        protocol.dataReceived(FIELD)


def test_a_header_block_at_its_byte_limit_passes_and_one_read_more_drops_it() -> None:
    size = len(STATUS) + 3 * len(FIELD)
    protocol, transport, answers = _connect(max_bytes=size)
    _feed_head(protocol, 3)
    assert answers == [] and transport.connected
    protocol.dataReceived(FIELD)
    assert _refused(answers) and transport.disconnecting


def test_a_header_block_at_its_line_limit_passes_and_one_line_more_drops_it() -> None:
    protocol, transport, answers = _connect(max_lines=4)
    _feed_head(protocol, 3)
    assert answers == [] and transport.connected
    protocol.dataReceived(FIELD)
    assert _refused(answers)


def test_the_body_does_not_count_towards_the_header_limits() -> None:
    head = STATUS + FIELD + b"Content-Length: %d\r\n\r\n" % len(BODY)
    protocol, transport, answers = _connect(max_bytes=len(head) + 10, max_lines=5)
    protocol.dataReceived(head)
    for n in range(0, len(BODY), 100):
        protocol.dataReceived(BODY[n : n + 100])
    [answer] = answers
    assert not isinstance(answer, Failure) and not transport.disconnecting


def test_no_limit_when_none_is_set() -> None:
    protocol, transport, answers = _connect()
    _feed_head(protocol, 500)
    assert answers == [] and transport.connected


def test_a_tape_handed_to_a_request_starts_afresh() -> None:
    tape = WireTape()
    tape.record_sent(b"GET /earlier HTTP/1.1\r\n\r\n")
    tape.record_received(b"HTTP/1.1 503 Busy\r\n\r\n")
    tape.finish()
    protocol, _, _ = _connect(tape=tape)
    assert tape.sent.startswith(b"GET /berita/ HTTP/1.1\r\n")
    protocol.dataReceived(STATUS + b"Content-Length: 0\r\n\r\n")
    head, _, length = tape.response_parts()
    assert head == STATUS + b"Content-Length: 0\r\n\r\n" and length == 0
