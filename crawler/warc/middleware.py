"""Scrapy downloader middleware that archives every HTTP exchange into rotating WARC files.

At priority 950 it is the last middleware a request passes on its way out (after cookies,
User-Agent and Accept-Encoding are set) and the first one a response meets on its way back
(before HttpCompressionMiddleware decodes it and RedirectMiddleware swallows 3xx). So
redirect hops, robots.txt, sitemaps and error pages are all archived, with raw bodies.

Other components reach the writer through :func:`get_warc_writer`, e.g. an item pipeline's
``open_spider``::

    writer = get_warc_writer(self.crawler)   # None when WARC capture is disabled
"""

from __future__ import annotations

import logging
import socket
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy import signals
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers, Request, Response
from scrapy.responsetypes import responsetypes
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import task

from crawler import __version__
from crawler.state import ArchivedResponse, Capture, CrawlState, parse_iso, read_archived
from crawler.warc import records
from crawler.warc.records import CapturedRequest, CapturedResponse
from crawler.warc.recovery import recover_open_files
from crawler.warc.writer import RotatingWarcWriter

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

META_KEY = "warc_record"
REVISIT_META_KEY = "warc_revisit"  # set when the exchange was archived as a revisit
KIND_KEY = "warta_kind"  # discovery | article | page, recorded in the crawl state
PRIOR_KEY = "warta_conditional"  # validators from the state were sent
NO_CONDITIONAL_KEY = "warta_no_conditional"  # never send validators for this request
UNCHANGED_FLAG = "unchanged"  # response flag: same payload as the archived copy
FROM_ARCHIVE_KEY = "warta_from_archive"  # answer from the archived copy, no network
FROM_ARCHIVE_FLAG = "from-archive"
SENT_AT_KEY = "warc_sent_at"  # when the download handler started sending the request
CONFORMS_TO = "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"
# Sent only to a proxy, never to the site; keeping it would put a credential in the archive.
DROPPED_REQUEST_HEADERS = frozenset({"proxy-authorization"})


class WarcConfigError(ValueError):
    """WARC capture is enabled but cannot run with the given settings."""


def _package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "unknown"


def software_string() -> str:
    return f"warta/{__version__} (warcio {_package_version('warcio')}, Scrapy {scrapy.__version__})"


def safe_hostname() -> str:
    """The machine name, reduced to characters allowed in a WARC file name."""
    raw = socket.gethostname().split(".")[0] or "localhost"
    cleaned = "".join(c if c.isalnum() else "-" for c in raw).strip("-")
    return cleaned or "localhost"


def warcinfo_fields(extra: dict[str, Any] | None, hostname: str) -> dict[str, str]:
    """Standard warcinfo fields first, then the operator's (which may override them)."""
    fields = {
        "software": software_string(),
        "format": "WARC File Format 1.1",
        "conformsTo": CONFORMS_TO,
        "hostname": hostname,
    }
    for key, value in (extra or {}).items():
        fields[str(key)] = str(value)
    return fields


def _decode(value: bytes) -> str:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("latin-1")


def header_pairs(headers: Headers, drop: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """Scrapy headers as ordered (name, value) pairs, one pair per repeated value."""
    pairs: list[tuple[str, str]] = []
    for raw_name, values in headers.items():
        name = _decode(raw_name)
        if name.lower() in drop:
            continue
        pairs.extend((name, _decode(v)) for v in values)
    return pairs


def _header_from(headers: records.Headers, name: str) -> str | None:
    wanted = name.lower()
    return next((v for n, v in headers if n.lower() == wanted), None)


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return _decode(value) if value else None


def reason_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


class WarcCaptureMiddleware:
    """Writes a request and a response record for every response the downloader returns.

    With a crawl state (``WARTA_STATE_ENABLED``), it also sends validators for URLs archived
    before, and writes a revisit instead of a full copy when the server answers 304 or the
    payload is unchanged (see docs/incremental.md).
    """

    def __init__(
        self, crawler: Crawler, writer: RotatingWarcWriter, state: CrawlState | None = None
    ) -> None:
        self.crawler = crawler
        self.writer = writer
        self.state = state
        self._commit_loop: task.LoopingCall | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("WARTA_WARC_ENABLED", True):
            raise NotConfigured("WARC capture disabled (WARTA_WARC_ENABLED is false)")
        output_dir = settings.get("WARTA_OUTPUT_DIR") or ""
        if not str(output_dir).strip():
            raise WarcConfigError(
                "WARTA_OUTPUT_DIR must be set when WARTA_WARC_ENABLED is true "
                "(set it with -s WARTA_OUTPUT_DIR=... or disable WARC capture)"
            )
        max_bytes = settings.getint("WARTA_WARC_MAX_BYTES", 1_000_000_000)
        if max_bytes <= 0:
            raise WarcConfigError(f"WARTA_WARC_MAX_BYTES must be positive, got {max_bytes}")
        extra = settings.getdict("WARTA_WARCINFO")
        directory = Path(output_dir)
        directory.mkdir(parents=True, exist_ok=True)
        for report in recover_open_files(directory):
            logger.warning(
                "Recovered WARC left by an earlier crawl: %s (%s, %d records)",
                report.result,
                report.status,
                report.records,
            )
        host = safe_hostname()
        writer = RotatingWarcWriter(
            directory,
            prefix=settings.get("WARTA_WARC_PREFIX") or "warta",
            host=host,
            max_bytes=max_bytes,
            warcinfo=warcinfo_fields(extra, socket.gethostname()),
        )
        return cls(crawler, writer, open_state(settings, directory))

    # -- state: conditional requests ---------------------------------------------------------
    def process_request(self, request: Request) -> Response | None:
        """Ask conditionally for a URL whose archived copy can be read back on a 304.

        A request marked ``warta_from_archive`` is answered from the archived copy without
        touching the network (a resumed crawl re-reading what an interrupted one archived).
        """
        if self.state is None or request.meta.get(NO_CONDITIONAL_KEY):
            return None
        prior = self.state.capture(request.url)
        if request.meta.get(FROM_ARCHIVE_KEY) and prior is not None and prior.archived:
            archived = read_archived(prior)
            if archived is not None:
                request.meta[META_KEY] = _location_meta(prior)
                return _archived_response(request, archived, ["cached", FROM_ARCHIVE_FLAG])
        if prior is None or not prior.archived or prior.local_warc() is None:
            return None
        if not (prior.etag or prior.last_modified):
            return None
        if prior.etag and b"If-None-Match" not in request.headers:
            request.headers[b"If-None-Match"] = prior.etag
        if prior.last_modified and b"If-Modified-Since" not in request.headers:
            request.headers[b"If-Modified-Since"] = prior.last_modified
        request.meta[PRIOR_KEY] = True
        return None

    def _capture(
        self, request: Request, response: Response
    ) -> tuple[CapturedRequest, CapturedResponse]:
        received = self.writer.now()
        latency = request.meta.get("download_latency")
        sent = request.meta.get(SENT_AT_KEY)
        if not isinstance(sent, datetime):
            sent = received - timedelta(seconds=latency) if latency else received
        captured_request = CapturedRequest(
            method=request.method,
            url=request.url,
            headers=header_pairs(request.headers, DROPPED_REQUEST_HEADERS),
            timestamp=sent,
            body=request.body,
        )
        captured_response = CapturedResponse(
            url=response.url,
            protocol=response.protocol or "HTTP/1.1",
            status=response.status,
            reason=reason_phrase(response.status),
            headers=header_pairs(response.headers),
            body=response.body,
            timestamp=received,
            ip_address=str(response.ip_address) if response.ip_address else None,
        )
        return captured_request, captured_response

    def process_response(self, request: Request, response: Response) -> Response | Request:
        if "cached" in response.flags:  # served by HttpCacheMiddleware, not fetched now
            return response
        captured_request, captured_response = self._capture(request, response)
        prior = self.state.capture(request.url) if self.state is not None else None
        try:
            if response.status == 304 and request.meta.get(PRIOR_KEY) and prior is not None:
                return self._not_modified(
                    request, response, prior, captured_request, captured_response
                )
            if (
                prior is not None
                and prior.archived
                and response.status == 200
                and prior.payload_digest == records.payload_digest(response.body)
            ):
                self._write_revisit(
                    request, captured_request, captured_response, prior, records.PROFILE_IDENTICAL
                )
                return response.replace(flags=[*response.flags, UNCHANGED_FLAG])
            location = self.writer.write_exchange(captured_request, captured_response)
        except (OSError, ValueError):
            self._fail(response.url)
            raise
        request.meta[META_KEY] = location.as_meta()
        if self.state is not None:
            self.state.record_response(
                request.url,
                kind=request.meta.get(KIND_KEY, "page"),
                status=response.status,
                etag=_header(response, b"ETag"),
                last_modified=_header(response, b"Last-Modified"),
                payload_digest=records.payload_digest(response.body),
                warc_path=self.writer.directory / location.file,
                offset=location.offset,
                length=location.length,
                record_id=location.record_id,
                warc_date=captured_response.timestamp,
            )
        return response

    def _write_revisit(
        self,
        request: Request,
        captured_request: CapturedRequest,
        captured_response: CapturedResponse,
        prior: Capture,
        profile: str,
    ) -> None:
        assert prior.record_id and prior.warc_date and prior.payload_digest
        original = records.RevisitOf(
            prior.record_id, prior.url, parse_iso(prior.warc_date), prior.payload_digest
        )
        revisit_id, request_id = self.writer.new_record_id(), self.writer.new_record_id()
        revisit = records.revisit(
            captured_response,
            records.RecordSpec(revisit_id, captured_response.timestamp),
            original,
            profile,
            concurrent_to=request_id,
        )
        req = records.request(
            captured_request,
            records.RecordSpec(request_id, captured_request.timestamp),
            protocol=captured_response.protocol,
            concurrent_to=revisit_id,
        )
        location = self.writer.write_records([revisit, req])[0]
        meta = location.as_meta()
        meta.update(revisit_of=prior.record_id, profile=profile)
        request.meta[REVISIT_META_KEY] = meta
        request.meta[META_KEY] = _location_meta(prior)
        assert self.state is not None
        self.state.record_revisit(
            request.url,
            status=captured_response.status,
            etag=_header_from(captured_response.headers, "ETag"),
            last_modified=_header_from(captured_response.headers, "Last-Modified"),
        )
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"warta/revisit/{profile.rsplit('/', 1)[-1]}")

    def _not_modified(
        self,
        request: Request,
        response: Response,
        prior: Capture,
        captured_request: CapturedRequest,
        captured_response: CapturedResponse,
    ) -> Response | Request:
        """A 304: archive a revisit, and hand the spider the archived copy to parse."""
        archived = read_archived(prior)
        if archived is None:
            # The copy vanished between request and answer: archive the 304 as it is and
            # ask again without validators.
            location = self.writer.write_exchange(captured_request, captured_response)
            logger.warning("Archived copy of %s is gone; fetching it again", request.url)
            retry = request.replace(dont_filter=True)
            for name in (b"If-None-Match", b"If-Modified-Since"):
                retry.headers.pop(name, None)
            retry.meta[NO_CONDITIONAL_KEY] = True
            retry.meta.pop(PRIOR_KEY, None)
            retry.meta["warc_304_record"] = location.as_meta()
            return retry
        fresh = records.freshened_headers(archived.headers, captured_response.headers)
        as_archived = replace(
            captured_response,
            status=archived.status,
            reason=reason_phrase(archived.status),
            headers=fresh,
        )
        self._write_revisit(
            request, captured_request, as_archived, prior, records.PROFILE_NOT_MODIFIED
        )
        flags = [*response.flags, UNCHANGED_FLAG, FROM_ARCHIVE_FLAG]
        return _archived_response(request, archived, flags)

    def _fail(self, url: str) -> None:
        # An archive crawl that cannot archive must stop, not carry on silently.
        logger.exception("Could not write WARC records for %s; closing the spider", url)
        if self.crawler.engine is not None:
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="warc_write_error"))

    def spider_opened(self) -> None:
        if self.state is not None:
            self._commit_loop = task.LoopingCall(self.state.flush)
            self._commit_loop.start(self.state.commit_interval, now=False)

    def spider_closed(self, reason: str = "finished") -> None:
        if self._commit_loop is not None and self._commit_loop.running:
            self._commit_loop.stop()
        self.writer.close()
        if self.state is not None:
            self.state.finish_run(reason)
            self.state.close()
        for path in self.writer.files_written:
            logger.info("WARC file written: %s", path)


def _location_meta(prior: Capture) -> dict[str, str | int]:
    return {
        "file": prior.warc_file or "",
        "offset": prior.warc_offset or 0,
        "length": prior.warc_length or 0,
        "record_id": prior.record_id or "",
    }


def _archived_response(request: Request, archived: ArchivedResponse, flags: list[str]) -> Response:
    """A Scrapy response rebuilt from an archived record, still content-encoded."""
    headers = Headers(archived.headers)
    cls = responsetypes.from_args(headers=headers, url=request.url, body=archived.body)
    return cls(
        url=request.url,
        status=archived.status,
        headers=headers,
        body=archived.body,
        flags=flags,
        request=request,
        protocol=archived.protocol,
    )


class TimestampingHTTP11DownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 handler, noting when each request really leaves.

    Download-slot delays happen after every middleware, so no middleware sees the moment a
    request is sent; ``response time - latency`` misses it by the body's transfer time.
    The request record's WARC-Date uses this stamp instead (when the handler is in use).
    """

    async def download_request(self, request: Request) -> Response:
        request.meta[SENT_AT_KEY] = self._clock()
        return await super().download_request(request)

    @staticmethod
    def _clock() -> datetime:
        return datetime.now(UTC)


def open_state(settings: Any, output_dir: Path) -> CrawlState | None:
    """The crawl state named by ``WARTA_STATE_PATH``, with this run registered in it."""
    path = settings.get("WARTA_STATE_PATH") or ""
    if not settings.getbool("WARTA_STATE_ENABLED", True) or not str(path).strip():
        return None
    state = CrawlState(path, commit_interval=settings.getfloat("WARTA_STATE_COMMIT_INTERVAL", 2.0))
    state.start_run(settings.get("WARTA_CRAWL_ID") or "", output_dir)
    logger.info("Crawl state %s: %s", path, state.counts())
    return state


def get_crawl_state(crawler: Crawler) -> CrawlState | None:
    """The running crawl's state, or None when there is none (state or WARC capture off)."""
    middleware = crawler.get_downloader_middleware(WarcCaptureMiddleware)
    return middleware.state if middleware is not None else None


def get_warc_writer(crawler: Crawler) -> RotatingWarcWriter | None:
    """The running crawl's writer, or None if WARC capture is off.

    Call it once the engine exists (``open_spider`` of a pipeline, or later).
    """
    middleware = crawler.get_downloader_middleware(WarcCaptureMiddleware)
    return middleware.writer if middleware is not None else None


__all__ = [
    "FROM_ARCHIVE_KEY",
    "KIND_KEY",
    "META_KEY",
    "NO_CONDITIONAL_KEY",
    "REVISIT_META_KEY",
    "UNCHANGED_FLAG",
    "WarcCaptureMiddleware",
    "WarcConfigError",
    "get_crawl_state",
    "get_warc_writer",
]
