"""A caption's credit split off its text: a site's own pattern first, the built-in forms after."""

from __future__ import annotations

import pytest

from crawler.extraction.caption_credit import MAX_CAPTION_CHARS, split_credit

CREDIT_FIRST = r"^(?P<credit>[A-Z]+):\s*(?P<text>.+)$"


def test_a_sites_pattern_splits_what_the_built_in_forms_do_not() -> None:
    caption = "HUMAS: Wali kota meninjau banjir."
    assert split_credit(caption) == (caption, None)
    assert split_credit(caption, CREDIT_FIRST) == ("Wali kota meninjau banjir.", "HUMAS")


@pytest.mark.parametrize(
    "site_regex",
    [
        r"^(?P<caption>.+)$",  # no text and credit groups
        r"^(?P<text>.*?)\s*(?:\[(?P<credit>[^\]]*)\])?$",  # it matched, but found no credit
        r"^HUMAS: (?P<text>.+)(?P<credit>)$",  # not a site pattern's match: no credit
    ],
)
def test_a_site_pattern_without_a_credit_gives_way_to_the_built_in_forms(site_regex: str) -> None:
    caption = "Wali kota meninjau banjir (Foto: Humas)"
    assert split_credit(caption, site_regex) == ("Wali kota meninjau banjir", "Humas")


def test_a_caption_that_is_only_its_credit_keeps_its_text() -> None:
    site_regex = r"^(?:(?P<text>.+?)\s+)?\[(?P<credit>[^\]]+)\]$"
    assert split_credit("[HUMAS]", site_regex) == ("[HUMAS]", "HUMAS")


def test_a_caption_of_the_largest_size_is_still_split() -> None:
    tail = " (Foto: Humas)"
    caption = "Banjir" + "x" * (MAX_CAPTION_CHARS - len("Banjir") - len(tail)) + tail
    assert len(caption) == MAX_CAPTION_CHARS
    assert split_credit(caption)[1] == "Humas"
    assert split_credit("y" + caption) == ("y" + caption, None)  # past a caption's size


@pytest.mark.parametrize(
    ("caption", "text", "credit"),
    [
        ("Penyanyi tampil di panggung X (Foto: Humas)", "Penyanyi tampil di panggung X", "Humas"),
        ("Penyanyi tampil di panggung X. Foto: Humas", "Penyanyi tampil di panggung X", "Humas"),
        ("X tampil di panggung (Foto: Humas.)", "X tampil di panggung", "Humas"),
        ("Wali kota meninjau banjir, (Foto: Humas)", "Wali kota meninjau banjir", "Humas"),
    ],
)
def test_punctuation_between_text_and_credit_is_dropped_and_nothing_more(
    caption: str, text: str, credit: str
) -> None:
    assert split_credit(caption) == (text, credit)
