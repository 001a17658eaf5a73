"""The replica over real HTTP on 127.0.0.1: transport, validators, redirects, crawlability."""

from __future__ import annotations

import gzip
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from replica.content import build_site
from replica.server import ReplicaServer
from replica.site_model import ReplicaSite

pytestmark = pytest.mark.slow


def test_gzip_goes_over_the_wire_chunked(
    server: ReplicaServer, site: ReplicaSite, raw_exchange: Any, dechunk: Any
) -> None:
    path = site.seed_article.path
    host = urlsplit(server.base_url).netloc
    raw = raw_exchange(
        server.base_url,
        f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept-Encoding: gzip, deflate\r\n"
        "Connection: close\r\n\r\n".encode(),
    )
    head, _, payload = raw.partition(b"\r\n\r\n")
    headers = head.decode("latin-1").lower()
    assert headers.startswith("http/1.1 200 ok")
    assert "\r\ntransfer-encoding: chunked" in headers
    assert "\r\ncontent-encoding: gzip" in headers
    assert "content-length" not in headers
    body, chunks = dechunk(payload)
    assert chunks >= 2
    assert body[:2] == b"\x1f\x8b"
    html = gzip.decompress(body)
    assert b"2023-03-03T14:05:00+08:00" in html

    identity = raw_exchange(
        server.base_url,
        f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode(),
    )
    head, _, plain = identity.partition(b"\r\n\r\n")
    assert f"content-length: {len(plain)}" in head.decode().lower()
    assert plain == html


def test_http10_client_gets_gzip_with_content_length(
    server: ReplicaServer, raw_exchange: Any
) -> None:
    raw = raw_exchange(server.base_url, b"GET /feed/ HTTP/1.0\r\nAccept-Encoding: gzip\r\n\r\n")
    head, _, body = raw.partition(b"\r\n\r\n")
    assert b"chunked" not in head.lower()
    assert f"Content-Length: {len(body)}".encode() in head
    assert gzip.decompress(body).startswith(b'<?xml version="1.0"')


def test_headers_look_like_cloudflare_in_front_of_wordpress(client: Any) -> None:
    reply = client.get("/", {"Accept-Encoding": "gzip"})
    assert reply.status == 200
    assert reply.header("Server") == "cloudflare"
    assert reply.header("Date") and reply.header("CF-RAY")
    assert reply.header("Content-Type") == "text/html; charset=UTF-8"
    assert reply.header("Vary") == "Accept-Encoding"
    etag = reply.header("ETag") or ""
    assert re.fullmatch(r'"[0-9a-f]+(-gzip)?"', etag)
    assert reply.header("Last-Modified")


def test_keep_alive_serves_many_requests_on_one_connection(client: Any, site: ReplicaSite):
    client.get("/")
    sock = client.conn.sock
    for article in site.articles[:5]:
        assert client.get(article.path, {"Accept-Encoding": "gzip"}).status == 200
    assert client.conn.sock is sock


def test_images_are_never_compressed(client: Any, site: ReplicaSite) -> None:
    reply = client.get(site.image_paths[0], {"Accept-Encoding": "gzip"})
    assert reply.status == 200
    assert reply.header("Content-Type") == "image/jpeg"
    assert reply.header("Content-Encoding") is None
    assert reply.header("Content-Length") == str(len(reply.body))
    assert reply.body[:3] == b"\xff\xd8\xff"


def test_conditional_requests_get_304(client: Any, site: ReplicaSite) -> None:
    path = site.articles[4].path
    for encoding in ("gzip", "identity"):
        first = client.get(path, {"Accept-Encoding": encoding})
        etag, modified = first.header("ETag"), first.header("Last-Modified")
        assert etag and modified
        again = client.get(path, {"Accept-Encoding": encoding, "If-None-Match": etag})
        assert again.status == 304 and again.body == b""
        assert again.header("ETag") == etag
        since = client.get(path, {"Accept-Encoding": encoding, "If-Modified-Since": modified})
        assert since.status == 304
    changed = client.get(path, {"If-None-Match": '"0000"'})
    assert changed.status == 200 and changed.body
    old = client.get(path, {"If-Modified-Since": "Mon, 01 Jan 2018 00:00:00 GMT"})
    assert old.status == 200
    assert client.get(path, {"If-None-Match": "*"}).status == 304


def test_redirects(client: Any, site: ReplicaSite, server: ReplicaServer) -> None:
    article = site.articles[2]
    by_id = client.get(f"/?p={article.post_id}")
    assert by_id.status == 301
    assert by_id.header("Location") == f"{server.base_url}{article.path}"
    slashless = client.get(article.path.rstrip("/"))
    assert slashless.status == 301
    assert slashless.header("Location") == f"{server.base_url}{article.path}"
    assert client.get("/page/1/").header("Location") == f"{server.base_url}/"
    assert client.get("/category/ekonomi").header("Location") == (
        f"{server.base_url}/category/ekonomi/"
    )
    assert client.get("/?p=1").status == 404
    assert client.get("/no-such-thing").status == 404


def test_links_use_the_host_the_client_reached(client: Any, site: ReplicaSite) -> None:
    port = urlsplit(client.base_url).port
    reply = client.get(site.articles[1].path, {"Host": f"localhost:{port}"})
    assert f'href="http://localhost:{port}/' in reply.body.decode()
    bad = client.get("/", {"Host": "bad host!"})
    assert b"http://127.0.0.1:" in bad.body


def test_head_and_post(client: Any) -> None:
    head = client.get("/feed/", method="HEAD")
    assert head.status == 200 and head.body == b""
    assert int(head.header("Content-Length") or 0) > 1000
    assert client.get("/", method="POST").status == 405


def test_search(client: Any, site: ReplicaSite) -> None:
    words = "+".join(site.articles[5].title.replace(",", "").split()[:4])
    reply = client.get(f"/?s={words}")
    assert reply.status == 200 and site.articles[5].title.encode() in reply.body
    assert b"Tidak Ditemukan" in client.get("/?s=zzzqqq").body


def test_pagination_reaches_every_article(client: Any, site: ReplicaSite) -> None:
    found: set[str] = set()
    url: str | None = "/"
    pages = 0
    while url:
        html = client.get(url).body.decode()
        pages += 1
        found |= set(re.findall(r'<h2 class="entry-title"><a href="[^"]*?(/[^"/]+/)"', html))
        match = re.search(r'<a class="next page-numbers" href="([^"]+)"', html)
        url = match.group(1) if match else None
    assert pages == -(-len(site) // 10)
    assert found == {a.path for a in site}


def test_category_and_tag_listings_paginate(client: Any, site: ReplicaSite) -> None:
    for kind, slug in (
        ("category", site.newest.category.slug),
        ("tag", site.newest.tags[0].slug),
        ("author", site.newest.author.slug),
    ):
        listed = site.listing(kind, slug)
        found: set[str] = set()
        for n in range(1, -(-len(listed) // 10) + 1):
            path = f"/{kind}/{slug}/" + (f"page/{n}/" if n > 1 else "")
            html = client.get(path).body.decode()
            found |= set(re.findall(r'<h2 class="entry-title"><a href="[^"]*?(/[^"/]+/)"', html))
        assert found == {a.path for a in listed}


def test_cache_serves_repeat_requests(site: ReplicaSite, make_client: Any) -> None:
    with ReplicaServer(site, cache_bytes=10_000_000) as server:
        c = make_client(server.base_url)
        first = c.get("/", {"Accept-Encoding": "gzip"})
        second = c.get("/", {"Accept-Encoding": "gzip"})
        assert first.body == second.body
        assert server.httpd.cache.hits >= 1


def test_refuses_non_loopback_hosts() -> None:
    with pytest.raises(ValueError, match="non-loopback"):
        ReplicaServer(build_site(1), host="0.0.0.0")


def test_request_log_goes_to_the_given_file(
    tmp_path: Path, site: ReplicaSite, make_client: Any
) -> None:
    log_path = tmp_path / "requests.log"
    with log_path.open("a") as log, ReplicaServer(site, log_file=log) as server:
        make_client(server.base_url).get("/robots.txt")
    assert '"GET /robots.txt HTTP/1.1" 200' in log_path.read_text()
