"""The seed article, end to end, with the niaga site config and with generic rules only."""

from __future__ import annotations

import json
import time

import pytest

from crawler.config.sites import SiteConfig
from crawler.extraction.article import extract_article
from crawler.extraction.article_record import Article

TITLE = "Pemilu 2024 Kian Dekat, Tiga Pilar di Kaltim Rapatkan Barisan Jaga Kondusifitas"
CAPTION_1 = (
    "Wakil Kepala Polda Kalimantan Timur Brigadir Jenderal Polisi Mujiyono saat memberikan "
    "paparan pembinaan teknis tiga pilar jelang Pemilu 2024 di GOR 27 September, Samarinda, "
    "Jumat 3 Maret 2023"
)
CAPTION_2 = (
    "Pembinaan teknis tiga pilar untuk menjaga kondusifitas Kalimantan Timur jelang Pemilu 2024"
)
FIELDS = [
    "url", "site", "title", "published", "modified", "authors", "editor", "source",
    "dateline", "section", "tags", "text", "captions", "language", "extractor", "page_kind",
    "confidence", "warc", "fetched_url", "canonical_claimed",
]  # fmt: skip


@pytest.fixture(params=["niaga", "generic"])
def record(request, seed_html: bytes, seed_url: str, niaga: SiteConfig) -> Article:
    site = niaga if request.param == "niaga" else None
    article = extract_article(seed_html, seed_url, site)
    assert article is not None
    return article


def test_title_dates_and_credits(record: Article) -> None:
    assert record.title == TITLE
    assert record.published == "2023-03-03T14:05:00+08:00"
    assert record.modified == "2023-03-03T15:20:00+08:00"
    assert record.dateline == "SAMARINDA"
    assert record.editor == "Saud Rosadi"
    assert record.source == "Polresta Samarinda"
    assert record.authors == ["Redaksi Niaga.Asia"]
    assert record.section == "Hukum & Kriminal"
    assert record.tags == ["Pemilu 2024", "Polda Kaltim", "Tiga Pilar"]
    assert record.language == "id"
    assert record.warc is None


def test_captions_split_from_credit_with_image(record: Article) -> None:
    assert [(c.text, c.credit) for c in record.captions] == [
        (CAPTION_1, "handout/Polresta Samarinda"),
        (CAPTION_2, "handout/Polresta Samarinda"),
    ]
    assert [c.image for c in record.captions] == [
        "https://www.niaga.asia/wp-content/uploads/2023/03/tiga-pilar-pemilu-1.jpg",
        "https://www.niaga.asia/wp-content/uploads/2023/03/tiga-pilar-pemilu-2.jpg",
    ]


def test_text_is_body_only(record: Article, seed_body: str) -> None:
    text = record.text
    assert text.startswith("Pemilihan Umum (Pemilu) digelar")
    assert text.endswith(
        "Brimob Polda Kalimantan Timur serta 1.000 personel gabungan Bhabinkamtibmas, "
        "Babinsa, serta Kades dan Lurah."
    )
    for unwanted in (
        CAPTION_1, CAPTION_2, "Wakil Kepala Polda Kalimantan Timur Brigadir", "handout",
        "Sumber", "Editor", "Baca Juga", "ADVERTISEMENT", "Bagikan", "Terkait", "SAMARINDA.NIAGA",
        "Tinggalkan Balasan", "Semoga Pemilu 2024 di Kaltim", "Terpopuler", "Tag:",
    ):  # fmt: skip
        assert unwanted not in text, unwanted
    assert text == seed_body
    assert len(text.split("\n\n")) == 7


def test_serialises_as_one_json_line_with_exact_fields(record: Article) -> None:
    line = record.to_json()
    assert "\n" not in line
    data = json.loads(line)
    assert list(data) == FIELDS
    assert data["captions"][0].keys() == {"text", "credit", "image"}
    assert Article.from_json(line) == record


def test_repeated_extraction_gives_the_same_article(
    seed_html: bytes, seed_url: str, niaga: SiteConfig
) -> None:
    """Re-extraction from WARCs must reproduce the record; the ms/page is printed for the
    report (speed bounds live in bench/, where the machine's load is known). Three runs
    each: every mutant of the extraction that the quicker tests let through runs this."""
    for site, label in ((niaga, "niaga"), (None, "generic")):
        first = extract_article(seed_html, seed_url, site)
        assert first is not None and first.text
        runs = 3
        start = time.perf_counter()
        again = [extract_article(seed_html, seed_url, site) for _ in range(runs)]
        per_page = (time.perf_counter() - start) / runs * 1000
        print(f"extract_article[{label}] {per_page:.1f} ms/page ({len(seed_html)} bytes)")
        assert all(a == first for a in again) and len(again) == runs
