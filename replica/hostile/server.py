"""The hostile replica's server: the niaga replica with dozens of traps around five articles.

Every path of :mod:`replica.hostile.cases` is answered here; everything else (the five
articles, their images, the feed, robots.txt apart from its extra line) is the niaga
replica's own routing. The server writes down every path it answered and with what status,
so a test can prove that no record names a URL the server never served.
"""

from __future__ import annotations

import re
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Collection
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

from replica import faults
from replica.cache import Prepared
from replica.hostile import pages
from replica.hostile.cases import LINKED_PATHS, NEVER_SERVED
from replica.responses import HTML, TEXT, XML, Resource
from replica.server import ReplicaHandler, ReplicaHTTPServer, ReplicaServer
from replica.site_model import ReplicaSite

DEFAULT_TRAP = "http://127.0.0.2/latest/meta-data/"
DEFAULT_MAXSIZE = 32 * 1024 * 1024  # Scrapy's DOWNLOAD_MAXSIZE in warta's settings
DRIP_SECONDS = 600  # the slow drip gives up after this long, if the client has not
_PAGE = re.compile(r"^/page/(\d+)/$")
_NEST = re.compile(r"^/h-nest-(\d+)\.xml$")


class HostileHTTPServer(ReplicaHTTPServer):
    trap_url = DEFAULT_TRAP
    maxsize = DEFAULT_MAXSIZE

    def init_hostile(self, trap_url: str, maxsize: int, without: Collection[str]) -> None:
        self.trap_url, self.maxsize = trap_url, maxsize
        self.without = frozenset(without)
        self.linked = tuple(p for p in LINKED_PATHS if p not in self.without)
        self.hits: Counter[str] = Counter()
        self.answered: list[tuple[str, int]] = []
        self._record_lock = threading.Lock()

    def count(self, path: str) -> int:
        with self._record_lock:
            self.hits[path] += 1
            return self.hits[path]

    def answer(self, path: str, status: int) -> None:
        with self._record_lock:
            self.answered.append((path, status))


class HostileHandler(ReplicaHandler):
    server: HostileHTTPServer

    def head_lines(self, status: int, headers: list[tuple[str, str]]) -> bytes:
        self.server.answer(self.path.partition("?")[0], status)
        return super().head_lines(status, headers)

    def _serve(self, head: bool) -> None:
        path = self.path.partition("?")[0]
        seen = self.server.count(path)
        base = self._base()
        if path in self.server.without:
            self._send(Prepared.of(Resource(404, b"<html><body>Tidak ada</body></html>")), head)
            return
        if self._raw(path):
            return
        resource = self._resource(path, base, seen)
        if resource is None:
            super()._serve(head)  # the niaga replica's own pages
            return
        self._send(Prepared.of(resource), head)

    # -- ordinary (if odd) responses ----------------------------------------------------------
    def _resource(self, path: str, base: str, seen: int) -> Resource | None:
        site: ReplicaSite = self.server.site
        trap = self.server.trap_url
        if path == "/" or (match := _PAGE.match(path)):
            page = 1 if path == "/" else int(match.group(1)) if match else 1
            return Resource(200, pages.home(site, base, page, trap, self.server.linked).encode())
        if path == "/robots.txt":
            return Resource(200, pages.robots(base, trap).encode(), TEXT)
        if path == "/sitemap_index.xml":
            return Resource(200, pages.sitemap_index(site, base).encode(), XML)
        if path == "/post-sitemap.xml":
            text = pages.post_sitemap(site, base, trap, self.server.linked)
            return Resource(200, text.encode(), XML)
        if (nest := _NEST.match(path)) is not None:
            nested = pages.nested_sitemap(base, int(nest.group(1)))
            return Resource(200, nested.encode(), XML) if nested else None
        if path == "/h-laughs.xml":
            return Resource(200, pages.laughs_sitemap(), XML)
        if path == NEVER_SERVED:
            return Resource(404, b"<html><body>Tidak ditemukan</body></html>")
        return _ARTICLES.get(path, _other)(site, base, path, seen, trap)

    # -- transport-breaking responses ---------------------------------------------------------
    def _raw(self, path: str) -> bool:
        if path == "/h-gzip-bomb/":
            return faults.handle_raw("gzip-bomb", self)
        if path == "/h-lying-length/":
            return faults.handle_raw("truncated", self)
        if path in ("/h-huge-under/", "/h-huge-over/", "/h-huge-unannounced/"):
            self._huge(path)
            return True
        if path == "/h-slow-drip/":
            self._drip()
            return True
        if path == "/h-reset-mid-body/":
            head = self.head_lines(200, [("Content-Type", HTML), ("Content-Length", "60000")])
            self.write_raw(head + b"<html><body><p>" + b"a" * 8192)
            self._reset()
            return True
        return False

    def _huge(self, path: str) -> None:
        limit = self.server.maxsize
        size = limit - 4096 if path == "/h-huge-under/" else limit + 4096
        headers = [("Content-Type", HTML)]
        if path != "/h-huge-unannounced/":
            headers.append(("Content-Length", str(size)))
        self.close_connection = True
        block = b"<p>" + b"kata " * 1600 + b"</p>\n"
        try:
            self.write_raw(self.head_lines(200, headers) + b"<html><body>")
            sent = len(b"<html><body>")
            while sent < size:
                piece = block[: size - sent]
                self.write_raw(piece)
                sent += len(piece)
        except OSError:
            return

    def _drip(self) -> None:
        headers = [("Content-Type", HTML), ("Content-Length", "100000")]
        self.close_connection = True
        try:
            self.write_raw(self.head_lines(200, headers))
            for _ in range(DRIP_SECONDS):
                self.write_raw(b".")
                time.sleep(1)
        except OSError:
            return

    def _reset(self) -> None:
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True


def _redirect(location: str) -> Resource:
    return Resource.redirect(location, 302)


def _other(site: ReplicaSite, base: str, path: str, seen: int, trap: str) -> Resource | None:
    port = base.rsplit(":", 1)[-1]
    far = (datetime.now(UTC) + timedelta(days=365)).replace(microsecond=0)
    simple: dict[str, Resource] = {
        "/h-retry-then-trap/": (
            Resource(503, b"busy", headers=(("Retry-After", "0"),))
            if seen == 1
            else _redirect(trap)
        ),
        "/h-redirect-metadata/": _redirect("http://169.254.169.254/latest/meta-data/"),
        "/h-redirect-other-port/": _redirect("http://127.0.0.1:9/h-redirect-other-port/"),
        "/h-redirect-localhost/": _redirect(f"http://localhost:{port}/"),
        "/h-redirect-file/": _redirect("file:///etc/passwd"),
        "/h-retry-after-date/": Resource(
            503, b"maintenance", headers=(("Retry-After", format_datetime(far, usegmt=True)),)
        ),
        "/h-429-bare/": Resource(429, b"Too Many Requests"),
        "/h-503-bare/": Resource(503, b"Service Unavailable"),
        "/h-cookie-flood/": Resource(
            200, b"<html><body><p>kue</p></body></html>", headers=tuple(pages.cookie_flood())
        ),
        "/h-header-bomb/": Resource(
            200, b"<html><body><p>kepala</p></body></html>", headers=tuple(pages.header_bomb())
        ),
        "/h-redirect-loop/": _redirect(f"{base}/h-redirect-loop-b/"),
        "/h-redirect-loop-b/": _redirect(f"{base}/h-redirect-loop/"),
        "/h-empty/": Resource(200, b""),
        "/h-binary-png/": Resource(200, pages.png_bytes(), compressible=False),
        "/h-binary-zip/": Resource(200, pages.zip_bytes(), compressible=False),
        "/h-malformed/": Resource(200, faults.MALFORMED_HTML),
    }
    if path.startswith("/h-retry-after-day-"):
        return Resource(503, b"maintenance", headers=(("Retry-After", "86400"),))
    return simple.get(path)


def _article(index: int, **options: Any) -> Any:
    def build(site: ReplicaSite, base: str, path: str, seen: int, trap: str) -> Resource:
        claims = {"home": f"{base}/", "ghost": f"{base}{NEVER_SERVED}", "trap": trap}
        chosen = dict(options)
        if "canonical" in chosen:
            chosen["canonical"] = claims[chosen["canonical"]]
        if chosen.pop("trap_image", False):
            chosen["image"] = trap.rsplit("/", 2)[0] + "/foto.jpg"
        bad_charset = chosen.pop("bad_charset", False)
        html = pages.article_at(site, base, path, index, **chosen)
        if bad_charset:
            html = html.replace('<meta charset="UTF-8">', '<meta charset="x-no-such-charset">')
            return Resource(200, html.encode(), "text/html; charset=x-no-such-charset")
        return Resource(200, html.encode())

    return build


_ARTICLES: dict[str, Any] = {
    "/h-canonical-home/": _article(0, canonical="home"),
    "/h-canonical-home-2/": _article(1, canonical="home"),
    "/h-canonical-ghost/": _article(2, canonical="ghost"),
    "/h-canonical-offsite/": _article(3, canonical="trap"),
    "/h-offsite-image/": _article(4, trap_image=True),
    "/h-bad-charset/": _article(1, bad_charset=True),
    "/h-dots/": _article(2, extra_paragraph=pages.dots_paragraph()),
    "/h-credentials/": _article(3),
    "/h-too-deep/": _article(4),
}


HostileHTTPServer.handler_class = HostileHandler


class HostileServer(ReplicaServer):
    """The hostile replica in a background thread.

    ``trap_url`` is where the traps point (a counting server on 127.0.0.2 in the tests);
    ``download_maxsize`` is the crawler's DOWNLOAD_MAXSIZE, which the huge pages straddle;
    ``without`` names cases to leave out (unlinked, answered 404).
    """

    http_server_class = HostileHTTPServer
    httpd: HostileHTTPServer

    def __init__(
        self,
        site: ReplicaSite,
        *args: Any,
        trap_url: str = DEFAULT_TRAP,
        download_maxsize: int = DEFAULT_MAXSIZE,
        without: Collection[str] = (),
        **options: Any,
    ) -> None:
        super().__init__(site, *args, **options)
        self.httpd.init_hostile(trap_url, download_maxsize, without)

    @property
    def answered(self) -> list[tuple[str, int]]:
        """Every (path, status) the server answered, in order."""
        with self.httpd._record_lock:
            return list(self.httpd.answered)
