"""``extract_article`` step by step with a site file: the site's caption selector and credit
rule, the lead photo's alt, the shortest body kept, the fallback readings and the confidence
each reading earns."""

from __future__ import annotations

from crawler.config.sites import Selectors, SiteConfig, TextRules
from crawler.extraction.article import MIN_TEXT_CHARS, extract_article
from crawler.extraction.article_record import Caption
from crawler.extraction.fallback import (
    FALLBACK_CONFIDENCE,
    MEDIA_CONFIDENCE,
    SITE_CONFIDENCE,
)

URL = "https://kabar.example/daerah/banjir-rendam-samarinda"
TITLE = "Banjir rendam Samarinda utara sejak Senin pagi"
PARA = (
    "Hujan deras sejak Senin pagi membuat sungai meluap dan merendam ratusan rumah warga "
    "di kawasan utara kota, kata petugas yang berjaga di lokasi."
)
CREDIT = r"^(?P<text>.+?) // (?P<credit>.+)$"


def _site(text: TextRules | None = None) -> SiteConfig:
    return SiteConfig(
        name="kabar",
        base_url="https://kabar.example",
        selectors=Selectors(title=".judul", body=".isi", captions=".foto-teks"),
        text=text or TextRules(),
    )


def _page(article: str, head: str = "") -> str:
    return (
        f"<html><head><title>{TITLE}</title>{head}</head><body><article>"
        f"<h1 class='judul'>{TITLE}</h1>{article}</article></body></html>"
    )


BODY = f"<div class='isi'><p>{PARA}</p><p>{PARA}</p></div>"


def test_the_sites_caption_selector_and_credit_rule_make_the_caption() -> None:
    photo = (
        "<div class='foto'><img src='/b.jpg'>"
        "<div class='foto-teks'>Warga mengungsi ke masjid // Budi</div></div>"
    )
    article = extract_article(_page(photo + BODY), URL, _site(TextRules(caption_credit=CREDIT)))
    assert article is not None
    assert [(c.text, c.credit) for c in article.captions] == [("Warga mengungsi ke masjid", "Budi")]


def test_a_page_without_captions_takes_the_lead_photos_alt_split_by_the_sites_rule() -> None:
    alt = "Warga mengungsi ke masjid saat banjir melanda // Budi"
    photo = f"<img src='/foto/b.jpg' alt='{alt}'>"
    article = extract_article(_page(photo + BODY), URL, _site(TextRules(caption_credit=CREDIT)))
    assert article is not None
    assert article.captions == [
        Caption(
            text="Warga mengungsi ke masjid saat banjir melanda",
            credit="Budi",
            image="https://kabar.example/foto/b.jpg",
        )
    ]


def test_a_lead_photo_alt_repeating_the_headline_is_no_caption() -> None:
    photo = f"<img src='/foto/b.jpg' alt='{TITLE}'>"
    article = extract_article(_page(photo + BODY), URL, _site())
    assert article is not None and article.captions == []


def test_a_body_of_exactly_the_minimum_length_is_the_sites_reading() -> None:
    text = PARA[:MIN_TEXT_CHARS]
    article = extract_article(_page(f"<div class='isi'><p>{text}</p></div>"), URL, _site())
    assert article is not None and article.text == text
    assert (article.extractor, article.confidence) == ("site", SITE_CONFIDENCE)


def test_an_article_one_character_short_of_the_minimum_is_no_article() -> None:
    text = PARA[: MIN_TEXT_CHARS - 1]
    assert extract_article(_page(f"<div class='isi'><p>{text}</p></div>"), URL, _site()) is None


def test_a_short_video_page_is_kept_as_media() -> None:
    head = '<meta property="og:type" content="video.other">'
    prose = "Banjir di Samarinda utara saat hujan deras turun sepanjang hari."
    assert len(prose) < MIN_TEXT_CHARS
    article = extract_article(_page(f"<div class='isi'><p>{prose}</p></div>", head), URL, _site())
    assert article is not None and (article.page_kind, article.text) == ("video", prose)
    assert article.confidence == MEDIA_CONFIDENCE


def test_credits_outside_the_body_are_found_by_the_sites_credit_rule() -> None:
    html = _page(BODY + "<p>Disunting Budi Santoso</p>")
    article = extract_article(
        html, URL, _site(TextRules(source_editor=r"^Disunting (?P<editor>.+)$"))
    )
    assert article is not None and article.editor == "Budi Santoso"


def test_a_body_that_is_only_the_headline_falls_back_to_a_reading_of_the_minimum_length() -> None:
    text = PARA[:MIN_TEXT_CHARS]
    html = (
        f"<html><head><title>{TITLE}</title></head><body><article>"
        f"<div class='isi'><h1 class='judul'>{TITLE}</h1></div>"
        f"<p>Iklan khusus pembaca setia kami.</p><p>{text}</p></article></body></html>"
    )
    article = extract_article(html, URL, _site(TextRules(drop_lines=["^Iklan khusus"])))
    # The fallback reading is cut like the site's: without the headline and the ad line.
    assert article is not None and article.text == text
    assert article.extractor != "site" and article.confidence == FALLBACK_CONFIDENCE


def test_long_photo_captions_do_not_make_the_body_take_in_the_pages_other_lines() -> None:
    # Without a site file. The captions are cut before the body is read, so their long
    # paragraphs are no text the body's reading lost: it is not swapped for the whole page.
    sentence = "Warga Samarinda menanam pohon di tepi Sungai Mahakam bersama pemerintah kota."
    caption = (
        "Foto warga yang sedang menanam bibit pohon di tepi sungai, disaksikan oleh wali kota "
        "dan para pejabat daerah setempat hari ini."
    )
    figures = "".join(
        f"<figure><img src='/f{i}.jpg'><figcaption><p>{caption}</p></figcaption></figure>"
        for i in range(4)
    )
    paragraphs = [f"{sentence} Kalimat nomor {i} menambah cerita." for i in range(5)]
    others = "".join(f"<p>Berita lain nomor {i} tentang kota lain hari ini.</p>" for i in range(30))
    html = (
        f"<html><body><div><div class='post'>{figures}"
        + "".join(f"<p>{p}</p>" for p in paragraphs)
        + f"</div><div class='kolom'>{others}</div></div></body></html>"
    )
    article = extract_article(html, "https://kabar.example/kota/tanam-pohon")
    assert article is not None and article.text == "\n\n".join(paragraphs)


def test_a_site_body_selector_naming_the_whole_page_does_not_scope_the_captions() -> None:
    # The page's root holds every teaser too: the captions come from the story's text block.
    site = SiteConfig(
        name="kabar", base_url="https://kabar.example", selectors=Selectors(body="html")
    )
    teaser = (
        "<aside><figure><img src='/t.jpg'><figcaption>Teaser foto lain di samping"
        "</figcaption></figure></aside>"
    )
    story = (
        "<figure><img src='/a.jpg'><figcaption>Warga mengungsi ke masjid</figcaption></figure>"
        + BODY
    )
    html = (
        f"<html><head><title>{TITLE}</title></head><body>{teaser}<div class='halaman'>"
        f"<div class='isi-luar'><div class='kolom'><article>{story}</article></div></div>"
        "</div></body></html>"
    )
    article = extract_article(html, URL, site)
    assert article is not None
    assert [c.text for c in article.captions] == ["Warga mengungsi ke masjid"]
