"""How much one page may add to a crawl (crawler.spiders.link_budget), limit by limit: the
links per page, the requests waiting, the seconds on one page and a closing crawl, each
hit listed once with the page it stopped; a URL Scrapy refuses, listed with Scrapy's reason;
and the spider's own discovery requests, counted as asked and as answered."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler import keys
from crawler.spiders import link_budget
from crawler.spiders.link_budget import LinkBudget, request_or_failure
from tests.crawler.spiders.conftest import BASE, Engine, Listed

PAGE = f"{BASE}/"
LINKS = [f"{BASE}/berita-{n}/" for n in range(500)]
BAD = "http://127.0.0.1:99999/banjir/"  # Scrapy refuses the port


def _budget(listed: Listed, **settings: Any) -> tuple[LinkBudget, Engine]:
    crawler = get_crawler(settings_dict=settings)
    crawler.engine = engine = Engine()  # type: ignore[assignment]
    listed.crawler = crawler
    return LinkBudget(crawler), engine


def test_a_page_gives_at_most_its_cap_of_links_and_is_listed_once(listed: Listed) -> None:
    budget, _ = _budget(listed, WARTA_MAX_LINKS_PER_PAGE=3)
    assert list(budget.take(LINKS, PAGE, "parse_listing")) == LINKS[:3]
    assert listed.urls == [(PAGE, "parse_listing", "too-many-links")]
    assert listed.entries[0]["detail"].startswith("took the first 3 links")
    listed.urls.clear()
    assert list(budget.take(LINKS[:3], PAGE, "parse_listing")) == LINKS[:3]  # just the cap
    assert list(budget.take(LINKS, PAGE, "parse_sitemap", 5)) == LINKS[:5]  # a cap of its own
    assert listed.urls == [(PAGE, "parse_sitemap", "too-many-links")]
    unlimited, _ = _budget(listed, WARTA_MAX_LINKS_PER_PAGE=0)
    assert list(unlimited.take(LINKS, PAGE, "parse_listing")) == LINKS


class Queue:
    """The scheduler: ``waiting`` requests."""

    def __init__(self, waiting: int = 0) -> None:
        self.waiting = waiting

    def __len__(self) -> int:
        return self.waiting


def test_a_full_queue_is_noticed_at_the_next_hundredth_link(listed: Listed) -> None:
    """The queue is asked every hundred links: it fills one request per link taken here."""
    budget, engine = _budget(listed, WARTA_MAX_PENDING_REQUESTS=150)
    engine.scheduler = queue = Queue()
    taken = 0
    for _link in budget.take(LINKS, PAGE, "parse_listing"):
        taken += 1
        queue.waiting += 1
    assert taken == 200  # full at the 150th, seen at the 200th
    assert listed.urls == [(PAGE, "parse_listing", "queue-full")]
    engine.scheduler = Queue(150)  # just full: not one more
    assert list(budget.take(LINKS, PAGE, "parse_feed")) == []
    assert listed.urls[-1] == (PAGE, "parse_feed", "queue-full")
    engine.scheduler = Queue(149)  # one short of full, and nothing taken here is queued
    assert list(budget.take(LINKS, PAGE, "parse_feed")) == LINKS


def test_a_page_read_past_its_deadline_stops_at_the_next_hundredth_link(
    listed: Listed, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = SimpleNamespace(now=1000.0)
    monkeypatch.setattr(link_budget, "time", SimpleNamespace(monotonic=lambda: clock.now))

    def slow(links: list[str]) -> Iterator[str]:  # a second to find each link
        for link in links:
            clock.now += 1
            yield link

    budget, _ = _budget(listed, WARTA_EXTRACT_TIMEOUT=101)
    # 101 s at the 100th link (exactly the deadline: it may go on), 201 s at the 200th
    assert len(list(budget.take(slow(LINKS), PAGE, "parse_listing"))) == 200
    assert listed.urls == [(PAGE, "parse_listing", "parse-deadline")]
    patient, _ = _budget(listed, WARTA_EXTRACT_TIMEOUT=0)  # no deadline
    assert len(list(patient.take(slow(LINKS), PAGE, "parse_listing"))) == len(LINKS)


def test_a_closing_crawl_takes_no_more_links_and_lists_nothing(listed: Listed) -> None:
    budget, engine = _budget(listed)
    engine._slot = SimpleNamespace(closing=None)  # running, not closing
    assert list(budget.take(LINKS, PAGE, "parse_listing")) == LINKS
    engine._slot.closing = object()  # the engine's close has begun (a time limit, Ctrl-C)
    assert list(budget.take(LINKS, PAGE, "parse_listing")) == []
    engine._slot, engine.running = None, False  # stopped (or not started)
    assert list(budget.take(LINKS, PAGE, "parse_listing")) == []
    assert listed.urls == []


def test_a_scheduler_that_cannot_tell_its_length_holds_nothing_back(listed: Listed) -> None:
    budget, engine = _budget(listed, WARTA_MAX_PENDING_REQUESTS=1)
    assert list(budget.take(LINKS, PAGE, "parse_listing")) == LINKS  # none yet
    engine.scheduler = object()  # a scheduler of its own, without __len__
    assert list(budget.take(LINKS, PAGE, "parse_listing")) == LINKS


def test_a_url_scrapy_refuses_is_listed_with_scrapy_s_reason(listed: Listed) -> None:
    crawler = listed.crawler = get_crawler()
    assert request_or_failure(crawler, BAD, "parse_feed") is None
    with pytest.raises(ValueError) as refused:
        Request(BAD)
    [entry] = listed.entries
    assert entry == {"url": BAD, "stage": "parse_feed", "reason": "bad-url", "status": None,
                     "bytes": None, "detail": str(refused.value)}  # fmt: skip


def test_discovery_requests_are_counted_as_asked_and_as_answered(spider: Any) -> None:
    requests = list(spider.first_requests())
    assert [(r.url, r.callback, r.priority, r.cb_kwargs) for r in requests] == [
        (f"{BASE}/sitemap_index.xml", spider.parse_sitemap, 30, {}),
        (f"{BASE}/news-sitemap.xml", spider.parse_sitemap, 30, {}),
        (f"{BASE}/feed/", spider.parse_feed, 20, {}),
        (f"{BASE}/", spider.parse_listing, 0, {"depth": 0}),
    ]
    stats = spider.crawler.stats
    assert stats.get_value(keys.DISCOVERY_REQUESTS) == 4
    for request in requests:  # the site answers: it is reachable
        spider._count_discovery_answer(HtmlResponse(request.url), request)
    article = spider._article_request(f"{BASE}/banjir-samarinda/", "listing")
    spider._count_discovery_answer(HtmlResponse(article.url), article)  # not discovery
    assert stats.get_value(keys.DISCOVERY_ANSWERS) == 4


def test_a_discovery_url_scrapy_refuses_is_listed_and_not_counted(
    spider: Any, listed: Listed
) -> None:
    assert spider._discovery(BAD, spider.parse_listing, depth=1) is None
    assert listed.urls == [(BAD, "parse_listing", "bad-url")]
    assert spider.crawler.stats.get_value(keys.DISCOVERY_REQUESTS) is None
