"""The body of a photo, gallery or video page: its own prose, else its captions."""

from __future__ import annotations

import pytest

from crawler.extraction.article_record import Caption
from crawler.extraction.metadata import PageMeta
from crawler.extraction.page_kind import ARTICLE, PHOTO, VIDEO, media_paragraphs, page_kind

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
