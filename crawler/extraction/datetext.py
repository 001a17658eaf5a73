"""Dates as pages write them: ISO and RFC 2822 values, Indonesian and English month names,
numeric days, with an optional time of day and an Indonesian zone ("14:05 WITA").

Pure string parsing; which element of a page holds the date is decided in dates.py.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from typing import Any

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
    r"(?:\s*(?:,|\||-|–|—|/|•|@|\bat\b|T)?\s*(?:pukul|jam)?\s*"
    r"(?P<hour>[01]?\d|2[0-3])[:.](?P<minute>[0-5]\d)(?:[:.](?P<second>[0-5]\d))?"
    r"(?:\s?(?P<ampm>[ap])\.?m\b\.?)?"
    r"(?:\s*(?P<zone>WITA|WIB|WIT)\b)?)?"
)
# "Jumat, 3 Maret 2023", "17th May, 2023"
INDONESIAN_DATE = re.compile(
    rf"(?:\b{DAYS}\s*,?\s*)?\b(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\s+(?P<month>{_MONTH_ALT})\.?,?\s+"
    r"(?P<year>(?:19|20)\d\d)(?!\d)" + _TIME,
    re.IGNORECASE,
)
# "March 3, 2023", "Dec. 17 2025 at 9:46 pm": English pages put the month first.
MONTH_FIRST_DATE = re.compile(
    rf"\b(?P<month>{_MONTH_ALT})\.?\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)?,?\s+"
    r"(?P<year>(?:19|20)\d\d)(?!\d)" + _TIME,
    re.IGNORECASE,
)
NUMERIC_DATE = re.compile(
    r"\b(?P<day>[0-3]?\d)[/.-](?P<month>[0-3]?\d)[/.-](?P<year>(?:19|20)\d\d)\b" + _TIME,
    re.IGNORECASE,
)
# "2023/03/03 14:05:00" as CMS metas (publishdate, content_PublishedDate) write it.
YMD_DATE = re.compile(
    r"\b(?P<year>(?:19|20)\d\d)[/.-](?P<month>[01]?\d)[/.-](?P<day>[0-3]?\d)(?!\d)" + _TIME,
    re.IGNORECASE,
)
ZONE_NAME = re.compile(r"\b\d{1,2}[:.]\d{2}(?:[:.]\d{2})?\s*(?P<zone>WITA|WIB|WIT)\b")
_HAS_TIME = re.compile(r"\d[T ]\d{1,2}:\d{2}|T\d{4}")
_PATTERNS = (
    (INDONESIAN_DATE, False),
    (MONTH_FIRST_DATE, False),
    (NUMERIC_DATE, True),
    (YMD_DATE, True),
)


def to_iso(value: datetime) -> str:
    return value.replace(microsecond=0).isoformat()


_DAY_NAME = re.compile(
    rf"^(?:{DAYS}|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\s*,?\s*", re.I
)


def is_date_line(line: str) -> bool:
    """True for a line that is only a date ("Jumat, 3 Maret 2023 14:05 WITA", "- Kamis,
    05/11/2015 09:25 WIB" under a related link whose title went): page chrome."""
    text = line.strip(" |·-–—")
    if len(text) > 80:
        return False
    bare = _DAY_NAME.sub("", text, count=1)
    return any(p.fullmatch(text) or p.fullmatch(bare) for p, _ in _PATTERNS)


def parse_iso(value: Any, tz: tzinfo, *, month_first: bool = False) -> tuple[datetime, bool] | None:
    """An ISO 8601 (or RFC 2822) string as an aware time, and whether it carried a time.

    A time of exactly midnight is how CMSs pad a bare day, so it counts as no time.
    """
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
            return parse_indonesian(text, tz, month_first=month_first)
    if not 1990 <= parsed.year <= 2100:
        return None
    if has_time and (parsed.hour, parsed.minute, parsed.second) == (0, 0, 0):
        return parsed.replace(tzinfo=tz), False
    return (parsed.replace(tzinfo=tz) if parsed.tzinfo is None else parsed), has_time


def parse_indonesian(
    text: str, tz: tzinfo, *, month_first: bool = False
) -> tuple[datetime, bool] | None:
    """The first date in ``text`` ("Jumat, 3 Maret 2023 14:05 WITA", "March 3, 2023",
    "3/3/2023"); an ambiguous numeric day is read day first unless ``month_first``."""
    for pattern, numeric in _PATTERNS:
        for match in pattern.finditer(text):
            found = _from_match(match, numeric, tz, month_first)
            if found is not None:
                return found
    return None


def _month_day(match: re.Match[str], numeric: bool, month_first: bool) -> tuple[int, int]:
    if not numeric:
        return MONTHS.get(match["month"].lower(), 0), int(match["day"])
    first, second = int(match["day"]), int(match["month"])
    if match.re is YMD_DATE:
        return second, first
    if first > 12 or (second <= 12 and not month_first):
        return second, first
    return first, second  # "2/24/2026", or "03/09/2026" on a month-first (en-US) page


def _from_match(
    match: re.Match[str], numeric: bool, tz: tzinfo, month_first: bool
) -> tuple[datetime, bool] | None:
    month, day = _month_day(match, numeric, month_first)
    hour = int(match["hour"]) if match["hour"] else 0
    if match["ampm"]:
        hour = hour % 12 + (12 if match["ampm"].lower() == "p" else 0)
    minute = int(match["minute"]) if match["minute"] else 0
    second = int(match["second"]) if match["second"] else 0
    try:
        value = datetime(int(match["year"]), month, day, hour, minute, second)
    except ValueError:
        return None
    zone_name = (match["zone"] or "").upper()
    return value.replace(tzinfo=ZONES.get(zone_name, tz)), match["hour"] is not None
