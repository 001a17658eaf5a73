"""Misbehaviour on demand under ``/__fault__/<name>``, for testing a crawler's defences.

Faults that are just odd responses return a ``Resource``; faults that break the transport
(resets, truncation, endless streams) write to the socket themselves.
"""

from __future__ import annotations

import socket
import struct
import time
import zlib
from functools import lru_cache
from typing import Protocol

from replica.fault_modes import FAULT_PREFIX
from replica.responses import HTML, XML, Resource

MAX_SLOW_SECONDS = 120.0
HUGE_BYTES = 64 * 1024 * 1024
BOMB_MIB = 1100  # inflated size of the gzip bomb, in MiB (> 1 GB)
TRUNCATED_DECLARED, TRUNCATED_SENT = 100_000, 20_000


class Raw(Protocol):
    """What a socket-level fault needs from the request handler."""

    connection: socket.socket
    close_connection: bool

    def write_raw(self, data: bytes) -> None: ...

    def head_lines(self, status: int, headers: list[tuple[str, str]]) -> bytes: ...


def _error_page(status: int, title: str) -> bytes:
    return (
        f"<!DOCTYPE html><html><head><title>{status} {title}</title></head><body>"
        f"<h1>{title}</h1><p>The server could not answer this request.</p></body></html>\n"
    ).encode()


MALFORMED_HTML = (
    b'<!DOCTYPE html>\n<html lang="id-ID"><head><meta charset="UTF-8">'
    b"<title>Halaman Rusak - Niaga.Asia</title>"
    b'<meta property="og:type" content="article">'
    b'<meta property="og:title" content="Halaman Rusak">'
    b'<meta property="article:published_time" content="2023-03-04T09:00:00+08:00">'
    b"<body><div id=page><article class=post><header class=entry-header>"
    b'<h1 class="entry-title">Halaman <b>Rusak <i>Tag</b> Bersilang</i></h1>'
    b'<div class="entry-content"><p><strong>SAMARINDA.NIAGA.ASIA</strong> \xe2\x80\x94 '
    b"Paragraf pertama tanpa penutup <p>Paragraf kedua dengan byte rusak \xff\xfe\xc3\x28 "
    b"di tengah kalimat.<table><tr><td>sel tabel<p>paragraf di dalam sel</table>"
    b'<div class="wp-caption"><img src="/wp-content/uploads/x.jpg" alt="unclosed'
    b"<p>Teks setelah atribut yang tidak ditutup</p>"
    b"<p>Sumber : Humas | Editor : Saud Rosadi"
    b"</span></div></section><!-- komentar tidak ditutup <p>hilang"
)

HOSTILE_SITEMAP = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b"<!DOCTYPE urlset [\n"
    b'  <!ENTITY xxe SYSTEM "file:///etc/passwd">\n'
    b'  <!ENTITY lol "lol">\n'
    + b"".join(
        b'  <!ENTITY lol%d "%s">\n' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b"]>\n"
    b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
    b"<url><loc>http://example.invalid/&lol9;</loc></url>\n"
    b"<url><loc>&xxe;</loc></url>\n"
    b"</urlset>\n"
)


@lru_cache(maxsize=1)
def gzip_bomb() -> bytes:
    """About 1 MB of gzip that inflates to ``BOMB_MIB`` MiB of zeros, built without inflating."""
    mib = b"\0" * (1 << 20)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15, 9)
    piece = comp.compress(mib) + comp.flush(zlib.Z_FULL_FLUSH)  # byte-aligned, history reset
    tail = comp.flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(BOMB_MIB):
        crc = zlib.crc32(mib, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    return header + piece * BOMB_MIB + tail + struct.pack("<II", crc, (BOMB_MIB << 20) & 0xFFFFFFFF)


def resource(name: str, query: dict[str, list[str]], base: str) -> Resource | None:
    """The fault as an ordinary (if odd) response, or None when it is not one of those."""
    if name == "500":
        return Resource(500, _error_page(500, "Internal Server Error"))
    if name in ("503", "429"):
        title = "Service Unavailable" if name == "503" else "Too Many Requests"
        return Resource(int(name), _error_page(int(name), title), headers=(("Retry-After", "1"),))
    if name == "malformed-html":
        return Resource(200, MALFORMED_HTML)
    if name == "hostile-sitemap":
        return Resource(200, HOSTILE_SITEMAP, XML)
    if name == "redirect-loop":
        return Resource.redirect(f"{base}{FAULT_PREFIX}redirect-loop/b", 302)
    if name == "redirect-loop/b":
        return Resource.redirect(f"{base}{FAULT_PREFIX}redirect-loop", 302)
    if name == "offsite-redirect":
        return Resource.redirect("http://example.invalid/", 301)
    if name == "slow":
        try:
            seconds = float(query.get("seconds", ["5"])[0])
        except ValueError:
            seconds = 5.0
        time.sleep(min(max(seconds, 0.0), MAX_SLOW_SECONDS))
        return Resource(200, b"<!DOCTYPE html><html><body><p>Akhirnya.</p></body></html>\n")
    return None


def handle_raw(name: str, handler: Raw) -> bool:
    """Transport-breaking faults; returns False when ``name`` is not one of them."""
    if name == "reset":
        # SO_LINGER 0 makes close() send RST instead of FIN: no response at all.
        handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        handler.connection.close()
        handler.close_connection = True
        return True
    if name == "truncated":
        head = handler.head_lines(
            200, [("Content-Type", HTML), ("Content-Length", str(TRUNCATED_DECLARED))]
        )
        body = (b"<!DOCTYPE html><html><body><p>" + b"Terpotong. " * TRUNCATED_SENT)[
            :TRUNCATED_SENT
        ]
        handler.close_connection = True
        handler.write_raw(head + body)
        handler.connection.shutdown(socket.SHUT_RDWR)
        return True
    if name == "gzip-bomb":
        body = gzip_bomb()
        handler.write_raw(
            handler.head_lines(
                200,
                [
                    ("Content-Type", HTML),
                    ("Content-Encoding", "gzip"),
                    ("Content-Length", str(len(body))),
                    ("Vary", "Accept-Encoding"),
                ],
            )
            + body
        )
        return True
    if name == "huge":
        block = (b"<p>" + b"data " * 13106 + b"</p>\n")[: 1 << 16]
        handler.write_raw(
            handler.head_lines(200, [("Content-Type", HTML), ("Content-Length", str(HUGE_BYTES))])
        )
        try:
            for _ in range(HUGE_BYTES // len(block)):
                handler.write_raw(block)
        except OSError:
            handler.close_connection = True
        return True
    return False
