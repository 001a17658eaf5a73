"""One small real archive for the explorer's tests, made once per session: the niaga
replica and the custom-CMS portal replica (two sites, two crawls), each crawled over HTTP
by the real spider, indexed and stored in a local archive folder as ``warta archive``
stores it; and the explorer serving that archive on a fresh loopback port."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from crawler.process.runner import run_crawl
from flows.archives.index import build_index
from flows.explore.app import Explorer, ExplorerServer
from flows.storage import open_storage
from flows.storage.crawl_upload import store_crawl
from tests.conftest import PolitenessOff

GROUPS = {"Kalimantan Timur": ["niaga", "kabarbenua"], "Hanya niaga": ["niaga"]}
CRAWLS = (
    ("niaga", "niaga", 14, "20261201T010000Z"),
    ("kabarbenua", "portal", 10, "20261201T020000Z"),
)


@dataclass(frozen=True)
class ExploreArchive:
    uri: str
    base_urls: dict[str, str]  # site -> the replica address its URLs carry
    folders: dict[str, Path]  # site -> the crawl folder (WARCs as written)


@dataclass(frozen=True)
class Running:
    archive: ExploreArchive
    server: ExplorerServer

    @property
    def url(self) -> str:
        return self.server.url.rstrip("/")


@pytest.fixture(scope="session")
def explore_archive(
    tmp_path_factory: pytest.TempPathFactory, politeness_off: PolitenessOff
) -> ExploreArchive:
    from replica.catalog import build_replica

    base = tmp_path_factory.mktemp("explore")
    uri = str(base / "archive")
    storage = open_storage(uri)
    base_urls: dict[str, str] = {}

    def crawl(site: str, kind: str, articles: int, crawl_id: str) -> Path:
        folder = base / "crawls" / site / crawl_id
        with build_replica(kind, articles) as server:
            run_crawl(
                site,
                folder,
                crawl_id,
                base_url=server.base_url,
                settings=politeness_off(WARTA_STATE_PATH=str(base / f"{site}.sqlite")),
                timeout=300,
            )
            base_urls[site] = server.base_url
        return folder

    with ThreadPoolExecutor(len(CRAWLS)) as pool:  # two crawl processes at once
        done = list(pool.map(lambda c: crawl(*c), CRAWLS))
    folders = {}
    for (site, _kind, _articles, crawl_id), folder in zip(CRAWLS, done, strict=True):
        day = datetime.strptime(crawl_id, "%Y%m%dT%H%M%SZ").date()
        build_index(folder, site, crawl_id, day)
        store_crawl(folder, storage, site, crawl_id, day)
        folders[site] = folder
    return ExploreArchive(uri, base_urls, folders)


@pytest.fixture(scope="session")
def explorer(explore_archive: ExploreArchive) -> Iterator[Running]:
    server = ExplorerServer(Explorer(open_storage(explore_archive.uri), GROUPS, "test archive"))
    server.serve_in_thread()
    yield Running(explore_archive, server)
    server.shutdown()
    server.server_close()
