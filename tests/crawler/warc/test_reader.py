"""WarcReader: records with their offsets, .open and plain files, clear errors on junk."""

from __future__ import annotations

import gzip
import io
from pathlib import Path
from types import SimpleNamespace

import pytest

from crawler.layout import warc_files
from crawler.warc.reader import (
    MAX_DECODED_ENV,
    DecodedTooLarge,
    NotWarcError,
    WarcReader,
    WarcReadError,
    read_records,
    record_from_bytes,
    starts_like_warc,
)
from crawler.warc.writer import RecordLocation, RotatingWarcWriter


def _write(
    kit: SimpleNamespace, folder: Path, close: bool = True
) -> tuple[RotatingWarcWriter, list[RecordLocation]]:
    writer = RotatingWarcWriter(
        folder, prefix="t", host="h", id_factory=kit.make_id_factory(), clock=kit.make_clock()
    )
    locations = [writer.write_exchange(*kit.plain_exchange(f"/{n}")) for n in range(3)]
    if close:
        writer.close()
    return writer, locations


def test_offsets_and_lengths_match_what_the_writer_reported(
    kit: SimpleNamespace, tmp_path: Path
) -> None:
    _, locations = _write(kit, tmp_path)
    (path,) = warc_files(tmp_path)
    responses = [
        (r.offset, r.body(), r.length, r.record_id)
        for r in read_records(path)
        if r.rec_type == "response"
    ]
    assert [(o, ln, rid) for o, _, ln, rid in responses] == [
        (loc.offset, loc.length, loc.record_id) for loc in locations
    ]
    assert all(body == kit.HTML for _, body, _, _ in responses)
    with WarcReader(path) as reader:
        again = reader.record_at(locations[1].offset)
        assert again.record_id == locations[1].record_id
        assert again.target_uri == "http://example.com/1" and again.content() == kit.HTML
        assert (again.path, again.offset, again.length) == (
            path,
            locations[1].offset,
            locations[1].length,
        )
        with pytest.raises(WarcReadError) as caught:
            reader.record_at(locations[1].offset + 3)
        assert (caught.value.path, caught.value.offset) == (path, locations[1].offset + 3)


def test_open_file_of_a_running_crawl_reads_like_a_final_one(
    kit: SimpleNamespace, tmp_path: Path
) -> None:
    writer, locations = _write(kit, tmp_path, close=False)
    assert warc_files(tmp_path) == []
    (path,) = warc_files(tmp_path, include_open=True)
    assert path.name.endswith(".warc.gz.open")
    ids = [r.record_id for r in read_records(path) if r.rec_type == "response"]
    assert ids == [loc.record_id for loc in locations]
    writer.close()


def test_plain_warc_gives_the_same_records(kit: SimpleNamespace, tmp_path: Path) -> None:
    _write(kit, tmp_path)
    (gz,) = warc_files(tmp_path)
    plain = tmp_path / "plain.warc"
    plain.write_bytes(gzip.decompress(gz.read_bytes()))
    kinds = [r.rec_type for r in read_records(gz)]
    assert [r.rec_type for r in read_records(plain)] == kinds
    assert kinds[0] == "warcinfo" and kinds.count("response") == 3


def test_a_file_that_is_not_a_warc_is_refused_up_front(tmp_path: Path) -> None:
    junk = tmp_path / "junk.warc.gz"
    junk.write_bytes(b"this is not a WARC file\n" * 10)
    with pytest.raises(NotWarcError, match="not a readable WARC file"):
        list(read_records(junk))
    empty = tmp_path / "empty.warc.gz.open"
    empty.write_bytes(b"")
    assert list(read_records(empty, check_start=False)) == []


def test_damage_after_good_records_names_the_offset(kit: SimpleNamespace, tmp_path: Path) -> None:
    _write(kit, tmp_path)
    (path,) = warc_files(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data + b"\x1f\x8b" + b"garbage" * 20)
    with WarcReader(path) as reader:
        with pytest.raises(WarcReadError) as caught:
            for record in reader:
                record.body()
        assert caught.value.offset == len(data) == reader.position


def test_read_errors_name_the_file_the_offset_and_the_reason(tmp_path: Path) -> None:
    error = WarcReadError(tmp_path / "a.warc.gz", "cut short", 512)
    assert (error.path, error.reason, error.offset) == (tmp_path / "a.warc.gz", "cut short", 512)
    assert str(error) == f"{tmp_path}/a.warc.gz: not a readable WARC file at offset 512: cut short"
    at_start = WarcReadError(tmp_path / "b.warc", "empty")
    assert str(at_start) == f"{tmp_path}/b.warc: not a readable WARC file: empty"
    junk = NotWarcError(tmp_path / "c.warc.gz")
    assert (junk.path, junk.reason, junk.offset) == (
        tmp_path / "c.warc.gz",
        "no WARC record at its start",
        0,
    )
    assert (
        str(junk) == f"{tmp_path}/c.warc.gz: not a readable WARC file: no WARC record at its start"
    )


def _response_record(headers: list[tuple[str, str]], payload: bytes) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True)
    http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
    writer.write_record(
        writer.create_warc_record(
            "http://example.com/", "response", payload=io.BytesIO(payload), http_headers=http
        )
    )
    return out.getvalue()


def test_body_undoes_chunked_framing_and_only_that() -> None:
    """A record of the wire keeps the chunk framing; the body must not, and a body that
    merely looks like chunks (no Transfer-Encoding) must come back untouched."""
    framed = b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
    chunked = record_from_bytes(
        _response_record([("Transfer-Encoding", "Chunked")], framed), "chunked.warc.gz"
    )
    assert chunked.body() == b"hello world"
    plain = record_from_bytes(
        _response_record([("Content-Length", str(len(framed)))], framed), "plain.warc.gz"
    )
    assert plain.body() == framed


def test_open_files_are_listed_beside_closed_ones_when_asked(
    kit: SimpleNamespace, tmp_path: Path
) -> None:
    _write(kit, tmp_path / "a")
    _write(kit, tmp_path / "a" / "later", close=False)
    (closed,) = warc_files(tmp_path / "a")
    (tmp_path / "a" / "later").rename(tmp_path / "b")
    for path in (tmp_path / "b").iterdir():
        path.rename(tmp_path / "a" / path.name.replace("00000", "00001"))
    names = [p.name for p in warc_files(tmp_path / "a", include_open=True)]
    assert names[0] == closed.name and len(names) == 2 and names[1].endswith(".warc.gz.open")
    assert warc_files(tmp_path / "missing") == []


def test_damage_met_while_iterating_names_the_file(kit: SimpleNamespace, tmp_path: Path) -> None:
    _write(kit, tmp_path)
    (path,) = warc_files(tmp_path)
    path.write_bytes(path.read_bytes() + b"\x1f\x8b" + b"garbage" * 20)
    with pytest.raises(WarcReadError) as caught:
        list(read_records(path))
    assert caught.value.path == path
    assert caught.value.reason.startswith("Invalid WARC record, first line:")
    junk = tmp_path / "junk.warc"
    junk.write_bytes(b"not a warc")
    with pytest.raises(NotWarcError) as refused:
        list(read_records(junk))
    assert refused.value.path == junk


def test_an_error_without_text_is_named_by_its_type() -> None:
    class Failing(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            raise ValueError

    with pytest.raises(WarcReadError) as caught:
        WarcReader("remote.warc.gz", stream=Failing()).record_at(0)
    assert caught.value.reason == "ValueError"


def test_close_releases_the_stream_and_the_reader_can_be_used_again(
    kit: SimpleNamespace, tmp_path: Path
) -> None:
    _write(kit, tmp_path)
    (path,) = warc_files(tmp_path)
    reader = WarcReader(path)
    assert (reader.position, reader.errors) == (0, 0)  # nothing read yet
    with reader:
        first = [(r.path, r.offset, r.record_id) for r in reader]
    with reader:  # opened again from the start, not left at the end of the old stream
        again = [(r.path, r.offset, r.record_id) for r in reader]
    assert again == first and len(first) == 7
    assert {p for p, _, _ in first} == {path}
    given = io.BytesIO(path.read_bytes())
    with WarcReader("remote.warc.gz", stream=given) as remote:
        assert remote.record_at(first[1][1]).record_id == first[1][2]
    assert given.closed


def test_http_headers_are_parsed_unless_only_warc_headers_are_wanted(
    kit: SimpleNamespace, tmp_path: Path
) -> None:
    _write(kit, tmp_path)
    (path,) = warc_files(tmp_path)
    parsed = [r.http_headers for r in read_records(path) if r.rec_type == "response"]
    assert [h.get_statuscode() if h else None for h in parsed] == ["200"] * 3
    bare = [(r.record_id, r.http_headers) for r in read_records(path, parse_http=False)]
    assert len(bare) == 7 and all(rid and headers is None for rid, headers in bare)


def test_digests_are_checked_only_when_asked(kit: SimpleNamespace, tmp_path: Path) -> None:
    """Checking hashes every byte again, so only ``warta verify`` asks for it."""
    _write(kit, tmp_path)
    (gz,) = warc_files(tmp_path)
    tampered = tmp_path / "tampered.warc"
    tampered.write_bytes(gzip.decompress(gz.read_bytes()).replace(b"Samarinda", b"Samarindo"))

    def digest_results(**options: bool) -> list[tuple[bool | None, int]]:
        found = []
        for record in read_records(tampered, **options):
            assert record.content().startswith(b"<html>") or record.rec_type != "response"
            checker = record.record.digest_checker
            found.append((checker.passed, len(checker.problems)))
        return found

    assert digest_results() == [(None, 0)] * 7
    checked = digest_results(check_digests=True)
    assert [passed for passed, _ in checked].count(False) == 3
    assert all(problems for passed, problems in checked if passed is False)


def test_the_start_check_reads_only_the_head_and_keeps_the_position(
    kit: SimpleNamespace, tmp_path: Path
) -> None:
    """A multi-gigabyte WARC is checked by its first bytes, not read into memory."""

    class Counting(io.BytesIO):
        handed_out = 0

        def read(self, size: int | None = -1) -> bytes:
            data = super().read(size)
            self.handed_out += len(data)
            return data

    _write(kit, tmp_path)
    (path,) = warc_files(tmp_path)
    stream = Counting(path.read_bytes() + bytes(1024 * 1024))
    stream.seek(0)
    assert starts_like_warc(stream) and stream.tell() == 0
    assert stream.handed_out <= 64 * 1024
    plain = Counting(b"WARC/1.1\r\n" + bytes(1024 * 1024))
    assert starts_like_warc(plain) and plain.tell() == 0 and plain.handed_out <= 64 * 1024


def test_content_undoes_the_encoding_up_to_the_limit_the_operator_sets(
    kit: SimpleNamespace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A gzip, chunked response reads back as its page; one byte over the limit (given, or
    ``$WARTA_MAX_DECODED_BYTES``) is DecodedTooLarge naming the record and the variable."""
    writer = RotatingWarcWriter(tmp_path, prefix="t", host="h", id_factory=kit.make_id_factory())
    where = writer.write_exchange(*kit.gzip_chunked_exchange())
    writer.close()
    (path,) = warc_files(tmp_path)
    size = len(kit.HTML)
    with WarcReader(path) as reader:

        def content(limit: int | None = None) -> bytes:  # a record's body reads once
            return reader.record_at(where.offset).content(limit)

        assert content() == kit.HTML
        assert content(limit=size) == kit.HTML
        with pytest.raises(DecodedTooLarge) as caught:
            content(limit=size - 1)
        assert (caught.value.uri, caught.value.offset) == ("http://example.com/page", where.offset)
        assert caught.value.path == path and str(caught.value).startswith(
            f"{path} (offset {where.offset}): the body of http://example.com/page decodes to"
        )
        assert MAX_DECODED_ENV in str(caught.value)
        monkeypatch.setenv(MAX_DECODED_ENV, f" {size} ")
        assert content() == kit.HTML
        monkeypatch.setenv(MAX_DECODED_ENV, str(size - 1))
        with pytest.raises(DecodedTooLarge):
            content()
        monkeypatch.setenv(MAX_DECODED_ENV, "lots")
        with pytest.raises(ValueError, match=f"{MAX_DECODED_ENV}='lots'"):
            content()

    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    raw = WARCWriter(out, gzip=True)
    block = gzip.compress(kit.HTML)
    raw.write_record(raw.create_warc_record("urn:x", "resource", payload=io.BytesIO(block)))
    resource = record_from_bytes(out.getvalue(), "resource.warc.gz")
    assert resource.content(limit=1) == block  # no HTTP headers, no Content-Encoding: as stored


def test_the_default_limit_reads_a_page_far_larger_than_a_news_article() -> None:
    """Without ``$WARTA_MAX_DECODED_BYTES`` the limit is generous: a 4 MiB page inflates."""
    page = b"<p>" + b"x" * (4 * 2**20) + b"</p>"
    body = gzip.compress(page, mtime=0)
    headers = [("Content-Encoding", "gzip"), ("Content-Length", str(len(body)))]
    record = record_from_bytes(_response_record(headers, body), "big.warc.gz")
    assert record.content() == page


def test_too_large_names_a_record_without_uri_or_offset_plainly() -> None:
    error = DecodedTooLarge(Path("a.warc.gz"), None, None, 10)
    assert str(error).startswith("a.warc.gz (offset 0): the body of a record decodes to more ")


def test_the_start_check_looks_at_the_first_4096_bytes_only() -> None:
    """A gzip file whose first 4096 bytes inflate to ``WARC/...`` starts like a WARC even if
    the very next byte is damaged (the reader reports that damage where it meets it)."""
    data = b"WARC/1.1\r\n" + bytes(4081 - 10)
    stored = bytes(
        [0, len(data) & 0xFF, len(data) >> 8, ~len(data) & 0xFF, (~len(data) >> 8) & 0xFF]
    )
    head = gzip.compress(b"")[:10] + stored + data  # a gzip header, one stored deflate block
    assert len(head) == 4096
    bad_block = b"\x07"  # final block of the reserved type 3: zlib refuses it
    assert starts_like_warc(io.BytesIO(head + bad_block + bytes(100)))
