"""One real crawl of the replica over HTTP, shared by the assertions that inspect it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from crawler.process.runner import CrawlResult, run_crawl
from replica.content import build_site
from replica.server import ReplicaServer
from replica.site_model import ReplicaSite
from tests.conftest import PolitenessOff


@dataclass
class Crawled:
    site: ReplicaSite
    base_url: str
    result: CrawlResult

    @property
    def records(self) -> list[dict[str, Any]]:
        lines = self.result.articles_file.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines]


@pytest.fixture(scope="session")
def niaga_crawl(
    tmp_path_factory: pytest.TempPathFactory, politeness_off: PolitenessOff
) -> Iterator[Crawled]:
    site = build_site(40)
    seed = site.seed_article
    extra = f"/?p={seed.post_id},{seed.path.rstrip('/')},/__fault__/500,/__fault__/malformed-html"
    out = tmp_path_factory.mktemp("niaga-crawl")
    # A state of its own: a port reused from an earlier crawl must not look "already archived".
    state = tmp_path_factory.mktemp("state") / "niaga.sqlite"
    with ReplicaServer(site, faults=True) as server:
        result = run_crawl(
            "niaga",
            out,
            "20230303T000000Z",
            base_url=server.base_url,
            settings=politeness_off(WARTA_STATE_PATH=str(state)),
            spider_args={"urls": extra},
            timeout=300,
        )
        yield Crawled(site, server.base_url, result)
