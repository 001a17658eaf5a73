"""The explorer's web application, fast: serving the tiny archive (conftest) on a loopback
port, and the headers every answer carries, written to a buffer."""

from __future__ import annotations

import http.client
import io
from collections.abc import Iterator

import pytest

from flows.explore.app import PAGE_CSP, Explorer, ExplorerServer, Handler
from flows.storage import open_storage
from tests.flows.explore.conftest import GROUPS


@pytest.fixture(scope="module")
def tiny_server(tiny_archive: str) -> Iterator[ExplorerServer]:
    server = ExplorerServer(Explorer(open_storage(tiny_archive), GROUPS, "tiny archive"))
    server.serve_in_thread()
    yield server
    server.shutdown()
    server.server_close()


def _get(server: ExplorerServer, path: str, host: str) -> tuple[int, str]:
    con = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        con.putrequest("GET", path, skip_host=True)
        con.putheader("Host", host)
        con.endheaders()
        response = con.getresponse()
        return response.status, response.read().decode()
    finally:
        con.close()


@pytest.mark.parametrize("name", ["127.0.0.1", "localhost", "LocalHost", "[::1]"])
def test_the_search_page_answers_to_the_loopback_names(
    tiny_server: ExplorerServer, name: str
) -> None:
    status, page = _get(tiny_server, "/?q=banjir", f"{name}:{tiny_server.port}")
    assert status == 200
    assert "Banjir Samarinda" in page and "tiny archive" in page


@pytest.mark.parametrize("host", ["evil.test:{port}", "localhost:1", "127.0.0.1", ""])
def test_another_host_name_is_refused(tiny_server: ExplorerServer, host: str) -> None:
    status, page = _get(tiny_server, "/", host.format(port=tiny_server.port))
    assert status == 421
    assert "<p>the explorer answers on its address only</p>" in page


def _answer(command: str, body: bytes, **kwargs: object) -> tuple[list[str], bytes]:
    handler = Handler.__new__(Handler)  # no socket: the answer goes to a buffer
    handler.wfile = io.BytesIO()
    handler.request_version, handler.command = "HTTP/1.1", command
    handler.requestline, handler.client_address = f"{command} / HTTP/1.1", ("127.0.0.1", 1)
    handler.send(body, **kwargs)  # type: ignore[arg-type]
    head, _, sent = handler.wfile.getvalue().partition(b"\r\n\r\n")
    return head.decode().split("\r\n"), sent


def test_every_answer_keeps_to_itself() -> None:
    lines, body = _answer("GET", "<p>Banjir — Samarinda</p>".encode())
    assert body == "<p>Banjir — Samarinda</p>".encode()
    assert lines[0].endswith(" 200 OK")
    assert lines[3:] == [  # after the server's name and the date
        "Content-Type: text/html; charset=utf-8",
        f"Content-Length: {len(body)}",
        f"Content-Security-Policy: {PAGE_CSP}",
        "X-Content-Type-Options: nosniff",
        "Referrer-Policy: no-referrer",
        "Cache-Control: no-store",
    ]


def test_head_gets_the_headers_without_the_body() -> None:
    lines, body = _answer("HEAD", b"<p>halo</p>", csp="sandbox")
    assert body == b""
    assert "Content-Length: 11" in lines  # the length of the body a GET gets
    assert "Content-Security-Policy: sandbox" in lines


def test_the_stylesheet_may_be_kept_for_an_hour(tiny_server: ExplorerServer) -> None:
    con = http.client.HTTPConnection("127.0.0.1", tiny_server.port, timeout=30)
    try:
        con.request("GET", "/static/explore.css")
        response = con.getresponse()
        assert response.status == 200 and response.read()
        assert response.headers["Content-Type"] == "text/css; charset=utf-8"
        assert response.headers.get_all("Cache-Control") == ["max-age=3600"]  # not no-store too
    finally:
        con.close()


def test_a_group_of_the_settings_chooses_its_sites(tiny_server: ExplorerServer) -> None:
    host = f"127.0.0.1:{tiny_server.port}"
    status, page = _get(tiny_server, "/?group=Hanya+niaga", host)
    assert status == 200
    assert '<strong id="matching">3</strong> stories match' in page  # not kabarbenua's one
    assert "in niaga." in page


def test_an_unknown_address_gets_an_error_page_of_the_archive(
    tiny_server: ExplorerServer,
) -> None:
    status, page = _get(tiny_server, "/nowhere", f"localhost:{tiny_server.port}")
    assert status == 404
    assert "<title>404 · warta explorer" in page
    assert "<h1>404 Not Found</h1>" in page
    assert "<p>there is no such page in the explorer</p>" in page
    assert '<span class="archive">tiny archive</span>' in page


def test_the_server_thread_never_keeps_the_process_alive(tiny_archive: str) -> None:
    server = ExplorerServer(Explorer(open_storage(tiny_archive), GROUPS, "tiny archive"))
    try:
        thread = server.serve_in_thread()
        assert thread.is_alive()
        assert thread.daemon  # a test or bench that forgets shutdown() still exits
        assert thread.name == "warta-explore"  # how a thread dump names it
    finally:
        server.shutdown()
        server.server_close()
    thread.join(timeout=5)
    assert not thread.is_alive()


def test_only_the_loopback_names_with_its_port_are_allowed(tiny_archive: str) -> None:
    server = ExplorerServer(Explorer(open_storage(tiny_archive), GROUPS, "tiny archive"))
    try:
        port = server.port
        for name in ("127.0.0.1", "localhost", "LOCALHOST", "[::1]"):
            assert server.host_allowed(f"{name}:{port}")
            assert not server.host_allowed(f"{name}:{port + 1}")
        for host in (f"evil.test:{port}", "localhost", ""):
            assert not server.host_allowed(host)
    finally:
        server.server_close()


def test_a_story_of_the_archive_gets_its_page(tiny_server: ExplorerServer) -> None:
    host = f"127.0.0.1:{tiny_server.port}"
    status, page = _get(tiny_server, "/story?url=https%3A%2F%2Fniaga.test%2Fpasar%2F", host)
    assert status == 200
    assert "Harga pasar" in page
    status, page = _get(tiny_server, "/story?url=https%3A%2F%2Fniaga.test%2Fnone%2F", host)
    assert status == 404
    assert "<p>no story with that address is in this archive</p>" in page


def test_a_story_without_a_warc_record_has_none_to_download(tiny_server: ExplorerServer) -> None:
    # the tiny archive indexes no captures: its stories have no record to hand out
    host = f"127.0.0.1:{tiny_server.port}"
    status, page = _get(tiny_server, "/record?url=https%3A%2F%2Fniaga.test%2Fpasar%2F", host)
    assert status == 404
    assert "<p>no archived record of that story</p>" in page


def test_the_favicon_is_empty_and_other_static_names_are_not_found(
    tiny_server: ExplorerServer,
) -> None:
    host = f"127.0.0.1:{tiny_server.port}"
    assert _get(tiny_server, "/favicon.ico", host) == (204, "")
    for path in ("/static/nothing.css", "/static/", "/static/../app.py"):
        status, page = _get(tiny_server, path, host)
        assert status == 404, path
        assert "<p>there is no such page in the explorer</p>" in page
