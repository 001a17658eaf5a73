"""The extractors compared on real pages, each reduced to the same ``Prediction``.

Every system gets the same decoded HTML text and the page URL, and is timed around its own
call only, so the ms/page figures compare like with like. trafilatura's title and date come
from a second, untimed metadata call: its timed call is ``extract()`` with default settings,
the figure warta's speed is held to.
"""

from __future__ import annotations

import json
import time
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import trafilatura
from lxml.html import HtmlElement, fragment_fromstring

from crawler.extraction.article import decode_html, extract_article
from crawler.extraction.body import block_paragraphs


@dataclass
class Prediction:
    """What one system said about one page; None where the system does not say."""

    text: str = ""
    title: str | None = None
    published: str | None = None  # ISO date or timestamp as the system gives it
    captions: list[str] | None = None  # None: the system has no captions
    ms: float = 0.0
    extractor: str | None = None  # warta only: which candidate won
    error: str | None = None
    notes: dict[str, str] = field(default_factory=dict)


def _timed(fn: Callable[[], Prediction]) -> Prediction:
    start = time.perf_counter()
    try:
        pred = fn()
    except Exception as exc:  # a peer that crashes on a page scores 0 there, like no output
        pred = Prediction(error=f"{type(exc).__name__}: {exc}"[:200])
    pred.ms = (time.perf_counter() - start) * 1000
    return pred


def run_warta(html: str, url: str) -> Prediction:
    def go() -> Prediction:
        article = extract_article(html, url)
        if article is None:
            return Prediction(captions=[])
        return Prediction(
            text=article.text,
            title=article.title,
            published=article.published,
            captions=[" ".join(filter(None, (c.text, c.credit))) for c in article.captions],
            extractor=getattr(article, "extractor", None),
        )

    return _timed(go)


def _trafilatura(html: str, url: str, precision: bool) -> Prediction:
    pred = _timed(
        lambda: Prediction(text=trafilatura.extract(html, url=url, favor_precision=precision) or "")
    )
    meta = trafilatura.bare_extraction(html, url=url, with_metadata=True, only_with_metadata=False)
    pred.title = getattr(meta, "title", None)
    pred.published = getattr(meta, "date", None)
    return pred


def run_trafilatura(html: str, url: str) -> Prediction:
    return _trafilatura(html, url, precision=False)


def run_trafilatura_precision(html: str, url: str) -> Prediction:
    return _trafilatura(html, url, precision=True)


def _html_text(fragment: str) -> str:
    root: HtmlElement = fragment_fromstring(fragment, create_parent="div")
    return "\n\n".join(block_paragraphs(root))


def run_readability(html: str, url: str) -> Prediction:
    from readability import Document

    def go() -> Prediction:
        doc = Document(html, url=url)
        return Prediction(text=_html_text(doc.summary(html_partial=True)), title=doc.short_title())

    return _timed(go)


def run_newspaper(html: str, url: str) -> Prediction:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import newspaper

    def go() -> Prediction:
        article = newspaper.Article(url, fetch_images=False)
        article.download(input_html=html)
        article.parse()
        day = article.publish_date.isoformat() if article.publish_date else None
        return Prediction(text=article.text or "", title=article.title or None, published=day)

    return _timed(go)


SYSTEMS: dict[str, Callable[[str, str], Prediction]] = {
    "warta": run_warta,
    "trafilatura": run_trafilatura,
    "trafilatura precision": run_trafilatura_precision,
    "readability-lxml": run_readability,
    "newspaper4k": run_newspaper,
}


def _cached(cache: Path | None, key: str, name: str) -> Prediction | None:
    if cache is None or name == "warta":
        return None
    path = cache / f"{key}.{name.replace(' ', '-')}.json"
    if not path.exists():
        return None
    return Prediction(**json.loads(path.read_text(encoding="utf-8")))


def _store(cache: Path | None, key: str, name: str, pred: Prediction) -> None:
    if cache is not None and name != "warta":
        path = cache / f"{key}.{name.replace(' ', '-')}.json"
        path.write_text(json.dumps(asdict(pred)), encoding="utf-8")


def predict_all(
    data: bytes, url: str, rotate: int = 0, cache: Path | None = None, key: str = ""
) -> dict[str, Prediction]:
    """Every system on one page; the order rotates so no system always runs first (cold).

    With ``cache`` (for iterating on warta only), the peers' earlier predictions and timings
    are reused; warta always runs.
    """
    html = decode_html(data)
    names = list(SYSTEMS)
    shift = rotate % len(names)
    order = names[shift:] + names[:shift]
    results: dict[str, Prediction] = {}
    for name in order:
        cached = _cached(cache, key, name)
        results[name] = cached if cached is not None else SYSTEMS[name](html, url)
        if cached is None:
            _store(cache, key, name, results[name])
    return {name: results[name] for name in names}
