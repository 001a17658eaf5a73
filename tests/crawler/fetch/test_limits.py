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
from warcio.archiveiterator import ArchiveIterator

from crawler.fetch.limits import header_bytes
from crawler.fetch.politeness import backoff_seconds
from crawler.process.runner import CrawlFailed, CrawlResult, run_crawl
from tests.scripted_server import Route, ScriptedServer

pytestmark = pytest.mark.slow

FAST = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "WARTA_PROGRESS_INTERVAL": 0,
        "WARTA_EXTRACT_WORKERS": 0, "WARTA_STATE_ENABLED": False, "RETRY_TIMES": 2,
        "WARTA_BACKOFF_BASE": 0.05, "WARTA_BACKOFF_MAX": 0.2}  # fmt: skip
ROBOTS: Route = (200, {}, b"User-agent: *\nAllow: /\n")


def _failures(folder: Path) -> list[dict[str, Any]]:
    path = folder / "failures.jsonl"
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def _crawl(tmp_path: Path, server: ScriptedServer, urls: list[str], **settings: Any) -> Any:
    """Crawl the scripted site; a site whose every discovery fetch fails makes the crawl exit
    non-zero, which is the point of some cases here, so the result is read back regardless."""
    out = tmp_path / "crawl"
    try:
        return run_crawl(
            "niaga", out, "20260101T000000Z", base_url=server.base_url,
            settings={**FAST, **settings}, spider_args={"urls": ",".join(urls)}, timeout=180,
        )  # fmt: skip
    except CrawlFailed:
        summary = json.loads((out / "crawl-summary.json").read_text())
        return CrawlResult("niaga", out, 1, summary, out / "crawl.log")


def test_backoff_doubles_with_jitter_and_is_capped() -> None:
    import random

    rng = random.Random(1)
    waits = [backoff_seconds(n, 1.0, 8.0, rng) for n in range(1, 7)]
    for n, wait in enumerate(waits, start=1):
        nominal = min(8.0, 2 ** (n - 1))
        assert 0.5 * nominal <= wait <= 1.5 * nominal
    assert backoff_seconds(0, 1.0, 8.0, rng) == 0.0


def test_long_retry_after_gives_up_the_url_without_stalling_the_host(tmp_path: Path) -> None:
    slow = [f"/sibuk-{i}/" for i in range(5)]
    routes: dict[str, Route] = {"/robots.txt": ROBOTS}
    routes.update({p: (503, {"Retry-After": "86400"}, b"come back tomorrow") for p in slow})
    with ScriptedServer(routes) as server:
        started = time.monotonic()
        result = _crawl(tmp_path, server, slow)
        elapsed = time.monotonic() - started
    assert elapsed < 60, elapsed
    assert all(server.paths.count(p) == 1 for p in slow), server.paths  # never retried
    reasons = {
        f["url"].split(server.base_url)[-1]: f["reason"] for f in _failures(result.output_dir)
    }
    assert all(reasons.get(p) == "retry-after-too-long" for p in slow), reasons


def test_a_host_that_keeps_failing_is_given_up(tmp_path: Path) -> None:
    broken = [f"/rusak-{i}/" for i in range(40)]
    routes: dict[str, Route] = {"/robots.txt": ROBOTS}
    routes.update({p: (500, {}, b"internal error") for p in broken})
    with ScriptedServer(routes) as server:
        # One request in flight: requests already waiting in the download slot when the
        # budget runs out have passed the check, so concurrency adds to the count.
        result = _crawl(tmp_path, server, broken, WARTA_HOST_ERROR_BUDGET=6,
                        CONCURRENT_REQUESTS=1, CONCURRENT_REQUESTS_PER_DOMAIN=1)  # fmt: skip
    asked = [p for p in server.paths if p.startswith("/rusak-")]
    assert len(asked) < 20, len(asked)  # 40 URLs x 3 attempts without the budget
    reasons = [f["reason"] for f in _failures(result.output_dir)]
    assert "host-error-budget" in reasons
    assert result.summary["failures"]["host-error-budget"] >= 20


def test_cookie_flood_and_nested_sitemaps_stay_bounded(tmp_path: Path) -> None:
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
        result = _crawl(tmp_path, server, ["/kue/", "/lagi-1/", "/lagi-2/"])
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
