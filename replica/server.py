"""The replica's HTTP/1.1 server: keep-alive, Cloudflare-like headers, gzip over chunked.

Transport behaviour is what makes the replica worth crawling instead of reading files: gzip
bodies arrive in several chunks without Content-Length (as behind Cloudflare), validators
allow 304s, and faults break connections on demand. Bodies come from ``routes`` and are
cached, so a large site serves at hundreds of pages a second.
"""

from __future__ import annotations

import contextlib
import ipaddress
import itertools
import logging
import re
import socket
import threading
import time
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import IO, Any
from urllib.parse import parse_qs, urlsplit

from replica import faults, routes
from replica.cache import ByteLRU, Prepared
from replica.fault_modes import FAULT_PREFIX
from replica.responses import TEXT, Options, Resource
from replica.site_model import ReplicaSite

log = logging.getLogger("warta.replica")
DEFAULT_CACHE_BYTES = 256 * 1024 * 1024
CHUNK_TARGET = 8192
_HOST = re.compile(r"^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def chunked(body: bytes) -> bytes:
    """HTTP/1.1 chunked framing of ``body`` in at least two chunks (when it has 2+ bytes)."""
    count = max(2, -(-len(body) // CHUNK_TARGET)) if len(body) > 1 else 1
    size = max(1, -(-len(body) // count))
    parts = [
        b"%x\r\n%s\r\n" % (len(body[i : i + size]), body[i : i + size])
        for i in range(0, len(body), size)
    ]
    return b"".join(parts) + b"0\r\n\r\n"


def accepts_gzip(header: str | None) -> bool:
    for token in (header or "").split(","):
        name, _, params = token.strip().partition(";")
        if name.strip().lower() in ("gzip", "x-gzip", "*"):
            q = params.strip().lower()
            return not (q.startswith("q=") and float(q[2:] or 0) == 0)
    return False


class ReplicaHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    handler_class: type[BaseHTTPRequestHandler]  # set below, once ReplicaHandler exists

    def __init__(
        self,
        address: tuple[str, int],
        site: ReplicaSite,
        *,
        delay: float,
        options: Options,
        cache_bytes: int,
        log_file: IO[str] | None,
    ) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, self.handler_class)
        self.site, self.delay, self.options = site, delay, options
        self.cache = ByteLRU(cache_bytes)
        self.log_file = log_file
        self.requests = 0
        self._ray = itertools.count(1)
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()

    def next_ray(self) -> str:
        with self._lock:
            self.requests += 1
            ray = (next(self._ray) * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
            return f"{ray:016x}-SIN"

    def log(self, line: str) -> None:
        if self.log_file is not None:
            with self._lock:
                self.log_file.write(line + "\n")
                self.log_file.flush()
        else:
            log.debug("%s", line)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Hang up idle keep-alive connections so their threads end with the server."""
        with self._lock:
            sockets = list(self._open)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients hanging up mid-response is normal for a crawler test bed: log, never print.
        log.debug("error serving %s", client_address, exc_info=True)


class ReplicaHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    timeout = 60  # idle keep-alive connections are closed after this many seconds
    server: ReplicaHTTPServer

    def version_string(self) -> str:
        return "cloudflare"

    def log_message(self, format: str, *args: Any) -> None:
        self.server.log(f"{self.client_address[0]} [{self.log_date_time_string()}] {format % args}")

    def do_GET(self) -> None:
        self._guarded(head=False)

    def do_HEAD(self) -> None:
        self._guarded(head=True)

    def _guarded(self, head: bool) -> None:
        try:
            self._serve(head)
        except OSError:
            self.close_connection = True  # the client went away; nothing to answer
        except Exception:
            log.exception("replica failed to serve %s", self.path)
            self.close_connection = True
            self._send(Prepared.of(Resource(500, b"replica error\n", TEXT)), head)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(min(length, 1 << 20))
        self._send(
            Prepared.of(
                Resource(405, b"Method Not Allowed\n", TEXT, headers=(("Allow", "GET, HEAD"),))
            ),
            head=False,
        )

    # -- helpers used by socket-level faults ------------------------------------------------
    def write_raw(self, data: bytes) -> None:
        self.wfile.write(data)

    def head_lines(self, status: int, headers: list[tuple[str, str]]) -> bytes:
        phrase = self.responses.get(status, ("",))[0]
        lines = [
            f"{self.protocol_version} {status} {phrase}",
            f"Date: {self.date_time_string()}",
            "Server: cloudflare",
            f"CF-RAY: {self.server.next_ray()}",
        ]
        lines += [f"{name}: {value}" for name, value in headers]
        self.log_request(status)
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    # -- request handling ---------------------------------------------------------------------
    def _base(self) -> str:
        host = self.headers.get("Host", "")
        if not _HOST.match(host):
            addr, port = str(self.server.server_address[0]), self.server.server_address[1]
            host = f"[{addr}]:{port}" if ":" in addr else f"{addr}:{port}"
        return f"http://{host}"

    def _serve(self, head: bool) -> None:
        server = self.server
        if server.delay > 0:
            time.sleep(server.delay)
        base = self._base()
        target = self.path
        if not target.startswith("/"):  # absolute-form, as sent to proxies
            parts = urlsplit(target)
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        path, _, query = target.partition("?")
        if path.startswith(FAULT_PREFIX):
            name = path[len(FAULT_PREFIX) :]
            if faults.handle_raw(name, self):
                return
            found = faults.resource(name, parse_qs(query), base)
            resource = found if found is not None else self._not_found(base)
            self._send(Prepared.of(resource), head)
            return
        key = (base, target)
        entry = server.cache.get(key)
        cached = True
        if entry is None:
            resource = self._resolve(base, target)
            entry = Prepared.of(resource)
            cached = resource.status in (200, 301)
            if cached:
                server.cache.put(key, entry)
        self._send(entry, head, cached)

    def _resolve(self, base: str, target: str) -> Resource:
        """The resource at ``target`` (a subclass serves another site through this loop)."""
        return routes.resolve(self.server.site, base, target, self.server.options)

    def _not_found(self, base: str) -> Resource:
        return routes.not_found(self.server.site, base)

    def _not_modified(self, entry: Prepared) -> bool:
        if entry.resource.status != 200:
            return False
        tags = self.headers.get("If-None-Match")
        if tags is not None:
            wanted = {t.strip().removeprefix("W/") for t in tags.split(",")}
            return bool(wanted & {"*", entry.etag, entry.gzip_etag})
        since = self.headers.get("If-Modified-Since")
        moment = entry.resource.last_modified
        if since and moment is not None:
            try:
                return moment.replace(microsecond=0) <= parsedate_to_datetime(since)
            except (TypeError, ValueError):
                return False
        return False

    def _send(self, entry: Prepared, head: bool, cached: bool = False) -> None:
        res = entry.resource
        status = 304 if self._not_modified(entry) else res.status
        use_gzip = (
            res.compressible
            and (len(res.body) > 0 or status == 304)
            and accepts_gzip(self.headers.get("Accept-Encoding"))
        )
        headers = [("Content-Type", res.content_type)]
        if res.compressible:
            headers.append(("Vary", "Accept-Encoding"))
        if res.status == 200:
            headers.append(("ETag", entry.gzip_etag if use_gzip else entry.etag))
            if entry.last_modified:
                headers.append(("Last-Modified", entry.last_modified))
        headers.extend(res.headers)
        headers.append(("CF-Cache-Status", "DYNAMIC" if res.compressible else "HIT"))
        if status == 304:
            self.write_raw(self.head_lines(304, headers))
            return
        payload = res.body
        if use_gzip:
            payload, created = entry.gzip_body()
            if created and cached:
                self.server.cache.grew(len(payload))
            headers.append(("Content-Encoding", "gzip"))
        if use_gzip and self.request_version == "HTTP/1.1":
            headers.append(("Transfer-Encoding", "chunked"))
            payload = chunked(payload)
        else:
            headers.append(("Content-Length", str(len(payload))))
        if self.close_connection:
            headers.append(("Connection", "close"))
        self.write_raw(self.head_lines(status, headers) + (b"" if head else payload))


ReplicaHTTPServer.handler_class = ReplicaHandler


class ReplicaServer:
    """The replica served from a background thread; use as a context manager.

    ``with ReplicaServer(build_site(60)) as server: fetch(server.base_url + "/")``
    """

    # Another replica (a different CMS) swaps in its own HTTP server and keeps the rest.
    http_server_class: type[ReplicaHTTPServer] = ReplicaHTTPServer

    def __init__(
        self,
        site: ReplicaSite,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        delay: float = 0.0,
        crawl_delay: float | None = None,
        faults: bool = False,
        cache_bytes: int = DEFAULT_CACHE_BYTES,
        log_file: IO[str] | None = None,
        allow_public: bool = False,
    ) -> None:
        if not (allow_public or is_loopback(host)):
            raise ValueError(f"refusing to serve the replica on non-loopback host {host!r}")
        if delay < 0 or (crawl_delay is not None and crawl_delay < 0):
            raise ValueError("delay and crawl_delay must not be negative")
        self.site = site
        self.httpd = self.http_server_class(
            (host, port),
            site,
            delay=delay,
            options=Options(crawl_delay=crawl_delay, faults=faults),
            cache_bytes=cache_bytes,
            log_file=log_file,
        )
        self.host = host
        self.port: int = self.httpd.server_address[1]
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    @property
    def requests(self) -> int:
        return self.httpd.requests

    def start(self) -> ReplicaServer:
        self._thread = threading.Thread(
            target=self.httpd.serve_forever,
            kwargs={"poll_interval": 0.2},
            name=f"replica-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join()
            self._thread = None
        self.httpd.close_connections()
        self.httpd.server_close()

    def __enter__(self) -> ReplicaServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
