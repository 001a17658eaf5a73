"""Finding article URLs: sitemaps, feeds and listing pages, and telling articles apart.

Pure functions over bytes and strings, so they can be tested without a crawl. Every URL they
return is absolute, stripped of its fragment, and on one of the site's hosts.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from functools import lru_cache
from urllib.parse import urlsplit

import lxml.etree
from parsel import Selector

from crawler.canonical import join_url
from crawler.config.patterns import site_pattern
from crawler.config.sites import SiteConfig

GZIP_MAGIC = b"\x1f\x8b"
SITEMAP_MAX_URLS = 50_000  # the sitemap protocol's limit for one file


class DiscoveryError(ValueError):
    """A sitemap or feed that cannot be read safely (too large, not XML, hostile)."""


@dataclass(frozen=True)
class SitemapEntry:
    url: str
    is_sitemap: bool
    lastmod: datetime | None = None


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo else when.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Window:
    """The dates a crawl asks for: ``since`` to ``until``, both inclusive, either open.

    With a ``lookback``, ``since`` is the later of itself and ``now - lookback``. Naive dates
    are read as UTC; an undated entry is never dropped.
    """

    since: datetime | None = None
    until: datetime | None = None

    @classmethod
    def of(
        cls,
        since: datetime | None,
        until: datetime | None,
        lookback: timedelta | None,
        now: datetime,
    ) -> Window:
        if lookback is not None:
            since = max(since, now - lookback) if since else now - lookback
        return cls(since, until)

    def admits(self, when: datetime | None) -> bool:
        if when is None:
            return True
        when = _aware(when)
        if self.since and when < self.since:
            return False
        return not (self.until and when > self.until)

    def before(self, when: datetime | None) -> bool:
        """A sitemap last changed before the window cannot list anything in it."""
        return bool(self.since and when and _aware(when) < self.since)


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.strip().upper())  # RFC 3339 allows "t" and "z"
    except ValueError:
        return None


def gunzip_bounded(data: bytes, max_size: int) -> bytes:
    """Inflate a ``.xml.gz`` sitemap, refusing decompression bombs."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = io.BytesIO()
    chunk = data
    while chunk:
        out.write(inflater.decompress(chunk, max_size + 1 - out.tell()))
        if out.tell() > max_size:
            raise DiscoveryError(f"sitemap inflates past {max_size} bytes; refusing it")
        chunk = inflater.unconsumed_tail
    return out.getvalue()


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def parse_sitemap(
    body: bytes, base_url: str, max_size: int = 50 * 1024 * 1024
) -> list[SitemapEntry]:
    """Entries of a sitemap or sitemap index, with ``lastmod`` or the Google News date.

    Entities are never resolved and DTDs never loaded, so hostile sitemaps (billion laughs,
    external entities) are read as plain text or rejected, never expanded.
    """
    if body[:2] == GZIP_MAGIC:
        body = gunzip_bounded(body, max_size)
    if len(body) > max_size:
        raise DiscoveryError(f"sitemap is {len(body)} bytes, over the {max_size} byte limit")
    parser = lxml.etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        recover=True,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = lxml.etree.parse(io.BytesIO(body), parser).getroot()
    except lxml.etree.XMLSyntaxError as exc:
        raise DiscoveryError(f"not an XML sitemap: {exc}") from None
    if root is None:
        raise DiscoveryError("not an XML sitemap: empty document")
    kind = _local(root.tag)
    if kind not in ("urlset", "sitemapindex"):
        raise DiscoveryError(f"not a sitemap: root element is <{kind}>")
    entries: list[SitemapEntry] = []
    for element in root:
        if _local(element.tag) not in ("url", "sitemap"):
            continue
        loc = lastmod = None
        for child in element.iter():
            name = _local(child.tag)
            text = (child.text or "").strip()
            if name == "loc" and loc is None:
                loc = text
            elif name in ("lastmod", "publication_date") and text:
                lastmod = lastmod or text
        url = join_url(base_url, loc) if loc else None  # one bad <loc> is skipped, not fatal
        if url:
            entries.append(SitemapEntry(url, kind == "sitemapindex", _parse_date(lastmod)))
    return entries


def parse_feed(body: bytes, base_url: str) -> list[str]:
    """Item links of an RSS 2.0 or Atom feed."""
    return [item.url for item in feed_items(body, base_url)]


def feed_items(body: bytes, base_url: str) -> list[SitemapEntry]:
    """Items of an RSS 2.0 or Atom feed: link and date (``pubDate``, ``published``,
    ``updated`` or ``dc:date``), so the date window applies to feeds as to sitemaps."""
    if len(body) > 50 * 1024 * 1024:
        raise DiscoveryError("feed is over 50 MB; refusing it")
    selector = Selector(body=body, type="xml")
    items = []
    for item in selector.xpath("//*[local-name()='item']"):
        link = (item.xpath("*[local-name()='link']/text()").get() or "").strip()
        when = item.xpath("*[local-name()='pubDate' or local-name()='date']/text()").get()
        if link and (url := join_url(base_url, link)):
            items.append(SitemapEntry(url, False, _feed_date(when)))
    for entry in selector.xpath("//*[local-name()='entry']"):
        link = (
            entry.xpath("*[local-name()='link'][not(@rel) or @rel='alternate']/@href").get() or ""
        )
        when = entry.xpath(
            "*[local-name()='published']/text() | *[local-name()='updated']/text()"
        ).get()
        if link.strip() and (url := join_url(base_url, link.strip())):
            items.append(SitemapEntry(url, False, _feed_date(when)))
    return items


def _feed_date(value: str | None) -> datetime | None:
    """RFC 822 (RSS ``pubDate``) or ISO 8601 (Atom, ``dc:date``); None if neither."""
    if not value or not value.strip():
        return None
    try:
        return parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return _parse_date(value)


PARSE_STEP = 1 << 16  # characters of HTML parsed between links handed out


def _hrefs(html: str) -> Iterator[str]:
    """``href`` of each ``<a>`` as the parser reaches it, forgetting what it has passed.

    A page of a million links built a tree of a million elements (800 MB) before the first
    link came out. Here the page is parsed in steps, each link handed out as soon as it is
    read and every finished element dropped, so memory stays flat, and a caller that stops
    taking links stops the parsing too.
    """
    parser = lxml.etree.HTMLPullParser(events=("end",), tag="a")
    for start in range(0, len(html), PARSE_STEP):
        parser.feed(html[start : start + PARSE_STEP])
        for _, element in parser.read_events():
            href = element.get("href")
            if href:
                yield href
            node = element
            while (parent := node.getparent()) is not None:
                while node.getprevious() is not None:
                    del parent[0]  # a finished sibling: never read again
                node = parent
    parser.close()


def page_links(html: str, page_url: str) -> Iterator[str]:
    """Every ``<a href>`` of an HTML page, absolute and without fragment, in page order."""
    for href in _hrefs(html):
        href = href.strip()
        if href and not href.startswith(("mailto:", "javascript:", "tel:", "#")):
            url = join_url(page_url, href)  # None for a link that is not a URL at all
            if url:
                yield url


class UrlRules:
    """The site's URL rules, compiled once per crawl."""

    def __init__(self, site: SiteConfig) -> None:
        self.site = site
        self.hosts = {h.lower() for h in site.domains}
        self.include = [site_pattern(p) for p in site.articles.url_patterns]
        self.exclude = [site_pattern(p) for p in site.articles.exclude_patterns]
        self.pagination = site_pattern(site.discovery.pagination_pattern)
        # a link is asked about as found, and again canonical, on every page that shows it
        self.is_article_candidate = lru_cache(maxsize=4096)(self._is_article_candidate)

    def on_site(self, url: str) -> bool:
        try:
            parts = urlsplit(url)
            host = (parts.hostname or "").lower()
        except ValueError:  # not a URL at all: not on the site
            return False
        return parts.scheme in ("http", "https") and host in self.hosts

    def _is_article_candidate(self, url: str) -> bool:
        if not self.on_site(url):
            return False
        parts = urlsplit(url)
        if parts.query:
            return False
        path = parts.path or "/"
        if any(p.search(path) for p in self.exclude):
            return False
        return any(p.search(path) for p in self.include)

    def is_pagination(self, url: str) -> bool:
        return self.on_site(url) and bool(self.pagination.search(urlsplit(url).path))


def decompress_if_gzip_file(body: bytes, url: str, max_size: int) -> bytes:
    """``.xml.gz`` files arrive gzip-compressed as files, not as a transfer encoding; so do
    some sitemaps under other names (a broken one is a DiscoveryError wherever it came from)."""
    if body[:2] == GZIP_MAGIC:
        try:
            return gunzip_bounded(body, max_size)
        except (OSError, zlib.error, gzip.BadGzipFile) as exc:
            raise DiscoveryError(f"broken gzip file {url}: {exc}") from None
    return body
