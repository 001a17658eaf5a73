"""What a reference asks that the page itself cannot answer: the ceiling of title and date.

A reference day or title that the page never writes cannot come out of any extractor that
reads the page. Counting those pages tells how far a set's title and date figures can go,
so a miss caused by the label is not mistaken for (or tuned as) a miss of the extractor.

- A day is *written* when the page's bytes hold it in a common spelling: ISO
  (``2025-08-15``, also inside JSON-LD), month names (``August 15, 2025``, ``15 Aug 2025``),
  numeric (``08/15/2025``, ``15.08.2025``) or compact (``20250815``).
- A title is *written* when its words equal those of one of the page's own titles
  (``<title>``, og:/twitter:title, a heading, a JSON-LD headline) or of a run of that
  title's separator-delimited parts ("Judul | Rubrik | Site" holds "Judul" and
  "Judul | Rubrik").
"""

from __future__ import annotations

import html as html_lib
import json
import re
from datetime import date

from lxml.html import HtmlElement

from bench.eval.realscore import words
from crawler.extraction.titles import SEPARATORS

_TITLE_METAS = "//meta[@property='og:title' or @name='og:title' or @name='twitter:title'"
_TITLE_METAS += " or @property='twitter:title']/@content"
_HEADLINE = re.compile(r'"(?:headline|name)"\s*:\s*"((?:[^"\\]|\\.){1,400})"')


def _day_spellings(day: date) -> set[str]:
    month, short = day.strftime("%B"), day.strftime("%b")
    d, m, y = day.day, day.month, day.year
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(d % 10 if d not in (11, 12, 13) else 0, "th")
    return {
        day.isoformat(),
        f"{y}/{m:02d}/{d:02d}",
        f"{y}{m:02d}{d:02d}",
        f"{month} {d}, {y}",
        f"{month} {d:02d}, {y}",
        f"{month} {d}{suffix}, {y}",
        f"{month} {d} {y}",
        f"{short} {d}, {y}",
        f"{short}. {d}, {y}",
        f"{short} {d} {y}",
        f"{d} {month} {y}",
        f"{d:02d} {month} {y}",
        f"{d}. {month} {y}",
        f"{d} {short} {y}",
        f"{d:02d} {short} {y}",
        f"{m:02d}/{d:02d}/{y}",
        f"{m}/{d}/{y}",
        f"{d:02d}/{m:02d}/{y}",
        f"{d:02d}.{m:02d}.{y}",
        f"{d:02d}-{m:02d}-{y}",
    }


def day_written(page_html: str, day: date) -> bool:
    """The page holds ``day`` in one of the spellings above (case and HTML escapes ignored)."""
    text = html_lib.unescape(page_html).casefold()
    return any(spelling.casefold() in text for spelling in _day_spellings(day))


def _json_string(raw: str) -> str:
    try:
        value = json.loads(f'"{raw}"')
    except ValueError:
        return raw
    return value if isinstance(value, str) else raw


def page_titles(tree: HtmlElement) -> list[str]:
    """Every title the page gives itself: ``<title>``, title metas, headings, JSON-LD."""
    found = [" ".join(str(t).split()) for t in tree.xpath("//title//text()")]
    found += [str(v) for v in tree.xpath(_TITLE_METAS)]
    found += [" ".join(h.text_content().split()) for h in tree.xpath("//h1 | //h2 | //h3")]
    for script in tree.xpath("//script[@type='application/ld+json']/text()"):
        found += [_json_string(m) for m in _HEADLINE.findall(str(script))]
    return [t for t in found if t.strip()]


def title_written(tree: HtmlElement, reference: str) -> bool:
    """The reference's words are one of the page's titles, or a run of one's parts."""
    want = words(reference)
    if not want:
        return False
    for title in page_titles(tree):
        parts = [words(p) for p in SEPARATORS.split(title)]
        for start in range(len(parts)):
            run: list[str] = []
            for part in parts[start:]:
                run += part
                if run == want:
                    return True
                if len(run) >= len(want):
                    break
    return False
