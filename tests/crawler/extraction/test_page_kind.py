"""The body of a photo, gallery or video page: its own prose, else its captions."""

from __future__ import annotations

from crawler.extraction.article_record import Caption
from crawler.extraction.page_kind import media_paragraphs

CAPTIONS = [Caption(text="Banjir di Samarinda."), Caption(text="Warga mengungsi.")]


def test_a_sentence_long_line_is_the_pages_own_text() -> None:
    eight = "Warga Samarinda mengungsi ke masjid saat banjir datang."
    assert len(eight.split()) == 8
    assert media_paragraphs(["Foto: Humas", eight], CAPTIONS) == ([eight], False)


def test_without_prose_the_captions_are_the_body_once_each() -> None:
    lines = ["Foto: Humas", "Senin, 3 Maret 2023"]
    got = media_paragraphs(lines, [*CAPTIONS, CAPTIONS[0]])
    assert got == (["Banjir di Samarinda.", "Warga mengungsi."], True)
