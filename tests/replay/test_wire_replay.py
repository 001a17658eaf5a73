"""The exact-capture crawl (tests/crawler/warc/test_wire_capture.py) replayed in pywb.

Records holding the wire bytes, chunk framing and all, replay with the payload the server
meant; records cut short (WARC-Truncated) still load and give what arrived.
"""

from __future__ import annotations

import gzip
import http.client
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.process.runner import run_crawl
from crawler.warc.indexing import build_cdxj
from tests.conftest import PolitenessOff
from tests.crawler.warc.test_wire_capture import HTML, ROUTES, SCRIPTED
from tests.wire_server import WireServer

pytestmark = pytest.mark.slow
CUT = {
    "/putus": HTML[:1000],
    "/bohong": HTML[:1000],
    "/tetes": b"<p>tetes</p>\n",
    "/besar": b"x" * 16384,
}


@pytest.fixture(scope="module")
def replay_source(
    tmp_path_factory: pytest.TempPathFactory, politeness_off: PolitenessOff
) -> Iterator[tuple[list[Path], dict[str, bytes]]]:
    out = tmp_path_factory.mktemp("wire-replay")
    paths = [p for p in ROUTES if p != "/robots.txt"]
    with WireServer(ROUTES) as server:
        result = run_crawl(
            "niaga", out, "wire", base_url=server.base_url, settings=politeness_off(**SCRIPTED),
            spider_args={"urls": ",".join(paths)}, timeout=180,
        )  # fmt: skip
    base = server.base_url
    expected = {
        f"{base}/chunked-gzip": gzip.compress(HTML, mtime=0),
        f"{base}/quirky": HTML,
        f"{base}/http10": HTML,
    }
    expected.update({f"{base}{path}": b"" for path in CUT})  # checked on their own below
    build_cdxj(result.warc_files, out / "index.cdxj")
    yield result.warc_files, expected


def test_exact_records_replay_their_payload(replay) -> None:
    for url in [u for u in replay.expected if not u.endswith(tuple(CUT))]:
        for collection in ("C", "W"):
            fetched = replay.get(url, collection=collection)
            assert fetched.status == 200, url
            assert fetched.body == replay.expected[url], url


def test_truncated_records_replay_what_arrived(replay) -> None:
    """pywb serves the archived headers (a Content-Length the body never reached) and the
    bytes that arrived: the replay is cut short where the capture was."""
    for url in [u for u in replay.expected if u.endswith(tuple(CUT))]:
        with urllib.request.urlopen(replay.url(url), timeout=30) as response:
            assert response.status == 200, url
            try:
                body = response.read()
            except http.client.IncompleteRead as cut:
                body = cut.partial
        assert body.startswith(CUT["/" + url.rsplit("/", 1)[1]]), url
