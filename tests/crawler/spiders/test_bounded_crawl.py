"""The date window and ``max_articles`` limit what is *fetched*, not only what is kept.

Real crawls of the replica over HTTP. What was fetched is read from the WARC (response
records of article pages) and the replica's own ground truth dates them; warta's own
opinion (its article records) is only checked against that.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler.process.runner import run_crawl
from crawler.settings import POLITENESS_OFF
from crawler.warc.reader import read_records
from replica.content import build_site
from replica.server import ReplicaServer
from replica.site_model import ReplicaSite

FAST = {**POLITENESS_OFF, "WARTA_PROGRESS_INTERVAL": 0}

pytestmark = pytest.mark.slow
ARTICLES = 120
SINCE = "2023-03-16T00:00:00+08:00"  # about the newest 25 of the 120


@dataclass
class Fetched:
    pages: int  # the crawl's own count (crawl-summary.json)
    responses: int  # response and revisit records in the WARC
    article_paths: list[str]  # article pages fetched, from the WARC
    kept: list[str]  # article records written


@pytest.fixture(scope="module")
def replica() -> Iterator[tuple[ReplicaSite, str]]:
    site = build_site(ARTICLES)
    with ReplicaServer(site) as server:
        yield site, server.base_url


def crawl(replica: tuple[ReplicaSite, str], out: Path, **args: str) -> Fetched:
    site, base_url = replica
    result = run_crawl(
        "niaga", out / "crawl", "20230303T000000Z", base_url=base_url,
        settings={**FAST, "WARTA_STATE_PATH": str(out / "state.sqlite")},
        spider_args=args, timeout=300,
    )  # fmt: skip
    articles = {a.path for a in site.articles}
    paths, responses = [], 0
    for warc in result.warc_files:
        for record in read_records(warc):
            if record.rec_type in ("response", "revisit"):
                responses += 1
                path = urlsplit(record.header("WARC-Target-URI") or "").path
                if record.rec_type == "response" and path in articles:
                    paths.append(path)
    kept = [
        urlsplit(json.loads(line)["url"]).path
        for line in result.articles_file.read_text().splitlines()
    ]
    return Fetched(int(result.summary["pages"]), responses, paths, kept)


def test_since_fetches_only_articles_in_the_window(
    replica: tuple[ReplicaSite, str], tmp_path: Path
) -> None:
    site, _ = replica
    since = datetime.fromisoformat(SINCE)
    inside = {a.path for a in site.articles if a.published >= since}
    # A sitemap dates an entry by its last change: one changed after `since` is fetched to
    # learn its published date, and then not kept.
    changed = {a.path for a in site.articles if a.modified >= since}
    got = crawl(replica, tmp_path, since=SINCE)
    everything = crawl(replica, tmp_path / "all")
    print(
        f"since={SINCE}: {got.pages} pages ({got.responses} in the WARC), "
        f"{len(got.article_paths)} article pages, {len(got.kept)} kept of {len(inside)} in "
        f"the window; without a window {everything.pages} pages, "
        f"{len(everything.article_paths)} article pages"
    )
    assert sorted(got.kept) == sorted(inside)
    assert len(got.article_paths) == len(set(got.article_paths))
    assert set(got.article_paths) <= changed, sorted(set(got.article_paths) - changed)
    assert len(everything.article_paths) == ARTICLES
    # Discovery: the sitemaps, the feed and the listing pages down to the window's edge.
    assert got.pages < everything.pages / 2


def test_lookback_from_now_fetches_no_old_article(
    replica: tuple[ReplicaSite, str], tmp_path: Path
) -> None:
    got = crawl(replica, tmp_path, lookback="2d")  # the replica's news is from 2023
    print(f"lookback=2d: {got.pages} pages, {len(got.article_paths)} article pages")
    assert got.article_paths == [] and got.kept == []
    assert got.pages <= 20


def test_max_articles_stops_fetching_articles(
    replica: tuple[ReplicaSite, str], tmp_path: Path
) -> None:
    got = crawl(replica, tmp_path, max_articles="10")
    print(
        f"max_articles=10: {got.pages} pages ({got.responses} in the WARC), "
        f"{len(got.article_paths)} article pages, {len(got.kept)} kept"
    )
    assert len(got.kept) == 10
    assert len(got.article_paths) <= 10
    # The rest: robots.txt, sitemaps, the feed, listing pages, and the images and page
    # requisites (stylesheets, scripts) of the 10 articles, archived for replay.
    assert got.pages <= 60, got.pages
