"""``warta reextract`` rebuilds, from the archive alone, the records the crawl wrote."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from warcio.statusandheaders import StatusAndHeaders

from crawler.config.patterns import site_pattern
from crawler.config.sites import load_site
from crawler.extraction.reextract import (
    ArchivedPage,
    ReextractStats,
    _decode,
    _fits,
    _site_from_warcinfo,
    pages,
    scan,
)
from crawler.process.runner import CrawlResult, run_crawl
from crawler.warc import records
from crawler.warc.writer import RecordLocation, RotatingWarcWriter
from flows.cli import main
from replica.content import build_site
from replica.server import ReplicaServer
from tests.conftest import PolitenessOff
from tests.crawler.warc.conftest import make_id_factory, plain_exchange


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _as_set(records: list[dict[str, Any]]) -> set[str]:
    return {json.dumps(r, sort_keys=True, ensure_ascii=False) for r in records}


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory, politeness_off: PolitenessOff) -> CrawlResult:
    out = tmp_path_factory.mktemp("reextract-crawl")
    with ReplicaServer(build_site(25)) as server:
        return run_crawl(
            "niaga",
            out,
            "20230303T000000Z",
            base_url=server.base_url,
            settings=politeness_off(WARTA_STATE_PATH=str(out / "state.sqlite")),
            timeout=300,
        )


@pytest.mark.slow  # a real crawl of the replica
def test_reextract_gives_the_crawls_records(crawl: CrawlResult, tmp_path: Path) -> None:
    crawled = _lines(crawl.articles_file)
    assert len(crawled) >= 25
    out = tmp_path / "again.jsonl"
    argv = ["reextract", *map(str, crawl.warc_files), "--out", str(out), "--workers", "2"]
    assert main(argv) == 0
    again = _lines(out)
    assert len(again) == len(crawled)
    assert _as_set(again) == _as_set(crawled)


@pytest.mark.slow  # a real crawl of the replica
def test_reextract_inline_and_site_from_warcinfo(
    crawl: CrawlResult, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["reextract", *map(str, crawl.warc_files), "--workers", "0"]) == 0
    printed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert _as_set(printed) == _as_set(_lines(crawl.articles_file))
    assert printed and all(r["site"] == "niaga" and r["warc"]["record_id"] for r in printed)


@pytest.mark.slow  # a real crawl of the replica
def test_reextract_without_article_records_uses_the_marker(
    tmp_path: Path, politeness_off: PolitenessOff
) -> None:
    """A WARC with no metadata records (extraction off): pages found by pattern + marker."""
    out = tmp_path / "crawl"
    with ReplicaServer(build_site(8)) as server:
        result = run_crawl(
            "niaga",
            out,
            "20230303T000000Z",
            base_url=server.base_url,
            settings={
                **politeness_off(),
                "WARTA_EXTRACT_ENABLED": False,
                "WARTA_STATE_PATH": str(out / "state.sqlite"),
            },
            timeout=300,
        )
    target = tmp_path / "rebuilt.jsonl"
    warcs = [str(p) for p in result.warc_files]
    assert main(["reextract", *warcs, "--site", "niaga", "--out", str(target)]) == 0
    records = _lines(target)
    assert len({r["url"] for r in records}) == len(records) >= 8
    assert all(r["text"] and r["warc"]["file"].endswith(".warc.gz") for r in records)


def test_bad_input_is_a_clear_error_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junk = tmp_path / "junk.warc.gz"
    junk.write_bytes(b"this is not a WARC file\n" * 10)
    target = tmp_path / "out.jsonl"
    assert main(["reextract", str(junk), "--site", "niaga", "--out", str(target)]) == 2
    assert "not a readable WARC" in capsys.readouterr().err
    assert not target.exists() and not list(tmp_path.glob("*.partial"))
    assert main(["reextract", str(tmp_path / "missing.warc.gz")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_site_patterns_run_on_re2_in_reextract(tmp_path: Path) -> None:
    """Issue 27: reextract compiled site patterns with Python's re. ``^/(a+)+$`` passes the
    site-file check (RE2 compiles it) and backtracks exponentially in re: ~20 s on a
    27-character path, where RE2 takes microseconds."""
    site = load_site("niaga")
    hostile = site.model_copy(
        update={"articles": site.articles.model_copy(update={"url_patterns": [r"^/(a+)+$"]})}
    )
    writer = RotatingWarcWriter(tmp_path, "warta", "test", id_factory=make_id_factory())
    writer.write_exchange(*plain_exchange("/" + "a" * 26 + "b"))
    writer.close()
    started = time.monotonic()
    found = list(pages(sorted(tmp_path.glob("*.warc.gz")), None, hostile, ReextractStats()))
    assert time.monotonic() - started < 2.0
    assert found == []  # the pattern does not fit: the page is not an article


# Which archived responses are read again: a small WARC written here holds articles, a
# listing, a query view, a 404 and the crawl's own records.
PATHS = (
    "/berita-satu",
    "/berita-dua?utm_source=wa",
    "/tag/banjir",
    "/berita-tiga",
    "/berita-empat",
)


def _archive(directory: Path) -> tuple[list[Path], dict[str, RecordLocation]]:
    """Five responses (the third one a listing, /berita-tiga a 404), requests between them,
    and the crawl's article record for /berita-satu only."""
    writer = RotatingWarcWriter(
        directory, "warta", "test", warcinfo={"isPartOf": "niaga-20230303T000000Z"},
        id_factory=make_id_factory(),
    )  # fmt: skip
    written = {}
    for path in PATHS:
        request, response = plain_exchange(path)
        if path == "/berita-tiga":
            response = replace(response, status=404, reason="Not Found")
        written[path] = writer.write_exchange(request, response)
        if path == "/berita-satu":
            url = request.url
            article = records.metadata(
                records.derived_uri("article", url), b"{}", "application/json", writer.spec(),
                refers_to=written[path].record_id,
            )  # fmt: skip
            text = records.conversion(
                records.derived_uri("text", url), b"Samarinda", "text/plain", writer.spec(),
                refers_to=written[path].record_id,
            )  # fmt: skip
            writer.write_records([article, text])
    writer.close()
    return sorted(directory.glob("*.warc.gz")), written


def test_scan_finds_the_crawls_article_records_and_its_site(tmp_path: Path) -> None:
    warcs, written = _archive(tmp_path)
    assert scan(warcs) == ({written["/berita-satu"].record_id}, "niaga")


def test_without_article_records_pages_are_the_200_responses_fitting_the_patterns(
    tmp_path: Path,
) -> None:
    warcs, written = _archive(tmp_path)
    stats = ReextractStats()
    found = list(pages(warcs, None, load_site("niaga"), stats))
    assert [p.url for p in found] == [
        "http://example.com/berita-satu",
        "http://example.com/berita-empat",
    ]
    assert found[0].location == written["/berita-satu"].as_meta()
    assert "Samarinda" in found[0].html
    assert (stats.responses, stats.candidates) == (len(PATHS), 2)


def test_recorded_pages_are_read_whatever_their_status_or_path(tmp_path: Path) -> None:
    """The crawl recorded them as articles: neither the patterns nor the status are asked."""
    warcs, written = _archive(tmp_path)
    wanted = {written["/berita-tiga"].record_id, written["/tag/banjir"].record_id}
    stats = ReextractStats()
    found = list(pages(warcs, wanted, load_site("niaga"), stats))
    assert found == [
        ArchivedPage(
            f"http://example.com{path}",
            found[i].html,
            written[path].as_meta(),
        )
        for i, path in enumerate(("/tag/banjir", "/berita-tiga"))
    ]
    assert stats.responses == len(PATHS)


def test_fits_reads_an_empty_path_as_the_root_and_exclusions_win() -> None:
    root, anything = [site_pattern("^/$")], [site_pattern("^/")]
    assert _fits("https://h.example", root, [])
    assert not _fits("https://h.example/", anything, root)
    assert not _fits("https://h.example/?p=1", anything, [])


def test_scan_counts_only_article_records_and_reads_the_site_from_warcinfo_only(
    tmp_path: Path,
) -> None:
    """Other metadata records refer to the response too; a page may say "isPartOf:"."""
    writer = RotatingWarcWriter(tmp_path, "warta", "test", id_factory=make_id_factory())
    request, response = plain_exchange("/berita-satu")
    response = replace(response, body=b"isPartOf: bogus-20230303\n<p>Samarinda</p>")
    written = writer.write_exchange(request, response)
    links = records.metadata(
        records.derived_uri("links", request.url), b"{}", "application/json", writer.spec(),
        refers_to=written.record_id,
    )  # fmt: skip
    writer.write_records([links])
    writer.close()
    assert scan(sorted(tmp_path.glob("*.warc.gz"))) == (set(), None)


@pytest.mark.parametrize(
    ("body", "site"),
    [
        (b"software: warta\r\nisPartOf: niaga-20230303T000000Z\r\n", "niaga"),
        (b"isPartOf: niaga-2023-03-03\r\n", "niaga"),  # a crawl id with dashes
        (b"isPartOf: niaga-crawl:2023\r\n", "niaga"),  # a colon in the value
        (b"operator: caf\xe9\r\nisPartOf: niaga-1\r\n", "niaga"),  # not UTF-8 elsewhere
        (b"isPartOf: Another Tool\r\n", None),  # not a site name
        (b"software: warta\r\n", None),
    ],
)
def test_site_from_warcinfo(body: bytes, site: str | None) -> None:
    assert _site_from_warcinfo(body) == site


def _headers(*pairs: tuple[str, str]) -> StatusAndHeaders:
    return StatusAndHeaders("200 OK", list(pairs), protocol="HTTP/1.1")


def test_decode_uses_the_charset_the_server_declared() -> None:
    page = "<p>Harga tiket 5 € per orang</p>"  # the euro sign is 0xA4 in ISO-8859-15
    headers = _headers(("Content-Type", "text/html; charset=iso-8859-15"))
    assert _decode("http://example.com/berita", headers, page.encode("iso-8859-15")) == page


def test_decode_reads_a_compressed_response_as_the_text_warcio_decoded() -> None:
    """Scrapy takes a body still marked Content-Encoding for binary; warcio decoded it."""
    headers = _headers(("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip"))
    body = b"<p>Samarinda\x01</p>"  # a control byte: only the headers call it text
    assert _decode("http://example.com/berita", headers, body) == body.decode()


def test_decode_picks_the_response_class_as_scrapy_does() -> None:
    """By the headers, then the URL's extension, then the body; a control byte makes a body
    binary to Scrapy, so only the headers or the URL can still call it text."""
    odd = b"<p>Samarinda\x01</p>"
    html_type = _headers(("Content-Type", "text/html"))
    assert _decode("http://example.com/berita", html_type, odd) == odd.decode()
    assert _decode("http://example.com/berita.html", _headers(), odd) == odd.decode()
    assert _decode("http://example.com/berita", _headers(), odd) is None
    html = b"<html><body><p>Samarinda</p></body></html>"
    assert _decode("http://example.com/berita", _headers(), html) == html.decode()
