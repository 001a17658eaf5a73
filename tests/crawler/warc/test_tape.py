"""The wire tape keeps one response's bytes: what a lying server sends after the body is not
part of the response record.

A server that sends more than its ``Content-Length`` (a stray CRLF, the start of a page it
meant for another request, junk) leaves bytes that Twisted's parser hands back as left over.
They are driven here through the recording protocol itself, on an in-memory transport, so
both the protocol's hand-off and the tape's cut are checked, without a crawl.
"""

from __future__ import annotations

from twisted.internet.testing import StringTransport
from twisted.web._newclient import Request as WireRequest
from twisted.web.http_headers import Headers

from crawler.warc.tape import WireTape
from crawler.warc.wire import RecordingHTTP11ClientProtocol

BODY = b"<html><body><p>Samarinda.</p></body></html>"
HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(BODY)
EXTRA = b"HTTP/1.1 200 OK\r\nX-Junk: 1\r\n\r\nnot this response"


def _exchange(chunks: list[bytes]) -> tuple[WireTape, list[object]]:
    protocol = RecordingHTTP11ClientProtocol()
    tape = WireTape()
    protocol.pending_tape = tape
    protocol.makeConnection(StringTransport())
    answers: list[object] = []
    request = WireRequest(b"GET", b"/berita/", Headers({b"host": [b"x.example"]}), None)
    protocol.request(request).addBoth(answers.append)
    for chunk in chunks:
        protocol.dataReceived(chunk)
    return tape, answers


def _payload(tape: WireTape) -> tuple[bytes, bytes]:
    head, stream, length = tape.response_parts()
    payload = stream.read()
    assert len(payload) == length
    return head, payload


def test_bytes_after_the_content_length_body_are_not_kept() -> None:
    for chunks in ([HEAD + BODY + EXTRA], [HEAD, BODY[:10], BODY[10:] + EXTRA[:5], EXTRA[5:]]):
        tape, answers = _exchange(chunks)
        assert answers, "the response should have been delivered"
        head, payload = _payload(tape)
        assert head == HEAD and payload == BODY, chunks
        assert tape.complete and tape.received == len(HEAD) + len(BODY)
        assert tape.sent.startswith(b"GET /berita/ HTTP/1.1\r\n")


def test_an_exact_body_is_kept_whole() -> None:
    tape, _ = _exchange([HEAD + BODY])
    assert _payload(tape) == (HEAD, BODY)


def test_finish_cuts_the_excess_and_ignores_later_bytes() -> None:
    tape = WireTape()
    tape.record_received(HEAD + BODY + b"junk")
    tape.finish(4)
    tape.record_received(b"more junk")
    assert _payload(tape) == (HEAD, BODY)
    spooled = WireTape(spool_at=16)  # the same on a tape spooled to a temporary file
    spooled.record_received(HEAD + BODY[:5])
    spooled.record_received(BODY[5:] + b"junk")
    spooled.finish(4)
    assert _payload(spooled) == (HEAD, BODY)
    spooled.close()
