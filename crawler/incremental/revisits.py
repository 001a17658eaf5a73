"""Revisit decisions of an incremental crawl: what to ask, and what an answer repeats.

For a URL archived before, the request carries the validators the server sent then
(``If-None-Match``, ``If-Modified-Since``). The answer becomes a revisit record instead of
a full copy when the server says 304 (``server-not-modified``; the spider gets the archived
copy to parse) or sends the same payload again (``identical-payload-digest``). A request
marked ``warta_from_archive`` is answered from the archived copy without the network: a
resumed crawl re-reading what an interrupted one archived. See docs/incremental.md.

:class:`Revisits` is the policy the capture middleware asks (``WARTA_REVISIT_POLICY``); it
also keeps the crawl state up to date with what was archived.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.http import Headers, Request, Response
from scrapy.responsetypes import responsetypes
from twisted.internet import task

from crawler import keys
from crawler import settings as defaults
from crawler.incremental.schema import Capture, parse_iso
from crawler.incremental.store import CrawlState
from crawler.warc import records
from crawler.warc.capture import (
    Refetch,
    Revisit,
    WarcCaptureMiddleware,
    decode_header,
    reason_phrase,
)
from crawler.warc.reader import WarcReader, WarcReadError
from crawler.warc.records import CapturedResponse
from crawler.warc.writer import RecordLocation

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

UNCHANGED_FLAG = "unchanged"  # response flag: same payload as the archived copy
FROM_ARCHIVE_FLAG = "from-archive"
_VALIDATORS = (b"If-None-Match", b"If-Modified-Since")


@dataclass(frozen=True, slots=True)
class ArchivedResponse:
    """An archived response read back: status line, headers and the body as stored."""

    protocol: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def read_archived(capture: Capture) -> ArchivedResponse | None:
    """The archived response a row points at, read from the local WARC; None if it is gone."""
    path = capture.local_warc()
    if path is None or capture.warc_offset is None:
        return None
    try:
        with WarcReader(path) as reader:
            entry = reader.record_at(capture.warc_offset)
            if entry.record_id != capture.record_id:
                return None
            http = entry.http_headers
            if http is None:
                return None
            body = entry.body()
    except (WarcReadError, OSError) as exc:
        logger.warning("Cannot read archived record for %s: %s", capture.url, exc)
        return None
    return ArchivedResponse(
        protocol=http.protocol or "HTTP/1.1",
        status=int(http.get_statuscode() or 0),
        # body() undid any chunking; the framing headers no longer describe it
        headers=[(n, v) for n, v in http.headers if n.lower() != "transfer-encoding"],
        body=body,
    )


def archived_answer(request: Request, archived: ArchivedResponse, flags: list[str]) -> Response:
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


def location_meta(prior: Capture) -> dict[str, str | int]:
    """Where the archived copy lies, in the form of a request's ``warc_record`` meta."""
    return {
        "file": prior.warc_file or "",
        "offset": prior.warc_offset or 0,
        "length": prior.warc_length or 0,
        "record_id": prior.record_id or "",
    }


def revisit_of(prior: Capture) -> records.RevisitOf:
    assert prior.record_id and prior.warc_date and prior.payload_digest
    return records.RevisitOf(
        prior.record_id, prior.url, parse_iso(prior.warc_date), prior.payload_digest
    )


def _scrapy_header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return decode_header(value) if value else None


def _header(headers: records.Headers, name: str) -> str | None:
    wanted = name.lower()
    return next((v for n, v in headers if n.lower() == wanted), None)


class Revisits:
    """The crawl state's side of WARC capture: validators out, revisit verdicts back.

    Implements :class:`crawler.warc.capture.RevisitPolicy`.
    """

    def __init__(self, state: CrawlState) -> None:
        self.state = state
        self._commit_loop: task.LoopingCall | None = None

    @classmethod
    def from_settings(cls, settings: Any, output_dir: Path) -> Revisits | None:
        """The crawl state named by ``WARTA_STATE_PATH``, with this run registered in it."""
        path = settings.get("WARTA_STATE_PATH") or ""
        if (
            not settings.getbool("WARTA_STATE_ENABLED", defaults.WARTA_STATE_ENABLED)
            or not str(path).strip()
        ):
            return None
        interval = settings.getfloat(
            "WARTA_STATE_COMMIT_INTERVAL", defaults.WARTA_STATE_COMMIT_INTERVAL
        )
        deadline = settings.getfloat("WARTA_STATE_STATEMENT_TIMEOUT")
        state = CrawlState(path, commit_interval=interval, statement_seconds=deadline)
        state.start_run(settings.get("WARTA_CRAWL_ID") or "", output_dir)
        logger.info("Crawl state %s: %s", path, state.counts())
        return cls(state)

    # -- on the way out ---------------------------------------------------------------------
    def before_request(self, request: Request) -> Response | None:
        """Ask conditionally for a URL whose archived copy can be read back on a 304, or
        answer a ``warta_from_archive`` request from that copy."""
        if request.meta.get(keys.NO_CONDITIONAL):
            return None
        prior = self.state.capture(request.url)
        if request.meta.get(keys.FROM_ARCHIVE) and prior is not None and prior.archived:
            archived = read_archived(prior)
            if archived is not None:
                request.meta[keys.WARC_RECORD] = location_meta(prior)
                return archived_answer(request, archived, ["cached", FROM_ARCHIVE_FLAG])
        if prior is None or not prior.archived or prior.local_warc() is None:
            return None
        if not (prior.etag or prior.last_modified):
            return None
        if prior.etag and b"If-None-Match" not in request.headers:
            request.headers[b"If-None-Match"] = prior.etag
        if prior.last_modified and b"If-Modified-Since" not in request.headers:
            request.headers[b"If-Modified-Since"] = prior.last_modified
        request.meta[keys.CONDITIONAL] = True
        return None

    # -- on the way back --------------------------------------------------------------------
    def judge(
        self, request: Request, response: Response, captured: CapturedResponse
    ) -> Revisit | Refetch | None:
        """A revisit if the answer repeats the archived copy; None to archive it in full."""
        prior = self.state.capture(request.url)
        if prior is None:
            return None
        if response.status == 304 and request.meta.get(keys.CONDITIONAL):
            return self._not_modified(request, response, captured, prior)
        if (
            prior.archived
            and response.status == 200
            and prior.payload_digest == records.captured_payload_digest(captured)
        ):
            return Revisit(
                profile=records.PROFILE_IDENTICAL,
                original=revisit_of(prior),
                original_location=location_meta(prior),
                recorded=captured,
                answer=response.replace(flags=[*response.flags, UNCHANGED_FLAG]),
            )
        return None

    def _not_modified(
        self, request: Request, response: Response, captured: CapturedResponse, prior: Capture
    ) -> Revisit | Refetch:
        """A 304: a revisit stating the archived copy, which the spider gets to parse."""
        archived = read_archived(prior)
        if archived is None:
            # The copy vanished between request and answer: ask again without validators.
            retry = request.replace(dont_filter=True)
            for name in _VALIDATORS:
                retry.headers.pop(name, None)
            retry.meta[keys.NO_CONDITIONAL] = True
            retry.meta.pop(keys.CONDITIONAL, None)
            return Refetch(retry)
        if captured.wire is not None:
            as_archived = captured  # the 304 exactly as it came (docs/warc-format.md)
        else:
            fresh = records.freshened_headers(archived.headers, captured.headers)
            as_archived = replace(
                captured,
                status=archived.status,
                reason=reason_phrase(archived.status),
                headers=fresh,
            )
        flags = [*response.flags, UNCHANGED_FLAG, FROM_ARCHIVE_FLAG]
        return Revisit(
            profile=records.PROFILE_NOT_MODIFIED,
            original=revisit_of(prior),
            original_location=location_meta(prior),
            recorded=as_archived,
            answer=archived_answer(request, archived, flags),
        )

    # -- keeping the state --------------------------------------------------------------------
    def archived(
        self,
        request: Request,
        response: Response,
        warc_path: Path,
        where: RecordLocation,
        when: datetime,
    ) -> None:
        """A full response record was written: the URL now resolves to it."""
        self.state.record_response(
            request.url,
            kind=request.meta.get(keys.KIND, "page"),
            status=response.status,
            etag=_scrapy_header(response, b"ETag"),
            last_modified=_scrapy_header(response, b"Last-Modified"),
            payload_digest=where.payload_digest or records.payload_digest(response.body),
            warc_path=warc_path,
            offset=where.offset,
            length=where.length,
            record_id=where.record_id,
            warc_date=when,
        )

    def revisited(self, request: Request, recorded: CapturedResponse) -> None:
        """A revisit was written: the original stays the reference; validators are renewed."""
        self.state.record_revisit(
            request.url,
            status=recorded.status,
            etag=_header(recorded.headers, "ETag"),
            last_modified=_header(recorded.headers, "Last-Modified"),
        )

    def open(self) -> None:
        """Commit the state every few seconds while the crawl runs."""
        self._commit_loop = task.LoopingCall(self.state.flush)
        self._commit_loop.start(self.state.commit_interval, now=False)

    def close(self, reason: str) -> None:
        if self._commit_loop is not None and self._commit_loop.running:
            self._commit_loop.stop()
        self.state.finish_run(reason)
        self.state.close()


def get_crawl_state(crawler: Crawler) -> CrawlState | None:
    """The running crawl's state, or None when there is none (state or WARC capture off)."""
    middleware = crawler.get_downloader_middleware(WarcCaptureMiddleware)
    policy = middleware.revisits if middleware is not None else None
    return policy.state if isinstance(policy, Revisits) else None


__all__ = [
    "FROM_ARCHIVE_FLAG",
    "UNCHANGED_FLAG",
    "ArchivedResponse",
    "Revisits",
    "archived_answer",
    "get_crawl_state",
    "location_meta",
    "read_archived",
]
