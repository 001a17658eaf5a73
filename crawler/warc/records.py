"""Build WARC/1.1 records for one captured HTTP exchange, and for derived content.

Free of Scrapy so the exact bytes can be tested with injected record IDs and dates. Digests
(sha1, base32, as warcio, pywb and cdxj-indexer expect) are computed by warcio itself.
See docs/warc-format.md for the decisions behind each record.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from io import BytesIO
from typing import Literal
from urllib.parse import urlsplit

from warcio.recordbuilder import RecordBuilder
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders

from crawler.warc.captured import CapturedRequest, CapturedResponse, Headers, RecordSpec
from crawler.warc.digests import add_digests, payload_digest, stream_digest
from crawler.warc.tape import WireHeaders, WireMessage

WARC_VERSION = "WARC/1.1"

# Scrapy's downloader hands over the body already de-chunked; this keeps the original
# header visible without letting replay tools de-chunk the body a second time.
ORIG_HEADER_PREFIX = "X-Archive-Orig-"
HTTP1_PROTOCOLS = ("HTTP/1.0", "HTTP/1.1")
DERIVED_URI_PREFIX = "urn:warta:"
_KIND_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_BAD_FIELD_RE = re.compile(r"[\r\n]")

_builder = RecordBuilder(warc_version=WARC_VERSION)
# WARC-Truncated values (WARC 1.1 section 5.13) for a response cut short.
TRUNCATED_LENGTH = "length"
TRUNCATED_TIME = "time"
TRUNCATED_DISCONNECT = "disconnect"
TRUNCATED_UNSPECIFIED = "unspecified"


def new_record_id() -> str:
    """A random ``<urn:uuid:...>`` record ID, the default record-id factory."""
    return f"<urn:uuid:{uuid.uuid4()}>"


def utc_now() -> datetime:
    """The default clock."""
    return datetime.now(UTC)


def warc_date(moment: datetime) -> str:
    """WARC-Date with microseconds (WARC 1.1 allows fractional seconds)."""
    if moment.tzinfo is None:
        raise ValueError(f"WARC dates need a timezone-aware datetime, got naive {moment!r}")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def derived_uri(kind: str, page_url: str) -> str:
    """URI for a record derived from a page: ``urn:warta:<kind>:<sha1-hex of the page URL>``.

    A URI of its own keeps cdxj-indexer and pywb from indexing the derived record under the
    page's key (a ``#fragment`` would not: SURT canonicalisation drops it).
    """
    if not _KIND_RE.match(kind):
        raise ValueError(f"derived record kind must match {_KIND_RE.pattern}, got {kind!r}")
    digest = hashlib.sha1(page_url.encode("utf-8")).hexdigest()
    return f"{DERIVED_URI_PREFIX}{kind}:{digest}"


def archival_response_headers(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Rename ``Transfer-Encoding: chunked`` to ``X-Archive-Orig-Transfer-Encoding``.

    The archived body is de-chunked; keeping the header would make warcio and pywb try to
    de-chunk it again.
    """
    out: list[tuple[str, str]] = []
    for name, value in headers:
        if name.lower() == "transfer-encoding" and "chunked" in value.lower():
            out.append((ORIG_HEADER_PREFIX + "Transfer-Encoding", value))
        else:
            out.append((name, value))
    return out


def http_version(protocol: str | None) -> str:
    """The HTTP version for the status line; readers (warcio, pywb) only parse HTTP/1.x."""
    if protocol in HTTP1_PROTOCOLS:
        return protocol
    return "HTTP/1.1"


def request_target(url: str) -> str:
    """Path and query as in the request line (the fragment is never sent)."""
    parts = urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return target


def _check_fields(headers: Iterable[tuple[str, str]], what: str) -> None:
    for name, value in headers:
        if not name or _BAD_FIELD_RE.search(name) or _BAD_FIELD_RE.search(value) or ":" in name:
            raise ValueError(f"invalid {what} header {name!r}: {value!r}")


def _warc_headers(
    record_type: str, uri: str | None, spec: RecordSpec, extra: Headers = ()
) -> StatusAndHeaders:
    headers: list[tuple[str, str]] = [
        ("WARC-Type", record_type),
        ("WARC-Record-ID", spec.record_id),
        ("WARC-Date", warc_date(spec.date)),
    ]
    if uri is not None:
        headers.append(("WARC-Target-URI", uri))
    headers.extend(extra)
    if spec.warcinfo_id:
        headers.append(("WARC-Warcinfo-ID", spec.warcinfo_id))
    headers.extend(spec.extra_headers)
    _check_fields(headers, "WARC")
    return StatusAndHeaders("", headers, protocol=WARC_VERSION)


def _finish(
    uri: str,
    record_type: str,
    warc_headers: StatusAndHeaders,
    body: bytes | WireMessage,
    content_type: str,
    http_headers: StatusAndHeaders | None = None,
) -> ArcWarcRecord:
    if isinstance(body, WireMessage):
        body.payload.seek(0)
        payload, length = body.payload, body.payload_length
    else:
        payload, length = BytesIO(body), len(body)
    add_digests(record_type, warc_headers, http_headers, body, _builder.header_filter)
    return _builder.create_warc_record(
        uri,
        record_type,
        payload=payload,
        length=length,
        warc_content_type=content_type,
        warc_headers=warc_headers,
        http_headers=http_headers,
    )


def warcinfo(filename: str, fields: Mapping[str, str], spec: RecordSpec) -> ArcWarcRecord:
    """The first record of every file; empty field values are left out."""
    items = [(k, str(v)) for k, v in fields.items() if v not in (None, "")]
    _check_fields(items, "warcinfo")
    body = "".join(f"{k}: {v}\r\n" for k, v in items).encode("utf-8")
    headers = _warc_headers("warcinfo", None, spec, extra=[("WARC-Filename", filename)])
    return _finish("", "warcinfo", headers, body, "application/warc-fields")


def request(
    req: CapturedRequest,
    spec: RecordSpec,
    *,
    protocol: str = "HTTP/1.1",
    concurrent_to: str | None = None,
) -> ArcWarcRecord:
    """Request record; ``Host`` (and ``Content-Length`` for a body) are added if absent,
    as the HTTP client adds them when sending. With ``req.wire`` the block is the bytes sent."""
    extra = [("WARC-Concurrent-To", concurrent_to)] if concurrent_to else []
    return _finish(
        req.url,
        "request",
        _warc_headers("request", req.url, spec, extra),
        req.wire if req.wire is not None else req.body,
        "application/http; msgtype=request",
        _request_headers(req, protocol),
    )


def _request_headers(req: CapturedRequest, protocol: str) -> StatusAndHeaders:
    if req.wire is not None:
        return WireHeaders(req.wire.head)
    http_lines = list(req.headers)
    _check_fields(http_lines, "HTTP request")
    names = {name.lower() for name, _ in http_lines}
    if "host" not in names:
        netloc = urlsplit(req.url).netloc.rsplit("@", 1)[-1]
        http_lines.insert(0, ("Host", netloc))
    if req.body and "content-length" not in names and "transfer-encoding" not in names:
        http_lines.append(("Content-Length", str(len(req.body))))
    statusline = f"{request_target(req.url)} {http_version(protocol)}"
    return StatusAndHeaders(statusline, http_lines, protocol=req.method.upper())


def response(
    resp: CapturedResponse, spec: RecordSpec, *, concurrent_to: str | None = None
) -> ArcWarcRecord:
    """Response record: the bytes received when ``resp.wire`` is set, else the status and
    headers as parsed with the body still content-encoded but de-chunked."""
    http_headers = _response_headers(resp)
    extra: list[tuple[str, str]] = []
    if resp.ip_address:
        extra.append(("WARC-IP-Address", resp.ip_address))
    if resp.protocol and resp.protocol not in HTTP1_PROTOCOLS:
        extra.append(("WARC-Protocol", resp.protocol.lower()))
    if concurrent_to:
        extra.append(("WARC-Concurrent-To", concurrent_to))
    if resp.truncated:
        extra.append(("WARC-Truncated", resp.truncated))
    warc_headers = _warc_headers("response", resp.url, spec, extra)
    return _finish(
        resp.url,
        "response",
        warc_headers,
        resp.wire if resp.wire is not None else resp.body,
        "application/http; msgtype=response",
        http_headers,
    )


def _response_headers(resp: CapturedResponse) -> StatusAndHeaders:
    if resp.wire is not None:
        return WireHeaders(resp.wire.head)
    http_lines = archival_response_headers(resp.headers)
    _check_fields(http_lines, "HTTP response")
    statusline = f"{resp.status} {resp.reason}".rstrip()
    return StatusAndHeaders(statusline, http_lines, protocol=http_version(resp.protocol))


def derived(
    record_type: Literal["metadata", "conversion"],
    uri: str,
    payload: bytes,
    content_type: str,
    spec: RecordSpec,
    *,
    refers_to: str | None = None,
    refers_to_target_uri: str | None = None,
    refers_to_date: datetime | None = None,
) -> ArcWarcRecord:
    """A record derived from a response (the article as JSON in a ``metadata`` record, as
    plain text in a ``conversion`` record), tied to it by ``WARC-Refers-To``; WARC 1.1 allows
    that header on these two types, not on ``resource``."""
    if not uri.startswith(DERIVED_URI_PREFIX):
        raise ValueError(
            f"derived records need a URI of their own (see derived_uri()), got {uri!r}"
        )
    extra: list[tuple[str, str]] = []
    if refers_to:
        extra.append(("WARC-Refers-To", refers_to))
    if refers_to_target_uri:
        extra.append(("WARC-Refers-To-Target-URI", refers_to_target_uri))
    if refers_to_date:
        extra.append(("WARC-Refers-To-Date", warc_date(refers_to_date)))
    return _finish(
        uri, record_type, _warc_headers(record_type, uri, spec, extra), payload, content_type
    )


metadata = partial(derived, "metadata")  # e.g. the extracted article's JSON
conversion = partial(derived, "conversion")  # e.g. the article as plain text


# Revisits ------------------------------------------------------------------------------------

PROFILE_IDENTICAL = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
PROFILE_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
# RFC 9111 4.3.4: a 304 freshens the stored headers, except those describing the stored body.
_NOT_FRESHENED = frozenset(
    {"content-length", "content-encoding", "transfer-encoding", "content-range", "content-type"}
)


def captured_payload_digest(resp: CapturedResponse) -> str:
    """The WARC-Payload-Digest a response record of ``resp`` gets: over the payload as
    received when the wire was recorded (chunk framing included), else over the body."""
    if resp.wire is None:
        return payload_digest(resp.body)
    return stream_digest(resp.wire.payload)


def freshened_headers(
    stored: Iterable[tuple[str, str]], not_modified: Iterable[tuple[str, str]]
) -> list[tuple[str, str]]:
    """The stored response's headers updated by a 304's (RFC 9111 4.3.4).

    This is what the server asserted with its 304: "the stored 200, with these fields now".
    """
    fresh = [(n, v) for n, v in not_modified if n.lower() not in _NOT_FRESHENED]
    replaced = {n.lower() for n, _ in fresh}
    kept = [(n, v) for n, v in stored if n.lower() not in replaced]
    return kept + fresh


@dataclass(frozen=True, slots=True)
class RevisitOf:
    """The archived response a revisit stands for."""

    record_id: str
    target_uri: str
    date: datetime
    payload_digest: str


def revisit(
    resp: CapturedResponse,
    spec: RecordSpec,
    original: RevisitOf,
    profile: str,
    *,
    concurrent_to: str | None = None,
) -> ArcWarcRecord:
    """Revisit record: HTTP status line and headers, no body, pointing at the original.

    WARC-Refers-To-Target-URI and -Date let pywb find the original through its index;
    WARC-Payload-Digest is the original's, which pywb uses to pick that capture.
    ``resp.body`` is ignored. For server-not-modified, ``resp.wire`` is the 304 as
    received; without it, pass the freshened headers and the original's status line.
    """
    if profile not in (PROFILE_IDENTICAL, PROFILE_NOT_MODIFIED):
        raise ValueError(f"unknown revisit profile {profile!r}")
    http_headers = _response_headers(resp)
    extra: list[tuple[str, str]] = [
        ("WARC-Profile", profile),
        ("WARC-Refers-To", original.record_id),
        ("WARC-Refers-To-Target-URI", original.target_uri),
        ("WARC-Refers-To-Date", warc_date(original.date)),
        ("WARC-Payload-Digest", original.payload_digest),
    ]
    if resp.ip_address:
        extra.append(("WARC-IP-Address", resp.ip_address))
    if concurrent_to:
        extra.append(("WARC-Concurrent-To", concurrent_to))
    warc_headers = _warc_headers("revisit", resp.url, spec, extra)
    return _finish(
        resp.url, "revisit", warc_headers, b"", "application/http; msgtype=response", http_headers
    )
