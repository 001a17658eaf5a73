"""Where finished archives live: one small interface over a local folder or an S3 bucket.

A crawl is archived by whatever ``open_storage`` returns for the configured URI. The local
backend is the default and needs nothing installed; the S3 backend (``flows.s3storage``) is
imported only when an ``s3://`` URI is opened. Both record each object's SHA-256 next to it
so that checks need no download, and neither can delete anything: archives only grow.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Protocol, runtime_checkable
from urllib.parse import unquote, urlsplit

CHUNK = 1024 * 1024
DEFAULT_MULTIPART_THRESHOLD = 64 * 1024 * 1024
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

    def read_chunks(self, key: str, offset: int = 0) -> Iterator[bytes]:
        """Stream an object from byte ``offset`` on (HTTP Range or seek)."""

    def get_bytes(self, key: str) -> bytes:
        """Read a small object whole."""

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        """Every object whose key starts with ``prefix`` (no digests: listings lack them)."""

    def presign(self, key: str, expires_seconds: int) -> str:
        """A link that works without credentials (for local storage: a file:// URI)."""


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


class LocalStorage:
    """An archive in a local folder; each object has a ``<name>.sha256`` sidecar.

    The sidecar is in ``sha256sum`` format, so ``sha256sum -c`` works in any day folder.
    Writes go to a hidden temporary file and are renamed into place, so a crash never
    leaves a half-written object under its real name.
    """

    def __init__(self, root: Path, uri: str | None = None) -> None:
        self.root = root
        self.uri = uri or str(root)

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*check_key(key).split("/"))

    @contextlib.contextmanager
    def _errors(self, operation: str) -> Iterator[None]:
        try:
            yield
        except StorageError:
            raise
        except OSError as exc:
            reason = f"{exc.strerror or exc.__class__.__name__}"
            if exc.filename:
                reason += f" ({exc.filename})"
            raise StorageError(self.uri, operation, reason) from None

    def check(self, *, write: bool = False) -> None:
        with self._errors("open"):
            if write:
                self.root.mkdir(parents=True, exist_ok=True)
                if not os.access(self.root, os.W_OK):
                    raise StorageError(self.uri, "open", "folder is not writable")
            elif not self.root.is_dir():
                raise StorageError(self.uri, "open", "no archive folder at this path")

    def _write_atomic(self, target: Path, chunks: Iterator[bytes], sha256: str | None) -> str:
        """Copy into a hidden temporary file, check the digest, then rename into place."""
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = target.with_name(f".{target.name}.{os.getpid()}.part")
        digest = hashlib.sha256()
        try:
            with temp.open("wb") as out:
                for block in chunks:
                    digest.update(block)
                    out.write(block)
                out.flush()
                os.fsync(out.fileno())
            if sha256 is not None and digest.hexdigest() != sha256:
                raise StorageError(
                    self.uri,
                    f"put {target.relative_to(self.root).as_posix()}",
                    f"content changed while copying (sha256 {digest.hexdigest()})",
                )
            os.replace(temp, target)
        finally:
            temp.unlink(missing_ok=True)
        return digest.hexdigest()

    def _store(self, key: str, chunks: Iterator[bytes], sha256: str | None) -> None:
        target = self._path(key)
        sidecar = target.with_name(target.name + SIDECAR_SUFFIX)
        sidecar.unlink(missing_ok=True)  # a stale digest must never describe new content
        written = self._write_atomic(target, chunks, sha256)
        line = f"{written}  {target.name}\n".encode()
        self._write_atomic(sidecar, iter([line]), None)
        with contextlib.suppress(OSError):  # not every filesystem lets a directory be synced
            fd = os.open(target.parent, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)

    def put_file(self, key: str, path: Path, sha256: str) -> None:
        with self._errors(f"put {key}"), path.open("rb") as source:
            self._store(key, iter(lambda: source.read(CHUNK), b""), sha256)

    def put_bytes(self, key: str, data: bytes) -> None:
        with self._errors(f"put {key}"):
            self._store(key, iter([data]), None)

    def head(self, key: str) -> ObjectInfo | None:
        path = self._path(key)
        with self._errors(f"head {key}"):
            if not path.is_file():
                return None
            size = path.stat().st_size
            sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
            recorded = None
            if sidecar.is_file():
                recorded = sidecar.read_text(encoding="ascii", errors="replace").split(" ")[0]
            return ObjectInfo(key=key, size=size, sha256=recorded or None)

    def read_chunks(self, key: str, offset: int = 0) -> Iterator[bytes]:
        path = self._path(key)
        with self._errors(f"get {key}"), path.open("rb") as handle:
            handle.seek(offset)
            while block := handle.read(CHUNK):
                yield block

    def get_bytes(self, key: str) -> bytes:
        with self._errors(f"get {key}"):
            return self._path(key).read_bytes()

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        with self._errors(f"list {prefix or '/'}"):
            if not self.root.is_dir():
                raise StorageError(self.uri, f"list {prefix or '/'}", "no archive folder here")
            base = self.root
            # Walk only the folder the prefix points into, then filter by the full prefix.
            folder = prefix.rsplit("/", 1)[0] if "/" in prefix else ""
            if folder and any(p in ("", ".", "..") for p in folder.split("/")):
                raise ValueError(f"invalid listing prefix {prefix!r}")
            start = base.joinpath(*folder.split("/")) if folder else base
            if not start.is_dir():
                return
            for dirpath, dirnames, filenames in os.walk(start):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for name in sorted(filenames):
                    if name.startswith(".") or name.endswith((SIDECAR_SUFFIX, ".part")):
                        continue
                    full = Path(dirpath, name)
                    key = full.relative_to(base).as_posix()
                    if key.startswith(prefix):
                        yield ObjectInfo(key=key, size=full.stat().st_size)

    def presign(self, key: str, expires_seconds: int) -> str:
        return self._path(key).resolve().as_uri()


def check_expiry(seconds: int) -> int:
    if not 1 <= seconds <= MAX_PRESIGN_SECONDS:
        raise ValueError("links can be valid for 1 second up to 7 days (the S3 SigV4 limit)")
    return seconds


def open_storage(
    uri: str,
    *,
    multipart_threshold: int = DEFAULT_MULTIPART_THRESHOLD,
    multipart_chunksize: int | None = None,
    max_concurrency: int = 4,
) -> Storage:
    """Open ``s3://bucket/prefix``, ``file:///path`` or a plain local path.

    S3 endpoint, credentials and region come only from boto3's standard configuration
    (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION,
    AWS_PROFILE, ~/.aws/config). Files at or above ``multipart_threshold`` bytes are
    uploaded in parts of ``multipart_chunksize`` (default: the threshold).
    """
    uri = uri.strip()
    if not uri:
        raise StorageError("(empty)", "open", "no storage URI given")
    parts = urlsplit(uri)
    if parts.scheme == "s3":
        if "@" in parts.netloc:
            safe = f"s3://{parts.netloc.rsplit('@', 1)[1]}{parts.path}"
            raise StorageError(
                safe, "open", "credentials in the URI are not supported; use AWS_* variables"
            )
        from flows.s3storage import S3Storage  # boto3 is imported only for S3 targets

        return S3Storage(
            uri,
            bucket=parts.netloc,
            prefix=parts.path.strip("/"),
            multipart_threshold=multipart_threshold,
            multipart_chunksize=multipart_chunksize or multipart_threshold,
            max_concurrency=max_concurrency,
        )
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise StorageError(uri, "open", "file:// URIs must name a local path")
        return LocalStorage(Path(unquote(parts.path)), uri)
    if parts.scheme and len(parts.scheme) > 1:  # "C:" on Windows is a drive, not a scheme
        raise StorageError(
            uri, "open", f"unsupported scheme {parts.scheme!r} (use s3:// or a path)"
        )
    return LocalStorage(Path(uri), uri)


def join_key(*parts: str) -> str:
    return str(PurePosixPath(*[p.strip("/") for p in parts if p.strip("/")]))
