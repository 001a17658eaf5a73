"""The bytes of one HTTP exchange as they crossed the socket, kept for the WARC records.

Free of Scrapy and Twisted (warcio only, for the header block): :mod:`crawler.warc.wire`
feeds a :class:`WireTape` from the connection, and the capture middleware turns it into
request and response blocks. The
received side stays in memory up to ``spool_at`` bytes and then moves to a temporary file
(as warcio buffers large records), and keeps at most ``limit`` bytes, so a huge or endless
body never costs more than the crawl's ``DOWNLOAD_MAXSIZE``.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from typing import IO, BinaryIO

from warcio.statusandheaders import StatusAndHeaders, StatusAndHeadersParser

# Twisted's HTTP parser splits lines on LF and strips a CR, so a header block ends at the
# first empty line in either form.
_HEAD_END = re.compile(rb"\n\r?\n")
MAX_HEAD_BYTES = 256 * 1024  # a header block longer than this is not looked for further
SPOOL_AT = 1024 * 1024


def head_end(data: bytes | bytearray, start: int = 0) -> int | None:
    """Offset just past the blank line that ends an HTTP header block, or None."""
    match = _HEAD_END.search(data, max(0, start - 3), MAX_HEAD_BYTES)
    return match.end() if match else None


class _Window:
    """A read-only, seekable view of ``length`` bytes of ``file`` from ``start``."""

    def __init__(self, file: IO[bytes], start: int, length: int) -> None:
        self._file, self._start, self._length, self._pos = file, start, length, 0

    def read(self, size: int = -1) -> bytes:
        left = self._length - self._pos
        if size < 0 or size > left:
            size = left
        if size <= 0:
            return b""
        self._file.seek(self._start + self._pos)
        data = self._file.read(size)
        self._pos += len(data)
        return data

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self._pos, 2: self._length}[whence]
        self._pos = min(max(0, base + offset), self._length)
        return self._pos


class WireTape:
    """What one request sent and its response received, byte for byte.

    ``limit`` (0: none) caps the received bytes kept; ``overflow`` says more arrived.
    ``complete`` is set when the HTTP parser saw the whole response; bytes that arrived
    after it (the next response on a reused connection never does, but a lying server
    may send extra) are cut off by :meth:`finish`.
    """

    def __init__(self, limit: int = 0, spool_at: int = SPOOL_AT) -> None:
        self.limit = limit
        self.spool_at = spool_at
        # when the download handler took the request (after every politeness delay): the
        # request record's date, as before exact capture; set by the handler
        self.started_at: datetime | None = None
        self.begin()

    def begin(self) -> None:
        """Start over: a request is (re)sent on a connection."""
        self.sent = bytearray()
        self._memory = bytearray()
        self._file: IO[bytes] | None = None
        self.received = 0
        self.overflow = False
        self.complete = False
        self.sent_at: datetime | None = None
        self.received_at: datetime | None = None
        self.response_head_end: int | None = None

    # -- fed by the connection ------------------------------------------------------------
    def record_sent(self, data: bytes) -> None:
        if self.sent_at is None:
            self.sent_at = datetime.now(UTC)
        self.sent += data

    def record_received(self, data: bytes) -> None:
        if self.complete or (self.overflow and self.limit):
            return
        if self.received_at is None:
            self.received_at = datetime.now(UTC)
        if self.limit and self.received + len(data) > self.limit:
            data = data[: self.limit - self.received]
            self.overflow = True
        before = self.received
        if self._file is None:
            self._memory += data
            if self.response_head_end is None:
                self.response_head_end = head_end(self._memory, before)
            if len(self._memory) > self.spool_at:
                self._file = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the tape)
                self._file.write(self._memory)
                self._memory = bytearray()
        else:
            self._file.seek(0, 2)
            self._file.write(data)
        self.received += len(data)

    def finish(self, excess: int = 0) -> None:
        """The response ended; the last ``excess`` bytes received were not part of it."""
        self.received = max(0, self.received - excess)
        self.complete = True

    # -- read by the capture middleware ---------------------------------------------------
    @property
    def has_response_head(self) -> bool:
        return self.response_head_end is not None and self.response_head_end <= self.received

    def request_parts(self) -> tuple[bytes, bytes]:
        """(header block, body) of the request as sent."""
        sent = bytes(self.sent)
        end = head_end(sent) or len(sent)
        return sent[:end], sent[end:]

    def response_parts(self) -> tuple[bytes, BinaryIO, int]:
        """(header block, payload stream, payload length) of the response as received."""
        end = self.response_head_end
        if end is None:
            raise ValueError("no complete response header block was received")
        length = self.received - end
        if self._file is None:
            memory = memoryview(self._memory)
            return bytes(memory[:end]), BytesIO(memory[end : self.received]), length
        self._file.seek(0)
        head = self._file.read(end)
        return head, _Window(self._file, end, length), length  # type: ignore[return-value]

    def close(self) -> None:
        """Free the memory and the temporary file."""
        if self._file is not None:
            self._file.close()
            self._file = None
        self._memory = bytearray()


@dataclass(frozen=True, slots=True)
class WireMessage:
    """An HTTP message exactly as it crossed the socket: the header block (start line,
    fields, blank line) and what followed it (chunk framing and content coding intact)."""

    head: bytes
    payload: BinaryIO  # seekable, at 0, ending where the payload ends
    payload_length: int

    @classmethod
    def from_bytes(cls, head: bytes, payload: bytes = b"") -> WireMessage:
        return cls(head, BytesIO(payload), len(payload))


class WireHeaders(StatusAndHeaders):
    """HTTP headers that warcio writes back exactly as received.

    warcio re-serialises parsed headers when it writes a record (percent-encoding non-ASCII
    values); this keeps the parsed view for readers and the raw block for the file.
    """

    def __init__(self, head: bytes) -> None:
        try:
            parsed = StatusAndHeadersParser([], verify=False).parse(BytesIO(head))
            super().__init__(parsed.statusline, parsed.headers, parsed.protocol)
        except (EOFError, ValueError, UnicodeDecodeError):
            super().__init__("", [], "")
        self.headers_buff = head

    def compute_headers_buffer(self, header_filter: object = None) -> None:
        """Keep the bytes as received."""
