"""WarcReader: records with their offsets, .open and plain files, clear errors on junk."""

from __future__ import annotations

import gzip
from pathlib import Path
from types import SimpleNamespace

import pytest

from crawler.warc.reader import NotWarcError, WarcReader, WarcReadError, read_records, warc_files
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
        with pytest.raises(WarcReadError):
            reader.record_at(locations[1].offset + 3)


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
