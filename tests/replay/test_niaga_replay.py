"""``scrapy crawl niaga`` of the replica, replayed in pywb.

Every archived article must come back from pywb's ``id_`` mode exactly as the replica sent it
(gzip bytes included), and the rewritten view must serve each article with its caption
image. Expected bytes come from the replica over HTTP, not from the WARC.
"""

from __future__ import annotations

import http.client
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler.process.runner import run_crawl
from crawler.warc.indexing import build_cdxj
from crawler.warc.verify import verify_paths
from replica.content import build_site
from replica.server import ReplicaServer
from tests.conftest import PolitenessOff

pytestmark = pytest.mark.slow


def sent_bytes(url: str) -> bytes:
    """The body the replica sends a gzip-accepting client (de-chunked, still gzip)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    conn.request("GET", parts.path, headers={"Accept-Encoding": "gzip"})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    assert response.status == 200 and response.getheader("Content-Encoding") == "gzip"
    return body


@pytest.fixture(scope="module")
def replay_source(
    tmp_path_factory: pytest.TempPathFactory, politeness_off: PolitenessOff
) -> Iterator[tuple[list[Path], dict[str, bytes]]]:
    site = build_site(8)
    out = tmp_path_factory.mktemp("niaga-replay")
    with ReplicaServer(site) as server:
        result = run_crawl(
            "niaga", out, "replay", base_url=server.base_url, settings=politeness_off()
        )
        expected = {server.base_url + a.path: sent_bytes(server.base_url + a.path) for a in site}
    warcs = result.warc_files
    build_cdxj(warcs, out / "index.cdxj")
    yield warcs, expected


def test_crawl_output_verifies(replay_source: tuple[list[Path], dict[str, bytes]]) -> None:
    warcs, _ = replay_source
    report = verify_paths([warcs[0].parent])
    assert report.ok, report.format(20)


def test_every_article_replays_byte_for_byte(replay) -> None:
    assert replay.mismatches("C") == []
    assert replay.mismatches("W") == []


def test_rewritten_article_shows_its_caption_image(replay) -> None:
    for url in list(replay.expected)[:3]:
        page = replay.get(url, "mp_")  # the page itself, without the framing banner
        assert page.status == 200
        html = page.body.decode("utf-8", "replace")
        images = re.findall(r'<img[^>]+src="([^"]*/wp-content/uploads/[^"]+\.jpg)"', html)
        assert images, f"no caption image in the rewritten page of {url}"
        for src in images[:2]:
            assert "im_/" in src, src  # pywb rewrote the link to its archived copy
            image = replay.get_path(urlsplit(src).path)
            assert image.status == 200 and image.body[:3] == b"\xff\xd8\xff"  # a JPEG


def test_rewritten_article_loads_its_stylesheet_script_and_logo(replay) -> None:
    url = next(iter(replay.expected))
    html = replay.get(url, "mp_").body.decode("utf-8", "replace")
    wanted = {
        "cs_": r"""href=["']([^"']*/wp-content/themes/newsup/style\.css[^"']*)["']""",
        "js_": r"""src=["']([^"']*/wp-includes/js/jquery/jquery\.min\.js[^"']*)["']""",
        "im_": r"""src=["']([^"']*/wp-content/uploads/2020/01/logo-niaga\.png)["']""",
    }
    for mode, pattern in wanted.items():
        match = re.search(pattern, html)
        assert match, f"no {mode} link in the rewritten page"
        src = match.group(1)
        assert f"{mode}/" in src, src  # pywb points it at its archived copy
        parts = urlsplit(src)
        fetched = replay.get_path(parts.path + (f"?{parts.query}" if parts.query else ""))
        assert fetched.status == 200, (src, fetched.status)
        assert fetched.body, src
