"""Spider arguments and settings that decide what is fetched: ``since``, ``until``,
``lookback``, ``recheck_hours``, robots.txt ``Disallow``, the contact in the User-Agent, and
whether the pending-request queue (JOBDIR) is kept in the crawl folder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from scrapy.settings import Settings

from crawler.config.operator import load_operator_settings
from crawler.config.sites import ConfigError
from crawler.incremental.known import recheck_due
from crawler.layout import JOB_DIR
from crawler.process.runner import run_crawl
from crawler.spiders import loader
from crawler.spiders.loader import SiteSpiderLoader
from crawler.spiders.news import NewsSpider
from tests.conftest import PolitenessOff
from tests.scripted_server import ScriptedServer

BASE = "http://127.0.0.1:8765"


def spider(**args: str) -> NewsSpider:
    cls = SiteSpiderLoader(Settings()).load("niaga")
    made = cls(base_url=BASE, **args)
    assert isinstance(made, NewsSpider)
    return made


def test_since_and_until_bound_the_window_inclusively() -> None:
    s = spider(since="2023-03-01", until="2023-03-31T23:59:59+08:00")
    assert s.window.since == datetime(2023, 3, 1, tzinfo=UTC)
    assert s.window.admits(datetime(2023, 3, 1, tzinfo=UTC))  # the first instant is in
    assert not s.window.admits(datetime(2023, 2, 28, 23, 59, 59, tzinfo=UTC))
    assert s.window.admits(datetime(2023, 3, 31, 15, 59, 59, tzinfo=UTC))  # = until, in +08
    assert not s.window.admits(datetime(2023, 3, 31, 16, 0, 0, tzinfo=UTC))
    assert s.window.admits(datetime(2023, 3, 15))  # naive dates are read as UTC
    assert s.window.admits(None)  # undated entries are not dropped
    with pytest.raises(ConfigError, match="since"):
        spider(since="last tuesday")


def test_lookback_is_the_later_of_since_and_now_minus_lookback() -> None:
    s = spider(lookback="2d")
    assert s.window.since == s.started - timedelta(days=2)
    assert not s.window.admits(s.started - timedelta(days=2, seconds=1))
    assert s.window.admits(s.started - timedelta(days=1, hours=23))
    old = spider(since="2000-01-01", lookback="1d12h")
    assert old.window.since == old.started - timedelta(hours=36)
    future = (datetime.now(UTC) + timedelta(days=5)).isoformat()
    assert spider(since=future, lookback="1w").window.since == datetime.fromisoformat(future)
    assert spider(lookback="").window.since is None
    with pytest.raises(ConfigError, match="lookback"):
        spider(lookback="two days")


def test_recheck_hours_window_for_archived_articles() -> None:
    s = spider(recheck_hours="6")
    assert s.recheck_hours == 6.0
    recent = (s.started - timedelta(hours=5, minutes=59)).isoformat()
    old = (s.started - timedelta(hours=6, minutes=1)).isoformat()

    def due(published: str | None) -> bool:
        return recheck_due(published, s.started, s.recheck_hours)

    assert due(recent) and not due(old)
    assert due((s.started - timedelta(hours=5)).replace(tzinfo=None).isoformat())
    assert not due(None) and not due("not a date")
    assert not recheck_due(recent, s.started, 0)
    site_default = spider()
    assert site_default.recheck_hours == site_default.site.recheck_hours


ROBOTS = b"User-agent: *\nDisallow: /rahasia/\n"
PAGE = b"<html><body><article><h1>Judul</h1><p>Isi berita.</p></article></body></html>"


def crawl(fast: PolitenessOff, server: ScriptedServer, out: Path, **settings: object) -> Any:
    return run_crawl(
        "niaga", out, "20260101T000000Z", base_url=server.base_url,
        settings=fast(WARTA_EXTRACT_WORKERS=0, WARTA_STATE_ENABLED=False, **settings),
        spider_args={"urls": "/rahasia/dokumen-1/,/berita/terbuka-1/"}, timeout=180,
    )  # fmt: skip


ROUTES = {
    "/robots.txt": (200, {"Content-Type": "text/plain"}, ROBOTS),
    "/rahasia/dokumen-1/": (200, {"Content-Type": "text/html"}, PAGE),
    "/berita/terbuka-1/": (200, {"Content-Type": "text/html"}, PAGE),
}


@pytest.mark.slow
def test_robots_disallow_contact_in_user_agent_and_finished_job_dropped(
    tmp_path: Path, politeness_off: PolitenessOff
) -> None:
    with ScriptedServer(ROUTES) as server:  # type: ignore[arg-type]
        result = crawl(politeness_off, server, tmp_path / "crawl")
    assert result.summary["finish_reason"] == "finished"
    assert "/berita/terbuka-1/" in server.paths
    assert "/rahasia/dokumen-1/" not in server.paths  # Disallow obeyed
    assert result.summary["robots_forbidden"] == 1
    contact = load_operator_settings().operator_contact
    agents = {h.get("User-Agent", "") for h in server.request_headers}
    assert len(agents) == 1 and contact in agents.pop()
    assert not (result.output_dir / JOB_DIR).exists()  # finished: nothing to resume


@pytest.mark.slow
@pytest.mark.parametrize("disk_queue", [True, False], ids=["disk-queue", "memory-queue"])
def test_a_crawl_stopped_early_keeps_its_job_queue(
    tmp_path: Path, disk_queue: bool, politeness_off: PolitenessOff
) -> None:
    with ScriptedServer(ROUTES) as server:  # type: ignore[arg-type]
        result = crawl(
            politeness_off,
            server,
            tmp_path / "crawl",
            WARTA_DISK_QUEUE=disk_queue,
            CLOSESPIDER_PAGECOUNT=1,
        )
    assert result.summary["finish_reason"] == "closespider_pagecount"
    assert (result.output_dir / JOB_DIR).is_dir() is disk_queue


def test_a_site_spider_is_named_after_its_site_and_fetches_only_its_hosts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cls = SiteSpiderLoader(Settings()).load("niaga")
    assert cls.name == "niaga" and cls.__name__ == "NiagaSpider"
    monkeypatch.setattr(loader, "load_site", lambda name: cls.site_config)  # a two-word site
    assert SiteSpiderLoader(Settings()).load("kabar_kota").__name__ == "KabarKotaSpider"
    s = spider(urls="/berita/satu/,https://niaga.asia/dua/", max_articles="3")
    assert s.extra_urls == [f"{BASE}/berita/satu/", "https://niaga.asia/dua/"]
    assert s.allowed_domains == s.site.fetch_hosts and "127.0.0.1" in s.allowed_domains
    assert s.budget.limit == 3 and s.articles_seen == 0
    assert s.requisites.enabled == s.site.page_requisites
    link = f"{BASE}/berita-satu/#komentar"  # one article, however it is spelled
    found = (f"{BASE}/berita-satu/", "127.0.0.1:8765/berita-satu")
    assert s.article_keys.request(link, s.rules.is_article_candidate) == found
    assert s.article_keys.of_page(found[0], f"{BASE}/berita-satu/amp/") == (*found, None)
    plain = cls()  # no base_url: the site's own address
    assert plain.site is cls.site_config and plain.extra_urls == []
    assert plain.budget.limit is None
