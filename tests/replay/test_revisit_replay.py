"""Revisit records replayed in pywb: a second crawl of an unchanged replica archives its
feeds, sitemaps and home page as server-not-modified revisits (the 304 as received); pywb
must serve that 304 at the revisit's time and the original capture at its own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataReader
from warcio.timeutils import iso_date_to_timestamp

from crawler.process.runner import run_crawl
from crawler.warc.records import PROFILE_NOT_MODIFIED
from replica.content import build_site
from replica.server import ReplicaServer
from tests.conftest import PolitenessOff
from tests.replay.conftest import http_get, make_collections, start_wayback

pytestmark = pytest.mark.slow


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
                    _entity(record) if kind == "response" else b"",
                    headers.get_header("WARC-Profile") or "",
                )
    return found


def _entity(record: Any) -> bytes:
    """The payload as pywb serves it: transfer coding removed, content coding kept."""
    chunked = "chunked" in (record.http_headers.get_header("Transfer-Encoding") or "").lower()
    if chunked:
        return ChunkedDataReader(record.raw_stream, decomp_type=None).read()
    return record.raw_stream.read()


@pytest.fixture(scope="module")
def archive(
    tmp_path_factory: pytest.TempPathFactory, pywb_bin: Path, politeness_off: PolitenessOff
) -> Iterator[tuple[str, dict[str, tuple[str, bytes, str]], dict[str, tuple[str, bytes, str]]]]:
    root = tmp_path_factory.mktemp("revisit-replay")
    state = root / "state.sqlite"
    settings = politeness_off(WARTA_STATE_PATH=str(state))
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


def test_not_modified_revisits_replay_as_the_304_received_and_originals_as_before(
    archive,  # type: ignore[no-untyped-def]
) -> None:
    """A server-not-modified revisit's block is the 304 as it came over the wire (issue 13):
    pywb serves that 304 at the revisit's time, and the original stays at its own."""
    base_url, originals, revisits = archive
    not_modified = {u: r for u, r in revisits.items() if r[2] == PROFILE_NOT_MODIFIED}
    assert len(not_modified) >= 3, sorted((u, r[2]) for u, r in revisits.items())
    for uri, (when, _, _) in not_modified.items():
        original_time, payload, _ = originals[uri]
        assert when > original_time
        at_revisit = http_get(f"{base_url}/C/{when}id_/{uri}", {"Accept-Encoding": "gzip"})
        assert at_revisit.status == 304, (uri, at_revisit.status)
        at_original = http_get(
            f"{base_url}/C/{original_time}id_/{uri}", {"Accept-Encoding": "gzip"}
        )
        assert at_original.status == 200 and at_original.body == payload, uri
