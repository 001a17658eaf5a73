"""Several workers, one archive: the crawl state is never stale and never overwritten.

Two data folders stand for two workers sharing one storage. A worker whose local state is
an old generation must start from the newest stored one (or it archives again what the
other worker archived since), and a push over a newer generation must fail.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler.incremental.store import CrawlState
from crawler.layout import state_head_key
from flows.archive_flow import archive_site
from flows.state_sync import StateConflict, local_generation, pull_state, push_state, read_head
from flows.storage import StorageConflict, open_storage
from replica.cache import ByteLRU
from replica.content import build_site
from replica.server import ReplicaServer

pytestmark = pytest.mark.slow


@pytest.fixture
def growing_replica() -> Iterator[ReplicaServer]:
    with ReplicaServer(build_site(10)) as server:
        yield server


def grow(server: ReplicaServer, articles: int) -> None:
    """Publish more articles on a running replica (the same URLs, newer ones added)."""
    server.site = server.httpd.site = build_site(articles)
    server.httpd.cache = ByteLRU(server.httpd.cache.max_bytes)


def stored_article_urls(archive: Path) -> list[str]:
    return [
        json.loads(line)["url"]
        for path in sorted(archive.rglob("*-articles.jsonl"))
        for line in path.read_text().splitlines()
        if line.strip()
    ]


def archive_as(worker: Path, archive: Path, replica: ReplicaServer, crawl: dict[str, Any]) -> Any:
    return archive_site(
        site="niaga",
        storage=str(archive),
        base_url=replica.base_url,
        crawl_settings=crawl,
        data_dir=str(worker),
        delete_local=False,
    )


@pytest.mark.usefixtures("prefect_harness")
def test_a_stale_worker_starts_from_the_newest_generation(
    growing_replica: ReplicaServer, fast_crawl: dict[str, Any], tmp_path: Path
) -> None:
    archive, one, two = tmp_path / "archive", tmp_path / "worker-1", tmp_path / "worker-2"
    first = archive_as(one, archive, growing_replica, fast_crawl)
    assert first["new_articles"] == 10
    grow(growing_replica, 15)
    second = archive_as(two, archive, growing_replica, fast_crawl)
    assert second["new_articles"] == 5
    grow(growing_replica, 20)
    # worker-1 still holds generation 1; storage holds 2 (worker-2's crawl).
    name = next((one / "state").glob("*.sqlite")).stem
    assert local_generation(one / "state" / f"{name}.sqlite") == 1
    third = archive_as(one, archive, growing_replica, fast_crawl)
    assert third["new_articles"] == 5 and third["articles"] == 5
    urls = stored_article_urls(archive)
    assert len(urls) == len(set(urls)) == 20, "an article was archived twice"
    head, _ = read_head(open_storage(str(archive)), "niaga", name) or (None, None)
    assert head is not None and head.generation == 3 and head.crawl_id == third["crawl_id"]


def make_state(path: Path, url: str) -> None:
    with CrawlState(path) as state:
        state.start_run("r1", path.parent)
        state.record_article(url, url, url, None, None, None, None)
        state.finish_run("finished")


def test_a_push_never_overwrites_a_newer_generation(archive_uri: str, tmp_path: Path) -> None:
    storage = open_storage(archive_uri)
    storage.check(write=True)
    one, two = tmp_path / "w1" / "niaga.sqlite", tmp_path / "w2" / "niaga.sqlite"
    make_state(one, "https://niaga.asia/a")
    push_state(storage, "niaga", one, "c1")
    assert pull_state(storage, "niaga", two).action == "installed"
    push_state(storage, "niaga", two, "c2")  # worker 2 moves the site on to generation 2
    with pytest.raises(StateConflict, match="generation 2 by crawl c2"):
        push_state(storage, "niaga", one, "c3")  # worker 1 still starts from generation 1
    head, _ = read_head(storage, "niaga", "niaga") or (None, None)
    assert head is not None and (head.generation, head.crawl_id) == (2, "c2")
    pulled = pull_state(storage, "niaga", one)
    assert (pulled.action, pulled.generation, pulled.replaced) == ("installed", 2, True)
    assert pull_state(storage, "niaga", one).action == "kept"


def test_conditional_writes(archive_uri: str) -> None:
    storage = open_storage(archive_uri)
    storage.check(write=True)
    key = state_head_key("niaga", "test")
    first = storage.put_bytes_if(key, b"1", None)
    with pytest.raises(StorageConflict):
        storage.put_bytes_if(key, b"2", None)  # create-only: it exists
    second = storage.put_bytes_if(key, b"3", first)
    with pytest.raises(StorageConflict):
        storage.put_bytes_if(key, b"4", first)  # stale version
    assert storage.get_versioned(key) == (b"3", second)


@pytest.mark.usefixtures("prefect_harness")
def test_a_manual_run_waits_for_the_site_lease(
    niaga_replica, fast_crawl: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run elsewhere holds niaga: `warta archive niaga` by hand fails at once, crawls
    nothing, and names the holder; once the lease is released the same command works."""
    from flows.cli import main as warta
    from flows.lease import SiteBusy, SiteLease

    archive = tmp_path / "archive"
    storage = open_storage(str(archive))
    storage.check(write=True)
    other = SiteLease(storage, "niaga", ttl=120, host="worker-elsewhere", flow_run="run-x")
    other.acquire()
    try:
        command = ["archive", "niaga", "--storage", str(archive), "--data-dir", str(tmp_path),
                   "--base-url", niaga_replica.base_url, "--arg", "max_articles=3"]  # fmt: skip
        for name, value in fast_crawl.items():
            command += ["--set", f"{name}={value}"]
        assert warta(command) == 1
        assert "run-x on worker-elsewhere" in capsys.readouterr().err
        assert not list(tmp_path.glob("crawls/niaga/*/*.warc.gz"))
        with pytest.raises(SiteBusy):
            SiteLease(storage, "niaga", ttl=5).acquire()
    finally:
        other.release()
    assert warta(command) == 0
    assert json.loads(storage.get_bytes("niaga/lease.json"))["released"] is True
