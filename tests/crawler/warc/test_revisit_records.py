"""Revisit records: headers only, pointing at the original so replay can resolve them."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.warc import records
from crawler.warc.records import CapturedResponse, RecordSpec

T0 = datetime(2026, 11, 27, 1, 2, 3, 456789, tzinfo=UTC)
URL = "http://127.0.0.1:8000/feed/"
BODY = b"<rss>...</rss>"


def test_payload_digest_matches_warcio() -> None:
    resp = CapturedResponse(URL, "HTTP/1.1", 200, "OK", [("Content-Type", "text/xml")], BODY, T0)
    rec = records.response(resp, RecordSpec("<urn:uuid:1>", T0))
    assert rec.rec_headers.get_header("WARC-Payload-Digest") == records.payload_digest(BODY)


def test_freshened_headers_follow_rfc_9111() -> None:
    stored = [("Content-Type", "text/xml"), ("Content-Encoding", "gzip"), ("ETag", '"a"')]
    fresh = records.freshened_headers(stored, [("ETag", '"b"'), ("Content-Type", "text/html")])
    assert fresh == [("Content-Type", "text/xml"), ("Content-Encoding", "gzip"), ("ETag", '"b"')]


@pytest.mark.parametrize("profile", [records.PROFILE_IDENTICAL, records.PROFILE_NOT_MODIFIED])
def test_revisit_record_is_valid_and_complete(tmp_path: Path, profile: str) -> None:
    original = records.RevisitOf("<urn:uuid:orig>", URL, T0, records.payload_digest(BODY))
    resp = CapturedResponse(
        URL, "HTTP/1.1", 200, "OK", [("Content-Type", "text/xml")], b"ignored", T0, "127.0.0.1"
    )
    rec = records.revisit(resp, RecordSpec("<urn:uuid:rev>", T0), original, profile)
    path = tmp_path / "r.warc.gz"
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as out:
        WARCWriter(out, gzip=True, warc_version="WARC/1.1").write_record(rec)
    warcio = str(Path(sys.executable).parent / "warcio")
    subprocess.run([warcio, "check", str(path)], check=True, capture_output=True)
    with path.open("rb") as stream:
        [back] = list(ArchiveIterator(stream))
    headers = back.rec_headers
    assert back.rec_type == "revisit"
    assert headers.get_header("WARC-Profile") == profile
    assert headers.get_header("WARC-Refers-To") == "<urn:uuid:orig>"
    assert headers.get_header("WARC-Refers-To-Target-URI") == URL
    assert headers.get_header("WARC-Refers-To-Date") == "2026-11-27T01:02:03.456789Z"
    assert headers.get_header("WARC-Payload-Digest") == records.payload_digest(BODY)
    assert back.http_headers.get_statuscode() == "200"
    assert back.raw_stream.read() == b""  # headers only, no body


def test_unknown_profile_is_refused() -> None:
    original = records.RevisitOf("<urn:uuid:o>", URL, T0, "sha1:X")
    resp = CapturedResponse(URL, "HTTP/1.1", 200, "OK", [], b"", T0)
    with pytest.raises(ValueError, match="profile"):
        records.revisit(resp, RecordSpec("<urn:uuid:r>", T0), original, "http://x/other")
