"""A hostile or broken server costs a crawl bounded time, bytes and requests.

Each case imitates a failure seen on the real web, served by a scripted server over HTTP:
``Retry-After: 86400`` on many URLs, a server that answers 500 to everything, a cookie
flood, and sitemap indexes nested without end.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from scrapy.exceptions import NotConfigured
from warcio.archiveiterator import ArchiveIterator

from crawler.fetch.limits import header_bytes
from crawler.process.runner import CrawlFailed, CrawlResult, run_crawl
from tests.conftest import PolitenessOff
from tests.scripted_server import Route, ScriptedServer

SCRIPTED = {"WARTA_EXTRACT_WORKERS": 0, "WARTA_STATE_ENABLED": False, "RETRY_TIMES": 2,
            "WARTA_BACKOFF_BASE": 0.05, "WARTA_BACKOFF_MAX": 0.2}  # fmt: skip
ROBOTS: Route = (200, {}, b"User-agent: *\nAllow: /\n")


def _failures(folder: Path) -> list[dict[str, Any]]:
    path = folder / "failures.jsonl"
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def _crawl(
    fast: PolitenessOff, tmp_path: Path, server: ScriptedServer, urls: list[str], **settings: Any
) -> Any:
    """Crawl the scripted site; a site whose every discovery fetch fails makes the crawl exit
    non-zero, which is the point of some cases here, so the result is read back regardless."""
    out = tmp_path / "crawl"
    try:
        return run_crawl(
            "niaga", out, "20260101T000000Z", base_url=server.base_url,
            settings=fast(**{**SCRIPTED, **settings}), spider_args={"urls": ",".join(urls)},
            timeout=180,
        )  # fmt: skip
    except CrawlFailed:
        summary = json.loads((out / "crawl-summary.json").read_text())
        return CrawlResult("niaga", out, 1, summary, out / "crawl.log")


@pytest.mark.slow
def test_long_retry_after_gives_up_the_url_without_stalling_the_host(
    tmp_path: Path, politeness_off: PolitenessOff
) -> None:
    slow = [f"/sibuk-{i}/" for i in range(5)]
    routes: dict[str, Route] = {"/robots.txt": ROBOTS}
    routes.update({p: (503, {"Retry-After": "86400"}, b"come back tomorrow") for p in slow})
    with ScriptedServer(routes) as server:
        started = time.monotonic()
        result = _crawl(politeness_off, tmp_path, server, slow)
        elapsed = time.monotonic() - started
    assert elapsed < 60, elapsed
    assert all(server.paths.count(p) == 1 for p in slow), server.paths  # never retried
    reasons = {
        f["url"].split(server.base_url)[-1]: f["reason"] for f in _failures(result.output_dir)
    }
    assert all(reasons.get(p) == "retry-after-too-long" for p in slow), reasons


@pytest.mark.slow
def test_a_host_that_keeps_failing_is_given_up(
    tmp_path: Path, politeness_off: PolitenessOff
) -> None:
    broken = [f"/rusak-{i}/" for i in range(40)]
    routes: dict[str, Route] = {"/robots.txt": ROBOTS}
    routes.update({p: (500, {}, b"internal error") for p in broken})
    with ScriptedServer(routes) as server:
        # One request in flight: requests already waiting in the download slot when the
        # budget runs out have passed the check, so concurrency adds to the count.
        result = _crawl(politeness_off, tmp_path, server, broken, WARTA_HOST_ERROR_BUDGET=6,
                        CONCURRENT_REQUESTS=1, CONCURRENT_REQUESTS_PER_DOMAIN=1)  # fmt: skip
    asked = [p for p in server.paths if p.startswith("/rusak-")]
    assert len(asked) < 20, len(asked)  # 40 URLs x 3 attempts without the budget
    reasons = [f["reason"] for f in _failures(result.output_dir)]
    assert "host-error-budget" in reasons
    assert result.summary["failures"]["host-error-budget"] >= 20


@pytest.mark.slow
def test_cookie_flood_and_nested_sitemaps_stay_bounded(
    tmp_path: Path, politeness_off: PolitenessOff
) -> None:
    flood = [("Set-Cookie", f"c{i}={'x' * 3000}; Path=/") for i in range(200)]
    routes: dict[str, Route] = {
        "/robots.txt": ROBOTS,
        "/kue/": (200, flood, b"<html><body>cookies</body></html>"),
        "/sitemap_index.xml": lambda path: _index(1, server.base_url),
    }
    for level in range(1, 12):
        routes[f"/peta-{level}.xml"] = (lambda lv: lambda path: _index(lv + 1, server.base_url))(
            level
        )
    with ScriptedServer(routes) as server:
        result = _crawl(politeness_off, tmp_path, server, ["/kue/", "/lagi-1/", "/lagi-2/"])
    deepest = max(int(p[6:-4]) for p in server.paths if p.startswith("/peta-"))
    assert deepest == 3, server.paths  # index -> 1 -> 2 -> 3, and no further
    later = [h for p, h in zip(server.paths, server.request_headers, strict=True)
             if p.startswith("/lagi-")]  # fmt: skip
    assert later and all("Cookie" not in h for h in later)
    for path in result.warc_files:
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type == "request":
                    assert record.length < 64 * 1024


def _index(level: int, base: str) -> tuple[int, dict[str, str], bytes]:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{base}/peta-{level}.xml</loc></sitemap></sitemapindex>"
    )
    return 200, {"Content-Type": "application/xml"}, body.encode()


def test_header_bytes_counts_the_wire_block() -> None:
    from scrapy import Request

    request = Request("http://x.example/", headers={"A": "bc", "Cookie": "k=v"})
    assert header_bytes(request) == (1 + 2 + 4) + (6 + 3 + 4)


class _Engine:
    """What the budget asks of Scrapy's engine: to close the spider, with a reason."""

    def __init__(self) -> None:
        self.reasons: list[str] = []

    def close_spider_async(self, reason: str) -> str:
        self.reasons.append(reason)
        return reason


def test_the_byte_budget_closes_the_crawl_once_it_is_passed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """WARTA_MAX_CRAWL_BYTES read from the crawl's settings, responses counted through
    Scrapy's own ``response_received`` signal, and the crawl closed once, with the reason
    the summary reports."""
    from pydispatch import dispatcher
    from scrapy import signals
    from scrapy.http import HtmlResponse
    from scrapy.utils.test import get_crawler

    from crawler.fetch import limits

    scheduled: list[object] = []
    monkeypatch.setattr(limits, "deferred_from_coro", scheduled.append)
    crawler = get_crawler(settings_dict={"WARTA_MAX_CRAWL_BYTES": 10_000})
    engine = _Engine()
    crawler.engine = engine  # type: ignore[assignment]
    budget = limits.CrawlBytesBudget.from_crawler(crawler)
    assert budget.limit == 10_000

    receivers = dispatcher.liveReceivers(
        dispatcher.getAllReceivers(crawler, signals.response_received)
    )
    assert budget.response_received in receivers

    def receive(size: int) -> None:  # as the signal calls it (mutmut's wrappers hide the
        # receiver's signature from PyDispatcher, so the signal is not sent here)
        budget.response_received(HtmlResponse(f"http://x.example/{size}", body=b"x" * size))

    for _ in range(4):
        receive(2_500)  # 10,000 bytes: at the budget, not over it
    assert engine.reasons == [] and scheduled == []
    receive(1)
    assert engine.reasons == ["closespider_bytes"] and scheduled == ["closespider_bytes"]
    receive(5_000)
    assert engine.reasons == ["closespider_bytes"]  # asked once, not once per response
    off = get_crawler(settings_dict={"WARTA_MAX_CRAWL_BYTES": 0})
    with pytest.raises(NotConfigured, match=r"^no byte budget$"):  # Scrapy logs why it is off
        limits.CrawlBytesBudget.from_crawler(off)


def test_cookies_over_the_limit_are_dropped_and_large_headers_refused() -> None:
    from scrapy import Request
    from scrapy.exceptions import IgnoreRequest
    from scrapy.utils.test import get_crawler

    from crawler.fetch.limits import RequestHeaderLimit
    from crawler.keys import FAILURE_REASON

    crawler = get_crawler(settings_dict={"WARTA_MAX_COOKIE_BYTES": 10,
                                         "WARTA_MAX_REQUEST_HEADER_BYTES": 60})  # fmt: skip
    crawler.stats.open_spider()  # type: ignore[union-attr]
    limit = RequestHeaderLimit.from_crawler(crawler)
    assert (limit.max_cookie, limit.max_headers) == (10, 60)
    at_limit = Request("http://x.example/", headers={"Cookie": "k=12345678"})  # 10 bytes
    assert limit.process_request(at_limit) is None and at_limit.headers[b"Cookie"]
    over = Request("http://x.example/", headers={"Cookie": "k=123456789"})
    assert limit.process_request(over) is None
    assert b"Cookie" not in over.headers
    assert crawler.stats.get_value("warta/cookies_dropped") == 1  # type: ignore[union-attr]
    fits = Request("http://x.example/", headers={"X-A": "a" * (60 - 7)})  # exactly 60 bytes
    assert header_bytes(fits) == 60 and limit.process_request(fits) is None
    big = Request("http://x.example/", headers={"X-A": "a" * (61 - 7)})
    with pytest.raises(IgnoreRequest, match="request headers over 60 bytes"):
        limit.process_request(big)
    assert big.meta[FAILURE_REASON] == "request-headers-too-large"
    assert crawler.stats.get_value("warta/cookies_dropped") == 1  # type: ignore[union-attr]


def test_limits_say_what_they_did_once(caplog: pytest.LogCaptureFixture) -> None:
    from scrapy import Request
    from scrapy.http import HtmlResponse
    from scrapy.utils.test import get_crawler

    from crawler.fetch import limits

    one = get_crawler(settings_dict={"WARTA_MAX_CRAWL_BYTES": 1})
    one.engine = _Engine()  # type: ignore[assignment]
    budget = limits.CrawlBytesBudget.from_crawler(one)  # a budget of one byte is a budget
    budget.response_received(HtmlResponse("http://x.example/", body=b"ab"))
    crawler = get_crawler(settings_dict={"WARTA_MAX_COOKIE_BYTES": 10})
    crawler.stats.open_spider()  # type: ignore[union-attr]
    limit = limits.RequestHeaderLimit.from_crawler(crawler)
    for path in ("a", "b"):
        limit.process_request(
            Request(f"http://x.example/{path}", headers={"Cookie": "k=123456789"})
        )
    limit.process_request(Request("http://y.example/", headers={"Cookie": "k=1234567890"}))
    assert [r.getMessage() for r in caplog.records if r.name == limits.LOG.name] == [
        "Received 2 bytes, over WARTA_MAX_CRAWL_BYTES (1): closing the crawl",
        "x.example sets 11 bytes of cookies, over WARTA_MAX_COOKIE_BYTES (10): "
        "requests to it go without cookies",
        "y.example sets 12 bytes of cookies, over WARTA_MAX_COOKIE_BYTES (10): "
        "requests to it go without cookies",
    ]
