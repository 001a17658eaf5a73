"""The explorer's defaults, without serving anything: the address it listens on, the headers
of a page, how often it looks at the archive again and the limits of what a page lists."""

from __future__ import annotations

import io
from typing import Any, cast

import pytest

from flows.explore import queries
from flows.explore.app import Explorer, ExplorerServer, Handler
from flows.explore.queries import ArchiveIndex
from flows.explore.search import read_search
from flows.storage.base import Storage


def test_the_server_listens_on_loopback_on_a_free_port() -> None:
    server = ExplorerServer(cast(Explorer, None))  # binds, serves nothing
    try:
        assert server.host == "127.0.0.1"
        assert server.port > 1024  # a port the system chose, not port 1
        assert server.url == f"http://127.0.0.1:{server.port}/"
    finally:
        server.server_close()


def test_a_page_is_sent_as_html_with_status_200() -> None:
    handler = Handler.__new__(Handler)  # no socket: the answer goes to a buffer
    handler.wfile = io.BytesIO()
    handler.request_version, handler.command = "HTTP/1.1", "GET"
    handler.requestline, handler.client_address = "GET / HTTP/1.1", ("127.0.0.1", 1)
    handler.send(b"<p>halo</p>")
    head, _, body = handler.wfile.getvalue().partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    assert lines[0].endswith(" 200 OK")
    assert "Content-Type: text/html; charset=utf-8" in lines
    assert body == b"<p>halo</p>"


class _Recorded(ArchiveIndex):
    """An index whose queries only record their parameters."""

    def __init__(self) -> None:
        super().__init__(cast(Storage, None))
        self.asked: list[list[Any]] = []

    def rows(self, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        self.asked.append(list(params or []))
        return []

    def _fact(self, name: str, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        return self.rows(sql, params)


def test_what_a_page_lists_by_default() -> None:
    search = read_search("q=banjir", [], {})
    index = _Recorded()
    index.samples(search, {})
    assert index.asked[-1][-1] == 0  # the sample stories start with the newest
    index.top_words(search, {}, sample=2000)
    assert index.asked[-1][-1] == 40  # forty words
    index.choices("section")
    assert index.asked[-1] == [200]  # two hundred suggestions


@pytest.mark.parametrize(("later", "reopened"), [(59.5, False), (60.5, True)])
def test_the_archive_is_looked_at_again_after_a_minute(
    monkeypatch: pytest.MonkeyPatch, later: float, reopened: bool
) -> None:
    now = [1000.0]
    monkeypatch.setattr(queries.time, "monotonic", lambda: now[0])
    index = ArchiveIndex(cast(Storage, None))
    opened: list[object] = []

    def open_one() -> Any:
        opened.append(object())
        return cast(Any, type("Con", (), {"close": lambda self: None})())

    monkeypatch.setattr(index, "_open", open_one)
    with index.connection():
        pass
    now[0] += later
    with index.connection():
        pass
    assert len(opened) == (2 if reopened else 1)
