"""The local backend: an archive in a folder, each object with a ``sha256sum`` sidecar."""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

from crawler.layout import LOCK_SUFFIX, fsync_folder
from flows.storage.base import (
    CHUNK,
    SIDECAR_SUFFIX,
    ObjectInfo,
    StorageConflict,
    StorageError,
    check_key,
    storage_errors,
)


def _os_reason(exc: BaseException) -> str:
    assert isinstance(exc, OSError)
    reason = f"{exc.strerror or exc.__class__.__name__}"
    return reason + (f" ({exc.filename})" if exc.filename else "")


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

    def _errors(self, operation: str) -> contextlib.AbstractContextManager[None]:
        return storage_errors(self.uri, operation, (OSError,), _os_reason)

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
        fsync_folder(target.parent)

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

    def get_versioned(self, key: str) -> tuple[bytes, str] | None:
        path = self._path(key)
        with self._errors(f"get {key}"):
            if not path.is_file():
                return None
            data = path.read_bytes()
            return data, hashlib.sha256(data).hexdigest()

    def put_bytes_if(self, key: str, data: bytes, version: str | None) -> str:
        """Compare and swap under an exclusive lock on a hidden file beside the object."""
        import fcntl

        path = self._path(key)
        with self._errors(f"conditional put {key}"):
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.with_name(f".{path.name}{LOCK_SUFFIX}").open("a") as lock:
                fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
                current = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
                if current != version:
                    raise StorageConflict(
                        self.uri, f"conditional put {key}", "another writer changed it first"
                    )
                self._store(key, iter([data]), None)
        return hashlib.sha256(data).hexdigest()

    def read_chunks(self, key: str, offset: int = 0) -> Iterator[bytes]:
        path = self._path(key)
        with self._errors(f"get {key}"), path.open("rb") as handle:
            handle.seek(offset)
            while block := handle.read(CHUNK):
                yield block

    def read_range(self, key: str, offset: int, length: int) -> bytes:
        with self._errors(f"get {key}"), self._path(key).open("rb") as handle:
            handle.seek(offset)
            data = handle.read(length)
        if len(data) != length:
            raise StorageError(self.uri, f"get {key}", f"object ends before byte {offset + length}")
        return data

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
