"""One article, one URL: canonical forms and dedup keys for the URLs a crawl meets.

Links reach the crawler decorated: tracking parameters (``utm_*``, ``fbclid``, ``gclid``),
fragments, AMP variants (``/amp/``, ``?amp=1``, an ``amp.`` host), a missing or extra
trailing slash, ``www.`` or not. courlan does the generic normalisation (case, default ports,
punycode, ``..`` segments, sorted query, tracker removal); this module adds the AMP and
dedup rules a news archive needs. Pure functions: no Scrapy, no I/O.

Two forms, on purpose:

* :func:`canonical_url` is still a URL that can be fetched and recorded. It keeps the
  scheme, the host as given and the trailing slash, because sites differ on whether
  ``/slug`` or ``/slug/`` is the real page, and guessing wrong costs a redirect or a 404.
* :func:`dedup_key` is only for comparing: scheme, ``www.`` and the trailing slash are
  dropped, so every spelling of one article maps to one key.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from functools import lru_cache
from urllib.parse import parse_qsl, urldefrag, urlencode, urljoin, urlsplit, urlunsplit

from courlan import normalize_url
from lxml.html import HtmlElement
from parsel import Selector

# courlan's tracker pattern covers utm_*, fbclid, gclid, mc_*, ... ; these are extra
# parameters that never select different content on a news site.
EXTRA_DROPPED_PARAMS = frozenset(
    {"amp", "outputtype", "noamp", "share", "s_cid", "_ga", "_gl", "mibextid", "igshid"}
)
_AMP_SUFFIX = re.compile(r"/amp/?$")
_AMP_HOST = re.compile(r"^amp\.")
_AMP_PATH_PREFIX = re.compile(r"^/amp(/.*)$")
_CACHED_URLS = 4096  # answers link_canonical and link_key keep


class CanonicalError(ValueError):
    """The string is not an absolute http(s) URL."""


def join_url(base: str, href: str) -> str | None:
    """``href`` made absolute against ``base``, its fragment dropped; None when the result
    cannot be parsed as a URL at all (``http://[oops/``, an unclosed IPv6 bracket).

    urljoin raises ValueError on such a link, and one of them in a comment or an ad slot
    once stopped a whole sitemap, feed or listing. A URL that parses but cannot be requested
    (a port out of range) is returned: the spider lists it as a ``bad-url`` failure.
    """
    try:
        url = urldefrag(urljoin(base, href.strip()))[0]
        urlsplit(url).hostname  # noqa: B018 (parses the host: brackets are checked here)
    except ValueError:
        return None
    return url


def _check(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CanonicalError(f"not an absolute http(s) URL: {url!r}")


def strip_amp(url: str) -> str:
    """The non-AMP URL of an AMP variant (``/slug/amp/``, ``?amp=1``, ``amp.host``)."""
    parts = urlsplit(url)
    host = parts.netloc
    if _AMP_HOST.match(parts.hostname or ""):
        host = _AMP_HOST.sub("", host)
    path = parts.path
    if _AMP_SUFFIX.search(path):
        path = _AMP_SUFFIX.sub("/", path)
    elif (match := _AMP_PATH_PREFIX.match(path)) and match.group(1) not in ("", "/"):
        path = match.group(1)
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not (k.lower() == "amp" or (k.lower() == "outputtype" and v.lower() == "amp"))
    ]
    return urlunsplit((parts.scheme, host, path, urlencode(query), parts.fragment))


def canonical_url(url: str) -> str:
    """A fetchable canonical form: no trackers, no fragment, no AMP, sorted query."""
    _check(url)
    url = strip_amp(url)
    normal = normalize_url(url, strict=False, trailing_slash=True)
    parts = urlsplit(normal)
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in EXTRA_DROPPED_PARAMS
    ]
    # Credentials in a link (http://user:pass@host/) are never part of an article's address,
    # and must not reach requests, records or logs.
    netloc = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, netloc, parts.path or "/", urlencode(query), ""))


def dedup_key(url: str) -> str:
    """``host/path?query`` with scheme, ``www.`` and trailing slash dropped: one per article."""
    parts = urlsplit(canonical_url(url))
    host = parts.netloc.removeprefix("www.")
    path = parts.path.rstrip("/") or "/"
    return host + path + (f"?{parts.query}" if parts.query else "")


# A listing page's links are canonicalised for the duplicate check, the crawl state and the
# date window, and the same links come back on the next listing page and in the state's
# rows: the crawl's hot paths keep the last few thousand answers (bounded memory; errors
# are not cached). The plain functions stay undecorated, for their callers and tests.
link_canonical = lru_cache(maxsize=_CACHED_URLS)(canonical_url)
link_key = lru_cache(maxsize=_CACHED_URLS)(dedup_key)


def rel_canonical(html: str | HtmlElement, page_url: str) -> str | None:
    """The page's ``<link rel="canonical">`` as an absolute URL, if it has a usable one.

    Takes the page's HTML or its parsed tree (the extraction workers parse a page once).
    """
    links = (
        html.xpath("//head/link[@href]")
        if isinstance(html, HtmlElement)
        else Selector(text=html).xpath("//head/link[@href]")
    )
    for link in links:
        rels = (link.attrib.get("rel") or "").lower().split()
        if "canonical" in rels:
            href = link.attrib["href"].strip()
            if not href:
                continue
            absolute = join_url(page_url, href)
            if absolute is None:
                return None
            try:
                _check(absolute)
            except CanonicalError:
                return None
            return absolute
    return None


def trusted_canonical(
    named: str | None, fetched: str, hosts: Collection[str], requested: Iterable[str] = ()
) -> tuple[str, str | None]:
    """The URL an article is recorded under, and the rel=canonical claim if it was refused.

    A page's rel=canonical (``named``) is only a claim: a misconfigured theme points every
    page at the home page, a hacked one anywhere. It is trusted only when it stays on one of
    ``hosts`` *and* names the page that was fetched: the fetched URL itself, one of the URLs
    ``requested`` before redirects, or their AMP-stripped forms (compared by
    :func:`dedup_key`, so ``www.``, scheme and trailing slash may differ). Otherwise the
    article keeps its fetched URL, in canonical form, and the claim is returned to be kept
    as a field: a listing or the home page can never absorb articles.
    """
    try:
        chosen = canonical_url(fetched)
    except CanonicalError:
        chosen = fetched
    if not named:
        return chosen, None
    on_site = (urlsplit(named).hostname or "").lower() in {h.lower() for h in hosts}
    try:
        claimed = canonical_url(named)
        claimed_key = dedup_key(claimed)
        seen = {dedup_key(url) for url in (fetched, *requested)}
    except CanonicalError:
        return chosen, named
    if on_site and claimed_key in seen:
        return claimed, None
    return chosen, named if claimed_key != dedup_key(chosen) else None


class ArticleKeys:
    """One crawl's de-duplication: one request per article, one record per article.

    Every spelling of an article's URL (trackers, fragments, AMP, ``www.``) leads to one
    request; every page that names the same trusted canonical URL files one record.
    """

    def __init__(self, hosts: Collection[str]) -> None:
        self.hosts = hosts
        self._requested: set[str] = set()
        self._filed: set[str] = set()

    def request(self, url: str, fits: Callable[[str], bool]) -> tuple[str, str] | None:
        """``(canonical URL, key)`` for a link not asked for yet that still ``fits`` once
        canonical; None for a repeat, a link that does not fit, or one that cannot be read."""
        if not fits(url):
            return None
        try:
            url = link_canonical(url)
            key = link_key(url)
        except CanonicalError:
            return None
        if not fits(url) or key in self._requested:
            return None
        self._requested.add(key)
        return url, key

    def of_page(
        self, named: str | None, fetched: str, requested: Iterable[str] = ()
    ) -> tuple[str, str, str | None]:
        """The URL and key an article page is filed under, and the rel=canonical claim it
        refused (:func:`trusted_canonical`)."""
        canonical, claimed = trusted_canonical(named, fetched, self.hosts, requested)
        return canonical, dedup_key(canonical), claimed

    def filed(self, key: str) -> bool:
        return key in self._filed

    def file(self, key: str) -> None:
        self._filed.add(key)
