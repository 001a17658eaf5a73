"""The conventional lines of an Indonesian news article that are not body text.

Datelines ("SAMARINDA.NIAGA.ASIA — ", "Samarinda (AGENCY) - "), credit lines ("Sumber : X |
Editor : Y", "Pewarta: X"), tag lines, "Baca Juga:" links, share prompts and ad labels. The
site's own regexes (``SiteConfig.text``) are tried first and the generic ones always after,
so a site file can add forms but cannot lose the common ones.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from crawler.config.patterns import site_pattern
from crawler.config.sites import TextRules

LOG = logging.getLogger(__name__)

_DASH = r"[—–-]+"
_PLACE_CAPS = r"[A-Z][A-Z'.]*(?:[ -][A-Z][A-Z'.]*){0,3}"
_PLACE_ANY = r"[A-Z][A-Za-z'.]*(?:[ -][A-Z][A-Za-z'.]*){0,3}"

# Generic dateline forms, most specific first. Each has a 'place' group.
DATELINES = [
    # SAMARINDA.NIAGA.ASIA —
    re.compile(rf"^(?P<place>{_PLACE_CAPS}?)\.(?P<site>[A-Z0-9-]+(?:\.[A-Z]{{2,}})+)\s*{_DASH}\s*"),
    # TRIBUNKALTIM.CO, SAMARINDA -   (the site first, as tribun-style portals write it)
    re.compile(
        rf"^(?P<site>[A-Z0-9-]+(?:\.[A-Z]{{2,}})+),\s*(?P<place>{_PLACE_CAPS})\s*{_DASH}\s*"
    ),
    # SAMARINDA, PORTAL.com -   /   TENGGARONG, NIAGA -
    re.compile(rf"^(?P<place>{_PLACE_CAPS}),\s*(?P<site>[A-Za-z0-9.]{{2,40}})\s*{_DASH}\s*"),
    # Samarinda (AGENCY) -
    re.compile(rf"^(?P<place>{_PLACE_ANY})\s*\((?P<site>[A-Za-z0-9 .]{{2,30}})\)\s*{_DASH}\s*"),
    # <strong>Jakarta</strong> -   (portal style: one to three capitalised words, spaced hyphen)
    re.compile(r"^(?P<place>[A-Z][a-z]{2,}(?: [A-Z][a-z]+){0,2}) [-–—] (?=[A-Z\"“])"),
    # BALIKPAPAN –   (capitals only, so an ordinary sentence is never taken for a place)
    re.compile(rf"^(?P<place>[A-Z][A-Z'.]{{2,}}(?:[ -][A-Z][A-Z'.]*){{0,3}})\s*{_DASH}\s+"),
]

CREDIT_LABELS: dict[str, str] = {
    "sumber": "source",
    "editor": "editor",
    "penyunting": "editor",
    "redaktur": "editor",
    "penulis": "author",
    "pewarta": "author",
    "reporter": "author",
    "wartawan": "author",
    "kontributor": "author",
}
_CREDIT_START = re.compile(r"[\s|;]*(?:" + "|".join(CREDIT_LABELS) + r")\s*:", re.IGNORECASE)
_CREDIT_SEGMENT = re.compile(
    r"^\s*(?P<label>" + "|".join(CREDIT_LABELS) + r")\s*:\s*(?P<value>\S.*?)\s*$", re.IGNORECASE
)
_SEGMENT_SPLIT = re.compile(
    r"\s*[|;]\s*|\s+[/,]\s+(?=(?:" + "|".join(CREDIT_LABELS) + r")\s*:)", re.IGNORECASE
)
MAX_DROPPED_LINE = 600
MAX_CREDIT_VALUE = 80  # a longer "Sumber: ..." is a sentence about a source, not a credit
TAG_LINE = re.compile(r"^\s*(?:Tags?|Topik|Kata\s+kunci)\s*:\s*(?P<tags>.*)$", re.IGNORECASE)

# Lines that are never body text.
DROP_LINES = [
    re.compile(r"^\s*Baca\s+(?:Juga|Pula)\b", re.IGNORECASE),
    # Bullets and counters of a list whose items went: "-", "•", "01".
    re.compile(r"^[\W_]*(?:\d{1,2}[\W_]*)?$"),
    re.compile(r"^\s*(?:Lihat|Simak)\s+(?:Juga|Pula)\s*:", re.IGNORECASE),
    re.compile(r"^\s*(?:Bagikan|Share|Sebarkan)\b\s*(?::|ini|artikel|berita|$)", re.IGNORECASE),
    re.compile(r"^\s*(?:ADVERTISEMENT|Advertisement|IKLAN|Iklan|SCROLL TO CONTINUE.*)\s*$"),
    re.compile(r"^\s*(?:Copyright|Hak\s+Cipta|©)", re.IGNORECASE),
    re.compile(r"^\s*(?:Terkait|Berita\s+Terkait|Artikel\s+Terkait)\s*:?\s*$", re.IGNORECASE),
    re.compile(r"^\s*(?:Ikuti|Follow)\s+.{0,60}(?:Google News|WhatsApp|Telegram)", re.IGNORECASE),
    re.compile(r"^\s*(?:Foto|Video)\s*:\s*\S.{0,120}$", re.IGNORECASE),
    # Desk initials closing portal-style articles: "(nvr/ams)", "(ant/mdk)".
    re.compile(r"^\s*\(\s*[a-z]{2,5}(?:\s*/\s*[a-z][a-z0-9]{1,4}){1,3}\s*\)\s*$"),
    # A photo credit left standing alone: "AGENCY FOTO/Nama", "(WIRE/Nama)", "PORTAL.com/Nama".
    re.compile(
        r"^\(?[A-Z][A-Z0-9]{2,30}(?:\.[A-Za-z]{2,4})?(?: FOTO)?\s?/\s?"
        r"[A-Z][\w.'-]{0,30}(?: [\w.'-]{1,30}){0,3}\)?\.?$"
    ),
    # Closing credit "(Tribunkaltim.co/Nama Wartawan)", "(portal.com/Nama)".
    re.compile(r"^\s*\(\s*[A-Za-z0-9-]+(?:\.[A-Za-z]{2,})+\s*/\s*[^()]{2,60}\)\s*$"),
    # Pagers of multi-page articles: "Halaman 1 2 3 Selanjutnya", "Halaman selanjutnya".
    re.compile(
        r"^\s*(?:Halaman|Hal\.?|Page)\s*:?[\d\s]*(?:Selanjutnya|Berikutnya|Next)?[\s»>]*$",
        re.I,
    ),
    re.compile(r"^\s*(?:Halaman\s+)?(?:Selanjutnya|Berikutnya|Sebelumnya)\s*[»>]*\s*$", re.I),
    re.compile(
        r"^\s*(?:Artikel|Berita)\s+ini\s+(?:telah\s+)?(?:tayang|terbit|dimuat)\s+di\b", re.I
    ),
    re.compile(
        r"^\s*(?:Simak|Dapatkan|Pilihan)\s+(?:update\s+)?(?:berita|artikel)\b.{0,160}$", re.I
    ),
    re.compile(
        r"^\s*(?:Kunjungi|Download|Unduh)\s+.{0,80}(?:aplikasi|Google Play|App Store)", re.I
    ),
]

# All of them in one regex (each keeps its own case rule), matched at the start of the line:
# one attempt per line, not sixteen searches through it.
_ANY_DROP_LINE = re.compile(
    "|".join(f"(?{'i' if p.flags & re.IGNORECASE else ''}:{p.pattern})" for p in DROP_LINES)
)


@dataclass
class Credits:
    """What the credit lines of one article said."""

    source: str | None = None
    editor: str | None = None
    authors: list[str] = field(default_factory=list)

    def merge(self, other: Credits) -> None:
        self.source = self.source or other.source
        self.editor = self.editor or other.editor
        for name in other.authors:
            if name not in self.authors:
                self.authors.append(name)


def clean(text: str) -> str:
    """Collapse whitespace, including no-break spaces, to single spaces."""
    return " ".join(text.replace("\u00ad", "").replace("\u200b", "").split())


DATELINE_SCAN = 200


def split_dateline(paragraph: str, rules: TextRules | None = None) -> tuple[str | None, str]:
    """(place, rest) when the paragraph opens with a dateline, else (None, paragraph)."""
    patterns: list[re.Pattern[str]] = []
    if rules is not None and rules.dateline:
        patterns.append(site_pattern(rules.dateline))
    patterns.extend(DATELINES)
    head = paragraph[:DATELINE_SCAN]  # a dateline opens the paragraph: never scan the rest
    for pattern in patterns:
        match = pattern.match(head)
        if not match:
            continue
        place = (match.groupdict().get("place") or "").strip(" .,")
        rest = paragraph[match.end() :].lstrip(" —–-")
        if place and len(place) <= 40 and rest:
            return place, rest
    return None, paragraph


def parse_credit_line(line: str, rules: TextRules | None = None) -> Credits | None:
    """The credits in a line made only of "Label : value" parts, else None."""
    text = clean(line)
    if not text or len(text) > 300:
        return None
    site_credits = _site_credit(text, rules)
    if site_credits is not None:
        return site_credits
    if not _CREDIT_START.match(text):
        return None  # the first part is no "Label :": no need to split the line
    credits = Credits()
    for segment in _SEGMENT_SPLIT.split(text):
        if not segment.strip():
            continue
        match = _CREDIT_SEGMENT.match(segment)
        if not match:
            return None
        kind = CREDIT_LABELS[match["label"].lower()]
        value = match["value"].strip(" .,|")
        if not value or len(value) > MAX_CREDIT_VALUE:
            return None
        if kind == "author":
            credits.authors += [n for n in split_names(value) if n not in credits.authors]
        elif kind == "source":
            credits.source = credits.source or value
        else:
            credits.editor = credits.editor or value
    if credits.source or credits.editor or credits.authors:
        return credits
    return None


def _site_credit(text: str, rules: TextRules | None) -> Credits | None:
    """The site's ``source_editor`` regex, counted only when it captured something.

    A regex whose parts are all optional also matches an empty line; such a match says
    nothing, and a long capture is a sentence, so neither may turn body text into credits.
    """
    if rules is None or not rules.source_editor:
        return None
    match = site_pattern(rules.source_editor).match(text)
    if not match:
        return None
    groups = {k: (v or "").strip(" .,|") for k, v in match.groupdict().items()}
    if not any(groups.get(k) for k in ("source", "editor", "author")):
        return None
    if any(len(v) > MAX_CREDIT_VALUE for v in groups.values()):
        return None
    return Credits(
        source=groups.get("source") or None,
        editor=groups.get("editor") or None,
        authors=split_names(groups.get("author") or ""),
    )


def split_names(value: str) -> list[str]:
    """ "Ahmad dan Budi", "Ahmad, Budi & Citra" → one name each, in order, without repeats."""
    names: list[str] = []
    for name in re.split(r"\s*(?:,|&|\bdan\b)\s*", value):
        if name and name not in names:
            names.append(name)
    return names


def parse_tag_line(line: str) -> list[str] | None:
    """Tags named on a "Tag: A, B" line ([] for a bare "Tag:"), or None if not a tag line."""
    match = TAG_LINE.match(clean(line))
    if not match:
        return None
    return [t for t in (clean(p) for p in re.split(r"\s*[,;|]\s*", match["tags"])) if t]


def is_dropped_line(line: str, rules: TextRules | None = None) -> bool:
    """True for share prompts, ads, "Baca Juga" links and the site's own ``drop_lines``."""
    text = clean(line)
    if len(text) > MAX_DROPPED_LINE:
        return False  # a body-sized paragraph is no share prompt; and no pattern sees it whole
    if rules is not None:
        for pattern in rules.drop_lines:
            if site_pattern(pattern).search(text):
                return True
    return _ANY_DROP_LINE.match(text) is not None  # every pattern is anchored at the start
