"""Prepared responses and a byte-bounded LRU of them, so repeat requests skip rendering.

A prepared entry keeps the identity body, its strong ETag and, once a client has asked for
it, the gzip body: compression is the costliest step after rendering, and done at most once.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC
from email.utils import format_datetime

from replica.responses import Resource

GZIP_LEVEL = 1  # speed over ratio: on-the-fly compression, as a CDN does for dynamic pages


@dataclass
class Prepared:
    resource: Resource
    etag: str  # strong validator of the identity body, quoted
    last_modified: str | None  # HTTP-date
    _gzip: bytes | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def of(cls, resource: Resource) -> Prepared:
        digest = hashlib.sha1(resource.body, usedforsecurity=False).hexdigest()[:20]
        moment = resource.last_modified
        stamp = format_datetime(moment.astimezone(UTC), usegmt=True) if moment else None
        return cls(resource, f'"{digest}"', stamp)

    @property
    def gzip_etag(self) -> str:
        return f'{self.etag[:-1]}-gzip"'

    def gzip_body(self) -> tuple[bytes, bool]:
        """The gzip body and whether this call created it."""
        with self._lock:
            if self._gzip is not None:
                return self._gzip, False
            # mtime=0 keeps the compressed bytes (and their digest) stable across runs.
            self._gzip = gzip.compress(self.resource.body, GZIP_LEVEL, mtime=0)
            return self._gzip, True

    @property
    def size(self) -> int:
        return len(self.resource.body) + (len(self._gzip) if self._gzip else 0) + 256


class ByteLRU:
    """Least-recently-used map of prepared responses bounded by total body bytes."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple[str, str], Prepared] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: tuple[str, str]) -> Prepared | None:
        with self._lock:
            entry = self._items.get(key)
            if entry is None:
                self.misses += 1
                return None
            self.hits += 1
            self._items.move_to_end(key)
            return entry

    def put(self, key: tuple[str, str], entry: Prepared) -> None:
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old.size
            self._items[key] = entry
            self._bytes += entry.size
            self._trim()

    def grew(self, delta: int) -> None:
        """Count bytes an entry gained after insertion (its gzip body) and trim."""
        with self._lock:
            self._bytes += delta
            self._trim()

    def _trim(self) -> None:
        while self._bytes > self.max_bytes and len(self._items) > 1:
            _, entry = self._items.popitem(last=False)
            self._bytes -= entry.size

    def __len__(self) -> int:
        return len(self._items)
