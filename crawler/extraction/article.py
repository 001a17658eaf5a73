"""HTML in, article record out: the one entry point the crawler and re-extraction call.

Order matters. Metadata and dates are read from the untouched page; then boilerplate is
cut, captions are collected and cut, and only then is the body read, so that nothing
removed for being a caption, an ad or a comment can reach the text.

``extract_article`` is pure and never raises: a page that cannot be read, has no body, or
declares itself not an article (og:type "website", a listing's JSON-LD) gives None.
"""

from __future__ import annotations

import codecs
import logging
import re
from datetime import tzinfo
from urllib.parse import urlsplit

from lxml import etree
from lxml.cssselect import SelectorError
from lxml.html import HtmlElement, HTMLParser, document_fromstring

from crawler.config.sites import SiteConfig
from crawler.extraction import body as bodymod
from crawler.extraction import metadata as meta_mod
from crawler.extraction.article_record import Article
from crawler.extraction.candidates import SITE, choose_body
from crawler.extraction.captions import collect_captions, cut_figures, lead_caption
from crawler.extraction.dates import (
    find_dates,
    parse_indonesian,
    parse_iso,
    to_iso,
    zone,
)
from crawler.extraction.fallback import confidence, fallback_readings
from crawler.extraction.page_kind import ARTICLE, media_paragraphs, page_kind
from crawler.extraction.text_region import text_scope

LOG = logging.getLogger(__name__)

LISTING_ARTICLES = 3  # this many teaser-sized <article> elements make a home page a listing
TEASER_WORDS = 12  # an <article> shorter than this is a link or a label, not a teaser
MIN_TEXT_CHARS = 80  # below this it is a menu or a stub, not an article body
MAX_HTML_CHARS = 5_000_000  # beyond this, scripts and inline data are shed, then the tail
_DECLARED_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.I
)
_BULK_CLOSE = {tag: re.compile(f"</{tag}", re.I) for tag in ("script", "style", "svg")}
_BULK_OPEN = re.compile(r"<(script|style|svg)\b", re.I)
_INLINE_DATA = re.compile(r"data:[^\"'\s)]{256,}")


def decode_html(data: bytes) -> str:
    """Text from bytes: BOM, then UTF-8, then the declared charset, then cp1252 with escapes."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    match = _DECLARED_CHARSET.search(data[:8192])
    if match:
        try:
            return data.decode(match.group(1).decode("ascii"), errors="replace")
        except LookupError:
            LOG.debug("unknown declared charset %r", match.group(1))
    return data.decode("cp1252", errors="replace")


def _drop_bulk(text: str) -> str:
    """Scripts, styles and SVGs cut out in one left-to-right pass (no regex backtracking)."""
    out: list[str] = []
    pos = 0
    while (opened := _BULK_OPEN.search(text, pos)) is not None:
        out.append(text[pos : opened.start()])
        closed = _BULK_CLOSE[opened.group(1).lower()].search(text, opened.end())
        if closed is None:
            pos = len(text)
            break
        end = text.find(">", closed.end())
        pos = len(text) if end < 0 else end + 1
    out.append(text[pos:])
    return "".join(out)


def shrink(text: str, limit: int = MAX_HTML_CHARS) -> str:
    """Keep a huge page parseable: drop scripts, styles and inline data, then truncate."""
    if len(text) <= limit:
        return text
    text = _INLINE_DATA.sub("", _drop_bulk(text))
    if len(text) > limit:
        LOG.warning("page of %d characters truncated to %d", len(text), limit)
        text = text[:limit]
    return text


# Images, PDFs and archives that servers mislabel as text/html: no article can be in them.
_BINARY_MAGIC = (
    b"\x89PNG",
    b"%PDF-",
    b"GIF8",
    b"\xff\xd8\xff",
    b"PK\x03\x04",
    b"\x1f\x8b",
    b"RIFF",
)
_TEXT_CONTROLS = frozenset(b"\t\n\r\f")


def looks_binary(data: bytes) -> bool:
    """A known file signature, or more than 1 in 10 control bytes at the start (HTML has
    almost none; a BOM-marked UTF-16 page is decoded before this is asked)."""
    head = data[:1024]
    if head.lstrip().startswith(_BINARY_MAGIC):
        return True
    controls = sum(1 for byte in head if byte < 32 and byte not in _TEXT_CONTROLS)
    return controls * 10 > len(head)


def parse_html(html: str | bytes) -> HtmlElement | None:
    """An lxml tree, or None for an empty, binary or unparseable document."""
    if isinstance(html, bytes):
        bom = html.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        if not bom and looks_binary(html):
            return None
    text = decode_html(html) if isinstance(html, bytes) else html
    text = shrink(text.replace("\x00", ""))
    if not text.strip():
        return None
    parser = HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, collect_ids=False)
    try:
        tree = document_fromstring(text.encode("utf-8", errors="replace"), parser=parser)
    except (etree.ParserError, ValueError) as exc:
        LOG.debug("unparseable page: %s", exc)
        return None
    return tree if isinstance(tree, HtmlElement) else None


def extract_article(
    html: str | bytes | HtmlElement, url: str, site: SiteConfig | None = None
) -> Article | None:
    """The article on the page, or None when there is none. Never raises.

    A parsed tree may be passed instead of the HTML; it is cut as the article is read.
    """
    try:
        return _extract(html, url, site)
    except Exception:
        LOG.warning("extraction failed for %s", url, exc_info=True)
        return None


def _caption_scope(tree: HtmlElement, site: SiteConfig | None) -> HtmlElement:
    """Where credits are looked for: the article around the body, not the sidebar."""
    body_css = site.selectors.body if site else None
    if body_css:
        try:
            matches = tree.cssselect(body_css)
        except (SelectorError, ValueError):
            matches = []
        if matches:
            around = next(matches[0].iterancestors("article", "main", "body"), None)
            return around if around is not None else matches[0]
    for xpath in ("(//article)[1]", "(//main)[1]", "(//body)[1]"):
        found = tree.xpath(xpath)
        if found:
            return found[0]
    return tree


def _looks_like_listing(tree: HtmlElement, url: str) -> bool:
    """A page that says it is no article (og:type "website") is believed only for a home
    page made mostly of several teasers, none of which holds the page. Many real article pages
    wrongly say "website", and carry related-article teasers in ``<article>`` elements; the
    crawler itself decides what is an article by the site's markers, before extraction."""
    if urlsplit(url).path.strip("/") != "":
        return False
    items = tree.xpath("//article[not(ancestor::article)]")
    sizes = [size for item in items if (size := len(item.text_content().split())) >= TEASER_WORDS]
    if len(sizes) < LISTING_ARTICLES:
        return False
    page_words = len(tree.text_content().split())
    # No one item holds the page, and the teasers are most of what it says.
    return max(sizes) < 0.5 * sum(sizes) and sum(sizes) >= 0.5 * page_words


def _selected_date(tree: HtmlElement, css: str | None, tz: tzinfo) -> str | None:
    """The site's ``selectors.published`` element read as a date, when it has a time of day."""
    for text in meta_mod.select_texts(tree, css)[:3]:
        found = parse_iso(text, tz) or parse_indonesian(text, tz)
        if found is not None and found[1]:
            return to_iso(found[0])
    return None


def _extract(html: str | bytes | HtmlElement, url: str, site: SiteConfig | None) -> Article | None:
    tree = html if isinstance(html, HtmlElement) else parse_html(html)
    if tree is None:
        return None
    rules = site.text if site else None
    selectors = site.selectors if site else None
    # Without a site file, find_dates uses the zone the page shows ("14:05 WITA", offsets).
    tz = zone(site.timezone) if site else zone(None)

    # 1. Metadata from the untouched page.
    meta = meta_mod.read_page_meta(tree)
    kind = meta_mod.is_article_page(meta)
    if kind is False and _looks_like_listing(tree, url):
        LOG.debug("not an article page: %s", url)
        return None
    names = meta_mod.site_names(meta, url, site.title if site else None)
    title = meta_mod.find_title(tree, meta, names, selectors.title if selectors else None, url)
    authors = meta_mod.find_authors(tree, meta, selectors.byline if selectors else None)
    tags = meta_mod.find_tags(tree, meta, selectors.tags if selectors else None)
    section = meta_mod.find_section(tree, meta, selectors.section if selectors else None)
    language = meta_mod.find_language(tree, meta, site.language if site else None)
    published, modified = find_dates(
        tree,
        meta.article,
        meta.pages,
        meta.metas,
        tz,
        url=url,
        zone_known=site is not None,
        nodes=meta.nodes,
    )
    site_published = _selected_date(tree, selectors.published if selectors else None, tz)
    published = site_published or published
    editor_sel = meta_mod.select_texts(tree, selectors.editor if selectors else None)
    source_sel = meta_mod.select_texts(tree, selectors.source if selectors else None)

    # 2. Cut boilerplate, then captions and figures.
    containers = bodymod.remove_selectors(
        tree, (selectors.remove if selectors else []) + bodymod.BOILERPLATE_CSS
    )
    scope = _caption_scope(tree, site)
    # Captions: the site's article, or else the text block widened to its lead photo (the
    # first <article> is often a teaser card on pages without a site file).
    site_scoped = bool(selectors and selectors.body) and scope.tag != "html"
    caption_scope = scope if site_scoped else text_scope(tree)
    credit_regex = rules.caption_credit if rules else None
    captions, to_cut = collect_captions(
        caption_scope, url, selectors.captions if selectors else None, credit_regex
    )
    # A page without any caption may write the lead photo's in its alt or title; it is
    # added after the body is read, so no body paragraph is ever taken for it.
    lead = None if captions else lead_caption(caption_scope, title, url, credit_regex)
    cut_figures(tree, to_cut)

    # 3. The body: the site's element when it has one, trafilatura otherwise.
    paragraphs, extractor = None, SITE
    if selectors and selectors.body:
        paragraphs = bodymod.site_paragraphs(tree, selectors.body)
    if not paragraphs:
        # Its text block is read from the cut tree: a cut caption's paragraphs are no text
        # the reading could have lost.
        chosen = choose_body(tree, url, containers)
        paragraphs, extractor = chosen.paragraphs, chosen.name
    body = bodymod.refine(paragraphs, rules, captions, title)
    medium = page_kind(meta, url, len(body.text.split()), captions)
    fell_back = False
    if medium != ARTICLE:
        body.paragraphs, _ = media_paragraphs(body.paragraphs, captions)
    elif len(body.text) < MIN_TEXT_CHARS:
        # Never empty on an article: the next readings, the longest that says enough.
        for reading in fallback_readings(tree, url, extractor):
            again = bodymod.refine(reading.paragraphs, rules, captions, title)
            if len(again.text) >= MIN_TEXT_CHARS:
                body, extractor, fell_back = again, reading.name, True
                break
    if not body.text or (medium == ARTICLE and len(body.text) < MIN_TEXT_CHARS):
        LOG.debug("no article body: %s", url)
        return None
    if lead is not None and lead.text.casefold() not in body.text.casefold():
        captions = [lead]
    if not (body.credits.editor and body.credits.source):  # merge only fills what is missing
        body.credits.merge(bodymod.scan_credits(scope, rules))

    return Article(
        url=url,
        site=site.name if site else (urlsplit(url).hostname or None),
        title=title,
        published=published,
        modified=modified,
        authors=meta_mod.dedupe([*authors, *body.credits.authors]),
        editor=body.credits.editor or (editor_sel[0] if editor_sel else None),
        source=body.credits.source or (source_sel[0] if source_sel else None),
        dateline=body.dateline,
        section=section,
        tags=tags or body.tags or [],
        text=body.text,
        captions=captions,
        language=language,
        extractor=extractor,
        page_kind=medium,
        confidence=confidence(extractor, len(body.text.split()), fell_back, medium != ARTICLE),
    )
