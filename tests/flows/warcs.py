"""Small real WARC files for the fast tests of the archive steps (no crawl, no server)."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter


def exchange(writer: WARCWriter, url: str) -> None:
    """A request and its response, linked as warta links them."""
    request = writer.create_warc_record(
        url, "request", payload=BytesIO(b""),
        http_headers=StatusAndHeaders(f"GET {url} HTTP/1.1", [("Host", "niaga.asia")],
                                      is_http_request=True),
    )  # fmt: skip
    response = writer.create_warc_record(
        url, "response", payload=BytesIO(b"<html>" + b"x" * 300),
        http_headers=StatusAndHeaders("200 OK", [("Content-Type", "text/html")], "HTTP/1.1"),
    )  # fmt: skip
    request.rec_headers.add_header("WARC-Concurrent-To", response.rec_headers["WARC-Record-ID"])
    writer.write_record(response)
    writer.write_record(request)


def real_warc(path: Path, pages: int = 5) -> None:
    """A warcinfo record and ``pages`` request/response exchanges of niaga.asia."""
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True, warc_version="1.1")
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test"}))
        for i in range(pages):
            exchange(writer, f"https://niaga.asia/{i}")
