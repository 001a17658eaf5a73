"""Publication and modification times, with the full time of day and a UTC offset.

trafilatura keeps only the day, so times are read here from structured data first (JSON-LD,
``article:*_time`` metas, ``<time datetime>``), then from Indonesian text such as
"Jumat, 3 Maret 2023 14:05 WITA", and only then from htmldate. A value without a time of day
is kept only when nothing better exists, as local midnight. Naive times get the site's zone.
"""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lxml.html import HtmlElement

LOG = logging.getLogger(__name__)

DEFAULT_TIMEZONE = "Asia/Jakarta"

# Indonesian zone abbreviations; WITA before WIT so the alternation prefers the longer name.
ZONES = {
    "WIB": timezone(timedelta(hours=7)),
    "WITA": timezone(timedelta(hours=8)),
    "WIT": timezone(timedelta(hours=9)),
}

MONTHS = {
    "januari": 1, "jan": 1, "january": 1,
    "februari": 2, "pebruari": 2, "feb": 2, "february": 2,
    "maret": 3, "mar": 3, "march": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    "agustus": 8, "agu": 8, "agt": 8, "ags": 8, "aug": 8, "august": 8,
    "september": 9, "sept": 9, "sep": 9,
    "oktober": 10, "okt": 10, "oct": 10, "october": 10,
    "november": 11, "nopember": 11, "nov": 11, "nop": 11,
    "desember": 12, "des": 12, "dec": 12, "december": 12,
}  # fmt: skip
DAYS = r"(?:senin|selasa|rabu|kamis|jum'?at|sabtu|minggu|ahad)"
_MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))
_TIME = (
    r"(?:\s*(?:,|\||-|–|—|/)?\s*(?:pukul|jam)?\s*"
    r"(?P<hour>[01]?\d|2[0-3])[:.](?P<minute>[0-5]\d)(?:[:.](?P<second>[0-5]\d))?"
    r"(?:\s*(?P<zone>WITA|WIB|WIT)\b)?)?"
)
INDONESIAN_DATE = re.compile(
    rf"(?:\b{DAYS}\s*,?\s*)?\b(?P<day>[0-3]?\d)\s+(?P<month>{_MONTH_ALT})\.?\s+(?P<year>(?:19|20)\d\d)"
    + _TIME,
    re.IGNORECASE,
)
NUMERIC_DATE = re.compile(
    r"\b(?P<day>[0-3]?\d)[/.-](?P<month>[01]?\d)[/.-](?P<year>(?:19|20)\d\d)\b" + _TIME,
    re.IGNORECASE,
)
# "2023/03/03 14:05:00" as CMS metas (publishdate, content_PublishedDate) write it.
YMD_DATE = re.compile(
    r"\b(?P<year>(?:19|20)\d\d)[/.-](?P<month>[01]?\d)[/.-](?P<day>[0-3]?\d)\b" + _TIME,
    re.IGNORECASE,
)
ZONE_NAME = re.compile(r"\b\d{1,2}[:.]\d{2}(?:[:.]\d{2})?\s*(?P<zone>WITA|WIB|WIT)\b")
_HAS_TIME = re.compile(r"\d[T ]\d{1,2}:\d{2}|T\d{4}")

_NOT_CONTENT = (
    "ancestor::*[self::aside or @id='comments' or contains(@class,'comment')"
    " or contains(@class,'related') or contains(@class,'widget')]"
)
PUBLISHED_TIME_XPATH = (
    f"//time[@datetime][not({_NOT_CONTENT})]"
    "[contains(@class,'published') or @itemprop='datePublished' or @pubdate]"
    f" | //*[@itemprop='datePublished'][not({_NOT_CONTENT})]"
)
ANY_TIME_XPATH = f"//time[@datetime][not({_NOT_CONTENT})][not(contains(@class,'updated'))]"
MODIFIED_TIME_XPATH = (
    f"//time[@datetime][not({_NOT_CONTENT})]"
    "[contains(@class,'updated') or @itemprop='dateModified']"
    f" | //*[@itemprop='dateModified'][not({_NOT_CONTENT})]"
)
DATE_TEXT_XPATH = (
    f"//time[not({_NOT_CONTENT})]"
    " | //*[contains(@class,'date') or contains(@class,'posted') or contains(@class,'entry-meta')"
    " or contains(@class,'post-meta') or contains(@class,'time')]"
    f"[not({_NOT_CONTENT})]"
)
PUBLISHED_METAS = (
    "article:published_time", "og:article:published_time", "datepublished", "pubdate",
    "publishdate", "date", "dc.date", "dc.date.issued", "dcterms.created", "sailthru.date",
    "parsely-pub-date", "content_publishedtime", "content_publisheddate", "publish-date",
    "published_date", "publication_date", "dtk:publishdate", "article:published",
)  # fmt: skip
MODIFIED_METAS = (
    "article:modified_time", "og:updated_time", "datemodified", "dcterms.modified",
    "last-modified", "lastmod",
)  # fmt: skip


def zone(name: str | None) -> tzinfo:
    """The IANA zone for naive times; an unknown name falls back to Jakarta rather than UTC."""
    try:
        return ZoneInfo(name or DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        LOG.warning("unknown time zone %r, using %s", name, DEFAULT_TIMEZONE)
        return ZoneInfo(DEFAULT_TIMEZONE)


def is_date_line(line: str) -> bool:
    """True for a line that is only a date ("Jumat, 3 Maret 2023 14:05 WITA"): page chrome."""
    text = line.strip(" |·-–—")
    if len(text) > 80:
        return False
    return any(p.fullmatch(text) for p in (INDONESIAN_DATE, NUMERIC_DATE, YMD_DATE))


def page_zone(tree: HtmlElement) -> tzinfo | None:
    """The zone the page prints its own times in ("14:05 WITA"), for naive metas.

    Only date-like elements are read, so "pukul 10.00 WIB" in the body text cannot decide.
    """
    for element in tree.xpath(DATE_TEXT_XPATH)[:40]:
        match = ZONE_NAME.search(element.text_content()[:300])
        if match:
            return ZONES[match["zone"].upper()]
    return None


def to_iso(value: datetime) -> str:
    return value.replace(microsecond=0).isoformat()


def _aware(value: datetime, tz: tzinfo) -> datetime:
    return value.replace(tzinfo=tz) if value.tzinfo is None else value


def parse_iso(value: Any, tz: tzinfo) -> tuple[datetime, bool] | None:
    """An ISO 8601 (or RFC 2822) string as an aware time, and whether it carried a time."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or not text[:1].isalnum():
        return None
    try:
        parsed = datetime.fromisoformat(text)
        has_time = bool(_HAS_TIME.search(text))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
            has_time = True
        except (TypeError, ValueError, IndexError):
            return parse_indonesian(text, tz)
    if not 1990 <= parsed.year <= 2100:
        return None
    return _aware(parsed, tz), has_time


def parse_indonesian(text: str, tz: tzinfo) -> tuple[datetime, bool] | None:
    """The first Indonesian date in ``text`` ("Jumat, 3 Maret 2023 14:05 WITA", "3/3/2023")."""
    for pattern, numeric in ((INDONESIAN_DATE, False), (NUMERIC_DATE, True), (YMD_DATE, True)):
        for match in pattern.finditer(text):
            found = _from_match(match, numeric, tz)
            if found is not None:
                return found
    return None


def _from_match(match: re.Match[str], numeric: bool, tz: tzinfo) -> tuple[datetime, bool] | None:
    month_text = match["month"].lower()
    month = int(month_text) if numeric else MONTHS.get(month_text, 0)
    hour = int(match["hour"]) if match["hour"] else 0
    minute = int(match["minute"]) if match["minute"] else 0
    second = int(match["second"]) if match["second"] else 0
    try:
        value = datetime(int(match["year"]), month, int(match["day"]), hour, minute, second)
    except ValueError:
        return None
    zone_name = (match["zone"] or "").upper()
    return value.replace(tzinfo=ZONES.get(zone_name, tz)), match["hour"] is not None


class _Best:
    """Keeps the first candidate with a time of day, else the first date-only one."""

    def __init__(self) -> None:
        self.timed: datetime | None = None
        self.dated: datetime | None = None

    def offer(self, found: tuple[datetime, bool] | None) -> bool:
        if found is not None:
            value, has_time = found
            if has_time and self.timed is None:
                self.timed = value
            elif not has_time and self.dated is None:
                self.dated = value
        return self.timed is not None

    def result(self) -> str | None:
        best = self.timed or self.dated
        return to_iso(best) if best else None


def _attr_values(tree: HtmlElement, xpath: str) -> Iterable[str]:
    for element in tree.xpath(xpath)[:20]:
        value = element.get("datetime") or element.get("content") or element.text_content()
        if value:
            yield value


def _meta_values(metas: dict[str, list[str]], names: Iterable[str]) -> Iterable[str]:
    for name in names:
        yield from metas.get(name, [])


def find_dates(
    tree: HtmlElement,
    article_node: dict[str, Any] | None,
    page_nodes: list[dict[str, Any]],
    metas: dict[str, list[str]],
    tz: tzinfo,
    *,
    use_htmldate: bool = True,
) -> tuple[str | None, str | None]:
    """(published, modified) as ISO strings with offsets, or None where nothing was found."""
    published = _Best()
    nodes = ([article_node] if article_node else []) + page_nodes
    done = False
    for node in nodes:
        done = done or published.offer(parse_iso(node.get("datePublished"), tz))
    for value in _meta_values(metas, PUBLISHED_METAS):
        done = done or published.offer(parse_iso(value, tz))
    for xpath in (PUBLISHED_TIME_XPATH, ANY_TIME_XPATH):
        for value in _attr_values(tree, xpath):
            done = done or published.offer(parse_iso(value, tz))
    if not done:
        for element in tree.xpath(DATE_TEXT_XPATH)[:40]:
            if published.offer(parse_indonesian(element.text_content()[:300], tz)):
                break
    if published.timed is None and published.dated is None and use_htmldate:
        published.offer(_htmldate(tree, tz))

    modified = _Best()
    for node in nodes:
        modified.offer(parse_iso(node.get("dateModified"), tz))
    for value in _meta_values(metas, MODIFIED_METAS):
        modified.offer(parse_iso(value, tz))
    for value in _attr_values(tree, MODIFIED_TIME_XPATH):
        modified.offer(parse_iso(value, tz))
    return published.result(), modified.result()


def htmldate_published(tree: HtmlElement, tz: tzinfo, url: str | None = None) -> str | None:
    """htmldate's guess as an ISO string; the caller decides when it is worth the time."""
    found = _htmldate(tree, tz, url)
    return to_iso(found[0]) if found else None


def _htmldate(
    tree: HtmlElement, tz: tzinfo, url: str | None = None
) -> tuple[datetime, bool] | None:
    """htmldate as the last resort; it sees a copy because it prunes what it is given."""
    try:
        from htmldate import find_date

        found = find_date(copy.deepcopy(tree), extensive_search=True, original_date=True, url=url)
    except Exception as exc:  # htmldate is third-party heuristics; never let it sink a page
        LOG.debug("htmldate failed: %s", exc)
        return None
    return parse_iso(found, tz) if found else None
