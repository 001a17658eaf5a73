"""The article record: the one shape every extractor, re-extractor and export agrees on.

A record is written as one JSON object per line. Dates are kept as ISO 8601 strings with an
explicit offset, never as naive times, so that a record read years later still says which
moment it meant. Every field a crawl writes is declared here, the ones the crawler fills in
(``CRAWL_FIELDS``) too, so :meth:`Article.from_json` reads any line of ``articles.jsonl``;
the Parquet index (flows/archives/index.py) takes its column types from this model and
README.md's field table is checked against it (tests/test_one_place.py).
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
    fetched_url: str | None = None  # the URL fetched, when the record is filed under another
    canonical_claimed: str | None = None  # a rel=canonical the page named and was refused

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


CRAWL_FIELDS = ("warc", "fetched_url", "canonical_claimed")  # filled in by the crawler
_LEFT_OUT_WHEN_EMPTY = ("fetched_url", "canonical_claimed")


def record_json(article: Article) -> dict[str, Any]:
    """The JSON object of an article as a crawl writes it: the crawler's optional fields
    appear only when they say something."""
    record = article.model_dump(mode="json")
    for name in _LEFT_OUT_WHEN_EMPTY:
        if record[name] is None:
            del record[name]
    return record


def crawl_record(
    article: Article,
    canonical: str,
    fetched: str,
    warc: dict[str, Any] | None,
    claimed: str | None = None,
) -> dict[str, Any]:
    """The JSON object a crawl writes for an article, and ``warta reextract`` rebuilds:
    the canonical ``url``, ``fetched_url`` when it differs, the response's ``warc`` place and
    a refused rel=canonical ``claimed``."""
    crawl = {
        "url": canonical,
        "fetched_url": fetched if canonical != fetched else None,
        "warc": warc,
        "canonical_claimed": claimed,
    }
    return record_json(Article.model_validate({**article.model_dump(), **crawl}))
