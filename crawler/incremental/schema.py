"""The crawl state's tables, and the rows :class:`~crawler.incremental.store.CrawlState` reads.

One table per thing the state remembers: ``urls`` (every URL fetched, with its validators
and the archived response it resolves to), ``articles`` (one row per article, by dedup
key), ``runs`` (each crawl run and its output folder, for reconciliation) and ``meta``
(the schema version, checked on every open and on every snapshot installed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from crawler.layout import OPEN_SUFFIX

SCHEMA_VERSION = "1"
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS urls (
    url TEXT PRIMARY KEY,           -- exactly as fetched, = WARC-Target-URI
    canonical_key TEXT NOT NULL,    -- crawler.canonical.dedup_key(url)
    kind TEXT NOT NULL,             -- discovery | article | page
    first_seen TEXT NOT NULL,
    last_fetched TEXT NOT NULL,
    last_status INTEGER NOT NULL,   -- what the server said last time (304 included)
    status INTEGER,                 -- status of the archived response record
    etag TEXT,
    last_modified TEXT,
    payload_digest TEXT,
    warc_file TEXT,
    warc_path TEXT,
    warc_offset INTEGER,
    warc_length INTEGER,
    record_id TEXT,
    warc_date TEXT,
    archived_at TEXT
);
CREATE INDEX IF NOT EXISTS urls_by_key ON urls (canonical_key);
CREATE TABLE IF NOT EXISTS articles (
    canonical_key TEXT PRIMARY KEY,
    url TEXT NOT NULL,              -- canonical URL (rel=canonical if the page names one)
    fetched_url TEXT NOT NULL,
    published TEXT,
    first_archived TEXT NOT NULL,
    last_archived TEXT NOT NULL,
    record_id TEXT,
    warc_file TEXT,
    warc_offset INTEGER,
    versions INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    crawl_id TEXT NOT NULL,
    output_dir TEXT NOT NULL,
    started TEXT NOT NULL,
    finished TEXT,
    reason TEXT
);
"""
Clock = Callable[[], datetime]


class StateError(RuntimeError):
    """The state file is not a warta crawl state, or cannot be used."""


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@dataclass(frozen=True, slots=True)
class Capture:
    """One URL's row: the last answer and the archived response it resolves to."""

    url: str
    canonical_key: str
    kind: str
    first_seen: str
    last_fetched: str
    last_status: int
    status: int | None
    etag: str | None
    last_modified: str | None
    payload_digest: str | None
    warc_file: str | None
    warc_path: str | None
    warc_offset: int | None
    warc_length: int | None
    record_id: str | None
    warc_date: str | None
    archived_at: str | None

    @property
    def archived(self) -> bool:
        return self.status == 200 and self.record_id is not None

    def local_warc(self) -> Path | None:
        """The WARC file holding the record, if it is on this machine (final or ``.open``)."""
        if not self.warc_path:
            return None
        for candidate in (Path(self.warc_path), Path(self.warc_path + OPEN_SUFFIX)):
            if candidate.is_file():
                return candidate
        return None


@dataclass(frozen=True, slots=True)
class ArticleEntry:
    canonical_key: str
    url: str
    fetched_url: str
    published: str | None
    first_archived: str
    last_archived: str
    record_id: str | None


__all__ = [
    "SCHEMA",
    "SCHEMA_VERSION",
    "ArticleEntry",
    "Capture",
    "Clock",
    "StateError",
    "iso",
    "parse_iso",
]
