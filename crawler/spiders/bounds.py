"""How far a crawl goes: the date window and the article budget (``since``, ``until``,
``lookback``, ``max_articles``), as plain objects free of Scrapy.

A window that only filtered sitemap entries let feeds and listings archive everything, and
a ``max_articles`` that only stopped *keeping* articles still fetched the whole site. So:

- The window (:class:`crawler.spiders.discovery.Window`) decides for every discovery
  source: sitemap entries by their dates, feed items by theirs, listing links by a date
  learnt elsewhere (a sitemap or feed entry), and any other page by the article's own
  published date once fetched (:class:`Bounds`: fetched to learn it, then not kept).
- :class:`ListingPager` holds back a listing's next page until the dates of the articles on
  it are known: a listing runs newest first, so once one of them is older than ``since``
  the listing is past the window and paging stops there.
- :class:`ArticleBudget` lets at most ``limit - kept`` article requests be out at once and
  holds the rest back, so a crawl asked for 10 articles fetches no more than 10 article
  pages that turn into articles, and ends once it has them.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Generic, TypeVar

from crawler.spiders.discovery import Window

T = TypeVar("T")


def aware(when: datetime) -> datetime:
    """A datetime with a zone; one without is taken as UTC."""
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def parse_published(value: object) -> datetime | None:
    """An article record's ``published`` (ISO 8601), or None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return aware(datetime.fromisoformat(value))
    except ValueError:
        return None


@dataclass
class _Page:
    depth: int
    next_pages: list[str]
    pending: int
    past: bool  # an article on it is older than the window


@dataclass
class ListingPager:
    """Next listing pages, released once the articles of the page before are dated."""

    window: Window
    _pages: dict[int, _Page] = field(default_factory=dict)
    _serial: int = 0
    stopped: int = 0  # listings found past the window

    def open(
        self, depth: int, next_pages: list[str], pending: int, past: bool
    ) -> tuple[int | None, list[tuple[str, int]]]:
        """Register a listing page whose ``pending`` article requests are out.

        Returns the id to give those requests and the next pages to request now (when
        nothing is pending, the decision is made at once).
        """
        page = _Page(depth, next_pages, pending, past)
        if pending == 0:
            return None, self._release(page)
        self._serial += 1
        self._pages[self._serial] = page
        return self._serial, []

    def resolved(self, page_id: int | None, published: datetime | None) -> list[tuple[str, int]]:
        """One article of page ``page_id`` is done (its date, if known); next pages, if due."""
        page = self._pages.get(page_id) if page_id is not None else None
        if page is None:
            return []
        page.pending -= 1
        page.past = page.past or self.window.before(published)
        if page.pending > 0:
            return []
        del self._pages[page_id]  # type: ignore[arg-type]
        return self._release(page)

    def _release(self, page: _Page) -> list[tuple[str, int]]:
        if page.past:
            self.stopped += 1
            return []
        return [(url, page.depth + 1) for url in page.next_pages]


class ArticleBudget(Generic[T]):
    """At most ``limit`` articles kept, and never more article requests out than can still
    be kept; None means no limit (every request goes at once)."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit or None
        self.kept = 0
        self.outstanding = 0
        self.waiting: deque[T] = deque()

    @property
    def reached(self) -> bool:
        return self.limit is not None and self.kept >= self.limit

    def admit(self, request: T) -> bool:
        """True: send ``request`` now; False: it waits (or, once reached, is dropped)."""
        if self.limit is None:
            return True
        if self.reached:
            return False
        if self.outstanding + self.kept < self.limit:
            self.outstanding += 1
            return True
        self.waiting.append(request)
        return False

    def keep(self) -> bool:
        """May one more article be kept? Counts it if so."""
        if self.reached:
            return False
        self.kept += 1
        return True

    def done(self) -> list[T]:
        """An admitted request is finished (kept or not); the waiting ones to send now."""
        if self.limit is None:
            return []
        self.outstanding = max(0, self.outstanding - 1)
        released: list[T] = []
        while self.waiting and not self.reached and self.outstanding + self.kept < self.limit:
            self.outstanding += 1
            released.append(self.waiting.popleft())
        if self.reached:
            self.waiting.clear()
        return released


__all__ = ["ArticleBudget", "ListingPager", "aware", "parse_published"]
