"""Scrapy's HTTP/1.1 download handler, recording the bytes each request put on the wire.

Scrapy (through Twisted) parses a response into status, headers and a de-chunked body and
keeps nothing else, so records rebuilt from it lose header case and order, duplicates, the
reason phrase, chunk framing and undecodable values. Here the connection itself is tapped:

- :class:`RecordingConnectionPool` hands each request's :class:`WireTape` to the connection
  (new or reused) that will carry it;
- :class:`RecordingHTTP11ClientProtocol` copies every byte written to the transport and
  every byte received into that tape, until the HTTP parser says the response ended;
- :class:`WireRecordingDownloadHandler` creates the tape and leaves it in
  ``request.meta[keys.WIRE]``, for :class:`crawler.warc.capture.WarcCaptureMiddleware` to
  write, whether the download succeeded or failed part way.

Twisted's parser keeps every response header in memory and has no limit on their number or
total size (only on one line), and Scrapy's size limits count the body alone: a server that
answers ``200 OK`` and then sends header lines forever grew a crawl by gigabytes a minute.
The protocol here counts the header block as it arrives and drops the connection past
``WARTA_MAX_RESPONSE_HEADER_BYTES`` or ``WARTA_MAX_RESPONSE_HEADERS`` lines; the URL is
listed in failures.jsonl as ``headers-too-large``.

Scheduling, middlewares and ``Response`` objects stay Scrapy's. See docs/warc-format.md.

This is the one module that uses private names of Scrapy and Twisted (tests/test_one_place.py
keeps it so): neither offers a public hook between a request and the bytes of its
connection. Scrapy's handler builds its protocol from ``_LenientHTTP11ClientFactory`` /
``_LenientHTTP11ClientProtocol`` (subclassed here so its leniency is kept) and keeps its pool
in ``_pool``, whose ``_factory`` makes the protocols; ``_default_maxsize`` is its
DOWNLOAD_MAXSIZE. Twisted's client protocol ends a response in ``_finishResponse`` and passes
``_quiescentCallback`` to a new protocol; a reused connection is wrapped in an object whose
``_clientProtocol`` is the protocol and whose ``_newConnection`` is the retry on a fresh
connection. tests/crawler/warc/test_wire_capture.py fails if a Scrapy or Twisted upgrade
moves any of them.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from scrapy.core.downloader.handlers.http11 import (
    HTTP11DownloadHandler,
    _LenientHTTP11ClientFactory,
    _LenientHTTP11ClientProtocol,
)
from scrapy.exceptions import DownloadCancelledError, DownloadFailedError, DownloadTimeoutError
from twisted.internet.protocol import connectionDone
from twisted.python.failure import Failure
from twisted.web._newclient import HEADER, STATUS
from twisted.web.client import HTTPConnectionPool

from crawler import keys
from crawler import settings as defaults
from crawler.warc import records
from crawler.warc.records import CapturedRequest, CapturedResponse, WireMessage
from crawler.warc.tape import WireTape

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response
    from twisted.internet.defer import Deferred
    from twisted.internet.interfaces import IAddress, IStreamClientEndpoint
    from twisted.web._newclient import HTTP11ClientProtocol
    from twisted.web.iweb import IResponse

HEAD_ALLOWANCE = 1024 * 1024  # kept beyond DOWNLOAD_MAXSIZE: headers, framing, a last read
HEADERS_TOO_LARGE = "headers-too-large"  # the failure reason in failures.jsonl


class HeadersTooLarge(Exception):
    """A response's header block passed the crawl's limits; its connection was dropped."""


class _RecordingTransport:
    """The connection's transport, copying what the protocol writes into its tape."""

    def __init__(self, transport: Any, protocol: RecordingHTTP11ClientProtocol) -> None:
        self._transport = transport
        self._protocol = protocol

    def write(self, data: bytes) -> None:
        if self._protocol.tape is not None:
            self._protocol.tape.record_sent(data)
        self._transport.write(data)

    def writeSequence(self, data: Iterable[bytes]) -> None:
        parts = list(data)
        if self._protocol.tape is not None:
            for part in parts:
                self._protocol.tape.record_sent(part)
        self._transport.writeSequence(parts)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class RecordingHTTP11ClientProtocol(_LenientHTTP11ClientProtocol):
    """Scrapy's lenient HTTP/1.1 client protocol with a tap on both directions."""

    tape: WireTape | None = None  # the exchange in progress
    pending_tape: WireTape | None = None  # set by the pool for the next request()
    max_head_bytes = 0  # limits on the response header block (0: none); set by the factory
    max_head_lines = 0
    _head_bytes = 0
    _head_lines = 0

    def connectionMade(self) -> None:
        super().connectionMade()  # sees the real transport (TCP_NODELAY)
        self.transport = _RecordingTransport(self.transport, self)  # type: ignore[assignment]

    def request(self, request: Any) -> Deferred[IResponse]:
        self.tape, self.pending_tape = self.pending_tape, None
        if self.tape is not None:
            self.tape.begin()
        self._head_bytes = self._head_lines = 0
        return super().request(request)

    def dataReceived(self, data: bytes) -> None:
        if self.tape is not None:
            self.tape.record_received(data)
        parser = self._parser
        super().dataReceived(data)
        # Counted after parsing, and only while the header block is still open, so the body
        # that follows the blank line never counts; one read (64 KiB) is the most over.
        if parser is None or parser is not self._parser or parser.state not in (STATUS, HEADER):
            return
        self._head_bytes += len(data)
        self._head_lines += data.count(b"\n")
        over = (self.max_head_bytes and self._head_bytes > self.max_head_bytes) or (
            self.max_head_lines and self._head_lines > self.max_head_lines
        )
        if over:
            limit = f"{self._head_bytes:,} bytes in {self._head_lines:,} lines"
            self._giveUp(Failure(HeadersTooLarge(f"response header block over the limit: {limit}")))

    def _finishResponse(self, rest: bytes) -> None:
        tape, self.tape = self.tape, None
        if tape is not None:
            tape.finish(len(rest))
        super()._finishResponse(rest)

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self.tape = None  # what arrived stays on the tape; the handler reports the loss
        super().connectionLost(reason)


class RecordingClientFactory(_LenientHTTP11ClientFactory):
    max_head_bytes = 0
    max_head_lines = 0

    def buildProtocol(self, addr: IAddress | None) -> HTTP11ClientProtocol:
        protocol = RecordingHTTP11ClientProtocol(self._quiescentCallback)
        protocol.max_head_bytes, protocol.max_head_lines = self.max_head_bytes, self.max_head_lines
        return protocol


def _factory_with_limits(max_bytes: int, max_lines: int) -> type[RecordingClientFactory]:
    """The pool calls its factory class per connection: a subclass carries the limits."""
    attributes = {"max_head_bytes": max_bytes, "max_head_lines": max_lines}
    return type("LimitedRecordingClientFactory", (RecordingClientFactory,), attributes)


class RecordingConnectionPool(HTTPConnectionPool):
    """Gives the connection chosen for a request the tape that request brought along.

    The handler sets :attr:`next_tape` just before Scrapy's agent asks for a connection;
    everything from there to :meth:`getConnection` runs without yielding to the reactor,
    so no other request can take the tape.
    """

    next_tape: WireTape | None = None

    def getConnection(
        self, key: Hashable, endpoint: IStreamClientEndpoint
    ) -> Deferred[HTTP11ClientProtocol]:
        tape, self.next_tape = self.next_tape, None
        connection: Deferred[HTTP11ClientProtocol] = super().getConnection(key, endpoint)
        if tape is not None:
            connection.addCallback(_arm, tape)
        return connection


def _arm(connection: Any, tape: WireTape) -> Any:
    inner = getattr(connection, "_clientProtocol", connection)
    if isinstance(inner, RecordingHTTP11ClientProtocol):
        inner.pending_tape = tape
    if inner is not connection:
        # A reused connection comes wrapped: if the server had closed it, Twisted retries
        # once on a new connection, which must record too.
        renew: Callable[[], Deferred[Any]] = connection._newConnection
        connection._newConnection = lambda: renew().addCallback(_arm, tape)
    return connection


class WireRecordingDownloadHandler(HTTP11DownloadHandler):
    """``DOWNLOAD_HANDLERS`` entry for http and https: Scrapy's handler, recording the wire."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        from twisted.internet import reactor

        pool = RecordingConnectionPool(reactor, persistent=True)
        pool.maxPersistentPerHost = self._pool.maxPersistentPerHost
        settings = crawler.settings
        pool._factory = _factory_with_limits(
            settings.getint("WARTA_MAX_RESPONSE_HEADER_BYTES"),
            settings.getint("WARTA_MAX_RESPONSE_HEADERS"),
        )
        self._pool = pool
        self._recording_pool = pool
        # nothing would consume the tapes without WARC capture (the fetch-ceiling bench)
        self._taping = settings.getbool("WARTA_WARC_ENABLED", defaults.WARTA_WARC_ENABLED)

    async def download_request(self, request: Request) -> Response:
        try:
            return await self._download(request)
        except DownloadFailedError as exc:
            if _headers_too_large(exc):
                request.meta[keys.FAILURE_REASON] = HEADERS_TOO_LARGE
            raise

    async def _download(self, request: Request) -> Response:
        if not self._taping:
            return await super().download_request(request)
        maxsize = request.meta.get("download_maxsize", self._default_maxsize)
        tape = WireTape(limit=maxsize + HEAD_ALLOWANCE if maxsize else 0)
        tape.started_at = datetime.now(UTC)
        request.meta[keys.WIRE] = tape
        self._recording_pool.next_tape = tape
        try:
            return await super().download_request(request)
        finally:
            if self._recording_pool.next_tape is tape:  # failed before asking for a connection
                self._recording_pool.next_tape = None


def _headers_too_large(exc: BaseException) -> bool:
    """Whether Scrapy's download error wraps the protocol's :class:`HeadersTooLarge`."""
    reasons = getattr(exc.__cause__, "reasons", None) or []
    return any(isinstance(r, Failure) and r.check(HeadersTooLarge) for r in reasons)


def from_tape(
    request: Request,
    tape: WireTape,
    received: datetime,
    ip_address: str | None,
    truncated: str | None,
) -> tuple[CapturedRequest, CapturedResponse]:
    """The exchange as it crossed the wire; the parsed fields only describe it."""
    request_head, request_body = tape.request_parts()
    response_head, payload, length = tape.response_parts()
    sent_at = tape.started_at or tape.sent_at or received
    wire_response = records.WireHeaders(response_head)
    captured_request = CapturedRequest(
        method=request.method,
        url=request.url,
        headers=[],
        timestamp=sent_at,
        body=request_body,
        wire=WireMessage.from_bytes(request_head, request_body),
    )
    captured_response = CapturedResponse(
        url=request.url,
        protocol=wire_response.protocol or "HTTP/1.1",
        status=int(wire_response.get_statuscode() or 0),
        reason=wire_response.statusline.partition(" ")[2],
        headers=list(wire_response.headers),
        body=b"",
        timestamp=tape.received_at or received,
        ip_address=ip_address,
        wire=WireMessage(response_head, payload, length),
        truncated=truncated,
    )
    return captured_request, captured_response


def truncation_of(exception: BaseException, tape: WireTape) -> str:
    """The WARC-Truncated reason for a download that failed after its headers arrived."""
    if tape.overflow or isinstance(exception, DownloadCancelledError):
        return records.TRUNCATED_LENGTH  # DOWNLOAD_MAXSIZE
    if isinstance(exception, DownloadTimeoutError):
        return records.TRUNCATED_TIME
    return records.TRUNCATED_DISCONNECT


__all__ = [
    "RecordingClientFactory",
    "RecordingConnectionPool",
    "RecordingHTTP11ClientProtocol",
    "WireRecordingDownloadHandler",
    "from_tape",
    "truncation_of",
]
