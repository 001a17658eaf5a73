"""Publication and modification times, with the full time of day, in the site's own zone.

Sources are tried in the order a publisher's intent is most reliable: the article's JSON-LD,
publication metas, the page's JSON-LD, published ``<time>``/``itemprop`` elements, the URL
(/2023/03/03/), then dates printed by the title or in date-like elements ("Jumat, 3 Maret
2023 14:05 WITA", "March 3, 2023"). The first source decides the day; a later one with a
time of day on that same day only adds the time. Dates inside links, sidebars, comments
and related-article lists are teasers of other pages and never count.

Times given in UTC are moved to the site's zone (configured, printed as "WITA", or the
offset the page's other dates carry), so the day is the publisher's calendar day.
"""

from __future__ import annotations

import functools
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lxml.html import HtmlElement

from crawler.extraction.datetext import (
    MONTHS,
    ZONE_NAME,
    ZONES,
    is_date_line,
    parse_indonesian,
    parse_iso,
    to_iso,
)

__all__ = ["find_dates", "is_date_line", "page_zone", "parse_indonesian", "parse_iso", "to_iso"]

LOG = logging.getLogger(__name__)

DEFAULT_TIMEZONE = "Asia/Jakarta"
_UTC = timedelta(0)

# Teasers of other pages: sidebars, comments, related and suggested lists. The classes of
# <body> and <html> describe the whole page (themes put "woo-related-columns-4" there).
_NOT_CONTENT = (
    "ancestor::*[not(self::body or self::html)]"
    "[self::aside or self::nav or self::footer or @id='comments'"
    " or contains(@class,'comment') or contains(@class,'related') or contains(@class,'widget')"
    " or contains(@class,'teaser') or contains(@class,'recommend')"
    " or contains(@class,'suggest') or contains(@class,'popular') or contains(@class,'views-row')]"
)
_TEASER_TAGS = frozenset({"aside", "nav", "footer"})
_PAGE_TAGS = frozenset({"body", "html"})
_TEASER_CLASS = re.compile(r"comment|related|widget|teaser|recommend|suggest|popular|views-row")
DATE_ELEMENTS_XPATH = "//time | //@itemprop[.='datePublished' or .='dateModified']/.."
DATE_TEXT_XPATH = (
    f"//time[not({_NOT_CONTENT})]"
    " | //*[@class][contains(@class,'date') or contains(@class,'posted')"
    " or contains(@class,'entry-meta') or contains(@class,'post-meta') or contains(@class,'time')]"
    f"[not({_NOT_CONTENT})]"
)
# Short elements around the headline: where a page without metadata prints its date.
_ZONE_TEXT = "//body//text()[contains(., 'WI')][not(parent::script or parent::style)]"
_DATE_CLASS = re.compile(r"date|time|posted|meta|byline", re.IGNORECASE)
_TEXT_NODE = "[normalize-space()][not(parent::script or parent::style)]"
_NEAR_TITLE = (
    f"(//h1)[1]/following::text(){_TEXT_NODE}[position()<=40]",
    f"(//h1)[1]/preceding::text(){_TEXT_NODE}[position()<=6]",
)
_ANY_DATE_LINE = (
    "(//body//text()[string-length(normalize-space()) <= 60]"
    f"[contains(., '20') or contains(., '19')]{_TEXT_NODE}[not({_NOT_CONTENT})])[position()<=30]"
)
# A date line: the date within the first words ("Posted on April 13, 2023", "Dec 17, 2025").
_LINE_START = re.compile(
    r"^(?:\W*\w+\W+){0,4}?\W*(?:\d{1,4}[/.-]\d|\d{1,2}(?:st|nd|rd|th)?\s+[A-Za-z]|"
    r"[A-Za-z]{3,9}\.?\s+\d{1,2}(?:st|nd|rd|th)?\b)"
)
PUBLISHED_METAS = (
    "article:published_time", "og:article:published_time", "og:published_time",
    "datepublished", "pubdate", "publishdate", "published", "date", "dc.date", "dc.date.issued",
    "dcterms.created", "dcterms.date", "sailthru.date", "parsely-pub-date",
    "cxenseparse:publishtime", "content_publishedtime", "content_publisheddate", "publish-date",
    "published_date", "publication_date", "dtk:publishdate", "article:published",
    "article.published", "citation_publication_date", "citation_date",
)  # fmt: skip
MODIFIED_METAS = (
    "article:modified_time", "og:updated_time", "og:modified_time", "datemodified",
    "dcterms.modified", "last-modified", "lastmod",
)  # fmt: skip
# /2023/03/03/, /2023-03-03-slug, /20230303/, /2023/october/03/
_URL_DATE = re.compile(
    r"(?<!\d)(?P<year>(?:19|20)\d\d)(?P<sep>[/_-]?)(?P<month>0[1-9]|1[0-2]|[a-z]{3,9})(?P=sep)"
    r"(?P<day>0[1-9]|[12]\d|3[01])(?!\d)",
    re.IGNORECASE,
)
_PUBLISH_WORD = re.compile(r"publish(?:ed)?[_:. -]?(?:date|time|at|on)|pubdate|created")
_MODIFIED_WORD = re.compile(r"modified[_:. -]?(?:date|time)|updated[_:. -]?(?:date|time)")
_TWIN_GAP = timedelta(minutes=2)
_NAIVE = timezone(timedelta(0), "naive")  # marks a value that named no zone of its own
_UPDATED = re.compile(r"\b(?:updated?|diperbarui|modified|last\s+edited)\b", re.IGNORECASE)

Found = tuple[datetime, bool]


def zone(name: str | None) -> tzinfo:
    """The IANA zone for naive times; an unknown name falls back to Jakarta rather than UTC."""
    try:
        return ZoneInfo(name or DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        LOG.warning("unknown time zone %r, using %s", name, DEFAULT_TIMEZONE)
        return ZoneInfo(DEFAULT_TIMEZONE)


def page_zone(tree: HtmlElement) -> tzinfo | None:
    """The zone the page prints its own times in ("14:05 WITA"), for naive metas.

    Only short lines count that hold a date or sit in a date-like element, so "pukul 10.00
    WIB" in the body text cannot decide.
    """
    for node in tree.xpath(_ZONE_TEXT)[:30]:
        text = str(node)
        match = ZONE_NAME.search(text)
        if match is None or len(text) > 160:
            continue
        parent = node.getparent()
        dated = parse_indonesian(text, ZONES["WIB"]) is not None
        if dated or (parent is not None and _DATE_CLASS.search(parent.get("class") or "")):
            return ZONES[match["zone"].upper()]
    return None


def _teaser(element: HtmlElement) -> bool:
    """In a sidebar, comment, related or suggested list: another page's date."""
    for ancestor in element.iterancestors():
        if ancestor.tag in _PAGE_TAGS:
            break
        if ancestor.tag in _TEASER_TAGS or ancestor.get("id") == "comments":
            return True
        if _TEASER_CLASS.search(ancestor.get("class") or ""):
            return True
    return False


def _element_values(tree: HtmlElement) -> tuple[list[str], list[str], list[str]]:
    """(published, modified, other) values of ``<time>`` and ``itemprop`` date elements."""
    published: list[str] = []
    modified: list[str] = []
    other: list[str] = []
    for element in tree.xpath(DATE_ELEMENTS_XPATH)[:60]:
        value = element.get("datetime") or element.get("content") or element.text_content()
        if not value or not value.strip() or _teaser(element):
            continue
        prop, cls = element.get("itemprop"), element.get("class") or ""
        if prop == "dateModified" or "updated" in cls or "modified" in cls:
            modified.append(value)
        elif prop == "datePublished" or "published" in cls or element.get("pubdate") is not None:
            published.append(value)
        elif element.get("datetime"):
            other.append(value)
    return published[:20], modified[:20], other[:20]


def _month_first(tree: HtmlElement) -> bool:
    """US English writes 03/09/2026 for 9 March; Indonesian and British pages do not."""
    lang = (tree.get("lang") or "").lower().replace("_", "-")
    return lang in ("en", "en-us")


def _node_values(nodes: Iterable[dict[str, Any]], key: str) -> list[str]:
    return [v for node in nodes if isinstance(v := node.get(key), str) and v.strip()]


def _meta_values(metas: dict[str, list[str]], names: Iterable[str]) -> list[str]:
    return [value for name in names for value in metas.get(name, []) if value]


def _offset_of(raw: str) -> timedelta | None:
    try:
        return datetime.fromisoformat(raw.strip()).utcoffset()
    except ValueError:
        return None


def _page_offset(raws: Iterable[str]) -> tzinfo | None:
    """The zone the page's own dates are written in, when one of them names a non-UTC offset."""
    offsets = Counter(o for raw in raws if (o := _offset_of(raw)) is not None and o != _UTC)
    if not offsets:
        return None
    return timezone(offsets.most_common(1)[0][0])


def url_date(url: str | None, tz: tzinfo) -> Found | None:
    """The day a dated URL path names (/2023/03/03/slug): the publisher's own calendar day."""
    if not url:
        return None
    for match in _URL_DATE.finditer(urlsplit(url).path):
        month_text = match["month"]
        month = int(month_text) if month_text.isdigit() else MONTHS.get(month_text.lower(), 0)
        try:
            day = datetime(int(match["year"]), month, int(match["day"]), tzinfo=tz)
        except ValueError:
            continue
        return day, False
    return None


def _text_nodes(tree: HtmlElement, xpath: str) -> Iterator[str]:
    for node in tree.xpath(xpath):
        text = str(node).strip()
        if 6 <= len(text) <= 60 and _LINE_START.search(text):
            yield text


def _text_dates(tree: HtmlElement, tz: tzinfo, month_first: bool) -> Iterator[Found]:
    """Date lines by the headline, then dates in date-like elements; "Updated ..." last."""
    updated: list[Found] = []
    texts = [text for xpath in _NEAR_TITLE for text in _text_nodes(tree, xpath)]
    texts += [e.text_content()[:300] for e in tree.xpath(DATE_TEXT_XPATH)[:40]]
    for text in texts:
        found = parse_indonesian(text, tz, month_first=month_first)
        if found is None:
            continue
        if _UPDATED.search(text):
            updated.append(found)
        else:
            yield found
    yield from updated


def _loose_dates(tree: HtmlElement, tz: tzinfo, month_first: bool) -> Iterator[Found]:
    """The last resort: short lines that are a date, anywhere outside teaser lists."""
    for text in _text_nodes(tree, _ANY_DATE_LINE):
        found = parse_indonesian(text, tz, month_first=month_first)
        if found is not None:
            yield found


def _is_utc(found: Found) -> bool:
    return found[1] and found[0].tzinfo is not _NAIVE and found[0].utcoffset() == _UTC


def _twin(first: Found, others: Iterable[Found | None]) -> Found | None:
    """The same time with the page's own offset: the same instant, or the same wall clock
    (WordPress themes that label local time as UTC)."""
    for other in others:
        if other and other[1] and other[0].tzinfo is not _NAIVE and not _is_utc(other):
            gap = abs(other[0] - first[0])
            if gap <= _TWIN_GAP or gap == abs(other[0].utcoffset() or _UTC):
                return other
    return None


def _nested_dates(nodes: Iterable[dict[str, Any]], key: str) -> list[str]:
    """``key`` of article objects nested in others ({"@type": "Blog", "blogPost": [...]})."""
    values = []
    for node in nodes:
        for child in node.values():
            for item in child if isinstance(child, list) else [child]:
                if isinstance(item, dict) and isinstance(item.get(key), str):
                    values.append(item[key])
    return values[:3]


def _other_metas(metas: dict[str, list[str]], word: re.Pattern[str]) -> list[str]:
    """Meta names no list knows ("w-published-date") that still name the date they hold."""
    known = (*PUBLISHED_METAS, *MODIFIED_METAS)
    return [name for name in metas if word.search(name) and name not in known]


class _Page:
    """What one page offers as dates; the costly readings of the tree happen only on demand."""

    def __init__(self, tree: HtmlElement, tz: tzinfo, zone_known: bool) -> None:
        self.tree, self.tz, self.zone_known = tree, tz, zone_known
        self.month_first = _month_first(tree)
        self.raw: list[str] = []  # every structured value read so far, for the page's offset

    def parse(self, values: Iterable[str]) -> Iterator[Found | None]:
        for value in values:
            self.raw.append(value)
            yield parse_iso(value, _NAIVE, month_first=self.month_first)

    @functools.cached_property
    def elements(self) -> tuple[list[str], list[str], list[str]]:
        return _element_values(self.tree)

    @functools.cached_property
    def evident_zone(self) -> tzinfo | None:
        """The zone the page shows: configured, its dates' offset, or printed ("WITA")."""
        if self.zone_known:
            return self.tz
        return (
            _page_offset(self.raw)
            or _page_offset([*self.elements[0], *self.elements[1], *self.elements[2]])
            or page_zone(self.tree)
        )

    def local(self, found: Found) -> datetime:
        """A candidate as the site's time: naive and bare days get the site's zone."""
        value, timed = found
        if value.tzinfo is _NAIVE or not timed:
            return value.replace(tzinfo=self.evident_zone or self.tz)
        if _is_utc(found) and self.evident_zone is not None:
            return value.astimezone(self.evident_zone)
        return value

    def choose(
        self, candidates: Iterable[Found | None], pool: Callable[[], Iterable[Found | None]]
    ) -> str | None:
        """The first candidate's day; a later timed candidate on that day adds the time.

        A UTC time yields to its twin in ``pool`` that carries the page's own offset.
        """
        rest = (c for c in candidates if c is not None)
        first = next(rest, None)
        if first is None:
            return None
        if first[1]:
            if _is_utc(first) and not self.zone_known:
                first = _twin(first, pool()) or first
            return to_iso(self.local(first))
        day = first[0].date()
        for other in rest:
            if other[1] and (value := self.local(other)).date() == day:
                return to_iso(value)
        return to_iso(self.local(first))


def find_dates(
    tree: HtmlElement,
    article_node: dict[str, Any] | None,
    page_nodes: list[dict[str, Any]],
    metas: dict[str, list[str]],
    tz: tzinfo,
    *,
    url: str | None = None,
    zone_known: bool = True,
    nodes: list[dict[str, Any]] | None = None,
) -> tuple[str | None, str | None]:
    """(published, modified) as ISO strings with offsets, or None where nothing was found.

    ``tz`` is the site's zone; when it is only a default (``zone_known`` false), the zone
    the page prints or its dates' offset is used, and UTC values stay UTC without either.
    ``nodes`` (all JSON-LD objects) lets an article nested in another object count.
    """
    page = _Page(tree, tz, zone_known)
    article = [article_node] if article_node else []
    meta_published = [
        *_node_values(article, "datePublished"),
        *_meta_values(metas, PUBLISHED_METAS),
        *_node_values(page_nodes, "datePublished"),
        *_nested_dates(nodes or article, "datePublished"),
        *_meta_values(metas, _other_metas(metas, _PUBLISH_WORD)),
    ]
    meta_modified = [
        *_node_values(article, "dateModified"),
        *_meta_values(metas, MODIFIED_METAS),
        *_node_values(page_nodes, "dateModified"),
        *_meta_values(metas, _other_metas(metas, _MODIFIED_WORD)),
    ]

    def modified_candidates() -> Iterator[Found | None]:
        yield from page.parse(meta_modified)
        yield from page.parse(page.elements[1])

    def published_candidates() -> Iterator[Found | None]:
        yield from page.parse(meta_published)
        yield from page.parse(page.elements[0])
        yield url_date(url, _NAIVE)
        yield from page.parse(page.elements[2])
        yield from _text_dates(tree, _NAIVE, page.month_first)
        yield from modified_candidates()  # a modification day beats no day at all
        yield from _loose_dates(tree, _NAIVE, page.month_first)

    def pool() -> Iterator[Found | None]:
        yield from page.parse(page.elements[0])
        yield from page.parse(page.elements[2])

    def shown_candidates() -> Iterator[Found | None]:
        yield from page.parse(page.elements[0])
        yield url_date(url, _NAIVE)
        yield from page.parse(page.elements[2])
        yield from _text_dates(tree, _NAIVE, page.month_first)

    published = page.choose(published_candidates(), pool)
    modified = page.choose(modified_candidates(), pool)
    if published is not None and published == modified:
        # Metadata that says published == modified is often the last update stamped twice;
        # an earlier day the page shows (byline, <time>, URL) is the first publication.
        shown = page.choose(shown_candidates(), pool)
        if shown is not None and shown[:10] < published[:10]:
            published = shown
    return published, modified
