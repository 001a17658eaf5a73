"""What an incremental crawl does with an article link its state may know already.

Five outcomes, decided here and nowhere else: a link never archived is fetched (``NEW``); an
archived article published inside the recheck window is fetched again, conditionally
(``RECHECK``); one published before it is skipped (``ARCHIVED``); a page an interrupted run
archived without making its article record is read back from that run's WARC instead of the
network (``REREAD``), unless its copy is not an article page or is no longer on this disk
(``NOT_REREADABLE``, skipped). Pure functions over the crawl state, free of Scrapy: the
spider turns the decision into a request (or none) and counts it under ``decision.stat``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any

from crawler import keys
from crawler.canonical import CanonicalError, link_key
from crawler.incremental.store import CrawlState


class Known(Enum):
    NEW = "new"
    RECHECK = "recheck"
    ARCHIVED = "archived"
    NOT_REREADABLE = "not-rereadable"
    REREAD = "reread"


_STATS = {
    Known.RECHECK: keys.ARTICLE_RECHECKS,
    Known.ARCHIVED: keys.ALREADY_ARCHIVED,
    Known.NOT_REREADABLE: keys.ALREADY_ARCHIVED,
    Known.REREAD: keys.REREAD_FROM_ARCHIVE,
}
_META: dict[Known, dict[str, Any]] = {
    Known.RECHECK: {keys.RECHECK: True},
    Known.REREAD: {keys.FROM_ARCHIVE: True},
}


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Known
    url: str | None = None  # REREAD: the URL the archived copy was fetched under

    @property
    def fetch(self) -> bool:
        return self.outcome in (Known.NEW, Known.RECHECK, Known.REREAD)

    @property
    def stat(self) -> str | None:
        return _STATS.get(self.outcome)

    @property
    def meta(self) -> dict[str, Any]:
        """Request-meta keys the decision adds (the capture middleware acts on them)."""
        return dict(_META.get(self.outcome, {}))


def recheck_due(published: str | None, started: datetime, hours: float) -> bool:
    """Whether an article published at ``published`` is still inside the recheck window."""
    if hours <= 0 or not published:
        return False
    try:
        when = datetime.fromisoformat(published)
    except ValueError:
        return False
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    return started - when < timedelta(hours=hours)


def decide(state: CrawlState | None, key: str, started: datetime, recheck_hours: float) -> Decision:
    """The outcome for the article whose de-duplication key is ``key``."""
    if state is None:
        return Decision(Known.NEW)
    entry = state.article(key)
    if entry is not None:
        due = recheck_due(entry.published, started, recheck_hours)
        return Decision(Known.RECHECK if due else Known.ARCHIVED)
    capture = state.archived_capture(key)
    if capture is None:
        return Decision(Known.NEW)
    if capture.kind not in ("article", "page") or capture.local_warc() is None:
        return Decision(Known.NOT_REREADABLE)
    return Decision(Known.REREAD, capture.url)


def filed_before(state: CrawlState | None, key: str, rechecking: bool) -> bool:
    """An article record exists for ``key`` already (a recheck may file it again)."""
    return state is not None and not rechecking and state.article(key) is not None


def archived_before(state: CrawlState | None, url: str) -> bool:
    """``url`` was archived by an earlier run (what stops a listing from paging on)."""
    if state is None:
        return False
    try:
        return state.archived_before_run(link_key(url))
    except CanonicalError:
        return False


def mark_not_article(state: CrawlState | None, url: str) -> None:
    """A fetched page that holds no article: kept as a page, never re-read as one."""
    mark_kind(state, url, "not-article")


def mark_kind(state: CrawlState | None, url: str, kind: str) -> None:
    """What a fetched page turned out to be (``not-article``, ``out-of-window``)."""
    if state is not None:
        state.set_kind(url, kind)


def record_article(state: CrawlState | None, key: str, record: dict[str, Any]) -> None:
    """Note an emitted article record in the state, with where its page was archived."""
    if state is None:
        return
    location = record.get("warc") or {}
    state.record_article(
        key,
        record["url"],
        record.get("fetched_url") or record["url"],
        record.get("published"),
        location.get("record_id"),
        location.get("file"),
        location.get("offset"),
    )
