"""Shared fixtures for the WARC tests: deterministic IDs and clocks, sample exchanges."""

from __future__ import annotations

import gzip
import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from crawler.warc.records import CapturedRequest, CapturedResponse

T0 = datetime(2026, 11, 27, 1, 2, 3, 456789, tzinfo=UTC)
HTML = b"<html><body><p>Samarinda</p></body></html>\n"


def make_id_factory() -> Callable[[], str]:
    counter = itertools.count(1)
    return lambda: f"<urn:uuid:00000000-0000-4000-8000-{next(counter):012d}>"


def make_clock(start: datetime = T0, step: timedelta = timedelta(0)) -> Callable[[], datetime]:
    state = {"now": start}

    def clock() -> datetime:
        now = state["now"]
        state["now"] = now + step
        return now

    return clock


@pytest.fixture
def id_factory() -> Callable[[], str]:
    return make_id_factory()


@pytest.fixture
def clock() -> Callable[[], datetime]:
    return make_clock()


def plain_exchange(path: str = "/a?b=1") -> tuple[CapturedRequest, CapturedResponse]:
    url = "http://example.com" + path
    req = CapturedRequest(
        method="GET",
        url=url,
        headers=[("User-Agent", "warta/0.1"), ("Accept-Encoding", "gzip, deflate")],
        timestamp=T0,
    )
    resp = CapturedResponse(
        url=url,
        protocol="HTTP/1.1",
        status=200,
        reason="OK",
        headers=[("Content-Type", "text/html"), ("Content-Length", str(len(HTML)))],
        body=HTML,
        timestamp=T0 + timedelta(milliseconds=250),
        ip_address="127.0.0.1",
    )
    return req, resp


def gzip_chunked_exchange(path: str = "/page") -> tuple[CapturedRequest, CapturedResponse]:
    url = "http://example.com" + path
    req = CapturedRequest("GET", url, [("Accept-Encoding", "gzip")], T0)
    resp = CapturedResponse(
        url=url,
        protocol="HTTP/1.1",
        status=200,
        reason="OK",
        headers=[
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Encoding", "gzip"),
            ("Transfer-Encoding", "chunked"),
        ],
        body=gzip.compress(HTML, mtime=0),
        timestamp=T0,
    )
    return req, resp


@pytest.fixture
def exchange() -> tuple[CapturedRequest, CapturedResponse]:
    return plain_exchange()


@pytest.fixture
def kit() -> SimpleNamespace:
    """Constants and factories for tests (pytest's importlib mode forbids importing conftest)."""
    return SimpleNamespace(
        T0=T0,
        HTML=HTML,
        make_id_factory=make_id_factory,
        make_clock=make_clock,
        plain_exchange=plain_exchange,
        gzip_chunked_exchange=gzip_chunked_exchange,
    )
