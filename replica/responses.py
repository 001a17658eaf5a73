"""What a route answers: a ``Resource``, its content types, and the ``Options`` routing obeys.

Shared by the routes of both replicas, the fault endpoints, the cache and the servers, so
that none of them has to import another's module just to name a response.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

HTML = "text/html; charset=UTF-8"
XML = "application/xml; charset=UTF-8"
RSS = "application/rss+xml; charset=UTF-8"
TEXT = "text/plain; charset=UTF-8"
JPEG = "image/jpeg"


@dataclass(frozen=True)
class Resource:
    status: int
    body: bytes
    content_type: str = HTML
    last_modified: datetime | None = None
    headers: tuple[tuple[str, str], ...] = ()
    compressible: bool = True  # images are always sent as they are

    @classmethod
    def redirect(cls, location: str, status: int = 301) -> Resource:
        return cls(status, b"", headers=(("Location", location), ("X-Redirect-By", "WordPress")))


@dataclass(frozen=True)
class Options:
    crawl_delay: float | None = None
    faults: bool = False
