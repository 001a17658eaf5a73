"""``extract_article`` with a site file: each selector and text rule decides its field, the
site's zone reads naive dates, and captions and credits come from the site's article, not
from a teaser beside it. Also the page-wide readings the record is built from without one."""

from __future__ import annotations

import json

from crawler.config.sites import Selectors, SiteConfig, TextRules
from crawler.extraction.article import extract_article

URL = "https://kabar.example/daerah/banjir-rendam-samarinda"
PARA = (
    "Hujan deras sejak Senin pagi membuat sungai meluap dan merendam ratusan rumah warga "
    "di kawasan utara kota, kata petugas yang berjaga di lokasi."
)
SITE = SiteConfig(
    name="kabar",
    title="Kabar Harian",
    base_url="https://kabar.example",
    language="jv",
    timezone="Asia/Makassar",  # UTC+8
    selectors=Selectors(
        title=".judul",
        body=".isi",
        byline=".penulis",
        editor=".penyunting",
        source=".sumber",
        tags=".label a",
        section=".rubrik",
        published=".tgl",
    ),
    text=TextRules(drop_lines=["^Iklan khusus"]),
)
# A teaser card in the sidebar comes first: its <article> and its photo are not the story's.
TEASER = (
    "<aside><article class='teaser'><figure><img src='/t.jpg'>"
    "<figcaption>Teaser foto lain di samping</figcaption></figure>"
    "<p>Baca berita lain yang menarik hari ini di sini ya</p></article></aside>"
)
PAGE = f"""<html><head><title>Beranda berita</title>
<meta property="article:published_time" content="2023-12-04T10:00:00+07:00">
<meta property="article:modified_time" content="2023-12-05T09:00:00">
</head><body>{TEASER}
<article>
<div class="kepala"><span class="judul">Banjir rendam Samarinda utara - Kabar Harian</span></div>
<span class="penulis">Rina Wati</span> <span class="tgl">Senin, 4 Desember 2023 14:05</span>
<span class="rubrik">Daerah</span> <span class="penyunting">Budi Santoso</span>
<span class="sumber">Antara</span>
<figure><img src="/a.jpg"><figcaption>Warga mengungsi ke masjid</figcaption></figure>
<div class="isi"><p>{PARA}</p><p>{PARA}</p><p>Iklan khusus pembaca setia kami.</p></div>
<div class="label"><a href="/x">Banjir</a><a href="/y">Cuaca</a></div>
</article></body></html>"""


def test_each_site_selector_and_rule_decides_its_field() -> None:
    article = extract_article(PAGE, URL, SITE)
    assert article is not None
    assert article.title == "Banjir rendam Samarinda utara"  # the site's name cut off
    assert article.authors == ["Rina Wati"]
    assert (article.editor, article.source) == ("Budi Santoso", "Antara")
    assert (article.section, article.tags) == ("Daerah", ["Banjir", "Cuaca"])
    assert article.language == "jv"
    assert article.text == f"{PARA}\n\n{PARA}"  # the drop_lines rule took the ad line


def test_the_sites_date_element_and_zone_beat_the_pages_metadata() -> None:
    article = extract_article(PAGE, URL, SITE)
    assert article is not None
    # Its date element wins over the metadata's 10:00, read in the site's zone (WITA).
    assert article.published == "2023-12-04T14:05:00+08:00"
    # A naive meta is read in the site's zone, not the offset the page's other date shows.
    assert article.modified == "2023-12-05T09:00:00+08:00"


def test_captions_come_from_the_sites_article_not_a_teaser_beside_it() -> None:
    article = extract_article(PAGE, URL, SITE)
    assert article is not None
    assert [c.text for c in article.captions] == ["Warga mengungsi ke masjid"]


def test_without_a_site_file_a_naive_date_takes_the_offset_the_page_shows() -> None:
    article = extract_article(PAGE, URL)
    assert article is not None
    assert article.published == "2023-12-04T10:00:00+07:00"
    assert article.modified == "2023-12-05T09:00:00+07:00"


def test_a_title_ending_in_the_address_folder_loses_it() -> None:
    page = PAGE.replace("Beranda berita", "Banjir rendam Samarinda utara | Daerah")
    article = extract_article(page, URL)
    assert article is not None and article.title == "Banjir rendam Samarinda utara"


def test_the_date_of_an_article_nested_in_another_json_ld_object_counts() -> None:
    ld = {
        "@context": "https://schema.org",
        "@type": "WebPage",
        "mainEntity": {"@type": "NewsArticle", "datePublished": "2023-11-30T08:00:00+08:00"},
    }
    page = PAGE.replace(
        '<meta property="article:published_time" content="2023-12-04T10:00:00+07:00">',
        f'<script type="application/ld+json">{json.dumps(ld)}</script>',
    ).replace("Senin, 4 Desember 2023 14:05", "")
    article = extract_article(page, URL)
    assert article is not None and article.published == "2023-11-30T08:00:00+08:00"


def test_the_articles_own_json_ld_date_comes_before_the_metas() -> None:
    ld = {"@type": "NewsArticle", "datePublished": "2023-11-30T08:00:00+08:00"}
    script = f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    page = PAGE.replace("</head>", script + "</head>")
    article = extract_article(page, URL)
    assert article is not None and article.published == "2023-11-30T08:00:00+08:00"


def test_without_a_site_file_the_storys_photo_is_among_the_captions() -> None:
    article = extract_article(PAGE, URL)
    assert article is not None
    assert "Warga mengungsi ke masjid" in [c.text for c in article.captions]
