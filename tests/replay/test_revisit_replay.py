"""Revisit records replayed in pywb: a second crawl of an unchanged replica archives its
feeds, sitemaps and home page as server-not-modified revisits, and pywb must serve each at
the revisit's own time with the payload of the capture it points to."""

from __future__ import annotations

from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.timeutils import iso_date_to_timestamp

from crawler.runner import run_crawl
from crawler.warc.records import PROFILE_NOT_MODIFIED
from replica.content import build_site
from replica.server import ReplicaServer
from tests.replay.conftest import http_get, make_collections, start_wayback

pytestmark = pytest.mark.slow
FAST = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS_PER_DOMAIN": 8}


def records(warcs: list[Path], kind: str) -> dict[str, tuple[str, bytes, str]]:
    """uri -> (14-digit time, payload, profile) of the last record of ``kind`` per URI."""
    found: dict[str, tuple[str, bytes, str]] = {}
    for warc in warcs:
        with open(warc, "rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type != kind:
                    continue
                headers = record.rec_headers
                found[headers.get_header("WARC-Target-URI")] = (
                    iso_date_to_timestamp(headers.get_header("WARC-Date")),
                    record.raw_stream.read() if kind == "response" else b"",
                    headers.get_header("WARC-Profile") or "",
                )
    return found


@pytest.fixture(scope="module")
def archive(
    tmp_path_factory: pytest.TempPathFactory, pywb_bin: Path
) -> Iterator[tuple[str, dict[str, tuple[str, bytes, str]], dict[str, tuple[str, bytes, str]]]]:
    root = tmp_path_factory.mktemp("revisit-replay")
    state = root / "state.sqlite"
    settings = {**FAST, "WARTA_STATE_PATH": str(state)}
    with ReplicaServer(build_site(5)) as server:
        first = run_crawl("niaga", root / "run1", "run1", base_url=server.base_url,
                          settings=settings)  # fmt: skip
        second = run_crawl("niaga", root / "run2", "run2", base_url=server.base_url,
                           settings=settings)  # fmt: skip
    warcs = [*first.warc_files, *second.warc_files]
    (root / "pywb").mkdir()
    make_collections(pywb_bin, root / "pywb", warcs)
    wayback = start_wayback(pywb_bin, root / "pywb")
    try:
        originals = records(list(first.warc_files), "response")
        yield wayback.base_url, originals, records(list(second.warc_files), "revisit")
    finally:
        wayback.stop()


def test_revisits_replay_the_original_payload_at_their_own_time(archive) -> None:  # type: ignore[no-untyped-def]
    base_url, originals, revisits = archive
    assert len(revisits) >= 4, sorted(revisits)
    for uri, (when, _, profile) in revisits.items():
        assert profile == PROFILE_NOT_MODIFIED, (uri, profile)
        original_time, payload, _ = originals[uri]
        assert when > original_time
        got = http_get(f"{base_url}/C/{when}id_/{uri}", {"Accept-Encoding": "gzip"})
        assert got.status == 200, (uri, got.status, got.body[:200])
        assert got.body == payload, uri
        # pywb answers with the revisit's capture, not the original's.
        memento = got.headers.get("Memento-Datetime", "")
        assert memento, got.headers
        assert parsedate_to_datetime(memento).strftime("%Y%m%d%H%M%S") == when, (uri, memento)
