"""decode_content: an archived body's Content-Encoding undone as warcio undoes it (same
encodings, a body that does not decode kept as stored, a damaged one cut where it breaks),
but never past the limit: a compression bomb stops there with InflatedTooLarge."""

from __future__ import annotations

import gzip
import zlib

import brotli
import pytest

from crawler.warc.decoding import InflatedTooLarge, decode_content

# over one decoding step (1 MiB), so the limit is checked across steps
TEXT = b"".join(b"<p>Berita %d dari Samarinda, Kalimantan Timur.</p>\n" % n for n in range(40_000))


def raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


ENCODED = {
    "gzip": gzip.compress(TEXT, mtime=0),
    "deflate": zlib.compress(TEXT),  # zlib-wrapped, as the standard says
    "raw deflate": raw_deflate(TEXT),  # what some servers send as "deflate"
    "br": brotli.compress(TEXT),
}
HEADER = {"gzip": "gzip", "deflate": "deflate", "raw deflate": "deflate", "br": "br"}


@pytest.mark.parametrize("kind", ENCODED)
def test_each_encoding_decodes_up_to_exactly_the_limit(kind: str) -> None:
    body, header = ENCODED[kind], HEADER[kind]
    assert len(TEXT) > 2**20
    assert decode_content(body, header, len(TEXT)) == TEXT
    assert decode_content(body, f" {header.upper()} ", 10 * len(TEXT)) == TEXT
    with pytest.raises(InflatedTooLarge):
        decode_content(body, header, len(TEXT) - 1)
    with pytest.raises(InflatedTooLarge, match="over 1000 bytes"):
        decode_content(body, header, 1000)  # stops in the first step
    with pytest.raises(InflatedTooLarge):
        decode_content(body, header, 0)


@pytest.mark.parametrize("header", [None, "", "identity", "gzip, br", "compress", "x-gzip"])
def test_an_encoding_warcio_does_not_decode_leaves_the_body_as_stored(
    header: str | None,
) -> None:
    body = ENCODED["gzip"]
    assert decode_content(body, header, 10) == body  # no limit applies to the stored bytes


@pytest.mark.parametrize("header", ["gzip", "deflate", "br"])
def test_a_body_that_does_not_decode_from_its_start_is_kept(header: str) -> None:
    body = b"<html><p>sent as plain text after all</p></html>" * 3
    assert decode_content(body, header, 10_000) == body


@pytest.mark.parametrize("kind", ENCODED)
def test_a_body_damaged_part_way_ends_where_it_breaks(kind: str) -> None:
    body = ENCODED[kind]
    cut = len(body) // 2
    damaged = body[:cut] + bytes(b ^ 0x5A for b in body[cut : cut + 64]) + body[cut + 64 :]
    decoded = decode_content(damaged, HEADER[kind], 10 * len(TEXT))
    assert decoded != TEXT
    assert decoded.startswith(TEXT[:1000])  # decoded up to the damage, not kept as stored


@pytest.mark.parametrize("kind", ENCODED)
def test_a_truncated_body_gives_what_arrived(kind: str) -> None:
    body = ENCODED[kind]
    decoded = decode_content(body[: len(body) // 2], HEADER[kind], 10 * len(TEXT))
    assert 0 < len(decoded) < len(TEXT) and TEXT.startswith(decoded)


def test_a_zlib_body_labelled_gzip_is_kept_as_stored() -> None:
    assert decode_content(ENCODED["deflate"], "gzip", 10 * len(TEXT)) == ENCODED["deflate"]


def test_bytes_after_a_gzip_member_are_not_decoded() -> None:
    assert decode_content(ENCODED["gzip"] + b"trailing junk", "gzip", len(TEXT)) == TEXT


def test_an_empty_body_stays_empty() -> None:
    for header in HEADER.values():
        assert decode_content(b"", header, 0) == b""
