"""Undo an archived body's Content-Encoding without ever holding more than a limit.

warcio inflates a whole read block at once: 16 KB of gzip can become 16 MB, and 100 bytes of
brotli 64 MB (brotli encodes a run of zeros in almost nothing), so its ``content_stream``
cannot bound what a compression bomb costs. This decodes the way warcio does (the encodings
it knows, one of them, a body that does not decode kept as it is) but in steps that stop
at ``limit`` decoded bytes with :class:`InflatedTooLarge`.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

import brotli

STEP = 1024 * 1024  # decoded bytes produced per step


class InflatedTooLarge(ValueError):
    """The body decodes to more than the limit; decoding stopped there."""


def decode_content(body: bytes, encoding: str | None, limit: int) -> bytes:
    """``body`` with ``encoding`` (gzip, deflate or br, as warcio knows them) undone.

    An encoding warcio would not decode (none, ``identity``, a list, an unknown one) leaves
    the body as it is; so does a body that fails to decode from its start. A body that
    fails part way ends there, as warcio ends it.
    """
    name = (encoding or "").strip().lower()
    decoders: dict[str, list[Callable[[bytes, int], bytes]]] = {
        "gzip": [lambda b, n: _inflate(b, 16 + zlib.MAX_WBITS, n)],
        "deflate": [
            lambda b, n: _inflate(b, zlib.MAX_WBITS, n),
            lambda b, n: _inflate(b, -zlib.MAX_WBITS, n),
        ],
        "br": [_unbrotli],
    }
    for decoder in decoders.get(name, []):
        try:
            return decoder(body, limit)
        except _NotThisEncoding:
            continue
    return body  # as stored: no bigger than its record


class _NotThisEncoding(Exception):
    pass


def _inflate(body: bytes, wbits: int, limit: int) -> bytes:
    decoder = zlib.decompressobj(wbits)
    out = bytearray()
    pending = body
    while pending and not decoder.eof:
        try:
            # max_length > 0 always: 0 would mean "no limit"
            out += decoder.decompress(pending, min(STEP, limit + 1 - len(out)))
        except zlib.error:
            if not out:
                raise _NotThisEncoding from None
            break  # damaged part way: what was decoded so far
        if len(out) > limit:
            raise InflatedTooLarge(f"over {limit} bytes")
        pending = decoder.unconsumed_tail
    return bytes(out)


def _unbrotli(body: bytes, limit: int) -> bytes:
    decoder = brotli.Decompressor()
    out = bytearray()
    data = body
    try:
        while True:
            chunk = decoder.process(data, output_buffer_limit=STEP)
            data = b""
            out += chunk
            if len(out) > limit:
                raise InflatedTooLarge(f"over {limit} bytes")
            if decoder.is_finished() or not chunk:
                return bytes(out)
    except brotli.error:
        if not out:
            raise _NotThisEncoding from None
        return bytes(out)


__all__ = ["InflatedTooLarge", "decode_content"]
