"""The article record: the one shape every extractor, re-extractor and export agrees on.

A record is written as one JSON object per line. Dates are kept as ISO 8601 strings with an
explicit offset, never as naive times, so that a record read years later still says which
moment it meant.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Caption(_Record):
    """A photo caption, split from its credit; ``image`` is the absolute image URL."""

    text: str
    credit: str | None = None
    image: str | None = None


class WarcRef(_Record):
    """Where the response this record came from is stored; filled in by the crawler."""

    file: str
    offset: int = Field(ge=0)
    length: int = Field(ge=0)
    record_id: str


class Article(_Record):
    """One extracted news article. Field order is the JSON field order."""

    url: str
    site: str | None = None
    title: str | None = None
    published: str | None = None
    modified: str | None = None
    authors: list[str] = Field(default_factory=list)
    editor: str | None = None
    source: str | None = None
    dateline: str | None = None
    section: str | None = None
    tags: list[str] = Field(default_factory=list)
    text: str = ""
    captions: list[Caption] = Field(default_factory=list)
    language: str | None = None
    extractor: str | None = None  # which body reading won: "site", "trafilatura-precision", ...
    # "article", or "photo", "gallery", "video": a page whose text is its captions or its clip
    page_kind: str = "article"
    confidence: float | None = Field(default=None, ge=0.0, le=1.0)  # how sure of the body
    warc: WarcRef | None = None

    @field_validator("published", "modified")
    @classmethod
    def _aware_iso(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"not an ISO 8601 timestamp: {value!r}") from None
        if parsed.tzinfo is None:
            raise ValueError(f"timestamp has no UTC offset: {value!r}")
        return value

    def to_json(self) -> str:
        """One line of JSON Lines: UTF-8 text as-is, no newline inside."""
        return self.model_dump_json()

    @classmethod
    def from_json(cls, line: str | bytes) -> Article:
        return cls.model_validate_json(line)


def crawl_record(
    article: Article, canonical: str, fetched: str, warc: dict[str, Any] | None
) -> dict[str, Any]:
    """The JSON object a crawl writes for an article, and ``warta reextract`` rebuilds:
    the canonical ``url``, ``fetched_url`` when it differs, and the response's ``warc`` place."""
    record = article.model_dump(mode="json")
    record["url"] = canonical
    if canonical != fetched:
        record["fetched_url"] = fetched
    record["warc"] = warc
    return record
