"""The headline without site affixes, found by comparing the page's own titles.

``<title>``, og:title and JSON-LD often carry the site ("… - Portal.com", "Hiburan.com: …",
"… | Opinion") or an SEO rewording of the headline; the ``<h1>`` is what the reader sees. So
the sources are compared, and what two of them share is the article's, what only one has is
the site's:

- affixes are cut from the metadata titles: the site's known names, a part named like the
  host ("… | Warta" on warta.example) or like a folder of the address ("… | Opinion" under
  /opinion/), and the parts one metadata title adds to another ("Judul" and "Judul - Site");
- the ``<h1>`` that a metadata title confirms (whole, as a part, or inside it) is the
  headline; an ``<h1>`` that wraps a metadata title ("Dec 18 2025 Judul") gives way to it;
- an unconfirmed ``<h1>`` that shares most of its words with the metadata is a rewording the
  reader sees, and wins; one that shares little is a logo, a blog name or a section, and the
  first metadata title wins.
"""

from __future__ import annotations

import functools
import html
import re
from urllib.parse import unquote, urlsplit

from crawler.extraction.non_body_lines import clean

SEPARATORS = re.compile(r"\s+[-|–—:·•»/]\s+|\s*[|·•»]\s*|:\s+")
_WORD = re.compile(r"\w+")
_NOT_ALNUM = re.compile(r"[\W_]+")
MIN_H1_WORDS = 3  # a shorter <h1> inside a longer title may be a section name
MIN_OVERLAP = 0.5  # share of an unconfirmed <h1>'s words the metadata must also hold
MAX_AFFIX_WORDS = 4  # a site or section affix is short
MIN_REWORDING_WORDS = 2  # one word ("Discord") shared with the metadata proves nothing
MIN_HOST_LABEL = 5
MIN_KEPT_WORDS = 2  # a shorter host label ("bola") is too likely a word of a headline


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _squash(text: str) -> str:
    """ "UC Davis Children's" -> "ucdavischildrens": names compared across spellings."""
    return _NOT_ALNUM.sub("", text.lower())


_SEPARATOR_AT_END = re.compile(rf"(?:{SEPARATORS.pattern})\s*$")
_SEPARATOR_AT_START = re.compile(rf"\s*(?:{SEPARATORS.pattern})")
_SPACE = re.compile(r"\s+")


def strip_names(title: str, names: list[str]) -> str:
    """ "Title - Niaga.Asia" and "KapanLagi.com: Title" -> "Title", for the site's names.

    Plain string comparison, no pattern per name: a crawl sees thousands of sites' names.
    """
    folded = title.casefold()
    for name in names:
        key = name.casefold().strip()
        if not key or len(key) >= len(folded):
            continue
        if folded.endswith(key) and len(folded) == len(title):
            match = _SEPARATOR_AT_END.search(title[: len(title) - len(key)])
            if match and title[: match.start()].strip():
                return title[: match.start()].strip()
        if folded.startswith(key) and len(folded) == len(title):
            match = _SEPARATOR_AT_START.match(title, len(key))
            if match is None and "." in key:  # "davidbau.com Vibe Coding": a host needs none
                match = _SPACE.match(title, len(key))
            if match and title[match.end() :].strip():
                return title[match.end() :].strip()
    return title


def _contains(outer: list[str], inner: list[str]) -> bool:
    size = len(inner)
    return any(outer[i : i + size] == inner for i in range(len(outer) - size + 1))


def _parts(title: str) -> list[str]:
    return [p.strip() for p in SEPARATORS.split(title) if p.strip()]


@functools.lru_cache(maxsize=256)
def address_words(url: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """The host's names and the address's folders (not the article's own slug), squashed;
    and the host labels long enough to recognise inside a longer site name."""
    split = urlsplit(url)
    labels = [label for label in (split.hostname or "").split(".") if label != "www"]
    folders = [f for f in split.path.split("/") if f][:-1]  # the last one names the article
    squashed = {_squash(unquote(f)) for f in folders} | {_squash("".join(labels))}
    squashed |= {_squash(".".join(labels[i:])) for i in range(len(labels))}
    long_labels = tuple(_squash(x) for x in labels[:-1] if len(_squash(x)) >= MIN_HOST_LABEL)
    return frozenset(f for f in squashed if f), long_labels


def _is_affix(part: str, known: set[str], url: str, trailing: bool) -> bool:
    """A site name, the host's name or an address folder ("Opinion" under /opinion/). Only
    a trailing part may merely hold the host's name ("… | Bridgestone Tires"): a leading
    one ("Docker Hardened Images: …") is more often the headline's own subject."""
    if len(part.split()) > MAX_AFFIX_WORDS:
        return False
    key = _squash(part)
    if not key:
        return False
    if key in known:
        return True
    folders_hosts, labels = address_words(url)
    if any(key in label for label in labels if len(key) >= MIN_HOST_LABEL):
        return True
    return trailing and (key in folders_hosts or any(label in key for label in labels))


def _cut_affixes(title: str, known: set[str], url: str) -> str:
    """The title without leading and trailing affix parts, while a longer part remains."""
    parts = _parts(title)
    if len(parts) < 2:
        return title
    start, end = 0, len(parts)
    while end - start > 1 and _is_affix(parts[end - 1], known, url, trailing=True):
        end -= 1
    while end - start > 1 and _is_affix(parts[start], known, url, trailing=False):
        start += 1
    if (start, end) == (0, len(parts)):
        return title
    kept = parts[start:end]
    if sum(len(p.split()) for p in kept) < MIN_KEPT_WORDS:
        return title  # too little would be left: the "affix" is more likely the headline
    return _rejoin(title, kept)


def _rejoin(title: str, kept: list[str]) -> str:
    """The span of ``title`` from the first kept part to the last, separators included."""
    first, last = title.find(kept[0]), title.rfind(kept[-1])
    if first < 0 or last < first:
        return " ".join(kept)
    return title[first : last + len(kept[-1])]


def _extra_parts(short: str, long: str) -> list[str]:
    """The parts ``long`` adds around ``short`` ("Judul" vs "Judul - Site" -> ["Site"])."""
    parts = _parts(long)
    want = _words(short)
    for k in range(1, len(parts)):
        head, tail = parts[:k], parts[k:]
        if [w for p in head for w in _words(p)] == want:
            return tail
        if [w for p in tail for w in _words(p)] == want:
            return head
    return []


def _confirms(title: str, h1: str) -> int:
    """3: the h1 is the title; 2: one of its parts; 1: a long enough run inside it; 0: none."""
    words, inner = _words(title), _words(h1)
    if not inner:
        return 0
    if words == inner:
        return 3
    if any(_words(part) == inner for part in _parts(title)):
        return 2
    return int(len(inner) >= MIN_H1_WORDS and _contains(words, inner))


def _wrapped(h1: str, title: str, metadata: list[str]) -> bool:
    """The h1 is ``title`` with a kicker before it ("Dec 18 2025", "Blog:") or a dated tail
    after it ("Posted on July 1, 2024 by …") that no metadata title has."""
    words, inner = _words(h1), _words(title)
    extra = len(words) - len(inner)
    if len(inner) < MIN_H1_WORDS or extra <= 0:
        return False
    if words[extra:] == inner:
        kicker = words[:extra]
    elif words[:-extra] == inner and any(w.isdigit() for w in words[-extra:]):
        kicker = words[-extra:]
    else:
        return False
    return not any(_contains(_words(other), kicker) for other in metadata)


_MOJIBAKE = re.compile("[\u00c2\u00c3\u00e2][\u0080-\u00bf\u0152-\u2122]")


def repair_mojibake(text: str) -> str:
    """UTF-8 read as Latin-1 ("Investorâ\x80\x99s" -> "Investor’s"), when that is what it is."""
    if not _MOJIBAKE.search(text):
        return text
    for codec in ("latin-1", "cp1252"):
        try:
            return text.encode(codec).decode("utf-8")
        except UnicodeError:
            continue
    return text


def _source(text: str, names: list[str]) -> str:
    return strip_names(repair_mojibake(clean(html.unescape(text))), names)


def headline(
    metadata_titles: list[str], h1s: list[str], names: list[str], url: str = ""
) -> str | None:
    """The headline the page's titles agree on; see the module docstring."""
    known = {_squash(n) for n in names}
    metadata = [t for t in dict.fromkeys(_source(m, names) for m in metadata_titles) if t]
    for short in metadata:
        for long in metadata:
            if long != short:
                known.update(_squash(p) for p in _extra_parts(short, long))
    known.discard("")
    metadata = list(dict.fromkeys(_cut_affixes(t, known, url) for t in metadata))
    visible = [
        h
        for h in dict.fromkeys(_cut_affixes(_source(h, names), known, url) for h in h1s)
        if _squash(h) not in known
    ]
    visible = [h for h in visible if _words(h)]
    if not metadata:
        return visible[0] if visible else None

    # Among confirmed h1s the closest match wins, then the longer: of "Site" and "Judul",
    # both parts of "Judul | Site", the site's name is the shorter.
    best, best_score = None, (0, 0)
    for h1 in visible:
        score = (max(_confirms(title, h1) for title in metadata), len(_words(h1)))
        if score[0] and score > best_score:
            best, best_score = h1, score
    if best is not None:
        return best
    for h1 in visible:  # "Dec 18 2025 Judul", "Blog: Judul": the wrapped title is the headline
        for title in metadata:
            if _wrapped(h1, title, metadata):
                return title
    meta_words = {w for title in metadata for w in _words(title)}
    best_share = 0.0
    for h1 in visible:
        words = _words(h1)
        if len(words) < MIN_REWORDING_WORDS:
            continue
        share = sum(w in meta_words for w in words) / len(words)
        if share > best_share:
            best, best_share = h1, share
    if best is not None and best_share >= MIN_OVERLAP:
        return best
    return metadata[0]
