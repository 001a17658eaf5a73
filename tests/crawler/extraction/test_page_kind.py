"""The body of a photo, gallery or video page: its own prose, else its captions."""

from __future__ import annotations

import pytest

from crawler.extraction.article_record import Caption
from crawler.extraction.metadata import PageMeta
from crawler.extraction.page_kind import (
    ARTICLE,
    GALLERY,
    PHOTO,
    VIDEO,
    media_paragraphs,
    page_kind,
)

CAPTIONS = [Caption(text="Banjir di Samarinda."), Caption(text="Warga mengungsi.")]


def test_a_sentence_long_line_is_the_pages_own_text() -> None:
    eight = "Warga Samarinda mengungsi ke masjid saat banjir datang."
    assert len(eight.split()) == 8
    assert media_paragraphs(["Foto: Humas", eight], CAPTIONS) == ([eight], False)


def test_without_prose_the_captions_are_the_body_once_each() -> None:
    lines = ["Foto: Humas", "Senin, 3 Maret 2023"]
    got = media_paragraphs(lines, [*CAPTIONS, CAPTIONS[0]])
    assert got == (["Banjir di Samarinda.", "Warga mengungsi."], True)


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://video.portal.example/berita/banjir-di-samarinda", VIDEO),
        ("https://foto.portal.example/berita/banjir-di-samarinda", PHOTO),
        # the site's own name is no medium: only a subdomain or a folder names one
        ("https://www.videonews.example/berita/banjir-di-samarinda", ARTICLE),
        ("https://fotokita.example/berita/banjir-di-samarinda", ARTICLE),
    ],
)
def test_the_host_names_the_medium_by_a_subdomain_only(url: str, kind: str) -> None:
    assert page_kind(PageMeta(), url, 20, []) == kind


PLAIN = "https://portal.example/berita/banjir-di-samarinda"


def _captions(count: int, words: int) -> list[Caption]:
    """``count`` captions of ``words`` words in all (spread evenly)."""
    each, extra = divmod(words, count)
    return [Caption(text=" ".join(["kata"] * (each + (i < extra)))) for i in range(count)]


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://portal.example/berita/galeri/banjir-di-samarinda", PHOTO),
        ("https://portal.example/berita/daerah/video/banjir-di-samarinda", VIDEO),
        # the slug counts by its first word only
        ("https://portal.example/foto-banjir-di-samarinda", PHOTO),
        ("https://portal.example/berita/video-banjir-di-samarinda", VIDEO),
        ("https://portal.example/berita/warga-lewat-foto", ARTICLE),
        ("https://portal.example/", ARTICLE),
    ],
)
def test_a_folder_or_the_slugs_first_word_names_the_medium(url: str, kind: str) -> None:
    assert page_kind(PageMeta(), url, 20, []) == kind


@pytest.mark.parametrize("og_type", ["video.other", "VIDEO.movie"])
def test_an_og_type_of_video_makes_a_video_page(og_type: str) -> None:
    assert page_kind(PageMeta(metas={"og:type": [og_type]}), PLAIN, 20, []) == VIDEO


def test_a_json_ld_video_counts_only_on_a_page_without_an_article_node() -> None:
    video = {"@type": "VideoObject", "name": "Banjir"}
    assert page_kind(PageMeta(nodes=[video]), PLAIN, 20, []) == VIDEO
    news = {"@type": "NewsArticle", "headline": "Banjir"}
    with_article = PageMeta(nodes=[news, video], article=news)
    assert page_kind(with_article, PLAIN, 20, []) == ARTICLE


def test_a_hinted_page_is_a_gallery_from_two_captions_and_media_up_to_150_words() -> None:
    photo = "https://portal.example/foto/banjir-di-samarinda"
    assert page_kind(PageMeta(), photo, 20, _captions(1, 5)) == PHOTO
    assert page_kind(PageMeta(), photo, 20, _captions(2, 5)) == GALLERY
    assert page_kind(PageMeta(), photo, 150, []) == PHOTO
    assert page_kind(PageMeta(), photo, 151, []) == ARTICLE


def test_three_captions_with_more_words_than_the_text_and_than_50_make_a_gallery() -> None:
    assert page_kind(PageMeta(), PLAIN, 10, _captions(3, 51)) == GALLERY
    assert page_kind(PageMeta(), PLAIN, 10, _captions(3, 50)) == ARTICLE  # 50 is not more
    assert page_kind(PageMeta(), PLAIN, 10, _captions(3, 40)) == ARTICLE
    assert page_kind(PageMeta(), PLAIN, 10, _captions(2, 80)) == ARTICLE  # too few photos
    assert page_kind(PageMeta(), PLAIN, 80, _captions(3, 80)) == ARTICLE  # text as long
    assert page_kind(PageMeta(), PLAIN, 80, _captions(3, 81)) == GALLERY
