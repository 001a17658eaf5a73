"""What one captured HTTP exchange is, before it becomes WARC records (crawler.warc.records).

Plain data, free of Scrapy and warcio: the capture middleware and the wire tap fill it in,
the record builders read it, tests build it by hand with fixed IDs and dates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from crawler.warc.tape import WireMessage

Headers = Sequence[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class CapturedRequest:
    """The request as it went on the wire, after every downloader middleware.

    With ``wire``, the record's block is those bytes; the other fields only describe it.
    """

    method: str
    url: str
    headers: Headers
    timestamp: datetime
    body: bytes = b""
    wire: WireMessage | None = None


@dataclass(frozen=True, slots=True)
class CapturedResponse:
    """The response after transfer decoding but still content-encoded (gzip, br).

    With ``wire``, the record's block is the response as received instead; ``truncated``
    (a ``TRUNCATED_*`` value) says it was cut short.
    """

    url: str
    protocol: str
    status: int
    reason: str
    headers: Headers
    body: bytes
    timestamp: datetime
    ip_address: str | None = None
    wire: WireMessage | None = None
    truncated: str | None = None


@dataclass(frozen=True, slots=True)
class RecordSpec:
    """Identity of a record: ID and date, supplied by the caller so output is reproducible."""

    record_id: str
    date: datetime
    warcinfo_id: str | None = None
    extra_headers: Headers = field(default=())
