"""The headline without site affixes, found by comparing the page's own titles.

``<title>`` and og:title often carry the site ("… - Kompas.com", "KapanLagi.com: …"), the
``<h1>`` rarely does. So the metadata title is stripped of the site's known names first,
and then, where the ``<h1>`` agrees with one part of it (the same words in a row), that part
is the headline: what the two sources share is the article's, what only one has is the site's.
"""

from __future__ import annotations

import functools
import re

from crawler.extraction.lines import clean

SEPARATORS = re.compile(r"\s+[-|–—:·»/]\s+|\s*[|·»]\s*|:\s+")
_WORD = re.compile(r"\w+")
MIN_H1_WORDS = 3  # a shorter <h1> is likely a logo or a section name


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


@functools.lru_cache(maxsize=512)
def _affix_patterns(name: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    escaped = re.escape(name)
    return (
        re.compile(rf"\s*(?:{SEPARATORS.pattern})\s*{escaped}\s*$", re.IGNORECASE),
        re.compile(rf"^\s*{escaped}\s*(?:{SEPARATORS.pattern})\s*", re.IGNORECASE),
    )


def strip_names(title: str, names: list[str]) -> str:
    """ "Title - Niaga.Asia" and "KapanLagi.com: Title" -> "Title", for the site's names."""
    for name in names:
        for pattern in _affix_patterns(name):
            stripped = pattern.sub("", title, count=1)
            if stripped != title and stripped.strip():
                return stripped.strip()
    return title


def _contains(outer: list[str], inner: list[str]) -> bool:
    size = len(inner)
    return any(outer[i : i + size] == inner for i in range(len(outer) - size + 1))


def headline(metadata_titles: list[str], h1: str | None, names: list[str]) -> str | None:
    """The best title: a metadata title, narrowed to the part the ``<h1>`` agrees with."""
    h1 = clean(h1 or "")
    h1_words = _words(h1)
    name_words = [_words(n) for n in names]
    h1_known = bool(h1_words) and h1_words not in name_words
    for raw in metadata_titles:
        title = strip_names(clean(raw), names)
        if not title:
            continue
        words = _words(title)
        if not h1_known or words == h1_words:
            return title
        parts = [p.strip() for p in SEPARATORS.split(title) if p.strip()]
        if any(_words(part) == h1_words for part in parts):
            return h1  # the metadata title is the h1 and a separated affix
        if len(h1_words) >= MIN_H1_WORDS and _contains(words, h1_words):
            return h1  # the h1 plus an affix the separators did not show
        return title
    return h1 or None
