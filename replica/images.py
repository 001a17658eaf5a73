"""Small, valid, deterministic JPEGs for the replica's ``/wp-content/uploads/`` photos.

A tiny baseline encoder for greyscale images made of flat 8x8 blocks: every block is coded by
its DC coefficient alone, so the file stays a few kilobytes while declaring the 800x533 size
the page's ``<img>`` tags promise. The pattern and a JPEG comment derive from the image path,
so each photo has its own bytes (and digest) and the same path always gives the same bytes.
"""

from __future__ import annotations

import hashlib
import struct
from functools import lru_cache

WIDTH, HEIGHT = 800, 533

# Standard luminance DC table (ITU T.81, K.3): code lengths and symbols 0..11.
_DC_BITS = (0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0)
_DC_VALS = tuple(range(12))
# An AC table holding only end-of-block (symbol 0x00, one-bit code "0").
_AC_BITS = (1,) + (0,) * 15
_AC_VALS = (0,)


def _huffman_codes(bits: tuple[int, ...], vals: tuple[int, ...]) -> dict[int, tuple[int, int]]:
    codes: dict[int, tuple[int, int]] = {}
    code, k = 0, 0
    for length, count in enumerate(bits, start=1):
        for _ in range(count):
            codes[vals[k]] = (code, length)
            code, k = code + 1, k + 1
        code <<= 1
    return codes


_DC_CODES = _huffman_codes(_DC_BITS, _DC_VALS)
_EOB = _huffman_codes(_AC_BITS, _AC_VALS)[0]


class _BitWriter:
    def __init__(self) -> None:
        self.out = bytearray()
        self.acc = 0
        self.n = 0

    def write(self, value: int, length: int) -> None:
        self.acc = (self.acc << length) | (value & ((1 << length) - 1))
        self.n += length
        while self.n >= 8:
            self.n -= 8
            byte = (self.acc >> self.n) & 0xFF
            self.out.append(byte)
            if byte == 0xFF:
                self.out.append(0x00)  # byte stuffing
        self.acc &= (1 << self.n) - 1

    def flush(self) -> bytes:
        if self.n:
            self.write((1 << (8 - self.n)) - 1, 8 - self.n)  # pad with one-bits
        return bytes(self.out)


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">HH", 0xFF00 | marker, len(payload) + 2) + payload


def _block_values(digest: bytes) -> list[int]:
    """Grey level per 8x8 block: a sky/ground split with gradients, varied by ``digest``."""
    cols, rows = (WIDTH + 7) // 8, (HEIGHT + 7) // 8
    horizon = rows // 3 + digest[0] % (rows // 3)
    sky, ground, slope = 150 + digest[1] % 90, 40 + digest[2] % 90, digest[3] % 5 - 2
    values = []
    for by in range(rows):
        for bx in range(cols):
            if by < horizon:
                v = sky - by + (bx * slope) // 8
            else:
                v = ground + ((bx + by) % 16) * 2 + (digest[4 + bx % 8] % 6)
            values.append(max(0, min(255, v)))
    return values


@lru_cache(maxsize=512)
def jpeg_for(path: str) -> bytes:
    """The JPEG served at ``path``; pure and cached."""
    digest = hashlib.sha256(path.encode()).digest()
    header = b"".join(
        (
            b"\xff\xd8",
            _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"),
            _segment(0xFE, f"warta replica {path}".encode()),
            _segment(0xDB, b"\x00" + b"\x01" * 64),
            _segment(0xC0, struct.pack(">BHHB", 8, HEIGHT, WIDTH, 1) + b"\x01\x11\x00"),
            _segment(0xC4, b"\x00" + bytes(_DC_BITS) + bytes(_DC_VALS)),
            _segment(0xC4, b"\x10" + bytes(_AC_BITS) + bytes(_AC_VALS)),
            _segment(0xDA, b"\x01\x01\x00\x00\x3f\x00"),
        )
    )
    bits = _BitWriter()
    previous = 0
    for value in _block_values(digest):
        dc = (value - 128) * 8  # DC of a flat block under the JPEG DCT, quantiser 1
        diff, previous = dc - previous, dc
        size = abs(diff).bit_length()
        code, length = _DC_CODES[size]
        bits.write(code, length)
        if size:
            bits.write(diff if diff > 0 else diff - 1, size)
        bits.write(*_EOB)
    return header + bits.flush() + b"\xff\xd9"
