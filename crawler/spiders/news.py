"""One spider for every news site; what differs between sites comes from its config file.

Discovery goes sitemaps → feeds → listings, all deduplicated by Scrapy's scheduler, and a
page becomes an article only if its URL fits the site's patterns *and* the page carries an
article marker. The spider yields article records; WARC writing happens in a downloader
middleware, so every exchange is archived whether or not the spider keeps the page.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Request, Response, TextResponse

from crawler import __version__
from crawler.discovery import (
    DiscoveryError,
    UrlRules,
    decompress_if_gzip_file,
    looks_like_article,
    page_links,
    parse_feed,
    parse_sitemap,
)
from crawler.extraction.article import extract_article
from crawler.globalconfig import load_settings
from crawler.siteconfig import SiteConfig

logger = logging.getLogger(__name__)


def _parse_when(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"spider argument {name}={value!r} is not an ISO date") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


class NewsSpider(scrapy.Spider):
    """Config-driven news spider; ``SiteSpiderLoader`` makes one subclass per site file."""

    name = "news"
    site_config: ClassVar[SiteConfig]

    def __init__(
        self,
        *args: Any,
        base_url: str | None = None,
        since: str | None = None,
        until: str | None = None,
        max_articles: str | int | None = None,
        urls: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        site = type(self).site_config
        self.site: SiteConfig = site.with_base_url(base_url) if base_url else site
        self.rules = UrlRules(self.site)
        self.allowed_domains = self.site.domains
        self.since = _parse_when(since, "since")
        self.until = _parse_when(until, "until")
        self.max_articles = int(max_articles) if max_articles else None
        self.articles_seen = 0
        self.extra_urls = [
            self.site.absolute(u.strip()) for u in (urls or "").split(",") if u.strip()
        ]

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider._apply_site_settings(crawler)
        return spider

    def _apply_site_settings(self, crawler: Crawler) -> None:
        """Per-site politeness and archive metadata, at spider priority."""
        settings = crawler.settings
        app = load_settings()
        polite = self.site.politeness
        contact = app.operator_contact
        overrides: dict[str, Any] = {
            "ROBOTSTXT_OBEY": polite.obey_robots_txt,
            "DOWNLOAD_DELAY": polite.download_delay,
            "CONCURRENT_REQUESTS_PER_DOMAIN": polite.concurrency_per_domain,
            "AUTOTHROTTLE_ENABLED": polite.autothrottle,
            "AUTOTHROTTLE_TARGET_CONCURRENCY": polite.autothrottle_target_concurrency,
            "USER_AGENT": app.user_agent.format(version=__version__, contact=contact),
            "WARTA_WARC_PREFIX": f"{app.warc_prefix}-{self.site.name}",
            "WARTA_WARC_MAX_BYTES": app.warc_max_bytes,
        }
        for key, value in overrides.items():
            settings.set(key, value, priority="spider")
        crawl_id = settings.get("WARTA_CRAWL_ID") or datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        settings.set("WARTA_CRAWL_ID", crawl_id, priority="spider")
        if not settings.get("WARTA_OUTPUT_DIR"):
            out = app.data_dir / "crawls" / self.site.name / crawl_id
            settings.set("WARTA_OUTPUT_DIR", str(out), priority="spider")
        warcinfo = {
            "operator": f"{app.operator} ({contact})",
            "isPartOf": f"{self.site.name}-{crawl_id}",
            "description": f"warta crawl of {self.site.base_url}",
            "robots": "obey" if polite.obey_robots_txt else "ignore",
        }
        warcinfo.update(settings.getdict("WARTA_WARCINFO"))
        settings.set("WARTA_WARCINFO", warcinfo, priority="spider")

    async def start(self) -> AsyncIterator[Any]:
        discovery = self.site.discovery
        for url in self.extra_urls:  # asked for by name: fetched even if no pattern fits
            yield Request(url, callback=self.parse_article, cb_kwargs={"found_in": "argument"})
        for path in discovery.sitemaps:
            yield Request(self.site.absolute(path), callback=self.parse_sitemap, priority=30)
        for path in discovery.feeds:
            yield Request(self.site.absolute(path), callback=self.parse_feed, priority=20)
        for path in discovery.listings:
            yield Request(
                self.site.absolute(path), callback=self.parse_listing, cb_kwargs={"depth": 0}
            )

    # Discovery -----------------------------------------------------------------------------

    def _in_window(self, when: datetime | None) -> bool:
        if when is None:
            return True
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        if self.since and when < self.since:
            return False
        return not (self.until and when > self.until)

    def _article_request(self, url: str, source: str) -> Request | None:
        if not self.rules.is_article_candidate(url):
            return None
        return Request(url, callback=self.parse_article, cb_kwargs={"found_in": source})

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        max_size = self.crawler.settings.getint("DOWNLOAD_MAXSIZE_SITEMAP")
        try:
            body = decompress_if_gzip_file(response.body, response.url, max_size)
            entries = parse_sitemap(body, response.url, max_size)
        except DiscoveryError as exc:
            logger.warning("Skipping sitemap %s: %s", response.url, exc)
            self.crawler.stats.inc_value("warta/sitemap_rejected")
            return
        for entry in entries:
            if entry.is_sitemap:
                if self.rules.on_site(entry.url):
                    yield Request(entry.url, callback=self.parse_sitemap, priority=30)
            elif self._in_window(entry.lastmod):
                request = self._article_request(entry.url, "sitemap")
                if request:
                    yield request

    def parse_feed(self, response: Response) -> Iterator[Request]:
        try:
            links = parse_feed(response.body, response.url)
        except DiscoveryError as exc:
            logger.warning("Skipping feed %s: %s", response.url, exc)
            return
        for link in links:
            request = self._article_request(link, "feed")
            if request:
                yield request

    def parse_listing(self, response: Response, depth: int) -> Iterator[Request]:
        if not isinstance(response, TextResponse):
            return
        limit = self.site.discovery.max_listing_pages
        for link in page_links(response.text, response.url):
            if self.rules.is_pagination(link):
                if depth + 1 < limit:
                    yield Request(link, callback=self.parse_listing, cb_kwargs={"depth": depth + 1})
                continue
            request = self._article_request(link, "listing")
            if request:
                yield request

    # Articles ------------------------------------------------------------------------------

    def parse_article(self, response: Response, found_in: str) -> Iterator[Any]:
        if response.status != 200 or not isinstance(response, TextResponse):
            return
        html = response.text
        if not looks_like_article(html, self.site):
            self.crawler.stats.inc_value("warta/not_article")
            return
        if self.max_articles and self.articles_seen >= self.max_articles:
            return
        article = extract_article(html, response.url, self.site)
        if article is None:
            logger.warning("No article text could be extracted from %s", response.url)
            self.crawler.stats.inc_value("warta/extraction_failed")
            return
        self.articles_seen += 1
        record = article.model_dump(mode="json")
        record["warc"] = response.meta.get("warc_record")
        yield record
        if self.site.archive_images:
            for caption in article.captions:
                if caption.image and self.rules.on_site(caption.image):
                    yield Request(caption.image, callback=self.ignore, priority=-10)

    def ignore(self, response: Response) -> None:
        """Fetched only so the WARC holds it (images that articles show)."""
        return None
