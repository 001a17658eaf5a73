"""Crawl-delay and Retry-After, measured on the WARC dates of the request records."""

from __future__ import annotations

import itertools
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from replica.content import build_site

pytestmark = pytest.mark.slow


def request_times(records: list[dict], uri: str | None = None) -> list[datetime]:
    return sorted(
        datetime.fromisoformat(r["date"].replace("Z", "+00:00"))
        for r in records
        if r["type"] == "request" and (uri is None or r["uri"] == uri)
    )


def gaps(times: list[datetime]) -> list[float]:
    return [(b - a).total_seconds() for a, b in itertools.pairwise(times)]


def test_robots_crawl_delay_spaces_every_request(
    tmp_path: Path, state_path: Path, inc: SimpleNamespace
) -> None:
    with inc.replica(build_site(3), crawl_delay=2) as served:
        result = inc.crawl(
            served.base_url,
            tmp_path / "out",
            state_path,
            settings={
                # AutoThrottle on, as in production: it must not pull the delay below 2 s.
                "AUTOTHROTTLE_ENABLED": True,
                "AUTOTHROTTLE_START_DELAY": 0,
                "CONCURRENT_REQUESTS": 2,
                "CLOSESPIDER_PAGECOUNT": 4,
            },
        )
    times = request_times(inc.warc_records(result.output_dir))
    assert len(times) >= 4
    # The crawl keeps 2.1 s (Crawl-delay plus its margin); the WARC dates of a loaded
    # machine wobble by tens of ms, so 1.7 s is asserted: far above the 0 s this crawl
    # would keep without the Crawl-delay (its DOWNLOAD_DELAY is 0).
    assert min(gaps(times)) >= 1.7, gaps(times)
    log = result.log_file.read_text() if result.log_file else ""
    assert "Crawl-delay of 2.0 s" in log


def test_retry_after_is_honoured_on_429_and_503(
    tmp_path: Path, state_path: Path, inc: SimpleNamespace
) -> None:
    with inc.replica(build_site(3)) as served:
        result = inc.crawl(
            served.base_url,
            tmp_path / "out",
            state_path,
            spider_args={"urls": "/__fault__/429,/__fault__/503"},
            # Backoff alone would pause 10-30 ms: only Retry-After can make the gaps long.
            settings={"WARTA_BACKOFF_BASE": 0.02},
        )
        base = served.base_url
    records = inc.warc_records(result.output_dir)
    for fault in ("429", "503"):
        times = request_times(records, f"{base}/__fault__/{fault}")
        assert len(times) == 3, fault  # the first try and RETRY_TIMES=2 retries
        # The replica says Retry-After: 1; 0.8 s leaves the dates of a loaded machine room.
        assert min(gaps(times)) >= 0.8, (fault, gaps(times))
