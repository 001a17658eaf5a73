"""Two runs share one data dir: a long crawl is writing when ``warta demo`` starts beside it.

The demo must leave the live crawl's folder alone (another host, another storage, and its
lock held), and the live crawl must finish and store everything it fetched. Each storage
ends up holding exactly its own crawl, whole: the WARC's own records are counted, not
warta's opinion of them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.warc.reader import read_records
from tests.flows.conftest import PrefectServer, Replica
from tests.waiting import wait_until

pytestmark = pytest.mark.slow
WARTA = Path(sys.executable).parent / "warta"
LIVE_ARTICLES = 40
DEMO_ARTICLES = 12


@pytest.fixture(scope="module")
def slow_replica() -> Iterator[Replica]:
    from replica.content import build_site
    from replica.server import ReplicaServer

    with ReplicaServer(build_site(LIVE_ARTICLES), delay=0.4) as server:
        yield Replica(server.base_url, LIVE_ARTICLES)


@pytest.fixture(scope="module")
def prefect_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    server = PrefectServer(tmp_path_factory.mktemp("prefect-home"))
    server.start()
    yield server.env()
    server.stop()


def launch(command: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        command, stdout=log.open("ab"), stderr=subprocess.STDOUT, env={**os.environ, **env},
        start_new_session=True,
    )  # fmt: skip


def files_ending(root: Path, suffix: str) -> list[Path]:
    """Files under ``root`` named ``*suffix``, walked while a crawl runs there: its disk
    queue removes emptied slot folders at any moment, which ``Path.rglob`` does not
    forgive (FileNotFoundError) and ``os.walk`` skips."""
    return [
        Path(folder, name)
        for folder, _dirs, names in os.walk(root)
        for name in names
        if name.endswith(suffix)
    ]


def manifests(archive: Path) -> list[dict[str, object]]:
    return [json.loads(p.read_text()) for p in sorted(archive.rglob("*.manifest.json"))]


def stored_article_responses(archive: Path) -> set[str]:
    """Article URLs whose response record is in a stored WARC (read from the WARC)."""
    articles = {
        json.loads(line)["url"]
        for path in archive.rglob("*-articles.jsonl")
        for line in path.read_text().splitlines()
    }
    responses = {
        record.header("WARC-Target-URI")
        for path in archive.rglob("*.warc.gz")
        for record in read_records(path)
        if record.rec_type == "response"
    }
    return articles & responses


def test_a_demo_beside_a_live_crawl_leaves_both_whole_and_stored(
    slow_replica: Replica, prefect_api: dict[str, str], tmp_path: Path
) -> None:
    data = tmp_path / "data"
    live_log, demo_log = tmp_path / "live.log", tmp_path / "demo.log"
    live = launch(
        [str(WARTA), "archive", "niaga", "--base-url", slow_replica.base_url,
         "--storage", str(tmp_path / "archive-live"), "--data-dir", str(data), "--keep-local",
         "--set", "DOWNLOAD_DELAY=0.5", "--set", "AUTOTHROTTLE_ENABLED=False",
         "--set", "CONCURRENT_REQUESTS_PER_DOMAIN=1"],
        live_log, prefect_api,
    )  # fmt: skip
    try:

        def warc_open() -> bool:
            assert live.poll() is None, live_log.read_text()[-3000:]
            return bool(files_ending(data, ".warc.gz.open"))

        wait_until(warc_open, 180, interval=0.2, what="the live crawl to open a WARC")
        demo = launch(
            [str(WARTA), "demo", "--port", "0", "--articles", str(DEMO_ARTICLES),
             "--data-dir", str(data), "--storage", str(tmp_path / "archive-demo")],
            demo_log, prefect_api,
        )  # fmt: skip
        assert demo.wait(300) == 0, demo_log.read_text()[-3000:]
        assert live.poll() is None, "the live crawl ended before the demo: no overlap tested"
        assert live.wait(600) == 0, live_log.read_text()[-3000:]
    finally:
        for proc in (live,):
            if proc.poll() is None:
                proc.kill()
                proc.wait(30)

    demo_text = demo_log.read_text()
    assert "interrupted before it was stored" not in demo_text, demo_text[-3000:]
    live_manifests = manifests(tmp_path / "archive-live")
    demo_manifests = manifests(tmp_path / "archive-demo")
    assert len(live_manifests) == 1 and len(demo_manifests) == 1
    assert live_manifests[0]["crawl_id"] != demo_manifests[0]["crawl_id"]
    live_stored = stored_article_responses(tmp_path / "archive-live")
    demo_stored = stored_article_responses(tmp_path / "archive-demo")
    assert len(live_stored) == LIVE_ARTICLES, len(live_stored)
    assert len(demo_stored) == DEMO_ARTICLES, len(demo_stored)
    assert not files_ending(data, ".open"), "a WARC was left open"
    for folder in (data / "crawls" / "niaga").iterdir():
        verify = subprocess.run(
            [str(WARTA), "verify", str(folder)], capture_output=True, text=True, check=False
        )
        assert verify.returncode == 0, verify.stdout[-2000:]
    print(f"live crawl: {len(live_stored)} articles stored; demo: {len(demo_stored)}")
