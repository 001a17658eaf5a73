"""The three extractors under comparison, each reduced to the same ``Prediction`` shape.

- ``trafilatura``: default settings, ``trafilatura.extract(html)`` for the text and
  ``bare_extraction(html, with_metadata=True)`` for title, date and tags; a multi-page
  article is given every page and its texts are concatenated.
- ``generic``: ``extract_article(html, url, site=None)``, following next-page links with
  ``crawler.extraction.multipage`` and merging the pages, as the spider does.
- ``site``: the same with the site's config file, where the page's site has one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import trafilatura

from bench.eval.dataset import EvalArticle
from crawler.config.sites import SiteConfig, load_site
from crawler.extraction.article import extract_article
from crawler.extraction.article_record import Article
from crawler.extraction.multipage import MAX_PAGES, merge_articles, next_page_url


@dataclass
class Prediction:
    text: str = ""
    title: str | None = None
    day: str | None = None  # YYYY-MM-DD as the extractor gives it
    timestamp: str | None = None  # ISO with offset; None when the extractor has no time
    captions: list[tuple[str, str | None]] | None = None  # None: the system has no captions
    editor: str | None = None
    has_editor: bool = False  # False: the system cannot name editors
    tags: list[str] = field(default_factory=list)
    pages_read: int = 1


def run_trafilatura(article: EvalArticle) -> Prediction:
    texts = []
    for html in article.pages.values():
        texts.append(trafilatura.extract(html) or "")
    meta = trafilatura.bare_extraction(next(iter(article.pages.values())), with_metadata=True)
    tags = getattr(meta, "tags", None) or []
    if isinstance(tags, str):
        tags = [t for t in tags.split(";") if t]
    return Prediction(
        text="\n".join(texts),
        title=getattr(meta, "title", None),
        day=getattr(meta, "date", None),
        tags=list(tags),
        pages_read=len(article.pages),
    )


def _warta(article: EvalArticle, site: SiteConfig | None) -> Prediction:
    url: str | None = article.url
    pages: list[Article] = []
    selector = site.selectors.next_page if site else None
    while url is not None and url in article.pages and len(pages) < MAX_PAGES:
        html = article.pages[url]
        record = extract_article(html, url, site)
        if record is None:
            break
        pages.append(record)
        url = next_page_url(html, url, selector, first_url=article.url)
    if not pages:
        return Prediction(captions=[], has_editor=True)
    merged = merge_articles(pages)
    return Prediction(
        text=merged.text,
        title=merged.title,
        day=merged.published[:10] if merged.published else None,
        timestamp=merged.published,
        captions=[(c.text, c.credit) for c in merged.captions],
        editor=merged.editor,
        has_editor=True,
        tags=merged.tags,
        pages_read=len(pages),
    )


def run_generic(article: EvalArticle) -> Prediction:
    return _warta(article, None)


_SITES: dict[str, SiteConfig] = {}


def run_site(article: EvalArticle) -> Prediction:
    if article.site is None:
        return _warta(article, None)
    if article.site not in _SITES:
        _SITES[article.site] = load_site(article.site)
    return _warta(article, _SITES[article.site])


SYSTEMS: dict[str, Callable[[EvalArticle], Prediction]] = {
    "trafilatura": run_trafilatura,
    "warta generic": run_generic,
    "warta site": run_site,
}
