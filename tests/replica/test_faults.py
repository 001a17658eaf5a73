"""Each ``/__fault__/`` URL misbehaves exactly as documented, over real HTTP."""

from __future__ import annotations

import http.client
import re
import zlib
from typing import Any

import pytest

from replica.fault_modes import FAULTS
from replica.faults import BOMB_MIB, HUGE_BYTES
from replica.server import ReplicaServer

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("name", "status", "retry_after"),
    [("500", 500, None), ("503", 503, "1"), ("429", 429, "1")],
)
def test_error_statuses(fault_client: Any, name: str, status: int, retry_after: str) -> None:
    reply = fault_client.get(f"/__fault__/{name}")
    assert reply.status == status
    assert reply.header("Retry-After") == retry_after
    assert reply.body


def test_slow_answers_after_a_pause(fault_client: Any) -> None:
    reply = fault_client.get("/__fault__/slow?seconds=0.05")
    assert reply.status == 200 and b"Akhirnya" in reply.body


def test_truncated_body_is_shorter_than_declared(fault_client: Any) -> None:
    fault_client.conn.request("GET", "/__fault__/truncated")
    response = fault_client.conn.getresponse()
    assert response.getheader("Content-Length") == "100000"
    with pytest.raises(http.client.IncompleteRead) as caught:
        response.read()
    assert len(caught.value.partial) == 20_000


def test_reset_closes_without_a_response(fault_client: Any) -> None:
    fault_client.conn.request("GET", "/__fault__/reset")
    with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError)):
        fault_client.conn.getresponse()


def test_gzip_bomb_is_small_on_the_wire_and_huge_inflated(fault_client: Any) -> None:
    reply = fault_client.get("/__fault__/gzip-bomb")  # http.client does not decode
    assert reply.status == 200
    assert reply.header("Content-Encoding") == "gzip"
    assert len(reply.body) == int(reply.header("Content-Length") or 0) < 1_200_000
    assert reply.body[:2] == b"\x1f\x8b"
    assert int.from_bytes(reply.body[-4:], "little") == BOMB_MIB << 20  # ISIZE trailer
    inflater = zlib.decompressobj(31)
    first = inflater.decompress(reply.body, 50 << 20)  # bounded: never inflate it all here
    assert len(first) == 50 << 20 and not first.strip(b"\0")
    assert inflater.unconsumed_tail  # far more remains


@pytest.mark.slow
def test_gzip_bomb_really_inflates_past_a_gigabyte(fault_client: Any) -> None:
    body = fault_client.get("/__fault__/gzip-bomb").body
    inflater, total, data = zlib.decompressobj(31), 0, body
    while data:
        total += len(inflater.decompress(data, 64 << 20))
        data = inflater.unconsumed_tail
    total += len(inflater.flush())
    assert total == BOMB_MIB << 20 > 1_000_000_000
    assert inflater.eof  # the trailer (CRC and size) checks out


def test_huge_streams_64_mib(fault_client: Any) -> None:
    fault_client.conn.request("GET", "/__fault__/huge")
    response = fault_client.conn.getresponse()
    assert response.getheader("Content-Length") == str(HUGE_BYTES)
    total = 0
    while block := response.read(1 << 20):
        total += len(block)
    assert total == HUGE_BYTES


def test_malformed_html_is_still_an_article_page(fault_client: Any) -> None:
    reply = fault_client.get("/__fault__/malformed-html", {"Accept-Encoding": "identity"})
    assert reply.status == 200
    assert b'<meta property="og:type" content="article">' in reply.body
    with pytest.raises(UnicodeDecodeError):
        reply.body.decode("utf-8")
    assert b"</html>" not in reply.body


def test_hostile_sitemap_carries_entity_attacks(fault_client: Any) -> None:
    reply = fault_client.get("/__fault__/hostile-sitemap")
    assert reply.status == 200 and (reply.header("Content-Type") or "").startswith(
        "application/xml"
    )
    body = reply.body
    assert b"<!DOCTYPE urlset [" in body
    assert b'<!ENTITY xxe SYSTEM "file:///etc/passwd">' in body
    assert body.count(b"<!ENTITY lol") == 10 and b"&lol9;" in body


def test_redirect_loop_and_offsite_redirect(fault_client: Any, fault_server: Any) -> None:
    first = fault_client.get("/__fault__/redirect-loop")
    assert first.status == 302
    second = fault_client.get(first.header("Location"))
    assert second.status == 302
    assert second.header("Location") == f"{fault_server.base_url}/__fault__/redirect-loop"
    offsite = fault_client.get("/__fault__/offsite-redirect")
    assert offsite.status == 301 and offsite.header("Location") == "http://example.invalid/"
    assert fault_client.get("/__fault__/no-such-fault").status == 404


def test_fault_links_appear_only_when_enabled(
    fault_client: Any, client: Any, fault_server: ReplicaServer
) -> None:
    home = fault_client.get("/").body.decode()
    sitemap = fault_client.get("/post-sitemap.xml").body.decode()
    index = fault_client.get("/sitemap_index.xml").body.decode()
    for name in FAULTS:
        assert f"/__fault__/{name}" in home
        assert f"{fault_server.base_url}/__fault__/{name}" in sitemap
    assert f"<loc>{fault_server.base_url}/__fault__/hostile-sitemap</loc>" in index
    assert "Crawl-delay: 2" in fault_client.get("/robots.txt").body.decode()
    for path in ("/", "/post-sitemap.xml", "/sitemap_index.xml"):
        assert "__fault__" not in client.get(path).body.decode()
    assert not re.search(r"Crawl-delay", client.get("/robots.txt").body.decode())
