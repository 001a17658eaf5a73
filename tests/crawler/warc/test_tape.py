"""The wire tape keeps one response's bytes: what a lying server sends after the body is not
part of the response record.

A server that sends more than its ``Content-Length`` (a stray CRLF, the start of a page it
meant for another request, junk) leaves bytes that Twisted's parser hands back as left over.
They are driven here through the recording protocol itself, on an in-memory transport, so
both the protocol's hand-off and the tape's cut are checked, without a crawl. The tape's own
bookkeeping (where a header block ends, the byte limit, times, spooling) is checked directly.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from io import BytesIO

from twisted.internet.testing import StringTransport
from twisted.web._newclient import Request as WireRequest
from twisted.web.http_headers import Headers

from crawler.warc.tape import MAX_HEAD_BYTES, WireHeaders, WireTape, _Window, head_end
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


def test_a_header_block_ends_at_its_first_blank_line_in_either_form() -> None:
    assert head_end(HEAD + BODY) == len(HEAD)
    assert head_end(b"HTTP/1.1 200 OK\nA: b\n\nbody") == len(b"HTTP/1.1 200 OK\nA: b\n\n")
    assert head_end(b"\r\n\r\n") == 4 and head_end(b"\n\n") == 2  # no fields at all
    assert head_end(HEAD[:-2]) is None
    endless = b"HTTP/1.1 200 OK\r\nX-Pad: " + b"a" * MAX_HEAD_BYTES + b"\r\n\r\n"
    assert head_end(endless) is None  # not looked for past MAX_HEAD_BYTES


def test_a_blank_line_split_across_reads_is_found() -> None:
    for cut in range(len(HEAD) - 4, len(HEAD) + 1):
        tape = WireTape()
        tape.record_received(HEAD[:cut])
        tape.record_received(HEAD[cut:] + BODY)
        assert tape.has_response_head and _payload(tape) == (HEAD, BODY), cut


def test_the_limit_keeps_that_many_bytes_and_says_more_came() -> None:
    whole = HEAD + BODY
    exact = WireTape(limit=len(whole))
    for n in range(0, len(whole), 7):
        exact.record_received(whole[n : n + 7])
    assert not exact.overflow and _payload(exact) == (HEAD, BODY)
    capped = WireTape(limit=len(HEAD) + 10)
    capped.record_received(HEAD + BODY)
    capped.record_received(b"more")
    assert capped.overflow and capped.received == len(HEAD) + 10
    assert _payload(capped) == (HEAD, BODY[:10])
    later = WireTape(limit=len(HEAD) + 10)  # the limit met on a later read
    later.record_received(HEAD)
    later.record_received(BODY)
    assert later.overflow and _payload(later) == (HEAD, BODY[:10])
    unlimited = WireTape()
    unlimited.record_received(whole * 3)
    assert not unlimited.overflow and unlimited.received == 3 * len(whole)


def test_times_are_taken_at_the_first_byte_each_way_in_utc() -> None:
    tape = WireTape()
    assert (tape.sent_at, tape.received_at) == (None, None)
    before = datetime.now(UTC)
    tape.record_sent(b"GET / HTTP/1.1\r\n")
    tape.record_received(HEAD)
    after = datetime.now(UTC)
    sent, received = tape.sent_at, tape.received_at
    assert sent is not None and received is not None
    assert before <= sent <= received <= after  # aware datetimes: naive ones cannot compare
    time.sleep(0.002)
    tape.record_sent(b"\r\n")
    tape.record_received(BODY)
    assert (tape.sent_at, tape.received_at) == (sent, received)


def test_begin_starts_a_resent_request_afresh() -> None:
    tape = WireTape(limit=len(HEAD) + 1)
    tape.record_sent(b"GET / HTTP/1.1\r\n\r\n")
    tape.record_received(HEAD + BODY)
    tape.finish()
    first_sent = tape.sent_at
    time.sleep(0.002)
    tape.begin()
    assert (tape.sent, tape.received, tape.overflow, tape.complete) == (b"", 0, False, False)
    assert not tape.has_response_head
    tape.record_sent(b"GET /again HTTP/1.1\r\n\r\n")
    tape.record_received(HEAD[:-1])  # under the limit: kept
    tape.record_received(HEAD[-1:])
    assert tape.sent_at is not None and first_sent is not None and tape.sent_at > first_sent
    assert tape.received_at is not None and tape.received_at >= tape.sent_at
    assert _payload(tape) == (HEAD, b"") and not tape.overflow


def test_finish_without_excess_keeps_every_byte_and_never_goes_below_none() -> None:
    tape = WireTape()
    tape.record_received(HEAD + BODY)
    tape.finish()
    assert tape.complete and _payload(tape) == (HEAD, BODY)
    short = WireTape()
    short.record_received(b"abc")
    short.finish(5)
    assert short.received == 0


def test_a_spooled_body_reads_back_in_pieces_and_stops_at_its_end() -> None:
    tape = WireTape(spool_at=16)
    tape.record_received(HEAD + BODY + b"junk")
    tape.finish(4)  # the junk stays in the temporary file, past the payload's end
    for step in (1, 2, 7, len(BODY)):
        _, stream, length = tape.response_parts()
        assert length == len(BODY) and stream.read(0) == b""
        pieces = []
        while piece := stream.read(step):
            pieces.append(piece)
        assert b"".join(pieces) == BODY and stream.tell() == len(BODY), step
        assert stream.read() == b"" and stream.read(5) == b""
    tape.close()


def test_close_frees_the_temporary_file_and_may_be_called_again() -> None:
    def open_files() -> int:
        return len(os.listdir("/proc/self/fd"))

    before = open_files()
    tape = WireTape(spool_at=16)
    tape.record_received(HEAD + BODY)
    assert open_files() == before + 1
    tape.close()
    assert open_files() == before
    tape.close()


def test_a_payload_window_seeks_from_its_start_by_default() -> None:
    window = _Window(BytesIO(b"0123456789"), 2, 5)  # "23456"
    assert window.read(3) == b"234"
    assert window.seek(1) == 1
    assert window.read() == b"3456"
    assert window.seek(-2, 2) == 3 and window.read() == b"56"
    assert window.seek(-1, 1) == 4 and window.read(9) == b"6"


def test_a_payload_window_seeks_back_to_its_start_and_no_further() -> None:
    window = _Window(BytesIO(b"0123456789"), 2, 5)  # "23456"
    window.read(3)
    assert window.seek(0) == 0 and window.read(2) == b"23"
    assert window.seek(-9, 1) == 0 and window.read() == b"23456"


def test_the_request_sent_splits_at_its_blank_line() -> None:
    post = b"POST /cari HTTP/1.1\r\nHost: x.example\r\nContent-Length: 14\r\n\r\n"
    tape = WireTape()
    tape.record_sent(post)
    tape.record_sent(b"kota=Samarinda")
    assert tape.request_parts() == (post, b"kota=Samarinda")
    cut = WireTape()  # the connection dropped inside the header block: all of it is head
    cut.record_sent(b"GET /cari HTTP/1.1\r\nHost: x.ex")
    assert cut.request_parts() == (b"GET /cari HTTP/1.1\r\nHost: x.ex", b"")


def test_an_empty_head_reads_as_no_status_no_headers_no_protocol() -> None:
    # a request that was never sent leaves an empty head, which warcio cannot parse
    headers = WireHeaders(b"")
    assert (headers.statusline, headers.protocol, headers.headers) == ("", "", [])
    assert not headers.get_statuscode()
    assert headers.headers_buff == b""
