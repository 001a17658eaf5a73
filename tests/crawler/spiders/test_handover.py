"""A page handed to the extraction workers as bytes reads exactly as its ``response.text``.

The crawl sends a page's body and the encoding it declares, and the worker decodes it
(crawler.spiders.crawl_setup.handover, crawler.extraction.page.page_text); a page whose
encoding Scrapy had to guess goes as the text Scrapy made. Real pages (../shared/realpages,
read from there, never copied) with every kind of declaration, and the odd cases by hand.
"""

from __future__ import annotations

import asyncio
import codecs
import gzip
import re
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, TextResponse
from scrapy.utils.test import get_crawler

from bench.eval.realpages import DEFAULT_ROOT
from crawler.extraction.page import page_text, read_page
from crawler.extraction.workers import ExtractionPool
from crawler.spiders.crawl_setup import PageExtraction, handover

URL = "https://berita.example/2024/05/warga-menanam-pohon/"
ARTICLE = (
    "<html><head><title>Warga menanam pohon</title>{meta}</head><body><article>"
    "<h1>Warga menanam pohon</h1><p>"
    + "Warga Samarinda menanam pohon di tepi sungai, kata Café Ñoño – “bagus”. " * 12
    + "</p></article></body></html>"
)
HEADERS = [
    {},
    {"Content-Type": "text/html"},
    {"Content-Type": "text/html; charset=utf-8"},
    {"Content-Type": "text/html; charset=ISO-8859-1"},  # cp1252, as browsers read it
    {"Content-Type": "text/html; charset=no-such-codec"},
]


def _realpages() -> Path | None:
    return DEFAULT_ROOT if DEFAULT_ROOT.is_dir() else None


def _text_via_handover(response: TextResponse) -> str:
    html, encoding = handover(response)
    if encoding is None:
        assert isinstance(html, str)
        return html
    assert isinstance(html, bytes)
    return page_text(html, encoding)


def _fresh(body: bytes, headers: dict[str, str], **kwargs: str) -> HtmlResponse:
    return HtmlResponse(URL, body=body, headers=headers, **kwargs)


def _hand_made() -> list[tuple[str, bytes]]:
    meta_utf8 = '<meta charset="utf-8">'
    meta_latin = '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
    return [
        ("meta utf-8", ARTICLE.format(meta=meta_utf8).encode()),
        ("meta cp1252", ARTICLE.format(meta=meta_latin).encode("cp1252")),
        ("meta says utf-8, bytes are cp1252", ARTICLE.format(meta=meta_utf8).encode("cp1252")),
        ("nothing declared, utf-8", ARTICLE.format(meta="").encode()),
        ("nothing declared, cp1252", ARTICLE.format(meta="").encode("cp1252")),
        ("nothing declared, ascii", ARTICLE.format(meta="").encode("ascii", "replace")),
        ("utf-8 BOM", codecs.BOM_UTF8 + ARTICLE.format(meta="").encode()),
        ("utf-16 BOM", ARTICLE.format(meta="").encode("utf-16")),
        ("junk bytes", bytes(range(256)) * 8),
        ("empty", b""),
    ]


@pytest.mark.parametrize("headers", HEADERS, ids=lambda h: h.get("Content-Type", "none"))
@pytest.mark.parametrize("case", _hand_made(), ids=lambda c: c[0])
def test_hand_made_pages_decode_as_scrapy_does(
    case: tuple[str, bytes], headers: dict[str, str]
) -> None:
    body = case[1]
    assert _text_via_handover(_fresh(body, headers)) == _fresh(body, headers).text
    # an explicit encoding (Response.replace passes the one it had found)
    explicit = _fresh(body, headers, encoding="latin-1")
    assert _text_via_handover(explicit) == _fresh(body, headers, encoding="latin-1").text
    replaced = _fresh(body, headers).replace(url=URL + "?2")
    assert isinstance(replaced, TextResponse)
    assert _text_via_handover(replaced) == _fresh(body, headers).replace(url=URL + "?2").text


def test_declared_pages_go_as_bytes_and_guessed_ones_as_text() -> None:
    utf8 = {"Content-Type": "text/html; charset=utf-8"}
    declared = _fresh(ARTICLE.format(meta="").encode(), utf8)
    html, encoding = handover(declared)
    assert isinstance(html, bytes) and encoding == "utf-8"
    guessed = _fresh(ARTICLE.format(meta="").encode("cp1252"), {})
    html, encoding = handover(guessed)
    assert isinstance(html, str) and encoding is None


def test_a_page_read_from_bytes_extracts_as_from_its_text() -> None:
    body = ARTICLE.format(meta='<meta charset="utf-8">').encode()
    response = _fresh(body, {"Content-Type": "text/html"})

    async def both() -> tuple[object, object]:
        with ExtractionPool(None, workers=0) as pool:
            html, encoding = handover(response)
            from_bytes = await pool.classify(html, URL, None, encoding)
            from_text = await pool.classify(response.text, URL)
            return from_bytes, from_text

    from_bytes, from_text = asyncio.run(both())
    assert from_bytes == from_text
    assert from_text.article is not None  # type: ignore[attr-defined]


def test_the_crawl_s_extraction_reads_a_page_in_the_encoding_its_header_declares() -> None:
    """The body goes as bytes with the header's encoding, and reads as Scrapy reads it: here
    UTF-8 bytes a server calls cp1252, which a reader guessing the encoding would take for
    UTF-8."""
    body = ARTICLE.format(meta="").encode()
    response = _fresh(body, {"Content-Type": "text/html; charset=windows-1252"})

    async def read() -> tuple[object, object]:
        with ExtractionPool(None, workers=0) as pool:
            extraction = PageExtraction(get_crawler(), pool)
            return await extraction.classify(response), await pool.classify(response.text, URL)

    through_crawl, from_text = asyncio.run(read())
    assert through_crawl == from_text
    assert "CafÃ©" in from_text.article.text  # type: ignore[attr-defined]


def _real_bodies(limit: int | None = None) -> list[tuple[str, bytes]]:
    """The real pages where they are (../shared/realpages), else the replica's article pages
    (a clone away from the shared folder still runs the comparison, on pages it did not make
    for this test)."""
    root = _realpages()
    if root is None:
        return _replica_bodies(limit or 120)
    files = sorted(root.glob("*/html/*.html*"))
    if limit is not None:
        files = files[:: max(1, len(files) // limit)][:limit]
    out = []
    for path in files:
        data = path.read_bytes()
        out.append((path.name, gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data))
    return out


def _replica_bodies(count: int) -> list[tuple[str, bytes]]:
    from replica.content import build_site
    from replica.render_article import render_article

    site = build_site(count)
    out = []
    for i, article in enumerate(site.articles[:count]):
        body = render_article(site, article, "http://127.0.0.1:8765").encode("utf-8")
        if i % 2:  # undeclared, as many real pages are: Scrapy has to guess
            body = re.sub(rb"<meta charset=[^>]*>", b"", body, count=1)
        out.append((article.slug, body))
    return out


@pytest.mark.slow  # every real page under five headers
def test_real_pages_decode_as_scrapy_does() -> None:
    bodies = _real_bodies()
    assert len(bodies) >= 100
    kinds = set()
    for name, body in bodies:
        for headers in HEADERS:
            response = _fresh(body, headers)
            kinds.add(type(handover(response)[0]))
            assert _text_via_handover(response) == _fresh(body, headers).text, (name, headers)
    assert kinds == {bytes, str}  # both ways are exercised


@pytest.mark.slow  # every real page, extracted twice
def test_real_pages_extract_the_same_from_bytes() -> None:
    for name, body in _real_bodies(limit=40):
        headers = {"Content-Type": "text/html; charset=utf-8"}
        html, encoding = handover(_fresh(body, headers))
        assert isinstance(html, bytes) and encoding is not None
        from_bytes = read_page(page_text(html, encoding), URL, None)
        assert from_bytes == read_page(_fresh(body, headers).text, URL, None), name
