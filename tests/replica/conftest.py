"""Shared fixtures: small replica sites and real servers on 127.0.0.1 with OS-chosen ports."""

from __future__ import annotations

import http.client
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

from replica.content import build_site
from replica.server import ReplicaServer
from replica.site_model import ReplicaSite

SITE_ARTICLES = 45


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def header(self, name: str) -> str | None:
        return self.headers.get(name)


class Client:
    """A keep-alive ``http.client`` connection to one replica, returning raw bodies."""

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self.base_url = base_url
        self.conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)

    def get(self, path: str, headers: dict[str, str] | None = None, method: str = "GET") -> Reply:
        if path.startswith(self.base_url):
            path = path[len(self.base_url) :]
        self.conn.request(method, path, headers=headers or {})
        response = self.conn.getresponse()
        body = response.read()
        return Reply(response.status, response.headers, body)

    def close(self) -> None:
        self.conn.close()


def _raw_exchange(base_url: str, request: bytes) -> bytes:
    """Send ``request`` bytes on a fresh socket and read until the server closes."""
    parts = urlsplit(base_url)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(request)
        chunks = []
        while data := sock.recv(65536):
            chunks.append(data)
    return b"".join(chunks)


def _dechunk(payload: bytes) -> tuple[bytes, int]:
    """Decode HTTP/1.1 chunked framing; returns the body and the number of data chunks."""
    body, count, pos = bytearray(), 0, 0
    while True:
        end = payload.index(b"\r\n", pos)
        size = int(payload[pos:end].split(b";")[0], 16)
        pos = end + 2
        if size == 0:
            return bytes(body), count
        body += payload[pos : pos + size]
        assert payload[pos + size : pos + size + 2] == b"\r\n"
        pos += size + 2
        count += 1


@pytest.fixture(scope="session")
def site() -> ReplicaSite:
    return build_site(SITE_ARTICLES)


@pytest.fixture(scope="session")
def server(site: ReplicaSite) -> Iterator[ReplicaServer]:
    with ReplicaServer(site, port=0) as running:
        yield running


@pytest.fixture(scope="session")
def fault_server(site: ReplicaSite) -> Iterator[ReplicaServer]:
    with ReplicaServer(site, port=0, faults=True, crawl_delay=2) as running:
        yield running


@pytest.fixture
def client(server: ReplicaServer) -> Iterator[Client]:
    c = Client(server.base_url)
    yield c
    c.close()


@pytest.fixture
def fault_client(fault_server: ReplicaServer) -> Iterator[Client]:
    c = Client(fault_server.base_url)
    yield c
    c.close()


@pytest.fixture
def make_client() -> Iterator[Callable[[str], Client]]:
    """A factory of keep-alive clients, closed after the test."""
    made: list[Client] = []

    def make(base_url: str) -> Client:
        made.append(Client(base_url))
        return made[-1]

    yield make
    for c in made:
        c.close()


@pytest.fixture
def raw_exchange() -> Callable[[str, bytes], bytes]:
    """Send raw request bytes on a new socket; returns everything until the server closes."""
    return _raw_exchange


@pytest.fixture
def dechunk() -> Callable[[bytes], tuple[bytes, int]]:
    """Decode chunked framing: (body, number of data chunks)."""
    return _dechunk
