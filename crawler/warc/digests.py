"""WARC digests: ``sha1:<base32>`` labels, computed in one pass over a record's payload.

warcio's ``ensure_digest`` reads a payload twice (once for the block, once for the payload
digest); a response of several megabytes then costs two sha1 passes. Here both digests come
from one read, with the same fields in the same order as warcio writes them, so records stay
byte-identical to warcio's.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from typing import IO, Any

from warcio.recordbuilder import RecordBuilder
from warcio.statusandheaders import StatusAndHeaders

from crawler.warc.tape import WireMessage

NO_PAYLOAD_DIGEST = frozenset(RecordBuilder.NO_PAYLOAD_DIGEST_TYPES)
READ_SIZE = 1 << 16


def sha1_label(digest: bytes) -> str:
    """``sha1:<base32>``, the form warcio writes digests in."""
    return "sha1:" + base64.b32encode(digest).decode("ascii")


def payload_digest(body: bytes) -> str:
    """``sha1:<base32>`` of a body as stored, the form warcio writes as WARC-Payload-Digest."""
    return sha1_label(hashlib.sha1(body).digest())


def stream_digest(stream: IO[bytes]) -> str:
    """``sha1:<base32>`` of a seekable stream from its start; the stream is left at its start."""
    digest = hashlib.sha1()
    stream.seek(0)
    while chunk := stream.read(READ_SIZE):
        digest.update(chunk)
    stream.seek(0)
    return sha1_label(digest.digest())


def add_digests(
    record_type: str,
    warc_headers: StatusAndHeaders,
    http_headers: StatusAndHeaders | None,
    body: bytes | WireMessage,
    header_filter: Callable[..., Any] | None,
) -> None:
    """WARC-Payload-Digest and WARC-Block-Digest, as warcio's ``ensure_digest`` adds them
    (same fields, same order), from one pass over the payload instead of two."""
    block = hashlib.sha1()
    if http_headers is not None:
        if not http_headers.headers_buff:
            http_headers.compute_headers_buffer(header_filter)
        block.update(http_headers.headers_buff)
    want_payload = record_type not in NO_PAYLOAD_DIGEST and not warc_headers.get_header(
        "WARC-Payload-Digest"
    )
    payload = hashlib.sha1() if want_payload else None
    if isinstance(body, WireMessage):
        stream = body.payload
        while chunk := stream.read(READ_SIZE):
            block.update(chunk)
            if payload is not None:
                payload.update(chunk)
        stream.seek(0)
    else:
        block.update(body)
        if payload is not None:
            payload.update(body)
    if payload is not None:
        warc_headers.add_header("WARC-Payload-Digest", sha1_label(payload.digest()))
    warc_headers.add_header("WARC-Block-Digest", sha1_label(block.digest()))
