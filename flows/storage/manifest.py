"""The crawl manifest (which files a stored crawl has, with keys, sizes and digests), and
the checks of a stored object against its manifest entry.

Where it and the files are stored is :mod:`crawler.layout`'s business. The manifest is
written after every file is stored and verified, so its presence means the crawl is
complete. Keys inside a manifest are relative to the storage URI, so a copied or mirrored
archive (``aws s3 sync``) stays valid.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from crawler.config.sites import SITE_NAME
from crawler.layout import (
    ARTICLES_FILE,
    CDXJ_SUFFIX,
    PARQUET_SUFFIX,
    SUMMARY_FILE,
    WACZ_SUFFIX,
    check_id,
    is_warc,
    manifest_key,
)
from flows.storage.base import ObjectInfo, Storage, sha256_stream

MANIFEST_FORMAT: Literal["warta-manifest/1"] = "warta-manifest/1"

FileKind = Literal["warc", "cdxj", "wacz", "jsonl", "summary", "parquet", "other"]
# A manifest's file names become local paths when a crawl is downloaded, so each must be
# one plain file name: no separator, no "..", no leading dot, nothing a shell or OS reads.
SAFE_FILE_NAME = r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,254}$"


class ManifestError(ValueError):
    """A manifest could not be read; the message names its key."""


class ManifestFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(
        pattern=SAFE_FILE_NAME, description=f"File name in the crawl folder, e.g. {ARTICLES_FILE}"
    )
    key: str = Field(description="Object key relative to the storage URI")
    size: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    kind: FileKind


class Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal["warta-manifest/1"] = MANIFEST_FORMAT
    site: str = Field(pattern=SITE_NAME.pattern, description="A site name as in config/sites")
    crawl_id: str
    crawl_date: date = Field(description="UTC date of the crawl; it places the keys")
    started: datetime | None = None
    finished: datetime | None = None
    counts: dict[str, int] = Field(default_factory=dict)
    stored_at: datetime | None = Field(
        default=None, description="When the manifest was written; not part of equality checks"
    )
    files: list[ManifestFile]

    @field_validator("crawl_id")
    @classmethod
    def _safe_crawl_id(cls, value: str) -> str:
        return check_id(value, "crawl id")  # one path segment: it names a local folder

    @property
    def key(self) -> str:
        return manifest_key(self.site, self.crawl_id, self.crawl_date)

    @property
    def total_bytes(self) -> int:
        return sum(f.size for f in self.files)

    def same_content(self, other: Manifest) -> bool:
        return self.model_dump(exclude={"stored_at"}) == other.model_dump(exclude={"stored_at"})

    def to_json(self) -> bytes:
        return (self.model_dump_json(indent=2) + "\n").encode()


def utc_day(value: date | datetime) -> date:
    """The UTC calendar day of a crawl. Naive datetimes are refused: their day is a guess."""
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"crawl date {value.isoformat()} has no timezone; pass an aware one")
        return value.astimezone(UTC).date()
    return value


def file_kind(name: str) -> FileKind:
    lower = name.lower()
    if is_warc(lower):
        return "warc"
    if lower.endswith((CDXJ_SUFFIX, CDXJ_SUFFIX + ".gz")):
        return "cdxj"
    if lower.endswith(WACZ_SUFFIX):
        return "wacz"
    if lower.endswith(PARQUET_SUFFIX):
        return "parquet"
    if lower.endswith(".jsonl"):
        return "jsonl"
    if lower.rsplit("/", 1)[-1] == SUMMARY_FILE:
        return "summary"
    return "other"


def parse_manifest(data: bytes, key: str) -> Manifest:
    try:
        return Manifest.model_validate(json.loads(data))
    except RecursionError:  # JSON nested deeper than Python's stack: a crafted manifest
        raise ManifestError(f"manifest {key} is not valid: nested too deeply") from None
    except (ValueError, ValidationError) as exc:
        first = str(exc).splitlines()[0:3]
        raise ManifestError(f"manifest {key} is not valid: {' '.join(first)}") from None


def object_problem(info: ObjectInfo | None, entry: ManifestFile) -> str | None:
    """Why a stored object does not match its manifest entry, or None if it does."""
    if info is None:
        return "missing"
    if info.size != entry.size:
        return f"size {info.size}, expected {entry.size}"
    if info.sha256 is None:
        return "no sha256 recorded with the object"
    if info.sha256 != entry.sha256:
        return f"recorded sha256 {info.sha256[:16]}..., expected {entry.sha256[:16]}..."
    if info.content_sha256 is not None and info.content_sha256 != entry.sha256:
        return f"server checksum {info.content_sha256[:16]}..., expected {entry.sha256[:16]}..."
    return None


def content_problem(storage: Storage, entry: ManifestFile) -> str | None:
    """Re-read the object and hash it: the only check that catches silent corruption."""
    digest, size = sha256_stream(storage.read_chunks(entry.key))
    if size != entry.size or digest != entry.sha256:
        return f"content sha256 {digest[:16]}... ({size} bytes) does not match the manifest"
    return None
