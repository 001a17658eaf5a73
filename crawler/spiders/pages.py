"""The Scrapy side of an article's later pages, images and page requisites.

Portals cut long articles into "halaman 2, 3" pages: :class:`ArticlePages` follows the chain
(:func:`crawler.extraction.multipage.next_page_url` finds each link), keeps each page's
record in ``cb_kwargs`` and emits one merged record (:func:`merge_records`) when the chain
ends, breaks or fails. It is a mixin of the spider because a request waiting in the disk
queue (JOBDIR) names its callback as a method of the spider.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from functools import cached_property
from typing import TYPE_CHECKING, Any

from scrapy.http import Request, Response, TextResponse

from crawler import keys
from crawler.extraction.article_record import crawl_record
from crawler.extraction.multipage import MAX_PAGES, merge_records
from crawler.incremental.known import record_article
from crawler.incremental.revisits import get_crawl_state
from crawler.spiders.crawl_setup import PageExtraction
from crawler.spiders.link_budget import request_or_failure

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from crawler.config.sites import SiteConfig
    from crawler.extraction.article_record import Article
    from crawler.incremental.store import CrawlState
    from crawler.spiders.discovery import UrlRules
    from crawler.spiders.requisites import Requisites

logger = logging.getLogger(__name__)


class ArticlePages:
    """Mixin of :class:`crawler.spiders.news.NewsSpider`: what follows from an article page."""

    crawler: Crawler
    site: SiteConfig
    rules: UrlRules
    requisites: Requisites

    @cached_property
    def crawl_state(self) -> CrawlState | None:
        """The crawl state (None when it is switched off); looked up once the engine runs."""
        return get_crawl_state(self.crawler)

    @cached_property
    def extraction(self) -> PageExtraction | None:
        """The crawl's extraction workers (None with WARTA_EXTRACT_ENABLED off)."""
        return self.crawler.get_extension(PageExtraction)

    def _follow(self, article: Article, requisites: Iterable[str]) -> Iterator[Request]:
        """The article's images (if the site archives them) and the page's requisites."""
        if self.site.archive_images:
            for caption in article.captions:
                if caption.image and self.rules.on_site(caption.image):
                    request = request_or_failure(self.crawler, caption.image, "image",
                                                 callback=self.ignore, priority=-10)  # fmt: skip
                    if request:  # a bad image URL is listed, and the article still recorded
                        yield request
        yield from self.requisites.requests(requisites, self.parse_requisite)

    async def parse_next_page(
        self, response: Response, pages: list[dict[str, Any]], key: str
    ) -> AsyncIterator[Any]:
        extraction = self.extraction
        if response.status == 200 and isinstance(response, TextResponse) and extraction:
            first = pages[0].get("fetched_url") or pages[0]["url"]
            result = await extraction.classify(response, first_url=first)
            if result is not None and result.article is not None:
                page = result.article.url
                record = crawl_record(
                    result.article, page, page, response.meta.get(keys.WARC_RECORD)
                )
                for output in self._follow(result.article, []):
                    yield output
                for output in self._next_page_or_emit(result.next_page, [*pages, record], key):
                    yield output
                return
        logger.warning("Next page unreadable, keeping earlier pages: %s", response.url)
        for output in self._emit(merge_records(pages), key):
            yield output

    def _next_page_failed(self, failure: Any) -> Iterator[Any]:
        kwargs = failure.request.cb_kwargs
        logger.warning("Next page failed, keeping earlier pages: %s", failure.request.url)
        yield from self._emit(merge_records(kwargs["pages"]), kwargs["key"])

    def _next_page_or_emit(
        self, following: str | None, pages: list[dict[str, Any]], key: str
    ) -> Iterator[Any]:
        if following and len(pages) < MAX_PAGES and self.rules.on_site(following):
            request = request_or_failure(
                self.crawler,
                following,
                "parse_next_page",
                callback=self.parse_next_page,
                errback=self._next_page_failed,
                cb_kwargs={"pages": pages, "key": key},
                priority=10,
            )
            if request is not None:
                self.crawler.stats.inc_value(keys.NEXT_PAGE)
                yield request
                return
        yield from self._emit(merge_records(pages), key)

    def _emit(self, record: dict[str, Any], key: str) -> Iterator[Any]:
        record_article(self.crawl_state, key, record)
        yield record
        self._record_emitted()

    def _record_emitted(self) -> None:
        """An article record went out (crawler.spiders.bounded closes a bounded crawl)."""

    def parse_requisite(self, response: Response) -> Iterator[Request]:
        """Archived for replay; a stylesheet's fonts and images are fetched in turn."""
        return self.requisites.from_stylesheet(response, self.parse_requisite)

    def ignore(self, response: Response) -> None:
        """Fetched only so the WARC holds it (images that articles show)."""
        return None
