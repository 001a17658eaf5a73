"""Runs of the replica that share a crawl state: unchanged, then grown by K articles."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from crawler.process.runner import CrawlResult
from crawler.warc.records import PROFILE_NOT_MODIFIED
from replica.content import build_site
from replica.site_model import ReplicaSite

pytestmark = pytest.mark.slow
N, K = 20, 3


@dataclass
class Runs:
    base_url: str
    small: ReplicaSite
    grown: ReplicaSite
    first: CrawlResult
    unchanged: CrawlResult
    after_growth: CrawlResult
    asked_first: list[Any]  # what the replica saw during each run (conftest.Answer)
    asked_unchanged: list[Any]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, inc: SimpleNamespace) -> Runs:
    root = tmp_path_factory.mktemp("incremental")
    state = root / "state" / "niaga.sqlite"
    small, grown = build_site(N), build_site(N + K)
    with inc.replica(small) as served:
        first = inc.crawl(served.base_url, root / "run1", state, crawl_id="run1")
        asked_first = list(served.answers)
        unchanged = inc.crawl(served.base_url, root / "run2", state, crawl_id="run2")
        asked_unchanged = served.answers[len(asked_first) :]
        served.grow(grown)
        after = inc.crawl(served.base_url, root / "run3", state, crawl_id="run3")
        return Runs(
            served.base_url, small, grown, first, unchanged, after, asked_first, asked_unchanged
        )


def article_responses(records: list[dict[str, Any]], base: str, site: ReplicaSite) -> Counter[str]:
    paths = {base + article.path for article in site}
    return Counter(
        r["uri"]
        for r in records
        if r["type"] == "response" and r["status"] == "200" and r["uri"] in paths
    )


def test_first_run_archives_every_article(runs: Runs, inc: SimpleNamespace) -> None:
    counts = article_responses(inc.warc_records(runs.first.output_dir), runs.base_url, runs.small)
    assert len(counts) == N and set(counts.values()) == {1}
    assert len(inc.article_records(runs.first.output_dir)) == N


def test_unchanged_replica_archives_no_article_again(runs: Runs, inc: SimpleNamespace) -> None:
    out = runs.unchanged.output_dir
    assert not article_responses(inc.warc_records(out), runs.base_url, runs.grown)
    assert inc.article_records(out) == []
    assert runs.unchanged.summary["articles"] == 0


def test_unchanged_feeds_and_sitemaps_become_revisits(runs: Runs, inc: SimpleNamespace) -> None:
    records = inc.warc_records(runs.unchanged.output_dir)
    revisits = {r["uri"]: r["headers"] for r in records if r["type"] == "revisit"}
    base = runs.base_url
    for path in ("/feed/", "/sitemap_index.xml", "/news-sitemap.xml", "/post-sitemap.xml", "/"):
        assert base + path in revisits, path
    first = {
        r["uri"]: r["headers"]
        for r in inc.warc_records(runs.first.output_dir)
        if r["type"] == "response"
    }
    for uri, headers in revisits.items():
        original = first[uri]
        assert headers["WARC-Profile"].startswith("http://netpreserve.org/warc/1.1/revisit/")
        assert headers["WARC-Refers-To"] == original["WARC-Record-ID"]
        assert headers["WARC-Refers-To-Target-URI"] == uri
        assert headers["WARC-Refers-To-Date"] == original["WARC-Date"]
        assert headers["WARC-Payload-Digest"] == original["WARC-Payload-Digest"]
    # No full copy of anything that was archived before and did not change.
    full = [r["uri"] for r in records if r["type"] == "response" and r["status"] == "200"]
    assert not set(full) & set(first), set(full) & set(first)


def test_unchanged_pages_are_asked_conditionally_and_answered_not_modified(
    runs: Runs, inc: SimpleNamespace
) -> None:
    """The validators reach the server, it answers 304, and the revisits say so.

    Without them the replica sends every page in full and the revisits silently become
    identical-payload-digest ones: same records, but every byte fetched again.
    """
    assert not [a for a in runs.asked_first if a.if_none_match or a.if_modified_since]
    conditional = {
        a.path: a for a in runs.asked_unchanged if a.if_none_match or a.if_modified_since
    }
    for path in ("/feed/", "/sitemap_index.xml", "/news-sitemap.xml", "/post-sitemap.xml", "/"):
        assert path in conditional, path
        assert conditional[path].status == 304, conditional[path]
    records = inc.warc_records(runs.unchanged.output_dir)
    revisits = [r for r in records if r["type"] == "revisit"]
    assert revisits and len(revisits) >= len(conditional)
    not_modified = [r for r in revisits if r["headers"]["WARC-Profile"] == PROFILE_NOT_MODIFIED]
    assert len(not_modified) == sum(a.status == 304 for a in runs.asked_unchanged)
    assert {r["uri"] for r in not_modified} >= {runs.base_url + p for p in conditional}


def test_growth_archives_exactly_the_new_articles(runs: Runs, inc: SimpleNamespace) -> None:
    new_paths = {runs.base_url + a.path for a in runs.grown} - {
        runs.base_url + a.path for a in runs.small
    }
    assert len(new_paths) == K
    out = runs.after_growth.output_dir
    counts = article_responses(inc.warc_records(out), runs.base_url, runs.grown)
    assert set(counts) == new_paths and set(counts.values()) == {1}
    records = inc.article_records(out)
    assert sorted(r["url"] for r in records) == sorted(new_paths)


def test_every_output_passes_warcio_check(runs: Runs) -> None:
    warcio = str(Path(sys.executable).parent / "warcio")
    for result in (runs.first, runs.unchanged, runs.after_growth):
        assert result.warc_files
        for path in result.warc_files:
            subprocess.run([warcio, "check", str(path)], check=True, capture_output=True)
