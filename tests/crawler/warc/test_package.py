"""build_wacz: a WACZ that ``wacz validate`` accepts, listing the crawl's articles as pages."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest

from crawler.warc.package import PackageError, build_wacz, collect_pages
from crawler.warc.writer import RotatingWarcWriter

VENV_BIN = Path(sys.executable).parent


def write_crawl(directory: Path, kit: SimpleNamespace) -> SimpleNamespace:
    """Two article pages (one gzip), a non-article response, and articles.jsonl."""
    writer = RotatingWarcWriter(
        directory, "warta", "test", max_bytes=1500, id_factory=kit.make_id_factory()
    )
    first = writer.write_exchange(*kit.plain_exchange("/berita/1"))
    second = writer.write_exchange(*kit.gzip_chunked_exchange("/berita/2"))
    writer.write_exchange(*kit.plain_exchange("/tag/samarinda"))
    writer.close()
    first_url, second_url = "http://example.com/berita/1", "http://example.com/berita/2"
    articles = directory / "articles.jsonl"
    rows = [
        {"url": first_url, "title": "Banjir di Samarinda", "warc": first.as_meta()},
        {"url": second_url, "title": "Harga sembako naik", "warc": second.as_meta()},
    ]
    articles.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return SimpleNamespace(
        dir=directory, warcs=writer.files_written, articles=articles, first=first, second=second
    )


@pytest.fixture
def crawl(tmp_path: Path, kit: SimpleNamespace) -> SimpleNamespace:
    return write_crawl(tmp_path / "crawl", kit)


def test_wacz_validates_and_lists_the_articles(crawl: SimpleNamespace, tmp_path: Path) -> None:
    out = build_wacz(
        crawl.warcs,
        crawl.articles,
        tmp_path / "pkg" / "crawl.wacz",
        "niaga.asia 2026-11-27",
        description="test crawl",
    )
    assert out == tmp_path / "pkg" / "crawl.wacz"
    assert [p.name for p in out.parent.iterdir()] == ["crawl.wacz"]  # no temp files left
    check = subprocess.run(
        [str(VENV_BIN / "wacz"), "validate", "-f", str(out)], capture_output=True, text=True
    )
    assert check.returncode == 0 and "Validation succeeded" in check.stdout, check.stdout

    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
        for warc in crawl.warcs:
            assert zf.read(f"archive/{warc.name}") == warc.read_bytes()
        assert {"indexes/index.cdx.gz", "indexes/index.idx", "datapackage.json"} <= names
        header, *pages = [json.loads(x) for x in zf.read("pages/pages.jsonl").splitlines()]
        package = json.loads(zf.read("datapackage.json"))
    assert header == {"format": "json-pages-1.0", "id": "pages", "title": "niaga.asia 2026-11-27"}
    assert package["title"] == "niaga.asia 2026-11-27"
    assert package["description"] == "test crawl"
    assert sorted((p["url"], p["title"], p["ts"]) for p in pages) == [
        ("http://example.com/berita/1", "Banjir di Samarinda", "2026-11-27T01:02:03Z"),
        ("http://example.com/berita/2", "Harga sembako naik", "2026-11-27T01:02:03Z"),
    ]
    # Page ids are the response record ids, so a page leads back to its capture.
    ids = {p["id"] for p in pages}
    assert ids == {crawl.first.record_id[10:-1], crawl.second.record_id[10:-1]}


def test_collect_pages_uses_the_warc_location(crawl: SimpleNamespace) -> None:
    with crawl.articles.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps({"url": "http://example.com/tag/samarinda"}) + "\n")  # no warc
        handle.write('{"url": "http://example.com/cut sh')  # a line cut short by a crash
    pages, missing = collect_pages(crawl.warcs, crawl.articles)
    assert missing == []
    by_url = {p.url: p for p in pages}
    assert by_url["http://example.com/berita/1"].record_id == crawl.first.record_id
    assert by_url["http://example.com/berita/1"].ts == "2026-11-27T01:02:03.706789Z"
    # Without a location the last 2xx response for the URL is used, titled by its URL.
    assert by_url["http://example.com/tag/samarinda"].title == "http://example.com/tag/samarinda"


def test_articles_without_a_capture(crawl: SimpleNamespace, tmp_path: Path) -> None:
    wrong = dict(crawl.second.as_meta(), record_id="<urn:uuid:not-this-one>")
    with crawl.articles.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps({"url": "http://example.com/x", "warc": wrong}) + "\n")
        handle.write(json.dumps({"url": "http://example.com/never-fetched"}) + "\n")
    pages, missing = collect_pages(crawl.warcs, crawl.articles)
    assert len(pages) == 2
    assert [m.split(": ", 1)[1] for m in missing] == [
        "no response record for http://example.com/x",
        "no response record for http://example.com/never-fetched",
    ]
    out = tmp_path / "x.wacz"
    with pytest.raises(PackageError, match="never-fetched"):
        build_wacz(crawl.warcs, crawl.articles, out, "t")
    assert not out.exists()


def test_empty_article_list_still_validates(crawl: SimpleNamespace, tmp_path: Path) -> None:
    crawl.articles.write_text("")
    out = build_wacz(crawl.warcs, crawl.articles, tmp_path / "empty.wacz", "nothing yet")
    with zipfile.ZipFile(out) as zf:
        lines = zf.read("pages/pages.jsonl").decode().splitlines()
    assert [json.loads(x)["format"] for x in lines] == ["json-pages-1.0"]


def test_bad_input_is_refused_before_running_wacz(tmp_path: Path) -> None:
    with pytest.raises(PackageError, match="at least one WARC"):
        build_wacz([], tmp_path / "articles.jsonl", tmp_path / "x.wacz", "t")
    with pytest.raises(FileNotFoundError):
        build_wacz([tmp_path / "no.warc.gz"], tmp_path / "articles.jsonl", tmp_path / "x.wacz", "t")
