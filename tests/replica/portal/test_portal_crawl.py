"""``scrapy crawl kabarbenua`` against the portal replica: discovery and records, end to end,
including articles split over several pages, which must come out as one record each."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from crawler.process.runner import CrawlResult, run_crawl
from replica.portal.content import PortalSite, build_portal
from replica.portal.server import PortalServer
from tests.conftest import PolitenessOff

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def crawl(
    tmp_path_factory: pytest.TempPathFactory, politeness_off: PolitenessOff
) -> Iterator[tuple[PortalSite, str, CrawlResult]]:
    site = build_portal(24)
    out = tmp_path_factory.mktemp("portal-crawl")
    with PortalServer(site) as server:
        result = run_crawl(
            "kabarbenua", out, "20230303T000000Z", base_url=server.base_url,
            settings=politeness_off(), timeout=300,
        )  # fmt: skip
        yield site, server.base_url, result


def records(result: CrawlResult) -> list[dict[str, Any]]:
    lines = result.articles_file.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_every_article_is_discovered_once(crawl) -> None:
    site, base, result = crawl
    urls = Counter(r["url"] for r in records(result))
    assert set(urls) == {base + a.path for a in site}
    assert all(count == 1 for count in urls.values()), urls.most_common(3)


def test_first_pages_are_read_with_the_site_rules(crawl) -> None:
    site, base, result = crawl
    by_url = {r["url"]: r for r in records(result)}
    for article in site:
        record = by_url[base + article.path]
        truth = article.ground_truth()
        assert record["site"] == "kabarbenua"
        assert record["title"] == truth["title"]
        assert record["published"] == truth["published"]
        assert record["editor"] == truth["editor"] and record["authors"] == [truth["author"]]
        assert record["dateline"] == truth["dateline"]
        assert record["tags"] == truth["tags"]
        first = article.pages[0]
        assert record["text"].startswith(truth["paragraphs"][0])
        for para in truth["paragraphs"][: first[1]]:
            assert para in record["text"]
        assert "Foto:" not in record["text"] and "Halaman" not in record["text"]


def test_multipage_articles_are_joined_into_one_record(crawl) -> None:
    site, base, result = crawl
    by_url = {r["url"]: r for r in records(result)}
    for article in site:
        record = by_url[base + article.path]
        truth = article.ground_truth()
        assert record["text"] == "\n\n".join(truth["paragraphs"])
        assert [(c["text"], c["credit"]) for c in record["captions"]] == [
            (c["text"], c["credit"]) for c in truth["captions"]
        ]
        assert record["source"] == truth["source"]
