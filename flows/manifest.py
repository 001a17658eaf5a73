"""The crawl manifest and the key layout of an archive.

Layout, relative to the storage URI (for S3 the object key is ``<prefix>/`` + key)::

    <site>/<YYYY>/<MM>/<DD>/<file>
    <site>/<YYYY>/<MM>/<DD>/<crawl_id>.manifest.json

The date is the crawl's UTC date. The manifest is written after every file is stored and
verified, so its presence means the crawl is complete. Keys inside a manifest are relative
to the storage URI, so a copied or mirrored archive (``aws s3 sync``) stays valid.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

MANIFEST_FORMAT: Literal["warta-manifest/1"] = "warta-manifest/1"
MANIFEST_SUFFIX = ".manifest.json"
SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_MANIFEST_KEY = re.compile(
    r"^(?P<site>[^/]+)/(?P<y>\d{4})/(?P<m>\d{2})/(?P<d>\d{2})/(?P<crawl>[^/]+)"
    + re.escape(MANIFEST_SUFFIX)
    + "$"
)

FileKind = Literal["warc", "cdxj", "wacz", "jsonl", "summary", "other"]


class ManifestError(ValueError):
    """A manifest could not be read; the message names its key."""


class ManifestFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(description="Path inside the crawl folder, e.g. articles.jsonl")
    key: str = Field(description="Object key relative to the storage URI")
    size: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    kind: FileKind


class Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal["warta-manifest/1"] = MANIFEST_FORMAT
    site: str
    crawl_id: str
    crawl_date: date = Field(description="UTC date of the crawl; it places the keys")
    started: datetime | None = None
    finished: datetime | None = None
    counts: dict[str, int] = Field(default_factory=dict)
    stored_at: datetime | None = Field(
        default=None, description="When the manifest was written; not part of equality checks"
    )
    files: list[ManifestFile]

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


def check_id(value: str, what: str) -> str:
    if not SAFE_ID.match(value):
        raise ValueError(
            f"invalid {what} {value!r}: use letters, digits, '.', '_' or '-' (max 128)"
        )
    return value


def utc_day(value: date | datetime) -> date:
    """The UTC calendar day of a crawl. Naive datetimes are refused: their day is a guess."""
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"crawl date {value.isoformat()} has no timezone; pass an aware one")
        return value.astimezone(UTC).date()
    return value


def day_prefix(site: str, day: date) -> str:
    return f"{site}/{day:%Y}/{day:%m}/{day:%d}"


def manifest_key(site: str, crawl_id: str, day: date) -> str:
    return f"{day_prefix(site, day)}/{crawl_id}{MANIFEST_SUFFIX}"


def parse_manifest_key(key: str) -> tuple[str, date, str] | None:
    """(site, day, crawl_id) of a manifest key, or None if the key is not one."""
    match = _MANIFEST_KEY.match(key)
    if not match:
        return None
    try:
        day = date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        return None
    return match["site"], day, match["crawl"]


def stored_name(crawl_id: str, name: str) -> str:
    """Object name for a crawl file. Day folders hold every crawl of that day, so generic
    names such as ``articles.jsonl`` get the crawl id in front. WARC names are kept exactly:
    they are unique by construction (timestamp and serial), and CDXJ indexes and WACZ
    packages refer to WARCs by file name, so a renamed WARC would orphan its index lines."""
    if crawl_id in name or file_kind(name) == "warc":
        return name
    return f"{crawl_id}-{name}"


def file_kind(name: str) -> FileKind:
    lower = name.lower()
    if lower.endswith((".warc.gz", ".warc")):
        return "warc"
    if lower.endswith((".cdxj", ".cdxj.gz")):
        return "cdxj"
    if lower.endswith(".wacz"):
        return "wacz"
    if lower.endswith(".jsonl"):
        return "jsonl"
    if lower.rsplit("/", 1)[-1] == "crawl-summary.json":
        return "summary"
    return "other"


def parse_manifest(data: bytes, key: str) -> Manifest:
    try:
        return Manifest.model_validate(json.loads(data))
    except (ValueError, ValidationError) as exc:
        first = str(exc).splitlines()[0:3]
        raise ManifestError(f"manifest {key} is not valid: {' '.join(first)}") from None
