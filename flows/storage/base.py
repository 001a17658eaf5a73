"""The storage interface: what warta needs from an archive store, and the rules every backend
keeps (keys, digests, errors).

Backends live beside it: :mod:`flows.storage.local` (a folder) and :mod:`flows.storage.s3`
(boto3). Both record each object's SHA-256 next to it so that checks need no download, and
neither can delete anything: archives only grow. This module imports neither backend.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

CHUNK = 1024 * 1024
MAX_PRESIGN_SECONDS = 7 * 24 * 3600  # the SigV4 limit
SIDECAR_SUFFIX = ".sha256"
_KEY_SEGMENT = re.compile(r"^[^/\\\x00]+$")


class StorageError(Exception):
    """A storage operation failed; the message names the target URI and the operation.

    It never contains credentials. ``reason`` is the cause in plain words.
    """

    def __init__(self, uri: str, operation: str, reason: str) -> None:
        self.uri = uri
        self.operation = operation
        self.reason = reason
        super().__init__(f"{uri}: {operation} failed: {reason}")


class StorageConflict(StorageError):
    """A conditional write lost: the object changed (or appeared) since it was read."""


@dataclass(frozen=True)
class ObjectInfo:
    """What storage knows about one object without reading it.

    ``sha256`` is the digest recorded when the object was stored (S3 user metadata or the
    local ``.sha256`` sidecar); ``content_sha256`` is a digest the server computed and
    checked itself, when it offers one (single-part S3 uploads with ChecksumSHA256).
    """

    key: str
    size: int
    sha256: str | None = None
    content_sha256: str | None = None


@runtime_checkable
class Storage(Protocol):
    """The operations warta needs from an archive store. Keys are relative to ``uri``."""

    uri: str

    def check(self, *, write: bool = False) -> None:
        """Fail early, with a clear StorageError, if the target is unusable."""

    def put_file(self, key: str, path: Path, sha256: str) -> None:
        """Store a local file atomically; ``sha256`` is recorded with it."""

    def put_bytes(self, key: str, data: bytes) -> None:
        """Store a small object (a manifest) atomically."""

    def head(self, key: str) -> ObjectInfo | None:
        """Size and recorded digest of an object, or None if it does not exist."""

    def get_versioned(self, key: str) -> tuple[bytes, str] | None:
        """A small object and a version token for :meth:`put_bytes_if`; None if absent."""

    def put_bytes_if(self, key: str, data: bytes, version: str | None) -> str:
        """Replace a small object only if it is still at ``version`` (None: only if absent).

        Returns the new version; raises :class:`StorageConflict` if another writer came
        first. S3 does this on the server (If-Match / If-None-Match), the local backend
        under a file lock.
        """

    def read_chunks(self, key: str, offset: int = 0) -> Iterator[bytes]:
        """Stream an object from byte ``offset`` on (HTTP Range or seek)."""

    def read_range(self, key: str, offset: int, length: int) -> bytes:
        """Exactly ``length`` bytes from ``offset`` (one HTTP range request on S3)."""

    def get_bytes(self, key: str) -> bytes:
        """Read a small object whole."""

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        """Every object whose key starts with ``prefix`` (no digests: listings lack them)."""

    def presign(self, key: str, expires_seconds: int) -> str:
        """A link that works without credentials (for local storage: a file:// URI)."""


@contextlib.contextmanager
def storage_errors(
    uri: str,
    operation: str,
    errors: tuple[type[BaseException], ...],
    reason: Callable[[BaseException], str],
) -> Iterator[None]:
    """A backend's own ``errors`` raised inside become one :class:`StorageError` naming the
    storage, the operation and ``reason(exc)``; a StorageError passes through unchanged."""
    try:
        yield
    except StorageError:
        raise
    except errors as exc:
        raise StorageError(uri, operation, reason(exc)) from None


def sha256_file(path: Path, start: bytes | None = None) -> str:
    """Hex SHA-256 of a file, read in chunks so a 1 GB WARC costs no memory."""
    digest = hashlib.sha256(start or b"")
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def sha256_stream(chunks: Iterator[bytes]) -> tuple[str, int]:
    """Hex SHA-256 and length of a stream of chunks."""
    digest = hashlib.sha256()
    size = 0
    for block in chunks:
        digest.update(block)
        size += len(block)
    return digest.hexdigest(), size


def check_key(key: str) -> str:
    """Reject keys that could escape the archive root or collide with internal files."""
    parts = key.split("/")
    if not key or any(p in ("", ".", "..") or not _KEY_SEGMENT.match(p) for p in parts):
        raise ValueError(f"invalid storage key {key!r}")
    if parts[-1].startswith(".") or key.endswith((SIDECAR_SUFFIX, ".part")):
        raise ValueError(f"storage key {key!r} uses a reserved name")
    return key


def check_expiry(seconds: int) -> int:
    if not 1 <= seconds <= MAX_PRESIGN_SECONDS:
        raise ValueError("links can be valid for 1 second up to 7 days (the S3 SigV4 limit)")
    return seconds
