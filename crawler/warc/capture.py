"""Scrapy downloader middleware that captures every HTTP exchange into rotating WARC files.

At priority 950 it is the last middleware a request passes on its way out (after cookies,
User-Agent and Accept-Encoding are set) and the first one a response meets on its way back
(before HttpCompressionMiddleware decodes it and RedirectMiddleware swallows 3xx). So
redirect hops, robots.txt, sitemaps and error pages are all archived, with raw bodies.

Whether an exchange is archived in full or as a revisit of an earlier record is not decided
here: a :class:`RevisitPolicy` (``WARTA_REVISIT_POLICY``, the crawl state's
:class:`crawler.incremental.revisits.Revisits`) says so. Records are built by
:mod:`crawler.warc.records` and written, with rotation, by :mod:`crawler.warc.writer`.

With ``WARTA_WARC_WRITER_THREAD``, records are written on a thread of their own
(:mod:`crawler.warc.serial`), in the order the exchanges came back: ``process_response``
awaits its record's location while the reactor goes on with other downloads.

Other components reach the writer through :func:`get_warc_writer`, e.g. an item pipeline's
``open_spider``::

    writer = get_warc_writer(self.crawler)   # None when WARC capture is disabled
"""

from __future__ import annotations

import logging
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from http import HTTPStatus
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import scrapy
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers, Request, Response
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.misc import load_object

from crawler import __version__, keys
from crawler import settings as defaults
from crawler.warc import records
from crawler.warc.records import CapturedRequest, CapturedResponse
from crawler.warc.recovery import recover_open_files
from crawler.warc.serial import SerialWarcWriter
from crawler.warc.tape import WireTape
from crawler.warc.wire import from_tape, truncation_of
from crawler.warc.writer import RecordLocation, RotatingWarcWriter

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

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


def decode_header(value: bytes) -> str:
    """A header name or value as text: UTF-8 if it is, else Latin-1 (never fails)."""
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("latin-1")


def header_pairs(headers: Headers, drop: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """Scrapy headers as ordered (name, value) pairs, one pair per repeated value."""
    pairs: list[tuple[str, str]] = []
    for raw_name, values in headers.items():
        name = decode_header(raw_name)
        if name.lower() in drop:
            continue
        pairs.extend((name, decode_header(v)) for v in values)
    return pairs


def reason_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


@dataclass(frozen=True, slots=True)
class Revisit:
    """Archive the exchange as a revisit of an earlier record, and hand on ``answer``."""

    profile: str  # records.PROFILE_NOT_MODIFIED or records.PROFILE_IDENTICAL
    original: records.RevisitOf
    original_location: dict[str, str | int]  # the full copy: the request's ``warc_record``
    recorded: CapturedResponse  # the response as the revisit record states it
    answer: Response  # what the spider gets (for a 304: the archived copy)


@dataclass(frozen=True, slots=True)
class Refetch:
    """Archive the exchange as it is, then ask again with ``retry`` instead of answering."""

    retry: Request


class RevisitPolicy(Protocol):
    """What capture asks of an incremental crawl (see crawler.incremental.revisits)."""

    def before_request(self, request: Request) -> Response | None:
        """Add validators to the request, or answer it without the network."""

    def judge(
        self, request: Request, response: Response, captured: CapturedResponse
    ) -> Revisit | Refetch | None:
        """How to archive this answer; None to archive it in full."""

    def archived(
        self,
        request: Request,
        response: Response,
        warc_path: Path,
        where: RecordLocation,
        when: datetime,
    ) -> None:
        """A full response record was written."""

    def revisited(self, request: Request, recorded: CapturedResponse) -> None:
        """A revisit record was written."""

    def open(self) -> None: ...

    def close(self, reason: str) -> None: ...


class WarcCaptureMiddleware:
    """Writes a request and a response record for every response the downloader returns.

    With a revisit policy (an incremental crawl with ``WARTA_STATE_ENABLED``), an answer
    that repeats an archived copy is written as a revisit record instead (see
    docs/incremental.md).
    """

    def __init__(
        self, crawler: Crawler, writer: RotatingWarcWriter, revisits: RevisitPolicy | None = None
    ) -> None:
        self.crawler = crawler
        thread = crawler.settings.getbool(
            "WARTA_WARC_WRITER_THREAD", defaults.WARTA_WARC_WRITER_THREAD
        )
        self.writer = SerialWarcWriter(writer, thread=thread)
        self.revisits = revisits
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("WARTA_WARC_ENABLED", defaults.WARTA_WARC_ENABLED):
            raise NotConfigured("WARC capture disabled (WARTA_WARC_ENABLED is false)")
        output_dir = settings.get("WARTA_OUTPUT_DIR") or ""
        if not str(output_dir).strip():
            raise WarcConfigError(
                "WARTA_OUTPUT_DIR must be set when WARTA_WARC_ENABLED is true "
                "(set it with -s WARTA_OUTPUT_DIR=... or disable WARC capture)"
            )
        max_bytes = settings.getint("WARTA_WARC_MAX_BYTES", defaults.WARTA_WARC_MAX_BYTES)
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
            prefix=settings.get("WARTA_WARC_PREFIX") or defaults.WARTA_WARC_PREFIX,
            host=host,
            max_bytes=max_bytes,
            warcinfo=warcinfo_fields(extra, socket.gethostname()),
        )
        policy = settings.get("WARTA_REVISIT_POLICY")
        revisits = load_object(policy).from_settings(settings, directory) if policy else None
        return cls(crawler, writer, revisits)

    def process_request(self, request: Request) -> Response | None:
        """Let the revisit policy add validators, or answer from the archived copy."""
        if self.revisits is None:
            return None
        return self.revisits.before_request(request)

    def _capture(
        self, request: Request, response: Response, tape: WireTape | None = None
    ) -> tuple[CapturedRequest, CapturedResponse]:
        if tape is not None and tape.has_response_head:
            truncated = records.TRUNCATED_LENGTH if tape.overflow else None
            if "dataloss" in response.flags:
                truncated = records.TRUNCATED_DISCONNECT
            return from_tape(
                request,
                tape,
                self.writer.now(),
                str(response.ip_address) if response.ip_address else None,
                truncated,
            )
        received = self.writer.now()
        # Without the wire tape (another download handler), the sending time is estimated.
        latency = request.meta.get("download_latency")
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

    async def process_response(self, request: Request, response: Response) -> Response | Request:
        tape = request.meta.pop(keys.WIRE, None)
        if "cached" in response.flags:  # served by HttpCacheMiddleware, not fetched now
            return response
        try:
            return await self._archive(request, response, tape)
        finally:
            if tape is not None:
                tape.close()

    def process_exception(self, request: Request, exception: BaseException) -> None:
        """A download cut short after the response headers: archive what arrived."""
        tape = request.meta.pop(keys.WIRE, None)
        if not isinstance(tape, WireTape):
            return None
        try:
            exception.bytes_received = tape.received  # type: ignore[attr-defined]
            if not tape.has_response_head:
                return None  # nothing a reader could use: failures.jsonl lists the URL
            truncated = truncation_of(exception, tape)
            captured = from_tape(request, tape, self.writer.now(), None, truncated)
            try:
                self.writer.write_exchange(*captured)
            except (OSError, ValueError):
                self._fail(request.url)
                raise
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value(keys.TRUNCATED_PREFIX + truncated)
        finally:
            tape.close()
        return None

    async def _archive(
        self, request: Request, response: Response, tape: WireTape | None
    ) -> Response | Request:
        captured_request, captured_response = self._capture(request, response, tape)
        verdict = None
        if self.revisits is not None:
            verdict = self.revisits.judge(request, response, captured_response)
        try:
            if isinstance(verdict, Revisit):
                await self._write_revisit(request, captured_request, verdict)
                return verdict.answer
            location = await self.writer.write_exchange_async(captured_request, captured_response)
        except (OSError, ValueError):
            self._fail(response.url)
            raise
        if isinstance(verdict, Refetch):
            logger.warning("Archived copy of %s is gone; fetching it again", request.url)
            verdict.retry.meta[keys.NOT_MODIFIED_RECORD] = location.as_meta()
            return verdict.retry
        request.meta[keys.WARC_RECORD] = location.as_meta()
        if self.revisits is not None and not captured_response.truncated:
            warc_path = self.writer.directory / location.file
            self.revisits.archived(
                request, response, warc_path, location, captured_response.timestamp
            )
        return response

    async def _write_revisit(
        self, request: Request, captured_request: CapturedRequest, verdict: Revisit
    ) -> None:
        location = await self.writer.write_revisit_async(
            captured_request, verdict.recorded, verdict.original, verdict.profile
        )
        meta = location.as_meta()
        meta.update(revisit_of=verdict.original.record_id, profile=verdict.profile)
        request.meta[keys.REVISIT] = meta
        request.meta[keys.WARC_RECORD] = verdict.original_location
        assert self.revisits is not None
        self.revisits.revisited(request, verdict.recorded)
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(keys.REVISIT_PREFIX + verdict.profile.rsplit("/", 1)[-1])

    def _fail(self, url: str) -> None:
        # An archive crawl that cannot archive must stop, not carry on silently.
        logger.exception("Could not write WARC records for %s; closing the spider", url)
        if self.crawler.engine is not None:
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="warc_write_error"))

    def spider_opened(self) -> None:
        if self.revisits is not None:
            self.revisits.open()

    def spider_closed(self, reason: str = "finished") -> None:
        self.writer.close()
        if self.revisits is not None:
            self.revisits.close(reason)
        for path in self.writer.files_written:
            logger.info("WARC file written: %s", path)


def get_warc_writer(crawler: Crawler) -> SerialWarcWriter | None:
    """The running crawl's writer, or None if WARC capture is off.

    Call it once the engine exists (``open_spider`` of a pipeline, or later). Its
    ``write_records`` waits for the records queued before; a coroutine can await
    ``write_records_async`` instead.
    """
    middleware = crawler.get_downloader_middleware(WarcCaptureMiddleware)
    return middleware.writer if middleware is not None else None


__all__ = [
    "Refetch",
    "Revisit",
    "RevisitPolicy",
    "WarcCaptureMiddleware",
    "WarcConfigError",
    "decode_header",
    "get_warc_writer",
    "reason_phrase",
    "warcinfo_fields",
]
