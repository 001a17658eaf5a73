"""A raw-socket HTTP server whose every byte is scripted, for checking exact capture.

``http.server`` normalises what it sends (reason phrases, header case, framing); this one
writes exactly the bytes a route gives, can pause, close or reset the connection mid-way,
and keeps, per exchange, the bytes it received and the bytes it sent. Connections are kept
open between requests, as a real server does, unless a route closes them.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self

SLEEP = "sleep"
CLOSE = "close"  # FIN: end the connection
RESET = "reset"  # RST: abort the connection
FLOOD = "flood"  # (FLOOD, line): send line forever, until the client gives up (or FLOOD_SECONDS)
FLOOD_SECONDS = 120.0
Step = bytes | tuple[str, float] | tuple[str, bytes] | str


@dataclass
class Exchange:
    path: str
    received: bytes
    sent: bytearray = field(default_factory=bytearray)
    flooded: int = 0  # bytes a FLOOD step sent (not kept)
    flood_seconds: float = 0.0  # how long the client took them before it gave up


def chunked(body: bytes, size: int) -> bytes:
    """``body`` in chunked transfer coding, ``size`` bytes a chunk."""
    parts = [b"%x\r\n%s\r\n" % (len(body[i : i + size]), body[i : i + size])
             for i in range(0, len(body), size)]  # fmt: skip
    return b"".join(parts) + b"0\r\n\r\n"


class WireServer:
    def __init__(self, routes: dict[str, Sequence[Step]], host: str = "127.0.0.1") -> None:
        self.routes = routes
        self.exchanges: list[Exchange] = []
        self._sock = socket.create_server((host, 0))
        self.base_url = f"http://{host}:{self._sock.getsockname()[1]}"
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._accept = threading.Thread(target=self._serve, daemon=True)

    def exchange(self, path: str) -> Exchange:
        return next(x for x in self.exchanges if x.path == path)

    def _serve(self) -> None:
        self._sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._connection, args=(conn,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _read_request(self, conn: socket.socket, pending: bytes) -> tuple[bytes, bytes] | None:
        data = pending
        while b"\r\n\r\n" not in data:
            more = conn.recv(65536)
            if not more:
                return None
            data += more
        end = data.index(b"\r\n\r\n") + 4
        head = data[:end]
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        while len(data) < end + length:
            data += conn.recv(65536)
        return data[: end + length], data[end + length :]

    def _connection(self, conn: socket.socket) -> None:
        conn.settimeout(30)
        pending = b""
        try:
            while not self._stop.is_set():
                got = self._read_request(conn, pending)
                if got is None:
                    return
                request, pending = got
                path = request.split(b" ", 2)[1].decode("ascii")
                exchange = Exchange(path, request)
                self.exchanges.append(exchange)
                script = self.routes.get(path, [b"HTTP/1.1 404 Not Found\r\n"
                                                b"Content-Length: 0\r\n\r\n"])  # fmt: skip
                if not self._play(conn, script, exchange):
                    return
        except OSError:
            return
        finally:
            conn.close()

    def _play(self, conn: socket.socket, script: Sequence[Step], exchange: Exchange) -> bool:
        """Send a route's steps; False once the connection is finished."""
        for step in script:
            if isinstance(step, bytes):
                conn.sendall(step)
                exchange.sent += step
            elif step == CLOSE:
                conn.shutdown(socket.SHUT_WR)
                return False
            elif step == RESET:
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                return False
            elif isinstance(step, tuple) and step[0] == SLEEP:
                assert isinstance(step[1], float | int)
                time.sleep(step[1])
            elif isinstance(step, tuple) and step[0] == FLOOD:
                assert isinstance(step[1], bytes)
                self._flood(conn, step[1], exchange)
                return False
        return True

    @staticmethod
    def _flood(conn: socket.socket, line: bytes, exchange: Exchange) -> None:
        started = time.monotonic()
        block = line * max(1, 65536 // len(line))
        try:
            while time.monotonic() - started < FLOOD_SECONDS:
                conn.sendall(block)
                exchange.flooded += len(block)
        except OSError:
            pass  # the client closed the connection: what a flood must come to
        finally:
            exchange.flood_seconds = time.monotonic() - started
        return True

    def __enter__(self) -> Self:
        self._accept.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:  # fmt: skip
        self._stop.set()
        self._sock.close()
        self._accept.join(timeout=5)
        for thread in self._threads:
            thread.join(timeout=5)
