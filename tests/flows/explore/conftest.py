"""One small real archive for the explorer's tests, made once per session: the niaga
replica and the custom-CMS portal replica (two sites, two crawls), each crawled over HTTP
by the real spider, indexed and stored in a local archive folder as ``warta archive``
stores it; and the explorer serving that archive on a fresh loopback port. For the fast
tests, a tiny archive: index files written by hand, no crawl."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from crawler.layout import file_key, manifest_key
from crawler.process.runner import run_crawl
from flows.archives.index import INDEX_FILES, SCHEMAS, build_index
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


TINY_DAY = date(2026, 12, 1)
TINY_STORIES = [  # site, slug, published day, section, authors, title, text
    ("niaga", "banjir", "2026-11-30", "Daerah", ["Rina"], "Banjir Samarinda",
     "Banjir merendam Samarinda. Banjir surut sore."),
    ("niaga", "pasar", "2026-11-29", "Ekonomi", ["Rina", "Budi"], "Harga pasar",
     "Harga beras naik di pasar."),
    ("niaga", "sungai", "2026-11-28", "Daerah", ["Budi"], "Sungai Mahakam",
     "Sungai Mahakam meluap, banjir kecil."),
    ("kabarbenua", "tambang", "2026-11-30", "Daerah", ["Sari"], "Tambang batu bara",
     "Tambang baru dibuka."),
]  # fmt: skip


def _write_tiny_archive(root: Path) -> str:
    """An archive folder holding one crawl of each site, as ``warta archive`` lays it out."""
    for site in sorted({s[0] for s in TINY_STORIES}):
        crawl_id = "20261201T010000Z"
        rows = [s for s in TINY_STORIES if s[0] == site]
        articles = {
            "url": [f"https://{site}.test/{s[1]}/" for s in rows],
            "site": [site] * len(rows),
            "crawl_id": [crawl_id] * len(rows),
            "fetch_time": [datetime(2026, 12, 1, 1, tzinfo=UTC)] * len(rows),
            "published": [f"{s[2]}T08:00:00+08:00" for s in rows],
            "section": [s[3] for s in rows],
            "authors": [s[4] for s in rows],
            "title": [s[5] for s in rows],
            "text": [s[6] for s in rows],
        }
        tables = {
            "articles": pa.Table.from_pylist(
                [dict(zip(articles, v, strict=True)) for v in zip(*articles.values(), strict=True)],
                schema=SCHEMAS["articles"],
            ),
            "captures": SCHEMAS["captures"].empty_table(),
        }
        for table, name in INDEX_FILES.items():
            path = root / file_key(site, TINY_DAY, crawl_id, name)
            path.parent.mkdir(parents=True, exist_ok=True)
            pq.write_table(tables[table], path)
        (root / manifest_key(site, crawl_id, TINY_DAY)).write_text("{}")
    return str(root)


@pytest.fixture(scope="session")
def tiny_archive(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The URI of the tiny archive: four stories (three of niaga, one of kabarbenua)."""
    return _write_tiny_archive(tmp_path_factory.mktemp("tiny") / "archive")
