"""Bad input: malformed, empty, non-UTF-8, huge and non-article pages never raise.

Documented behaviour: a page with no article body, or one that declares itself something
else (og:type "website", listing JSON-LD), gives None rather than a record without text.
"""

from __future__ import annotations

import pytest
from lxml.html import document_fromstring

from crawler.config.sites import SiteConfig
from crawler.extraction.article import (
    MAX_HTML_CHARS,
    _looks_like_listing,
    decode_html,
    extract_article,
)

URL = "https://www.niaga.asia/contoh/"
MODES = ["niaga", "generic"]


def _site(mode: str, niaga: SiteConfig) -> SiteConfig | None:
    return niaga if mode == "niaga" else None


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "html",
    [b"", "", "   \n ", "<html></html>", "<html><body></body></html>", b"\x00\x00\x00", "<!-- -->"],
)
def test_empty_documents_give_none(html: str | bytes, mode: str, niaga: SiteConfig) -> None:
    assert extract_article(html, URL, _site(mode, niaga)) is None


@pytest.mark.parametrize("mode", MODES)
def test_malformed_html_still_yields_the_article(mode: str, niaga: SiteConfig) -> None:
    html = """<html><head><title>Harga Cabai Turun - Niaga.Asia</title>
    <meta property="og:type" content="article">
    <meta property="article:published_time" content="2023-02-27T09:00:00+08:00">
    <body><div class="entry-content"><p><b>SAMARINDA.NIAGA.ASIA</b> — Harga cabai rawit di
    Pasar Segiri Samarinda turun menjadi Rp40 ribu per kilogram <i>setelah pasokan dari
    Sulawesi kembali lancar pekan ini, kata pedagang.
    <p>Pedagang menyebut permintaan masih stabil menjelang bulan puasa, <span>sementara
    harga bawang merah bertahan di kisaran Rp35 ribu per kilogram.</div></div>
    <p>Editor : Saud Rosadi</td></tr></table>
    <div class="wp-caption"><img src="/c.jpg"><p class="wp-caption-text">Cabai di pasar (Foto:
    Saud Rosadi/Niaga.Asia)</div>"""
    article = extract_article(html, URL, _site(mode, niaga))
    assert article is not None
    assert article.dateline == "SAMARINDA"
    assert article.text.startswith("Harga cabai rawit di Pasar Segiri")
    assert "Rp35 ribu" in article.text
    assert article.editor == "Saud Rosadi"
    assert article.published == "2023-02-27T09:00:00+08:00"
    assert [(c.text, c.credit) for c in article.captions] == [
        ("Cabai di pasar", "Saud Rosadi/Niaga.Asia")
    ]
    assert "Cabai di pasar" not in article.text


@pytest.mark.parametrize("mode", MODES)
def test_declared_windows_1252_page(
    mode: str, niaga: SiteConfig, seed_html: bytes, seed_url: str, seed_body: str
) -> None:
    page = seed_html.decode("utf-8").replace(
        '<meta charset="UTF-8">', '<meta charset="windows-1252">'
    )
    article = extract_article(page.encode("cp1252"), seed_url, _site(mode, niaga))
    assert article is not None
    assert article.text == seed_body  # curly quotes survive the round trip


def test_undeclared_latin1_bytes_do_not_raise() -> None:
    html = "<html><body><article><p>Café milik warga Sepaku dibuka kembali setelah " * 20
    article = extract_article(html.encode("latin-1") + b"\xff\xfe\x81", URL)
    assert article is not None
    assert "Café" in article.text


def test_decode_html_forms() -> None:
    assert decode_html("“Ya”".encode()) == "“Ya”"
    assert decode_html(b"\xef\xbb\xbfabc") == "abc"
    assert decode_html("abc".encode("utf-16")) == "abc"
    assert decode_html(b'<meta charset="iso-8859-1">\xe9') == '<meta charset="iso-8859-1">é'
    assert (
        decode_html(b'<meta charset="no-such-codec">\x93x\x94')
        == '<meta charset="no-such-codec">“x”'
    )


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 40


@pytest.mark.parametrize(
    "junk",
    [
        PNG,
        b"%PDF-1.4\n%\xe2\xe3\n1 0 obj <</Type /Catalog>> endobj\n" + bytes(range(256)) * 8,
        b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(range(256)) * 8,
        b"<p>an article</p>" + b"\x00" * 64 + bytes(range(256)) * 8,
    ],
    ids=["png", "pdf", "jpeg", "nul-bytes"],
)
def test_binary_input_is_no_article(junk: bytes) -> None:
    """A server that sends an image or a PDF as text/html gets no article of mojibake."""
    assert extract_article(junk, URL) is None
    assert extract_article(junk, URL, None) is None


def test_html_that_merely_mentions_binary_is_still_read(seed_html: bytes, seed_url: str) -> None:
    page = seed_html.replace(b"</body>", b"<p>%PDF-1.4 and \x89PNG are file magics</p></body>")
    article = extract_article(page, seed_url)
    assert article is not None and article.text


@pytest.mark.parametrize("mode", MODES)
def test_huge_page_with_inline_data(
    mode: str, niaga: SiteConfig, seed_html: bytes, seed_url: str
) -> None:
    page = seed_html.decode("utf-8").replace(
        "</head>", '<script>var blob="' + "A" * (MAX_HTML_CHARS + 10) + '";</script></head>'
    )
    article = extract_article(page, seed_url, _site(mode, niaga))
    assert article is not None
    assert article.text.endswith("serta Kades dan Lurah.")


@pytest.mark.heavy
def test_huge_page_of_junk_after_the_article(seed_html: bytes, seed_url: str) -> None:
    """Truncated to MAX_HTML_CHARS and narrowed for trafilatura; the article survives."""
    junk = "<p>lorem ipsum dolor sit amet</p>" * (MAX_HTML_CHARS // 30)
    page = seed_html.decode("utf-8").replace("</body>", f"<div>{junk}</div></body>")
    article = extract_article(page, seed_url)
    assert article is not None
    assert article.text.startswith("Pemilihan Umum (Pemilu) digelar")


def _nested(depth: int, body: str) -> str:
    return (f"<html><head><title>Banjir melanda Samarinda</title></head><body>{'<div>' * depth}"
            f"{body}{'</div>' * depth}</body></html>")  # fmt: skip


@pytest.mark.heavy
def test_deeply_nested_markup_does_not_raise() -> None:
    """A page nested 200 deep (page builders do that) still gives its article; 5,000 deep is
    past what the HTML parser builds (libxml2 stops at 255 levels), and gives no article
    rather than an exception or a fragment."""
    paragraphs = "".join(
        f"<p>Paragraf nomor {i} tentang banjir di Samarinda yang cukup panjang untuk dihitung "
        "sebagai isi berita oleh pengekstrak.</p>"
        for i in range(6)
    )
    article = extract_article(_nested(200, paragraphs), URL)
    assert article is not None and article.title == "Banjir melanda Samarinda"
    assert article.text.split("\n\n")[0].startswith("Paragraf nomor 0 tentang banjir")
    assert article.text.count("Paragraf nomor") == 6
    assert extract_article(_nested(5000, paragraphs), URL) is None
    assert extract_article(_nested(5000, "<p>Isi.</p>"), URL) is None


def test_listing_page_gives_none(niaga: SiteConfig) -> None:
    items = "".join(
        f'<article class="post"><h2 class="entry-title"><a href="https://www.niaga.asia/berita-{i}/"'
        f' rel="bookmark">Berita nomor {i} tentang Samarinda</a></h2><div class="entry-summary">'
        f"<p>Ringkasan berita nomor {i} yang cukup panjang untuk dianggap paragraf oleh "
        "pengekstrak teks, tentang pembangunan dan ekonomi di Kalimantan Timur.</p></div></article>"
        for i in range(12)
    )
    html = f"""<html lang="id"><head><title>Niaga.Asia - Berita Bisnis</title>
    <meta property="og:type" content="website"></head><body><main>{items}
    <a class="next page-numbers" href="https://www.niaga.asia/page/2/">Berikutnya »</a>
    </main></body></html>"""
    assert extract_article(html, "https://www.niaga.asia/", niaga) is None
    assert extract_article(html, "https://www.niaga.asia/") is None


def test_page_without_body_gives_none() -> None:
    html = """<html><head><title>Kontak - Niaga.Asia</title></head><body>
    <nav><a href="/">Beranda</a> <a href="/redaksi/">Redaksi</a></nav>
    <form><input name="s"></form><footer>© 2023</footer></body></html>"""
    assert extract_article(html, "https://www.niaga.asia/kontak/") is None


def test_broken_site_selectors_fall_back(
    seed_html: bytes, seed_url: str, niaga: SiteConfig
) -> None:
    # Site files with broken selectors are refused when they load (warta sites); a config
    # built in code skips that check, and extraction must still not fall over.
    selectors = niaga.selectors.model_copy(
        update={"body": "div[[broken", "title": "h9.none", "captions": ":::", "remove": ["[x"]}
    )
    broken = niaga.model_copy(update={"selectors": selectors})
    article = extract_article(seed_html, seed_url, broken)
    assert article is not None
    assert article.title.startswith("Pemilu 2024 Kian Dekat")
    assert article.text.startswith("Pemilihan Umum (Pemilu) digelar")
    assert len(article.captions) == 2


def _home(*sizes: int, extra_words: int = 0) -> str:
    items = "\n".join(f"<article><p>{' '.join(['kata'] * n)}</p></article>" for n in sizes)
    return f"<html><body>{items}\n<p>{' '.join(['lain'] * extra_words)}</p></body></html>"


@pytest.mark.parametrize(
    ("html", "url", "listing"),
    [
        # three teasers of twelve words or more, none holding the page: a listing
        (_home(12, 12, 12), "https://h.example/", True),
        (_home(12, 12, 12), "https://h.example/X/", False),  # not the home page
        (_home(11, 12, 12), "https://h.example/", False),  # an 11-word item is a label
        (_home(30, 30), "https://h.example/", False),  # two teasers are not a list
        # one item as long as all the others holds the page: its article
        (_home(24, 12, 12), "https://h.example/", False),
        (_home(23, 12, 12), "https://h.example/", True),
        # the teasers are half of what the page says, or less
        (_home(12, 12, 12, extra_words=36), "https://h.example/", True),
        (_home(12, 12, 12, extra_words=37), "https://h.example/", False),
    ],
)
def test_a_home_page_is_a_listing_when_teasers_make_most_of_it(
    html: str, url: str, listing: bool
) -> None:
    assert _looks_like_listing(document_fromstring(html), url) is listing
