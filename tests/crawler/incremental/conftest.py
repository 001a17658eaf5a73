"""Helpers for crawls of the replica that share a crawl state between runs."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from crawler.process.runner import CrawlResult, run_crawl
from replica.cache import ByteLRU
from replica.server import ReplicaHandler, ReplicaHTTPServer, ReplicaServer
from replica.site_model import ReplicaSite
from tests.conftest import PolitenessOff


def warc_records(folder: Path) -> list[dict[str, Any]]:
    """Every record of every WARC in ``folder`` (final or ``.open``, torn tails skipped)."""
    out: list[dict[str, Any]] = []
    paths = sorted([*folder.glob("*.warc.gz"), *folder.glob("*.warc.gz.open")])
    for path in paths:
        with path.open("rb") as stream:
            try:
                for record in ArchiveIterator(stream):
                    headers = dict(record.rec_headers.headers)
                    status = record.http_headers.get_statuscode() if record.http_headers else ""
                    out.append(
                        {
                            "type": record.rec_type,
                            "uri": headers.get("WARC-Target-URI", ""),
                            "status": status,
                            "date": headers.get("WARC-Date", ""),
                            "headers": headers,
                            "file": path.name,
                        }
                    )
            except (ArchiveLoadFailed, EOFError, OSError, ValueError):
                pass  # the torn member a SIGKILL can leave
    return out


def article_records(result_dir: Path) -> list[dict[str, Any]]:
    path = result_dir / "articles.jsonl"
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@dataclass(frozen=True)
class Answer:
    """One request as the replica saw it: the validators it carried and the status sent."""

    path: str
    if_none_match: str | None
    if_modified_since: str | None
    status: int


class RecordingHandler(ReplicaHandler):
    server: RecordingHTTPServer

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if not isinstance(code, str):
            headers = self.headers
            self.server.answers.append(
                Answer(
                    self.path,
                    headers.get("If-None-Match"),
                    headers.get("If-Modified-Since"),
                    int(code),
                )
            )
        super().log_request(code, size)


class RecordingHTTPServer(ReplicaHTTPServer):
    handler_class = RecordingHandler

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.answers: list[Answer] = []


class RecordingReplicaServer(ReplicaServer):
    """The replica, unchanged, keeping what each request carried and what it was answered."""

    http_server_class = RecordingHTTPServer


class Replica:
    """A replica on one port (held from start to stop) that can grow more articles."""

    def __init__(self, site: ReplicaSite, **options: Any) -> None:
        self.options = options
        self.server = RecordingReplicaServer(site, **options).start()
        self.port = self.server.port

    @property
    def answers(self) -> list[Answer]:
        """Every request so far, in the order answered."""
        return list(self.server.httpd.answers)  # type: ignore[attr-defined]

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def grow(self, site: ReplicaSite) -> None:
        """Serve ``site`` from now on, on the same socket: no restart, so no other process
        can take the port in between. Cached responses of the old site are dropped."""
        httpd = self.server.httpd
        with httpd.cache._lock:
            httpd.site = site
            httpd.cache = ByteLRU(httpd.cache.max_bytes)
        self.server.site = site

    def stop(self) -> None:
        self.server.stop()


@contextmanager
def replica(site: ReplicaSite, **options: Any) -> Iterator[Replica]:
    served = Replica(site, **options)
    try:
        yield served
    finally:
        served.stop()


def crawl(
    base_url: str,
    out: Path,
    state: Path,
    settings: dict[str, Any] | None = None,
    spider_args: dict[str, str] | None = None,
    crawl_id: str = "run",
    *,
    fast: dict[str, Any],
) -> CrawlResult:
    merged = {**fast, "WARTA_STATE_PATH": str(state), **(settings or {})}
    return run_crawl(
        "niaga",
        out,
        crawl_id,
        base_url=base_url,
        settings=merged,
        spider_args=spider_args,
        timeout=120,
    )


@pytest.fixture
def state_path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "niaga.sqlite"


@pytest.fixture(scope="session")
def inc(politeness_off: PolitenessOff) -> SimpleNamespace:
    """The helpers above, for test modules (conftest cannot be imported under importlib);
    crawls of the replica with politeness off."""
    return SimpleNamespace(
        FAST=politeness_off(),
        warc_records=warc_records,
        article_records=article_records,
        replica=replica,
        crawl=functools.partial(crawl, fast=politeness_off()),
    )
