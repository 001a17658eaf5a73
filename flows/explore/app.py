"""The explorer's web application: stdlib ``http.server``, one handler, GET only.

Routes: ``/`` (the search page), ``/story?url=`` (a story beside its archived page),
``/replay/<ts>[id_]/<url>`` (:mod:`flows.explore.replay`), ``/attention.csv``,
``/stories.csv``, ``/stories.parquet``, ``/records.warc.gz`` and ``/record?url=``
(:mod:`flows.explore.downloads`), and ``/static/`` (the package's stylesheet).

Every answer carries headers that keep it to itself: the explorer's own pages allow no
script at all and load only from the explorer, replayed pages get the sandbox policy of
:data:`flows.explore.replay.REPLAY_CSP`. A request whose Host header is not the address
the explorer listens on is refused (a web page elsewhere cannot reach it by DNS
rebinding). Any failure becomes an error page with a message, never a traceback.
"""

from __future__ import annotations

import logging
import re
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from crawler.layout import WARC_GZ_SUFFIX
from flows.archives.snapshot import IndexCorrupt
from flows.explore import downloads, views
from flows.explore.queries import ArchiveIndex
from flows.explore.replay import PREFIX, REPLAY_CSP, ReplayError, replay
from flows.explore.search import read_search
from flows.storage.base import Storage, StorageError

log = logging.getLogger("warta.explore")

PAGE_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'self'"
)
STATIC = {"explore.css": "text/css; charset=utf-8"}
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


class Explorer:
    """What every request needs: the index, the configured groups, a name for the archive."""

    def __init__(self, storage: Storage, groups: dict[str, list[str]], name: str) -> None:
        self.index = ArchiveIndex(storage)
        self.groups = groups
        self.name = name

    def warm(self) -> None:
        """Open the index, ask what the form offers and compile the templates, so that the
        first page waits only for its own search."""
        self.index.warm()
        views.prepare()


class Handler(BaseHTTPRequestHandler):
    server: ExplorerServer
    server_version = "warta-explore"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s %s", self.address_string(), format % args)

    # ---- answering --------------------------------------------------------------------
    def send(
        self,
        body: bytes,
        content_type: str = "text/html; charset=utf-8",
        status: int = 200,
        csp: str = PAGE_CSP,
        extra: dict[str, str] | None = None,
    ) -> None:
        headers = {
            "Content-Type": content_type,
            "Content-Length": str(len(body)),
            "Content-Security-Policy": csp,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "Cache-Control": "no-store",
            **(extra or {}),  # a route's own value replaces the default, not added to it
        }
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def fail(self, status: HTTPStatus, message: str) -> None:
        page = views.error_page(status.value, status.phrase, message, self.server.explorer.name)
        self.send(page, status=status.value)

    def download(self, body: bytes, filename: str, content_type: str) -> None:
        safe = _SAFE_NAME.sub("-", filename)[:100]
        disposition = f'attachment; filename="{safe}"'
        self.send(body, content_type, extra={"Content-Disposition": disposition})

    # ---- routing ----------------------------------------------------------------------
    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        if not self.server.host_allowed(self.headers.get("Host", "")):
            self.fail(HTTPStatus.MISDIRECTED_REQUEST, "the explorer answers on its address only")
            return
        try:
            self.route()
        except (BrokenPipeError, ConnectionResetError):
            pass
        except StorageError as exc:
            log.warning("storage failed: %s", exc)
            self.fail(HTTPStatus.BAD_GATEWAY, f"the archive could not be read: {exc.reason}")
        except IndexCorrupt as exc:
            log.error("index refused: %s", exc)
            self.fail(HTTPStatus.SERVICE_UNAVAILABLE, f"the archive's index is refused: {exc}")
        except Exception:
            log.exception("explorer request failed: %s", self.path)
            self.fail(HTTPStatus.INTERNAL_SERVER_ERROR, "the explorer failed on this request; "
                      "its log says why")  # fmt: skip

    def route(self) -> None:
        if self.path.startswith(PREFIX):
            self.replay(self.path[len(PREFIX) :])
            return
        parts = urlsplit(self.path)
        path, query = parts.path, parts.query
        explorer = self.server.explorer
        if path == "/":
            search = read_search(query, [s for s, _ in explorer.index.sites()], explorer.groups)
            self.send(views.search_page(explorer.index, search, explorer.groups, explorer.name))
        elif path == "/story":
            self.story(query)
        elif path in downloads.ROUTES:
            self.search_download(path, query)
        elif path == "/record":
            self.record(query)
        elif path.startswith("/static/") and path[len("/static/") :] in STATIC:
            name = path[len("/static/") :]
            body = files("flows.explore").joinpath("static", name).read_bytes()
            self.send(body, STATIC[name], extra={"Cache-Control": "max-age=3600"})
        elif path == "/favicon.ico":
            self.send(b"", "image/x-icon", status=204)
        else:
            self.fail(HTTPStatus.NOT_FOUND, "there is no such page in the explorer")

    def story(self, query: str) -> None:
        values = parse_qs(query)
        url = (values.pop("url", None) or [""])[0]
        explorer = self.server.explorer
        story = explorer.index.story(url) if url else None
        if story is None:
            self.fail(HTTPStatus.NOT_FOUND, "no story with that address is in this archive")
            return
        back = urlencode(values, doseq=True)  # the search the story was found by
        self.send(views.story_page(story, back, explorer.name), csp=PAGE_CSP)

    def search_download(self, path: str, query: str) -> None:
        explorer = self.server.explorer
        index, groups = explorer.index, explorer.groups
        search = read_search(query, [s for s, _ in index.sites()], groups)
        if not search.ok:
            self.fail(HTTPStatus.BAD_REQUEST, "; ".join(search.errors))
            return
        urls = parse_qs(query).get("url", [])  # stories ticked on the page
        body, filename, content_type = downloads.for_search(path, index, search, groups, urls)
        self.download(body, filename, content_type)

    def record(self, query: str) -> None:
        url = (parse_qs(query).get("url") or [""])[0]
        index = self.server.explorer.index
        story = index.story(url) if url else None
        if story is None or not story.get("warc_key"):
            self.fail(HTTPStatus.NOT_FOUND, "no archived record of that story")
            return
        [body] = downloads.warc_records(index.storage, [story])
        name = urlsplit(url).path.strip("/").replace("/", "-") or "page"
        self.download(body, f"{name}{WARC_GZ_SUFFIX}", "application/warc")

    def replay(self, rest: str) -> None:
        try:
            found = replay(self.server.explorer.index, rest)
        except ReplayError as exc:
            self.send(str(exc).encode(), "text/plain; charset=utf-8", 404, csp=REPLAY_CSP)
            return
        extra = {"Memento-Datetime": found.capture.fetch_time.strftime("%a, %d %b %Y %H:%M:%S GMT")}
        if found.location:
            extra["Location"] = found.location
        self.send(found.body, found.content_type, found.status, csp=REPLAY_CSP, extra=extra)


class ExplorerServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, explorer: Explorer, host: str = "127.0.0.1", port: int = 0) -> None:
        self.explorer = explorer
        super().__init__((host, port), Handler)
        self.host, self.port = str(self.server_address[0]), int(self.server_address[1])
        names = {self.host, "localhost", "127.0.0.1", "[::1]"}
        self.hosts = {f"{n}:{self.port}" for n in names}

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    def host_allowed(self, host: str) -> bool:
        return host.lower() in self.hosts or self.host not in ("127.0.0.1", "::1", "localhost")

    def serve_in_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, name="warta-explore", daemon=True)
        thread.start()
        return thread
