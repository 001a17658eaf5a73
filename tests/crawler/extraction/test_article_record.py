"""The record a crawl writes: the crawler's optional fields appear only when they say something."""

from __future__ import annotations

from crawler.extraction.article_record import Article, crawl_record

URL = "https://www.niaga.asia/jalan-rusak-diperbaiki/"
WARC = {"file": "a.warc.gz", "offset": 0, "length": 10, "record_id": "<urn:uuid:1>"}


def test_crawl_record_leaves_out_empty_fetched_url_and_claimed_canonical() -> None:
    article = Article(url=URL, title="Jalan rusak diperbaiki", text="Isi.")
    same = crawl_record(article, URL, URL, WARC)
    assert "fetched_url" not in same and "canonical_claimed" not in same
    assert same["warc"] == WARC and same["title"] == "Jalan rusak diperbaiki"
    moved = crawl_record(article, URL, f"{URL}?amp=1", None, claimed="https://other.example/x")
    assert moved["fetched_url"] == f"{URL}?amp=1"
    assert moved["canonical_claimed"] == "https://other.example/x"
    assert moved["warc"] is None  # always present: a record without its response says so
