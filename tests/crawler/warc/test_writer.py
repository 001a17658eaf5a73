"""RotatingWarcWriter: naming, .open -> final rename, rotation, locations, tool checks."""

from __future__ import annotations

import dataclasses
import gzip
import json
import os
import re
import stat
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.warc import records as R
from crawler.warc.writer import RotatingWarcWriter, warc_filename
from tests.ecosystem import cdxj_indexer, warcio_check, warcio_index

NAME_RE = re.compile(r"^warta-\d{17}-\d{5}-testhost\.warc\.gz$")


def make_writer(kit: SimpleNamespace, directory: Path, **kwargs: object) -> RotatingWarcWriter:
    options: dict[str, object] = {
        "warcinfo": {"software": "warta-test", "operator": "tests"},
        "id_factory": kit.make_id_factory(),
        "clock": kit.make_clock(),
    }
    options.update(kwargs)
    return RotatingWarcWriter(directory, "warta", "testhost", **options)  # type: ignore[arg-type]


def read_records(path: Path) -> list[tuple[str, dict[str, str], int]]:
    out = []
    with open(path, "rb") as stream:
        it = ArchiveIterator(stream)
        for rec in it:
            out.append((rec.rec_type, dict(rec.rec_headers.headers), it.get_record_offset()))
    return out


def test_file_name_follows_annex_c(kit: SimpleNamespace) -> None:
    name = warc_filename("warta", kit.T0, 7, "host-1")
    assert name == "warta-20261127010203456-00007-host-1.warc.gz"


def test_file_name_is_in_utc_wherever_the_code_runs(
    kit: SimpleNamespace, machine_in_wita: None
) -> None:
    """Names sort by capture time across crawlers only if every one of them writes UTC."""
    assert warc_filename("warta", kit.T0, 7, "h") == "warta-20261127010203456-00007-h.warc.gz"
    in_samarinda = datetime(2026, 11, 27, 9, 2, 3, 999_000, tzinfo=timezone(timedelta(hours=8)))
    assert warc_filename("w", in_samarinda, 12345, "h") == "w-20261127010203999-12345-h.warc.gz"


def test_warc_files_are_data_not_programs(kit: SimpleNamespace, tmp_path: Path) -> None:
    """Created rw-r--r-- (less what the umask takes away), never executable."""
    umask = os.umask(0o022)
    os.umask(umask)
    writer = make_writer(kit, tmp_path)
    loc = writer.write_exchange(*kit.plain_exchange())
    assert writer.current_file is not None
    assert stat.S_IMODE(writer.current_file.stat().st_mode) == 0o644 & ~umask
    writer.close()
    assert stat.S_IMODE((tmp_path / loc.file).stat().st_mode) == 0o644 & ~umask


def test_open_file_then_rename_on_close(kit: SimpleNamespace, tmp_path: Path) -> None:
    writer = make_writer(kit, tmp_path)
    loc = writer.write_exchange(*kit.plain_exchange())
    open_files = list(tmp_path.glob("*.warc.gz.open"))
    assert [p.name for p in open_files] == [loc.file + ".open"]
    assert not (tmp_path / loc.file).exists()
    # Flushed before returning: the record is already readable from the .open file.
    assert b"WARC-Type: response" in gzip.decompress(open_files[0].read_bytes())
    writer.close()
    writer.close()  # idempotent
    assert [p.name for p in tmp_path.iterdir()] == [loc.file]
    assert NAME_RE.match(loc.file)
    with pytest.raises(RuntimeError, match=r"^RotatingWarcWriter is closed$"):
        writer.write_exchange(*kit.plain_exchange())


def test_whole_file_is_deterministic_and_valid(kit: SimpleNamespace, tmp_path: Path) -> None:
    outputs = []
    for run in ("one", "two"):
        directory = tmp_path / run
        with make_writer(kit, directory) as writer:
            writer.write_exchange(*kit.plain_exchange())
            writer.write_exchange(*kit.gzip_chunked_exchange())
        (path,) = directory.iterdir()
        outputs.append(path.read_bytes())
        warcio_check(path)
    assert outputs[0] == outputs[1]
    plain = gzip.decompress(outputs[0])
    assert plain.startswith(
        b"WARC/1.1\r\nWARC-Type: warcinfo\r\n"
        b"WARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-000000000001>\r\n"
        b"WARC-Date: 2026-11-27T01:02:03.456789Z\r\n"
        b"WARC-Filename: warta-20261127010203456-00000-testhost.warc.gz\r\n"
    )
    assert b"software: warta-test\r\noperator: tests\r\n" in plain


def test_pairs_are_linked_and_location_points_at_response(
    kit: SimpleNamespace, tmp_path: Path
) -> None:
    with make_writer(kit, tmp_path) as writer:
        loc1 = writer.write_exchange(*kit.plain_exchange("/one"))
        loc2 = writer.write_exchange(*kit.gzip_chunked_exchange("/two"))
    path = tmp_path / loc1.file
    recs = read_records(path)
    assert [r[0] for r in recs] == ["warcinfo", "response", "request", "response", "request"]
    info_id = recs[0][1]["WARC-Record-ID"]
    for resp, req in ((recs[1], recs[2]), (recs[3], recs[4])):
        assert resp[1]["WARC-Concurrent-To"] == req[1]["WARC-Record-ID"]
        assert req[1]["WARC-Concurrent-To"] == resp[1]["WARC-Record-ID"]
        assert resp[1]["WARC-Target-URI"] == req[1]["WARC-Target-URI"]
        assert resp[1]["WARC-Warcinfo-ID"] == req[1]["WARC-Warcinfo-ID"] == info_id
    assert (loc1.offset, loc1.record_id) == (recs[1][2], recs[1][1]["WARC-Record-ID"])
    assert loc2.offset == recs[3][2]
    # offset/length address exactly one gzip member, as a CDXJ index would.
    with open(path, "rb") as stream:
        stream.seek(loc2.offset)
        member = stream.read(loc2.length)
    assert gzip.decompress(member).startswith(b"WARC/1.1\r\nWARC-Type: response\r\n")
    assert b"http://example.com/two" in gzip.decompress(member)

    index = warcio_index(path, "warc-type,warc-target-uri,warc-concurrent-to,offset")
    lines = [json.loads(line) for line in index.splitlines()]
    assert [(d["warc-type"], int(d["offset"])) for d in lines[1:3]] == [
        ("response", loc1.offset),
        ("request", loc1.offset + loc1.length),
    ]


def test_rotation_never_splits_a_pair(kit: SimpleNamespace, tmp_path: Path) -> None:
    with make_writer(kit, tmp_path, max_bytes=1500) as writer:
        locations = [writer.write_exchange(*kit.plain_exchange(f"/p{i}")) for i in range(5)]
        files_during = sorted(p.name for p in tmp_path.glob("*.warc.gz"))
    files = sorted(tmp_path.glob("*.warc.gz"))
    assert len(files) > 1
    assert len(files_during) == len(files) - 1  # full files were closed as soon as full
    assert [int(p.name.split("-")[2]) for p in files] == list(range(len(files)))
    assert {loc.file for loc in locations} == {p.name for p in files}
    for path in files:
        warcio_check(path)
        recs = read_records(path)
        types = [r[0] for r in recs]
        assert types[0] == "warcinfo" and types.count("warcinfo") == 1
        assert types[1:] == ["response", "request"] * (2 if path != files[-1] else 1)
        assert recs[0][1]["WARC-Filename"] == path.name
    assert not list(tmp_path.glob("*.open"))


def test_derived_records_and_cdxj_keys(kit: SimpleNamespace, tmp_path: Path) -> None:
    page = "http://example.com/a?b=1"
    with make_writer(kit, tmp_path) as writer:
        loc = writer.write_exchange(*kit.plain_exchange())
        extra = writer.write_records(
            [
                R.metadata(
                    R.derived_uri("article", page),
                    b'{"title": "Samarinda"}',
                    "application/json",
                    writer.spec(),
                    refers_to=loc.record_id,
                    refers_to_target_uri=page,
                ),
                R.conversion(
                    R.derived_uri("text", page),
                    b"Samarinda\n",
                    "text/plain; charset=utf-8",
                    writer.spec(),
                    refers_to=loc.record_id,
                    refers_to_target_uri=page,
                ),
            ]
        )
    assert [e.file for e in extra] == [loc.file, loc.file]
    assert extra[0].offset == loc.offset + loc.length + read_request_length(tmp_path / loc.file)
    path = tmp_path / loc.file
    warcio_check(path)
    cdxj = cdxj_indexer(str(path))
    page_lines = [line for line in cdxj.splitlines() if line.startswith("com,example)/a?b=1 ")]
    assert len(page_lines) == 1 and '"mime": "text/html"' in page_lines[0]
    assert any(line.startswith("urn:warta:article:") for line in cdxj.splitlines())


def read_request_length(path: Path) -> int:
    with open(path, "rb") as stream:
        it = ArchiveIterator(stream)
        for rec in it:
            if rec.rec_type == "request":
                rec.content_stream().read()
                return int(it.get_record_length())
    raise AssertionError("no request record")


def test_bad_names_are_rejected(kit: SimpleNamespace, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"^WARC file name host must be .*, got 'bad/host'$"):
        RotatingWarcWriter(tmp_path, "warta", "bad/host")
    with pytest.raises(ValueError, match=r"^WARC file name prefix must be .*, got ''$"):
        RotatingWarcWriter(tmp_path, "", "h")


def test_size_limit_is_one_gigabyte_unless_given_and_must_be_positive(tmp_path: Path) -> None:
    """1 GB: the upper size per file that the WARC standard recommends."""
    assert RotatingWarcWriter(tmp_path, "warta", "h").max_bytes == 1_000_000_000
    assert RotatingWarcWriter(tmp_path, "warta", "h", max_bytes=1).max_bytes == 1
    with pytest.raises(ValueError, match=r"^max_bytes must be positive, got 0$"):
        RotatingWarcWriter(tmp_path, "warta", "h", max_bytes=0)


def test_location_meta_uses_the_names_its_readers_look_up(
    kit: SimpleNamespace, tmp_path: Path
) -> None:
    """Spider, state and rows read a response's place back as file/offset/length/record_id."""
    with RotatingWarcWriter(tmp_path, "warta", "h", id_factory=kit.make_id_factory()) as writer:
        loc = writer.write_exchange(*kit.plain_exchange())
    assert loc.as_meta() == {
        "file": loc.file,
        "offset": loc.offset,
        "length": loc.length,
        "record_id": loc.record_id,
    }


def test_a_file_is_full_at_max_bytes_exactly(kit: SimpleNamespace, tmp_path: Path) -> None:
    with make_writer(kit, tmp_path / "probe") as probe:
        probe.write_exchange(*kit.plain_exchange())
        assert probe.current_file is not None
        size = probe.current_file.stat().st_size
    writer = make_writer(kit, tmp_path / "exact", max_bytes=size)
    loc = writer.write_exchange(*kit.plain_exchange())
    assert writer.current_file is None  # closed at once: not one byte more than the limit
    assert [p.name for p in writer.files_written] == [loc.file]
    assert (tmp_path / "exact" / loc.file).stat().st_size == size
    roomy = make_writer(kit, tmp_path / "roomy", max_bytes=size + 1)
    roomy.write_exchange(*kit.plain_exchange())
    assert roomy.current_file is not None and roomy.files_written == []
    roomy.close()


def test_a_file_never_holds_only_its_warcinfo(kit: SimpleNamespace, tmp_path: Path) -> None:
    """With a limit below the warcinfo's own size, each file still gets one exchange."""
    with make_writer(kit, tmp_path, max_bytes=1) as writer:
        locations = [writer.write_exchange(*kit.plain_exchange(f"/p{i}")) for i in range(2)]
    files = sorted(tmp_path.glob("*.warc.gz"))
    assert [loc.file for loc in locations] == [p.name for p in files]
    assert [[r[0] for r in read_records(p)] for p in files] == [
        ["warcinfo", "response", "request"]
    ] * 2


def test_request_record_names_the_protocol_the_exchange_used(
    kit: SimpleNamespace, tmp_path: Path
) -> None:
    request, response = kit.plain_exchange()
    old = dataclasses.replace(response, protocol="HTTP/1.0")
    with make_writer(kit, tmp_path) as writer:
        loc = writer.write_exchange(request, old)
    with open(tmp_path / loc.file, "rb") as stream:
        lines = [
            (rec.rec_type, rec.http_headers.statusline, rec.http_headers.protocol)
            for rec in ArchiveIterator(stream)
            if rec.http_headers is not None
        ]
    assert lines == [("response", "200 OK", "HTTP/1.0"), ("request", "/a?b=1 HTTP/1.0", "GET")]


def test_a_location_carries_the_payload_digest_written(
    kit: SimpleNamespace, tmp_path: Path
) -> None:
    with RotatingWarcWriter(tmp_path, "warta", "h", id_factory=kit.make_id_factory()) as writer:
        where = writer.write_exchange(*kit.plain_exchange())
        [info] = writer.write_records(
            [R.warcinfo("x", {"a": "b"}, writer.spec())]  # a record with no payload digest
        )
    assert where.payload_digest == R.payload_digest(kit.HTML)
    assert info.payload_digest is None
    with (tmp_path / where.file).open("rb") as stream:
        stream.seek(where.offset)
        record = next(iter(ArchiveIterator(stream)))
        assert record.rec_headers.get_header("WARC-Payload-Digest") == where.payload_digest
