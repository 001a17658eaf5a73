"""Rebuild article records from WARC files alone, on every core (``warta reextract``).

Years later the extractor will be better than the one that ran during the crawl; the archive
keeps the raw responses, so the records can be made again. Which responses were articles is
read from the crawl's own ``urn:warta:article:`` metadata records (their ``WARC-Refers-To``
names the response); an archive without them (a crawl with extraction off, another tool's
WARC) falls back to the site's URL patterns plus its article marker. Each record is written
exactly as the crawl wrote it, ``warc`` location included, in archive order.

Pages are decoded as Scrapy decodes them (content decoding by warcio, charset by Scrapy's
response classes), so the same extractor gives the same text byte for byte.
"""

from __future__ import annotations

import json
import os
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from crawler.canonical import dedup_key, trusted_canonical
from crawler.config.patterns import site_pattern
from crawler.config.sites import SITE_NAME, SiteConfig
from crawler.extraction.article_record import crawl_record
from crawler.warc.reader import DecodedTooLarge, WarcReadError, WarcRecord, read_records

ARTICLE_URI_PREFIX = "urn:warta:article:"


class ReextractError(Exception):
    """An input cannot be read as WARC, or the site cannot be told; nothing was written."""


@dataclass(frozen=True, slots=True)
class ArchivedPage:
    """An HTML response from the archive, decoded, with where its record lies."""

    url: str
    html: str
    location: dict[str, Any]


@dataclass
class ReextractStats:
    responses: int = 0
    candidates: int = 0
    records: int = 0
    failed: int = 0
    mode: str = "recorded"
    too_large: list[str] = field(default_factory=list)  # bodies past the decoded-size limit


def _open_records(path: Path) -> Iterator[WarcRecord]:
    try:
        yield from read_records(path)
    except WarcReadError as exc:
        raise ReextractError(str(exc)) from None
    except OSError as exc:
        raise ReextractError(f"{path}: cannot read: {exc.strerror or exc}") from None


def scan(paths: Sequence[Path]) -> tuple[set[str], str | None]:
    """Response record IDs the crawl recorded as articles, and the site named in warcinfo."""
    ids: set[str] = set()
    site: str | None = None
    for path in paths:
        for record in _open_records(path):
            kind = record.rec_type
            if kind == "metadata":
                uri = record.target_uri or ""
                refers = record.header("WARC-Refers-To")
                if uri.startswith(ARTICLE_URI_PREFIX) and refers:
                    ids.add(refers)
            elif kind == "warcinfo" and site is None:
                site = _site_from_warcinfo(record.content())
    return ids, site


def _site_from_warcinfo(body: bytes) -> str | None:
    for line in body.decode("utf-8", "replace").splitlines():
        name, _, value = line.partition(":")
        if name.strip() == "isPartOf":
            candidate = value.strip().split("-", 1)[0]
            return candidate if SITE_NAME.match(candidate) else None
    return None


def _decode(url: str, http_headers: Any, body: bytes) -> str | None:
    """The page text exactly as Scrapy's ``response.text`` gave it to the spider."""
    from scrapy.http import Headers, TextResponse
    from scrapy.responsetypes import responsetypes

    pairs = [(k, v) for k, v in http_headers.headers if k.lower() != "content-encoding"]
    headers = Headers(pairs)
    cls = responsetypes.from_args(headers=headers, url=url, body=body)
    if not issubclass(cls, TextResponse):
        return None
    return cls(url=url, headers=headers, body=body, status=200).text


def pages(
    paths: Sequence[Path], wanted: set[str] | None, site: SiteConfig, stats: ReextractStats
) -> Iterator[ArchivedPage]:
    """Article pages in archive order: the responses in ``wanted``, or (``wanted`` None) the
    200 responses whose path fits the site's article patterns."""
    # RE2, as at crawl time: a site pattern must not backtrack on a stranger's URL
    include = [site_pattern(p) for p in site.articles.url_patterns]
    exclude = [site_pattern(p) for p in site.articles.exclude_patterns]
    for path in paths:
        for record in _open_records(path):
            if record.rec_type != "response":
                continue
            stats.responses += 1
            record_id = record.record_id
            url = record.target_uri or ""
            http = record.http_headers
            if wanted is not None:
                if record_id not in wanted:
                    continue
            elif http is None or http.get_statuscode() != "200" or not _fits(url, include, exclude):
                continue
            try:
                body = record.content()
            except DecodedTooLarge as exc:  # a compression bomb: this page only, said once
                stats.too_large.append(str(exc))
                continue
            location = {
                "file": path.name,
                "offset": record.offset,
                "length": record.length,
                "record_id": record_id,
            }
            html = _decode(url, http, body)
            if html is None:
                continue
            stats.candidates += 1
            yield ArchivedPage(url, html, location)


def _fits(url: str, include: list[Any], exclude: list[Any]) -> bool:
    parts = urlsplit(url)
    if parts.query:
        return False
    path = parts.path or "/"
    return not any(p.search(path) for p in exclude) and any(p.search(path) for p in include)


def reextract(
    paths: Sequence[Path],
    site: SiteConfig,
    out: IO[str],
    workers: int | None = None,
    wanted: set[str] | None = None,
) -> ReextractStats:
    """Write one JSON line per article found in ``paths``; returns what was done.

    ``wanted`` is the result of :func:`scan` when the caller has it already.
    """
    from crawler.extraction.workers import ExtractionPool

    stats = ReextractStats()
    if wanted is None:
        wanted, _ = scan(paths)
    if not wanted:
        stats.mode = "marker"
    found = pages(paths, wanted or None, site, stats)
    locations: deque[ArchivedPage] = deque()
    hosts = {h.lower() for h in site.domains}
    keys: set[str] = set()

    def feed() -> Iterable[tuple[str, str]]:
        for page in found:
            locations.append(page)  # consumed in step with the results below
            yield page.html, page.url

    with ExtractionPool(site, workers=workers, nice=0) as pool:
        for result in pool.map(feed(), check_marker=stats.mode == "marker"):
            page = locations.popleft()
            if result.article is None:
                if result.is_article:
                    stats.failed += 1
                continue
            on_site = {*hosts, (urlsplit(page.url).hostname or "").lower()}
            canonical, claimed = trusted_canonical(result.canonical, page.url, on_site)
            record = crawl_record(result.article, canonical, page.url, page.location, claimed)
            if stats.mode == "marker":
                key = dedup_key(record["url"])
                if key in keys:
                    continue
                keys.add(key)
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            stats.records += 1
    return stats


def reextract_to_file(
    paths: Sequence[Path],
    site: SiteConfig,
    target: Path,
    workers: int | None,
    wanted: set[str],
) -> ReextractStats:
    """Write beside the target and rename at the end, so a failure never leaves half a file."""
    tmp = target.with_name(target.name + ".partial")
    try:
        with tmp.open("w", encoding="utf-8") as out:
            stats = reextract(paths, site, out, workers, wanted)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return stats
