"""The archived page as it was: its response record read from the stored WARC by one ranged
GET (:mod:`flows.archives.get`), served to a sandbox.

Addresses follow the wayback convention, ``/replay/<timestamp>/<original URL>``: the
capture of that URL closest to the timestamp. With ``id_`` after the timestamp the payload
is served exactly as archived (content encoding undone, as a browser would see it);
without it, links in HTML and CSS that point at another page or image are rewritten to
their own ``/replay/...`` address, so the page shows the images it was archived with. No
script, request or form can leave the archive: every replay response carries a
Content-Security-Policy with ``sandbox`` (scripts off, an opaque origin) and sources
limited to the explorer itself, so an archived page that tries to reach the live web is
refused by the browser, whether it is opened in the story's iframe or on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from flows.archives.get import Capture, NotArchived, find_capture, parse_timestamp, resolve_revisit
from flows.explore.queries import ArchiveIndex

REPLAY_CSP = (
    "sandbox; default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "font-src 'self' data:; media-src 'self'; frame-src 'self'; base-uri 'none'; "
    "form-action 'none'"
)
PREFIX = "/replay/"
_TARGET = re.compile(r"^(?P<ts>\d{4,14})(?P<raw>id_)?/(?P<url>.+)$", re.DOTALL)
_ATTRIBUTE = re.compile(
    rb"""(?P<lead>\b(?:src|href|poster|action|data-src|data-lazy-src|background)\s*=\s*)"""
    rb"""(?P<quote>["']?)(?P<url>(?(quote)[^"'>]*|[^\s>]*))""",
    re.IGNORECASE,
)
_SRCSET = re.compile(rb"""(?P<lead>\bsrcset\s*=\s*)(?P<quote>["'])(?P<list>[^"']*)""", re.I)
_REFRESH = re.compile(  # <meta http-equiv="refresh" content="0; url=...">: a navigation
    rb"""(?P<lead>\bcontent\s*=\s*)(?P<quote>["']?\s*\d+(?:\.\d*)?\s*[;,]\s*url\s*=\s*['"]?)"""
    rb"""(?P<url>[^"'>\s]+)""",
    re.IGNORECASE,
)
_CSS_URL = re.compile(rb"""(?P<lead>url\(\s*)(?P<quote>["']?)(?P<url>[^"')\s]+)""", re.I)
_CSS_IMPORT = re.compile(rb"""(?P<lead>@import\s+)(?P<quote>["'])(?P<url>[^"']+)""", re.I)
HTML_TYPES = ("text/html", "application/xhtml+xml")


class ReplayError(LookupError):
    """Not a replay address, or nothing archived for it: a 404 with this message."""


@dataclass(frozen=True)
class Replayed:
    status: int
    content_type: str
    body: bytes
    capture: Capture
    location: str | None = None


def parse_target(rest: str) -> tuple[str, str, bool]:
    """(timestamp, original URL, raw) from the part of the path after ``/replay/``."""
    match = _TARGET.match(rest)
    if match is None:
        raise ReplayError("a replay address is /replay/<YYYYMMDDhhmmss>/<original URL>")
    url = re.sub(r"^(https?):/+", r"\1://", match["url"])  # a proxy may fold '//'
    if urlsplit(url).scheme not in ("http", "https"):
        raise ReplayError("only http and https pages are archived")
    return match["ts"], url, bool(match["raw"])


def replay_address(timestamp: str, url: str, raw: bool = False) -> str:
    return f"{PREFIX}{timestamp}{'id_' if raw else ''}/{url}"


def _rewrite_one(value: bytes, base: str, timestamp: str) -> bytes:
    text = value.decode("latin-1").strip()
    if not text or text.startswith(("#", "data:", "javascript:", "mailto:", "tel:", "about:")):
        return value
    if not text.startswith(("/", "http://", "https://", "//")):
        return value  # relative to the page: it already resolves inside the replay address
    absolute = urljoin(base, text)
    if urlsplit(absolute).scheme not in ("http", "https"):
        return value
    return replay_address(timestamp, absolute).encode("latin-1")


def rewrite(body: bytes, base: str, timestamp: str, css: bool = False) -> bytes:
    """Point the absolute and root-relative links of an HTML or CSS document at the
    archive. Only link values change; the rest of the bytes stay as archived."""

    def one(match: re.Match[bytes]) -> bytes:
        url = _rewrite_one(match["url"], base, timestamp)
        return match["lead"] + match["quote"] + url

    def srcset(match: re.Match[bytes]) -> bytes:
        items = []
        for item in match["list"].split(b","):
            parts = item.strip().split(maxsplit=1)
            if parts:
                parts[0] = _rewrite_one(parts[0], base, timestamp)
            items.append(b" ".join(parts))
        return match["lead"] + match["quote"] + b", ".join(items)

    if not css:
        body = _ATTRIBUTE.sub(one, body)
        body = _SRCSET.sub(srcset, body)
        body = _REFRESH.sub(one, body)
    body = _CSS_URL.sub(one, body)
    return _CSS_IMPORT.sub(one, body)


def replay(index: ArchiveIndex, rest: str) -> Replayed:
    """The archived answer for ``/replay/<rest>``; ReplayError when there is none."""
    timestamp, url, raw = parse_target(rest)
    try:
        at = parse_timestamp(timestamp)
        with index.connection() as con:
            capture = resolve_revisit(con, find_capture(con, url, at))
    except (NotArchived, ValueError) as exc:
        raise ReplayError(str(exc)) from None
    data = index.storage.read_range(capture.warc_key, capture.offset, capture.length)
    from crawler.warc.reader import record_from_bytes

    record = record_from_bytes(data, capture.warc_key)
    http = record.http_headers
    status = int(http.get_statuscode()) if http and http.get_statuscode().isdigit() else 200
    content_type = (http.get_header("Content-Type") if http else None) or "application/octet-stream"
    body = record.content()
    location = http.get_header("Location") if http else None
    if location:
        location = replay_address(timestamp, urljoin(url, location), raw)
    if not raw:
        kind = content_type.split(";")[0].strip().lower()
        if kind in HTML_TYPES:
            body = rewrite(body, url, timestamp)
        elif kind == "text/css":
            body = rewrite(body, url, timestamp, css=True)
    return Replayed(status, content_type, body, capture, location)
