"""Every fetch that failed, said plainly: one JSON line per URL in the crawl folder.

Counts in a summary tell an operator *that* something went wrong; a researcher checking an
archive for gaps needs *which* URLs are missing and why. :class:`FailureLog` sits near the
engine end of the downloader chain, so it sees only what is final: a response that is
still an error after retries, an exception that retrying gave up on, a request that a
guard refused. Each becomes one line of ``failures.jsonl``::

    {"url": "...", "stage": "parse_article", "reason": "timeout", "status": null,
     "bytes": null, "time": "2026-12-02T05:30:00+00:00", "detail": "..."}

Lines are written as they happen and flushed, so a killed crawl keeps what it had.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Self

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    NotConfigured,
    ResponseDataLossError,
)
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached

from crawler import keys
from crawler.fetch.host_guard import HostRefused
from crawler.fetch.redaction import redact_text, redact_url
from crawler.fetch.stopping import DroppedAtStop
from crawler.layout import FAILURES_FILE

LOG = logging.getLogger(__name__)


# Scrapy's own exception types first, then Twisted's and the stdlib's by name, so an
# exception from a handler this module never heard of still gets a sensible reason.
_BY_TYPE: list[tuple[type[BaseException], str]] = [
    (HostRefused, "offsite"),
    (DownloadTimeoutError, "timeout"),
    (DownloadConnectionRefusedError, "connection-refused"),
    (CannotResolveHostError, "dns"),
    (DownloadCancelledError, "too-large"),
    (ResponseDataLossError, "data-loss"),
    (DownloadFailedError, "disconnect"),
]
_BY_NAME = {
    "TimeoutError": "timeout",
    "TCPTimedOutError": "timeout",
    "ConnectionRefusedError": "connection-refused",
    "DNSLookupError": "dns",
    "ResponseNeverReceived": "disconnect",
    "ResponseFailed": "disconnect",
    "ConnectionLost": "disconnect",
    "ConnectionDone": "disconnect",
    "ConnectionResetError": "disconnect",
    "PotentialDataLoss": "data-loss",
}


def failure_reason(exception: BaseException, address_refused: bool = False) -> str:
    """A short, stable reason for an exception, as grep and a summary table want it.

    ``address_refused``: the host guard refused every address of the request's host.
    """
    for kind, reason in _BY_TYPE:
        if isinstance(exception, kind):
            if reason == "dns" and address_refused:
                return "refused-address"
            return reason
    if isinstance(exception, IgnoreRequest):
        text = str(exception).lower()
        return "robots-disallowed" if "robots" in text else "ignored"
    name = type(exception).__name__
    named = _BY_NAME.get(name)
    if named == "dns" and address_refused:
        return "refused-address"
    return named or name


def stage_of(request: Request) -> str:
    """Which part of the crawl wanted the URL: the callback's name, or robots.txt."""
    if request.url.endswith("/robots.txt"):
        return "robots.txt"
    callback = request.callback
    return getattr(callback, "__name__", None) or "parse"


class FailureLog:
    """Downloader middleware that writes ``failures.jsonl`` and counts reasons in stats."""

    @classmethod
    def of(cls, crawler: Crawler) -> FailureLog | None:
        """The crawl's failure log, for components that fail outside the middleware chain
        (Scrapy's own registry of the running middlewares, so no global of ours)."""
        return crawler.get_downloader_middleware(cls)

    def __init__(self, crawler: Crawler, path: Path) -> None:
        self.crawler = crawler
        self.path = path
        self._file: IO[str] | None = None
        self.reasons: Counter[str] = Counter()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        out = crawler.settings.get("WARTA_OUTPUT_DIR")
        if not out:
            raise NotConfigured("no WARTA_OUTPUT_DIR")
        log = cls(crawler, Path(out) / FAILURES_FILE)
        crawler.signals.connect(log.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(log.request_dropped, signal=signals.request_dropped)
        return log

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status >= 400:
            reason = request.meta.get(keys.FAILURE_REASON) or f"http-{response.status}"
            self.record(request, reason, response.status, len(response.body))
        elif 300 <= response.status < 400 and response.status != 304:
            # Redirects are followed before this point; one that reaches it was refused
            # (a file: or other non-http Location, no Location, or a redirect limit).
            where = (response.headers.get("Location") or b"").decode("latin-1")[:300]
            self.record(request, "redirect-unfollowed", response.status, len(response.body),
                        detail=f"Location: {redact_url(where)}")  # fmt: skip
        return response

    def process_exception(self, request: Request, exception: BaseException) -> None:
        if isinstance(exception, DroppedAtStop):
            return None  # only waited its turn when the crawl stopped: not a failure
        host = urlparse_cached(request).hostname or ""
        stats = self.crawler.stats
        refused = bool(stats and stats.get_value(keys.REFUSED_HOST_PREFIX + host))
        reason = request.meta.get(keys.FAILURE_REASON) or failure_reason(exception, refused)
        received = getattr(exception, "bytes_received", None)
        self.record(request, reason, None, received, detail=str(exception)[:300])
        return None

    def record(
        self, request: Request, reason: str, status: int | None, size: int | None,
        detail: str = "",
    ) -> None:  # fmt: skip
        chain = request.meta.get("redirect_urls")
        # the site's own URL that led here, for a redirect that failed
        origin = redact_url(chain[0]) if chain else None
        self.record_url(request.url, stage_of(request), reason, status, size, detail, origin)

    def record_url(
        self, url: str, stage: str, reason: str, status: int | None = None,
        size: int | None = None, detail: str = "", redirected_from: str | None = None,
    ) -> None:  # fmt: skip
        """One line for a URL, also one that never became a request (``bad-url``)."""
        entry: dict[str, Any] = {
            "url": redact_url(url),
            "stage": stage,
            "reason": reason,
            "status": status,
            "bytes": size,
            "time": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        if redirected_from:
            entry["redirected_from"] = redirected_from
        if detail:
            entry["detail"] = redact_text(detail)
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self.path.open("a", encoding="utf-8")
        self._file.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self._file.flush()
        self.reasons[reason] += 1
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(keys.FAILURES_PREFIX + reason)

    def request_dropped(self, request: Request) -> None:
        """A redirect the scheduler refused as already seen: a loop, said as one."""
        chain = request.meta.get("redirect_urls")
        if chain:
            reason = "redirect-loop" if request.url in chain else "redirect-duplicate"
            self.record(request, reason, None, None, detail=f"after {len(chain)} redirect(s)")

    def spider_closed(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def failure_counts(stats: dict[str, Any]) -> dict[str, int]:
    """``{reason: count}`` from a crawl's stats, most frequent first."""
    counts = {
        k[len(keys.FAILURES_PREFIX) :]: int(v)
        for k, v in stats.items()
        if k.startswith(keys.FAILURES_PREFIX)
    }
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


class CountingHttpCompressionMiddleware(HttpCompressionMiddleware):
    """Scrapy's decompression, with its refusals (a gzip bomb over ``DOWNLOAD_MAXSIZE``) in
    the failures file: it raises in ``process_response``, where no other middleware's
    ``process_exception`` sees it."""

    _crawler: Crawler | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        middleware = super().from_crawler(crawler)
        middleware._crawler = crawler
        return middleware

    # No ``spider`` argument: Scrapy 2.13+ drops it, and the parent keeps it only as a shim.
    def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        try:
            return super().process_response(request, response)
        except IgnoreRequest as exc:
            log = FailureLog.of(self._crawler) if self._crawler is not None else None
            if log is not None:
                log.record(request, "too-large-decoded", response.status, len(response.body),
                           detail=str(exc)[:300])  # fmt: skip
            raise
