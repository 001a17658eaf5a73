"""A tiny HTTP server that answers from a script, for crawls against misbehaving sites.

Routes map a path to ``(status, headers, body)``; ``"/path#2"`` answers the second request
for ``/path`` (a 503 and then a redirect, say). Every request's path and headers are kept,
so a test can count what reached the server. It binds port 0 and keeps its socket, so no
other test can take the port in between.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Self

Answer = tuple[int, dict[str, str] | list[tuple[str, str]], bytes]
Route = Answer | Callable[[str], Answer]


class ScriptedServer:
    def __init__(self, routes: dict[str, Route], host: str = "127.0.0.1") -> None:
        self.routes = routes
        self.paths: list[str] = []
        self.request_headers: list[dict[str, str]] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                with server._lock:
                    server.paths.append(self.path)
                    server.request_headers.append(dict(self.headers.items()))
                    seen = server.paths.count(self.path)
                route = server.routes.get(f"{self.path}#{seen}") or server.routes.get(self.path)
                answer = route(self.path) if callable(route) else route
                status, headers, body = answer or (404, {}, b"not here")
                self.send_response(status)
                items = headers.items() if isinstance(headers, dict) else headers
                self.send_header("Content-Length", str(len(body)))
                for name, value in items:
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.base_url = f"http://{host}:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:  # fmt: skip
        self.httpd.shutdown()
        self.httpd.server_close()
