"""The S3 backend: boto3 with its standard configuration, and plain-language errors.

Endpoint, credentials, region and retry policy come from boto3's usual sources
(AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION, AWS_PROFILE,
AWS_MAX_ATTEMPTS, AWS_RETRY_MODE, ~/.aws/config); warta adds no settings of its own.
botocore's "standard" retry mode already retries throttling, 5xx and dropped connections
with exponential backoff, so this module only translates what is left into StorageError.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import re
from collections.abc import Iterator
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
from boto3.exceptions import S3UploadFailedError
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    NoCredentialsError,
    PartialCredentialsError,
)
from botocore.exceptions import (
    ConnectionError as BotoConnectionError,
)

from flows.storage.base import (
    CHUNK,
    ObjectInfo,
    StorageConflict,
    StorageError,
    check_expiry,
    check_key,
    storage_errors,
)

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

# The S3 rules for new buckets: 3-63 characters, lower case, digits, dots and hyphens.
_BUCKET = re.compile(r"^(?!xn--)(?!.*\.\.)(?!\d+\.\d+\.\d+\.\d+$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_DENIED = {"AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "Forbidden", "403"}
_NOT_FOUND = {"404", "NoSuchKey", "NotFound"}
_CONFLICT = {"PreconditionFailed", "ConditionalRequestConflict"}


def _hex_from_b64(value: str | None) -> str | None:
    """Decode a full-object ChecksumSHA256; composite multipart ones ("...-3") are skipped."""
    if not value or "-" in value:
        return None
    try:
        return base64.b64decode(value).hex()
    except ValueError:
        return None


def _part_digests(path: Path, part_sizes: list[int]) -> tuple[str, str] | None:
    """(SHA-256 of the whole file, S3's composite SHA-256 of it cut into parts of these
    sizes), in one read; None if the sizes do not add up to the file."""
    if sum(part_sizes) != path.stat().st_size:
        return None
    whole = hashlib.sha256()
    digests = []
    with path.open("rb") as handle:
        for size in part_sizes:
            part = hashlib.sha256()
            left = size
            while left:
                block = handle.read(min(CHUNK, left))
                if not block:
                    return None
                part.update(block)
                whole.update(block)
                left -= len(block)
            digests.append(part.digest())
    combined = base64.b64encode(hashlib.sha256(b"".join(digests)).digest()).decode()
    return whole.hexdigest(), f"{combined}-{len(digests)}"


class S3Storage:
    """An archive under ``s3://bucket/prefix``. Uploads never overwrite silently elsewhere:
    the caller (``store_crawl``) decides; this class only moves bytes and reports facts."""

    def __init__(
        self,
        uri: str,
        *,
        bucket: str,
        prefix: str,
        multipart_threshold: int,
        multipart_chunksize: int,
        max_concurrency: int,
    ) -> None:
        self.uri = uri
        self.bucket = bucket
        self.prefix = prefix
        if not _BUCKET.match(bucket):
            raise StorageError(
                uri,
                "open",
                f"invalid bucket name {bucket!r} (3-63 lower-case letters, digits, '.' or '-')",
            )
        self.multipart_threshold = multipart_threshold
        self.transfer = TransferConfig(
            multipart_threshold=multipart_threshold,
            multipart_chunksize=multipart_chunksize,
            max_concurrency=max_concurrency,
        )

    @cached_property
    def _session(self) -> boto3.session.Session:
        return boto3.session.Session()

    @cached_property
    def client(self) -> S3Client:
        # SigV4 everywhere: presigned links then work on every S3 region and on SeaweedFS.
        return self._session.client("s3", config=Config(signature_version="s3v4"))

    def _full(self, key: str) -> str:
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def _relative(self, full: str) -> str:
        return full[len(self.prefix) + 1 :] if self.prefix else full

    def _scrub(self, text: str) -> str:
        """Defence in depth: no message may ever carry the secret key."""
        with contextlib.suppress(Exception):
            creds = self._session.get_credentials()
            secret = creds.get_frozen_credentials().secret_key if creds else None
            if secret:
                text = text.replace(secret, "***")
        return text

    def _reason(self, exc: BaseException) -> str:
        if isinstance(exc, S3UploadFailedError) and exc.__context__ is not None:
            exc = exc.__context__
        try:
            endpoint = self.client.meta.endpoint_url
        except BotoCoreError:  # e.g. a profile that does not exist: no client at all
            endpoint = "the S3 endpoint"
        if isinstance(exc, (NoCredentialsError, PartialCredentialsError)):
            return (
                "no usable credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
                "or a profile in ~/.aws/config"
            )
        if isinstance(exc, BotoConnectionError):
            return f"cannot reach {endpoint} ({exc.__class__.__name__}); is the server up?"
        if isinstance(exc, ClientError):
            error = exc.response.get("Error", {})
            code = str(error.get("Code", ""))
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
            if code in _DENIED or status == 403:
                return (
                    f"access denied by {endpoint} ({code or status}): check "
                    "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY and the key's permissions"
                )
            if code in ("BadDigest", "XAmzContentSHA256Mismatch", "InvalidDigest"):
                return (
                    f"the server received other bytes than were hashed ({code}): the file "
                    "changed during upload or was corrupted in transit"
                )
            if code == "NoSuchBucket":
                return f"bucket {self.bucket!r} does not exist at {endpoint}"
            if status >= 500:
                return f"server error {status} ({code}) from {endpoint} after retries"
            return f"{code or status}: {error.get('Message', '')}".rstrip(": ")
        if isinstance(exc, (BotoCoreError, OSError)):
            return f"{exc.__class__.__name__}: {exc}"
        return f"{exc.__class__.__name__}: {exc}"

    def _errors(self, operation: str) -> contextlib.AbstractContextManager[None]:
        errors = (BotoCoreError, ClientError, S3UploadFailedError, OSError)
        return storage_errors(self.uri, operation, errors, lambda e: self._scrub(self._reason(e)))

    def check(self, *, write: bool = False) -> None:
        with self._errors("open"):
            try:
                self.client.head_bucket(Bucket=self.bucket)
            except ClientError as exc:
                status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
                if status == 404:
                    raise StorageError(
                        self.uri,
                        "open",
                        f"bucket {self.bucket!r} does not exist at {self.client.meta.endpoint_url}",
                    ) from None
                raise

    def put_file(self, key: str, path: Path, sha256: str) -> None:
        full = self._full(key)
        meta = {"sha256": sha256}
        with self._errors(f"put {key}"):
            size = path.stat().st_size
            if size < self.multipart_threshold:
                # One PUT carrying our digest: the server rejects the body if it differs.
                with path.open("rb") as body:
                    self.client.put_object(
                        Bucket=self.bucket,
                        Key=full,
                        Body=body,
                        ContentLength=size,
                        ChecksumSHA256=base64.b64encode(bytes.fromhex(sha256)).decode(),
                        Metadata=meta,
                    )
            else:
                # Multipart through the transfer manager, each part checked by SHA-256.
                self.client.upload_file(
                    str(path),
                    self.bucket,
                    full,
                    ExtraArgs={"Metadata": meta, "ChecksumAlgorithm": "SHA256"},
                    Config=self.transfer,
                )
                self._verify_multipart(key, full, path, sha256)

    def _verify_multipart(self, key: str, full: str, path: Path, sha256: str) -> None:
        """Prove a multipart object holds the local file's bytes, by the server's word.

        The ``sha256`` metadata is only what the uploader claims. The server's composite
        ChecksumSHA256 (the SHA-256 of the parts' SHA-256s, "-N") is recomputed here from
        the local file cut at the server's own part sizes; a server that keeps no checksum
        gets the object read back and hashed instead.
        """
        head: Any = self.client.head_object(Bucket=self.bucket, Key=full, ChecksumMode="ENABLED")
        stored = head.get("ChecksumSHA256")
        if stored and "-" in stored:
            # The parts the server holds hash to the local file's parts, and those to sha256.
            local = _part_digests(path, self._part_sizes(full))
            expected, how = (sha256, stored), "composite ChecksumSHA256"
        else:
            digest = hashlib.sha256()
            body = self.client.get_object(Bucket=self.bucket, Key=full)["Body"]
            for block in body.iter_chunks(CHUNK):
                digest.update(block)
            local, expected, how = (digest.hexdigest(), ""), (sha256, ""), "read-back sha256"
        if local != expected:
            # Take back the digest claim, so no later check trusts this object and a rerun
            # uploads the file again (nothing is deleted: archives only grow).
            with contextlib.suppress(BotoCoreError, ClientError):
                self.client.copy_object(
                    Bucket=self.bucket, Key=full, CopySource={"Bucket": self.bucket, "Key": full},
                    Metadata={}, MetadataDirective="REPLACE",
                )  # fmt: skip
            raise StorageError(
                self.uri,
                f"verify {key}",
                f"{how} of the stored object does not match the file's sha256 {sha256[:16]}...",
            )

    def _part_sizes(self, full: str) -> list[int]:
        sizes: list[int] = []
        marker = 0
        while True:
            attrs: Any = self.client.get_object_attributes(
                Bucket=self.bucket,
                Key=full,
                ObjectAttributes=["ObjectParts"],
                MaxParts=1000,
                PartNumberMarker=marker,
            )
            parts = attrs.get("ObjectParts", {})
            sizes += [int(p["Size"]) for p in parts.get("Parts", [])]
            if not parts.get("IsTruncated"):
                return sizes
            marker = int(parts["NextPartNumberMarker"])

    def put_bytes(self, key: str, data: bytes) -> None:
        digest = hashlib.sha256(data)
        with self._errors(f"put {key}"):
            self.client.put_object(
                Bucket=self.bucket,
                Key=self._full(key),
                Body=data,
                ChecksumSHA256=base64.b64encode(digest.digest()).decode(),
                Metadata={"sha256": digest.hexdigest()},
                ContentType="application/json" if key.endswith(".json") else "binary/octet-stream",
            )

    def head(self, key: str) -> ObjectInfo | None:
        with self._errors(f"head {key}"):
            try:
                meta: Any = self.client.head_object(
                    Bucket=self.bucket, Key=self._full(key), ChecksumMode="ENABLED"
                )
            except ClientError as exc:
                if str(exc.response.get("Error", {}).get("Code")) in _NOT_FOUND:
                    return None
                raise
            return ObjectInfo(
                key=key,
                size=int(meta["ContentLength"]),
                sha256=meta.get("Metadata", {}).get("sha256"),
                content_sha256=_hex_from_b64(meta.get("ChecksumSHA256")),
            )

    def get_versioned(self, key: str) -> tuple[bytes, str] | None:
        with self._errors(f"get {key}"):
            try:
                response = self.client.get_object(Bucket=self.bucket, Key=self._full(key))
            except ClientError as exc:
                if str(exc.response.get("Error", {}).get("Code")) in _NOT_FOUND:
                    return None
                raise
            return response["Body"].read(), str(response["ETag"])

    def put_bytes_if(self, key: str, data: bytes, version: str | None) -> str:
        """A conditional PUT: If-Match the ETag read, or If-None-Match ``*`` to create."""
        import hashlib

        digest = hashlib.sha256(data)
        condition = {"IfMatch": version} if version is not None else {"IfNoneMatch": "*"}
        with self._errors(f"conditional put {key}"):
            try:
                response = self.client.put_object(
                    Bucket=self.bucket,
                    Key=self._full(key),
                    Body=data,
                    ChecksumSHA256=base64.b64encode(digest.digest()).decode(),
                    Metadata={"sha256": digest.hexdigest()},
                    **condition,  # type: ignore[arg-type]
                )
            except ClientError as exc:
                status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
                code = str(exc.response.get("Error", {}).get("Code", ""))
                if status in (409, 412) or code in _CONFLICT:
                    raise StorageConflict(
                        self.uri, f"conditional put {key}", "another writer changed it first"
                    ) from None
                if status == 501 or code == "NotImplemented":
                    raise StorageError(
                        self.uri,
                        f"conditional put {key}",
                        "this S3 server has no conditional writes (If-Match/If-None-Match)",
                    ) from None
                raise
            return str(response["ETag"])

    def read_chunks(self, key: str, offset: int = 0) -> Iterator[bytes]:
        with self._errors(f"get {key}"):
            if offset:
                response = self.client.get_object(
                    Bucket=self.bucket, Key=self._full(key), Range=f"bytes={offset}-"
                )
            else:
                response = self.client.get_object(Bucket=self.bucket, Key=self._full(key))
            yield from response["Body"].iter_chunks(CHUNK)

    def read_range(self, key: str, offset: int, length: int) -> bytes:
        if offset < 0 or length <= 0:
            raise ValueError(f"invalid byte range {offset}+{length}")
        with self._errors(f"get {key}"):
            response = self.client.get_object(
                Bucket=self.bucket,
                Key=self._full(key),
                Range=f"bytes={offset}-{offset + length - 1}",
            )
            data: bytes = response["Body"].read()
        if len(data) != length:
            raise StorageError(
                self.uri, f"get {key}", f"range returned {len(data)} of {length} bytes"
            )
        return data

    def get_bytes(self, key: str) -> bytes:
        with self._errors(f"get {key}"):
            response = self.client.get_object(Bucket=self.bucket, Key=self._full(key))
            return response["Body"].read()

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        full = f"{self.prefix}/{prefix}" if self.prefix else prefix
        if self.prefix and not prefix:
            full = f"{self.prefix}/"
        with self._errors(f"list {prefix or '/'}"):
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=full
            )
            for page in pages:
                for item in page.get("Contents", []):
                    yield ObjectInfo(key=self._relative(item["Key"]), size=int(item["Size"]))

    def presign(self, key: str, expires_seconds: int) -> str:
        with self._errors(f"presign {key}"):
            return self.client.generate_presigned_url(
                "get_object",
                Params={"Bucket": self.bucket, "Key": self._full(key)},
                ExpiresIn=check_expiry(expires_seconds),
            )
