"""One real crawl of the replica over HTTP, shared by the assertions that inspect it; and a
spider of the niaga site file built without a crawl, with what it lists as failures."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from crawler.extraction.workers import ExtractionPool
from crawler.fetch.failures import FailureLog
from crawler.incremental.store import CrawlState
from crawler.process.runner import CrawlResult, run_crawl
from crawler.spiders.crawl_setup import PageExtraction
from crawler.spiders.loader import SiteSpiderLoader
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


BASE = "http://127.0.0.1:8123"


class Listed(FailureLog):
    """The failure log of one crawler, kept in memory: ``urls`` holds (url, stage, reason)
    of each line, ``entries`` every field of it."""

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler, Path("failures.jsonl"))  # never written
        self.urls: list[tuple[str, str, str]] = []
        self.entries: list[dict[str, Any]] = []

    def record_url(
        self, url: str, stage: str, reason: str, status: int | None = None,
        size: int | None = None, detail: str = "", redirected_from: str | None = None,
    ) -> None:  # fmt: skip
        self.urls.append((url, stage, reason))
        self.entries.append({"url": url, "stage": stage, "reason": reason, "status": status,
                             "bytes": size, "detail": detail})  # fmt: skip


@pytest.fixture
def listed(monkeypatch: pytest.MonkeyPatch) -> Listed:
    """FailureLog.of gives a log only for the spider's own crawler (set on the fixture)."""
    log = Listed(None)
    monkeypatch.setattr(
        FailureLog, "of", classmethod(lambda cls, c: log if c is log.crawler else None)
    )
    return log


@dataclass
class Engine:
    """The part of Scrapy's engine the spider talks to: running, and what it was handed."""

    running: bool = True
    scheduler: Any = None
    crawled: list[Any] = field(default_factory=list)
    _slot: Any = None  # Scrapy's own: its ``closing`` is set once the engine closes

    def crawl(self, request: Any) -> None:
        self.crawled.append(request)


@pytest.fixture
def spider(tmp_path: Path, request: pytest.FixtureRequest, listed: Listed) -> Iterator[Any]:
    """A niaga spider on BASE with a running engine, a crawl state and in-process extraction.
    Parametrized indirectly with spider arguments, and ``settings`` for its crawler."""
    arguments = dict(getattr(request, "param", {}))
    settings = {"WARTA_OUTPUT_DIR": str(tmp_path), **arguments.pop("settings", {})}
    cls = SiteSpiderLoader(Settings()).load("niaga")
    crawler = get_crawler(cls, settings_dict=settings)
    crawler.stats.open_spider()  # type: ignore[union-attr]
    crawler.engine = Engine()  # type: ignore[assignment]
    spider = cls(base_url=BASE, **arguments)
    spider.crawler = listed.crawler = crawler
    spider.requisites.crawler = crawler  # as from_crawler sets it
    state = CrawlState(tmp_path / "state.sqlite")
    state.start_run("c1", tmp_path)
    spider.crawl_state = state
    spider.extraction = PageExtraction(crawler, ExtractionPool(spider.site, workers=0))
    yield spider
    state.close()


def collect(outputs: Any) -> list[Any]:
    """Everything an async callback yields."""

    async def drain() -> list[Any]:
        return [item async for item in outputs]

    return asyncio.run(drain())
