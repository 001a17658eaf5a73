"""Where finished archives live: one small interface over a local folder or an S3 bucket.

A crawl is archived by whatever ``open_storage`` returns for the configured URI. The local
backend is the default and needs nothing installed; the S3 backend
(:mod:`flows.storage.s3`) is imported only when an ``s3://`` URI is opened. The interface
itself is :mod:`flows.storage.base`; what is stored where is :mod:`crawler.layout`.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from flows.storage.base import (
    CHUNK,
    MAX_PRESIGN_SECONDS,
    SIDECAR_SUFFIX,
    ObjectInfo,
    Storage,
    StorageConflict,
    StorageError,
    check_expiry,
    check_key,
    sha256_file,
    sha256_stream,
)
from flows.storage.local import LocalStorage

DEFAULT_MULTIPART_THRESHOLD = 64 * 1024 * 1024


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
        from flows.storage.s3 import S3Storage  # boto3 is imported only for S3 targets

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


__all__ = [
    "CHUNK",
    "DEFAULT_MULTIPART_THRESHOLD",
    "MAX_PRESIGN_SECONDS",
    "SIDECAR_SUFFIX",
    "LocalStorage",
    "ObjectInfo",
    "Storage",
    "StorageConflict",
    "StorageError",
    "check_expiry",
    "check_key",
    "open_storage",
    "sha256_file",
    "sha256_stream",
]
