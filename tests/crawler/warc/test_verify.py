"""``warta verify``: a clean crawl passes; each kind of damage is named with its location."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.recordbuilder import RecordBuilder
from warcio.statusandheaders import StatusAndHeaders

from crawler.warc import records as R
from crawler.warc.indexing import build_cdxj
from crawler.warc.verify import Problem, VerifyReport, verify_paths
from crawler.warc.writer import RotatingWarcWriter
from flows.cli import main as warta_main


def write_sample_crawl(directory: Path, kit: SimpleNamespace) -> SimpleNamespace:
    """Three exchanges over two files, derived records, a revisit, and the CDXJ index."""
    writer = RotatingWarcWriter(
        directory,
        prefix="warta",
        host="test",
        max_bytes=1500,  # rotates after the first exchange group
        warcinfo={"operator": "tests"},
        id_factory=kit.make_id_factory(),
        clock=kit.make_clock(step=timedelta(seconds=1)),
    )
    locs = {}
    for path, make in (("/a?b=1", kit.plain_exchange), ("/page", kit.gzip_chunked_exchange)):
        req, resp = make(path)
        locs[resp.url] = writer.write_exchange(req, resp)
    page = locs["http://example.com/page"]
    writer.write_records(
        [
            R.metadata(
                R.derived_uri("article", "http://example.com/page"),
                b'{"title": "Samarinda"}',
                "application/json",
                writer.spec(),
                refers_to=page.record_id,
            ),
            R.conversion(
                R.derived_uri("text", "http://example.com/page"),
                b"Samarinda",
                "text/plain; charset=utf-8",
                writer.spec(),
                refers_to=page.record_id,
            ),
        ]
    )
    first = locs["http://example.com/a?b=1"]
    revisit = RecordBuilder(warc_version=R.WARC_VERSION).create_revisit_record(
        "http://example.com/a?b=1",
        digest="sha1:JEXJR23VJNMISKZO2PJJFAYRPVKZAOS5",
        refers_to_uri="http://example.com/a?b=1",
        refers_to_date=R.warc_date(kit.T0),
        http_headers=StatusAndHeaders("200 OK", [("Content-Type", "text/html")], "HTTP/1.1"),
        warc_headers_dict={
            "WARC-Record-ID": writer.new_record_id(),
            "WARC-Date": R.warc_date(writer.now()),
            "WARC-Refers-To": first.record_id,
        },
    )
    (revisit_loc,) = writer.write_records([revisit])
    writer.close()
    warcs = list(writer.files_written)
    index = build_cdxj(warcs, directory / "index.cdxj")
    return SimpleNamespace(dir=directory, warcs=warcs, index=index, locs=locs, revisit=revisit_loc)


@pytest.fixture
def crawl(tmp_path: Path, kit: SimpleNamespace) -> SimpleNamespace:
    return write_sample_crawl(tmp_path / "crawl", kit)


def members(path: Path) -> list[tuple[str, str, int, int]]:
    """(type, record id, offset, length) of every record."""
    out = []
    with open(path, "rb") as stream:
        it = ArchiveIterator(stream)
        for rec in it:
            rec.raw_stream.read()
            rid = rec.rec_headers.get_header("WARC-Record-ID")
            out.append((rec.rec_type, rid, it.get_record_offset(), it.get_record_length()))
    return out


def splice(path: Path, offset: int, length: int, new: bytes) -> None:
    data = path.read_bytes()
    path.write_bytes(data[:offset] + new + data[offset + length :])


def kinds(report: VerifyReport) -> set[str]:
    return {p.kind for p in report.problems}


def file_of(crawl: SimpleNamespace, url: str) -> Path:
    return crawl.dir / crawl.locs[url].file


def test_clean_crawl_verifies(crawl: SimpleNamespace) -> None:
    report = verify_paths([crawl.dir])
    assert report.ok, report.format()
    assert len(report.warc_files) == 2 and report.indexes == [crawl.index]
    assert report.record_counts == {
        "warcinfo": 2,
        "response": 2,
        "request": 2,
        "metadata": 1,
        "conversion": 1,
        "revisit": 1,
    }
    assert report.index_lines == 3
    assert report.summary().startswith("OK: 2 WARC file(s), 9 records")


def test_files_can_be_named_one_by_one(crawl: SimpleNamespace) -> None:
    assert verify_paths([*crawl.warcs, crawl.index]).ok
    # Named twice (folder and file, relative and absolute) is still read once.
    twice = verify_paths([crawl.dir, crawl.warcs[0].resolve()])
    assert twice.ok and len(twice.warc_files) == 2


def test_payload_byte_flip_fails_both_digests(crawl: SimpleNamespace) -> None:
    crawl.index.unlink()
    loc = crawl.locs["http://example.com/a?b=1"]
    warc = crawl.dir / loc.file
    raw = warc.read_bytes()[loc.offset : loc.offset + loc.length]
    record = bytearray(gzip.decompress(raw))
    at = record.index(b"Samarinda")
    record[at] ^= 0x20  # "Samarinda" -> "samarinda", then a valid gzip member again
    splice(warc, loc.offset, loc.length, gzip.compress(bytes(record), mtime=0))

    report = verify_paths([crawl.dir])
    assert kinds(report) == {"digest"}
    messages = sorted(p.message for p in report.problems)
    assert messages[0].startswith("block digest failed")
    assert messages[1].startswith("payload digest failed")
    assert {(p.file, p.offset, p.record_id) for p in report.problems} == {
        (str(warc), loc.offset, loc.record_id)
    }


def test_damaged_compressed_byte_is_reported_where_it_is(crawl: SimpleNamespace) -> None:
    loc = crawl.locs["http://example.com/page"]
    warc = crawl.dir / loc.file
    data = bytearray(warc.read_bytes())
    data[loc.offset + loc.length // 2] ^= 0xFF
    warc.write_bytes(bytes(data))

    report = verify_paths([crawl.dir])
    assert not report.ok
    first = report.problems[0]
    assert first.file == str(warc) and first.offset == loc.offset
    assert first.kind in {"unreadable", "digest", "bad-member", "truncated"}


def test_response_without_request(crawl: SimpleNamespace) -> None:
    crawl.index.unlink()
    loc = crawl.locs["http://example.com/page"]
    warc = crawl.dir / loc.file
    # The writer puts each request record right after its response.
    (request,) = [m for m in members(warc) if m[2] == loc.offset + loc.length]
    assert request[0] == "request"
    splice(warc, request[2], request[3], b"")

    report = verify_paths([crawl.dir])
    assert kinds(report) == {"no-request"}
    (problem,) = report.problems
    assert (problem.file, problem.offset, problem.record_id) == (
        str(warc),
        loc.offset,
        loc.record_id,
    )
    assert "http://example.com/page" in problem.message


def test_dangling_refers_to_when_a_file_is_left_out(crawl: SimpleNamespace) -> None:
    # The derived records and the revisit sit in the second file; their pages in the first.
    second = crawl.dir / crawl.revisit.file
    first = next(w for w in crawl.warcs if w != second)
    report = verify_paths([second])
    dangling = [p for p in report.problems if p.kind == "dangling-refers-to"]
    assert {p.message.split()[0] for p in dangling} >= {"revisit"}
    refs = {crawl.locs[u].record_id for u in crawl.locs if crawl.locs[u].file == first.name}
    assert all(any(r in p.message for r in refs) for p in dangling)
    assert verify_paths([first, second]).ok


def test_dangling_refers_to_in_a_metadata_record(tmp_path: Path, kit: SimpleNamespace) -> None:
    writer = RotatingWarcWriter(tmp_path, "warta", "test", id_factory=kit.make_id_factory())
    ghost = "<urn:uuid:11111111-1111-4111-8111-111111111111>"
    uri = R.derived_uri("article", "http://example.com/gone")
    (loc,) = writer.write_records(
        [R.metadata(uri, b"{}", "application/json", writer.spec(), refers_to=ghost)]
    )
    writer.close()
    report = verify_paths([tmp_path])
    (problem,) = report.problems
    assert problem.kind == "dangling-refers-to" and ghost in problem.message
    assert (problem.file, problem.offset, problem.record_id) == (
        str(tmp_path / loc.file),
        loc.offset,
        loc.record_id,
    )


def test_index_missing_a_line(crawl: SimpleNamespace) -> None:
    lines = crawl.index.read_text().splitlines(keepends=True)
    dropped = next(ln for ln in lines if "/page" in ln)
    crawl.index.write_text("".join(ln for ln in lines if ln is not dropped))
    loc = crawl.locs["http://example.com/page"]

    report = verify_paths([crawl.dir])
    (problem,) = report.problems
    assert problem.kind == "index-missing"
    assert (problem.file, problem.offset, problem.record_id) == (
        str(crawl.dir / loc.file),
        loc.offset,
        loc.record_id,
    )


def test_index_pointing_at_a_wrong_offset(crawl: SimpleNamespace) -> None:
    lines = crawl.index.read_text().splitlines(keepends=True)
    key, ts, block = lines[0].split(" ", 2)
    fields = json.loads(block)
    fields["offset"] = str(int(fields["offset"]) + 1)
    lines[0] = f"{key} {ts} {json.dumps(fields)}\n"
    crawl.index.write_text("".join(lines))

    report = verify_paths([crawl.dir])
    assert kinds(report) == {"index-bad-offset", "index-missing"}
    assert len(report.problems) == 2  # the lines after the bad one were still checked
    bad = next(p for p in report.problems if p.kind == "index-bad-offset")
    assert bad.file == str(crawl.index) and bad.line == 1
    assert bad.message == f"no record starts at {fields['filename']} @{fields['offset']}"


def test_index_out_of_order_and_garbage(crawl: SimpleNamespace) -> None:
    lines = crawl.index.read_text().splitlines(keepends=True)
    crawl.index.write_text("".join(reversed(lines)) + "not a cdxj line\n")
    report = verify_paths([crawl.dir])
    assert kinds(report) == {"index-unsorted", "index-unparsable"}


def test_truncated_last_member(crawl: SimpleNamespace) -> None:
    crawl.index.unlink()
    warc = crawl.dir / crawl.revisit.file
    size = warc.stat().st_size
    with open(warc, "r+b") as handle:
        handle.truncate(size - crawl.revisit.length // 2)

    report = verify_paths([crawl.dir])
    assert not report.ok
    assert {p.offset for p in report.problems} == {crawl.revisit.offset}
    assert all(p.file == str(warc) for p in report.problems)


def test_member_cut_in_its_gzip_trailer(crawl: SimpleNamespace) -> None:
    # warcio reads such a record without complaint; the member scan must not.
    crawl.index.unlink()
    warc = crawl.dir / crawl.revisit.file
    with open(warc, "r+b") as handle:
        handle.truncate(warc.stat().st_size - 4)
    report = verify_paths([crawl.dir])
    (problem,) = report.problems
    assert problem.kind == "bad-member" and problem.offset == crawl.revisit.offset
    assert problem.file == str(warc) and problem.message == (
        "gzip member is not one whole, intact record (truncated, damaged or failing its block "
        f"digest); {warc.stat().st_size - crawl.revisit.offset} bytes from here on are suspect"
    )


def test_file_without_warcinfo(crawl: SimpleNamespace) -> None:
    crawl.index.unlink()
    warc = crawl.warcs[0]
    info = members(warc)[0]
    splice(warc, 0, info[3], b"")
    report = verify_paths([crawl.dir])
    assert "no-warcinfo" in kinds(report)
    assert "dangling-warcinfo" in kinds(report)  # the records still name the lost warcinfo
    assert next(p for p in report.problems if p.kind == "no-warcinfo").offset == 0


def test_open_and_corrupt_files_in_the_folder(crawl: SimpleNamespace) -> None:
    (crawl.dir / "warta-20261127000000000-00009-test.warc.gz.open").write_bytes(b"")
    (crawl.dir / "warta-20261127000000000-00008-test.warc.gz.corrupt").write_bytes(b"")
    report = verify_paths([crawl.dir])
    assert kinds(report) == {"open-file"}
    assert [w.kind for w in report.warnings] == ["corrupt-file"]


def test_nothing_to_verify(tmp_path: Path) -> None:
    report = verify_paths([tmp_path / "missing", tmp_path])
    assert kinds(report) == {"missing", "no-warc"}


def test_cli_reports_and_exits(crawl: SimpleNamespace, capsys: pytest.CaptureFixture[str]) -> None:
    assert warta_main(["verify", str(crawl.dir)]) == 0
    out = capsys.readouterr().out
    assert out.strip().splitlines()[-1].startswith("OK: 2 WARC file(s)")

    crawl.index.write_text("".join(crawl.index.read_text().splitlines(keepends=True)[1:]))
    assert warta_main(["verify", str(crawl.dir)]) == 1
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith(f"PROBLEM {crawl.dir}/warta-") and "[index-missing]" in lines[0]
    assert lines[-1].startswith("FAILED: 1 problem(s) in 2 WARC file(s)")


def test_a_record_id_used_twice_is_reported(crawl: SimpleNamespace) -> None:
    """A WARC copied under a second name repeats every record ID: replay could pick either."""
    crawl.index.unlink()
    original = crawl.warcs[0]
    copy = original.with_name("warta-copy-" + original.name)
    copy.write_bytes(original.read_bytes())

    report = verify_paths([crawl.dir])
    assert kinds(report) == {"duplicate-id"}
    ids = {rid for _, rid, _, _ in members(copy)}
    assert {p.record_id for p in report.problems} == ids
    assert len(report.problems) == len(ids)  # once per repeated record, at its second place
    assert {p.file for p in report.problems} <= {str(original), str(copy)}


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("length", "1", "length 1 != "),
        ("digest", "sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "digest sha1:AAAA"),
        ("url", "http://example.com/elsewhere", "url 'http://example.com/elsewhere'"),
        ("timestamp", "19990101000000", "timestamp 19990101000000 != WARC-Date"),
    ],
)
def test_index_line_that_describes_another_record(
    crawl: SimpleNamespace, field: str, value: str, said: str
) -> None:
    """The line points at a real record (right file and offset) but says something else."""
    lines = crawl.index.read_text().splitlines(keepends=True)
    key, ts, block = lines[0].split(" ", 2)
    fields = json.loads(block)
    if field == "timestamp":
        ts = value
    else:
        fields[field] = value
    lines[0] = f"{key} {ts} {json.dumps(fields)}\n"
    crawl.index.write_text("".join(lines))

    report = verify_paths([crawl.dir])
    (problem,) = report.problems
    assert problem.kind == "index-mismatch" and problem.line == 1
    assert problem.file == str(crawl.index) and said in problem.message


def test_report_text_is_exact_and_limited() -> None:
    """What ``warta verify`` prints: where, which record, what; limited lists say how many
    more there are; the last line sums it up."""
    report = VerifyReport(
        warc_files=[Path("a.warc.gz")],
        indexes=[Path("index.cdxj")],
        record_counts=Counter({"warcinfo": 1, "response": 2}),
        index_lines=2,
    )
    assert report.summary() == (
        "OK: 1 WARC file(s), 3 records (2 response, 1 warcinfo), 1 index(es) with 2 lines"
    )
    report.warnings = [Problem("x.corrupt", "corrupt-file", "moved aside") for _ in range(3)]
    report.earlier_refs = 4
    assert report.summary().endswith(
        "2 lines, 4 reference(s) to earlier crawls found beside them, 3 warning(s)"
    )
    report.problems = [
        Problem("a.warc.gz", "digest", "block digest differs", offset=0, record_id="<urn:1>"),
        Problem("index.cdxj", "index-unsorted", "out of order", line=3),
        Problem("b.warc", "missing", "no such file or folder"),
    ]
    assert report.format(limit=2).splitlines() == [
        "PROBLEM a.warc.gz @0 <urn:1>: [digest] block digest differs",
        "PROBLEM index.cdxj line 3: [index-unsorted] out of order",
        "... and 1 more problem(s)",
        "warning x.corrupt: [corrupt-file] moved aside",
        "warning x.corrupt: [corrupt-file] moved aside",
        "FAILED: 3 problem(s) in 1 WARC file(s), 3 records (2 response, 1 warcinfo), "
        "1 index(es) with 2 lines, 4 reference(s) to earlier crawls found beside them",
    ]
    whole = report.format().splitlines()
    assert (
        len(whole) == 3 + 3 + 1 and whole[2] == "PROBLEM b.warc: [missing] no such file or folder"
    )
    assert VerifyReport().summary() == "OK: 0 WARC file(s), 0 records, 0 index(es) with 0 lines"


def test_corrupt_file_warning_names_the_file(crawl: SimpleNamespace) -> None:
    corrupt = crawl.dir / "warta-20261127000000000-00008-test.warc.gz.corrupt"
    corrupt.write_bytes(b"")
    report = verify_paths([crawl.dir])
    assert report.ok and report.warnings == [
        Problem(str(corrupt), "corrupt-file", "moved aside by recovery: it holds no whole record")
    ]


def _record(
    rec_type: str, record_id: str, payload: bytes, refers_to: str | None = None, length: str = ""
) -> bytes:
    """One plain record written by hand (no digests: verify needs none); ``length`` is the
    declared Content-Length, the payload's own by default."""
    refers = f"WARC-Refers-To: {refers_to}\r\n" if refers_to else ""
    head = (
        f"WARC/1.1\r\nWARC-Type: {rec_type}\r\nWARC-Record-ID: {record_id}\r\n"
        f"WARC-Target-URI: urn:test:{rec_type}\r\nWARC-Date: 2026-12-01T00:00:00Z\r\n{refers}"
        f"Content-Type: application/json\r\nContent-Length: {length or len(payload)}\r\n\r\n"
    )
    return head.encode() + payload + b"\r\n\r\n"


def _member(rec_type: str, record_id: str, payload: bytes, refers_to: str | None = None) -> bytes:
    """The same record as one gzip member, as the writer stores it."""
    return gzip.compress(_record(rec_type, record_id, payload, refers_to), mtime=0)


def test_references_to_earlier_crawls_are_found_beside_the_given_one(tmp_path: Path) -> None:
    """An incremental crawl refers to records of earlier crawls of the site: those are looked
    up in the sibling crawl folders (gzip or plain WARCs), never in hidden job folders."""
    site = tmp_path / "crawls" / "niaga"
    ids = {name: f"<urn:uuid:00000000-0000-4000-8000-00000000000{n}>" for n, name in
           enumerate(["gz", "plain", "hidden", "info", "new1", "new2", "new3"])}  # fmt: skip
    (site / "20261101T000000Z").mkdir(parents=True)
    (site / "20261101T000000Z" / "early.warc.gz").write_bytes(
        gzip.compress(b"", mtime=0) + _member("metadata", ids["gz"], b"{}")  # odd start, still read
    )
    (site / "20261102T000000Z").mkdir()
    (site / "20261102T000000Z" / "early.warc").write_bytes(
        gzip.decompress(_member("metadata", ids["plain"], b"{}"))
    )
    (site / ".queue").mkdir()
    (site / ".queue" / "x.warc.gz").write_bytes(_member("metadata", ids["hidden"], b"{}"))
    new = site / "20261201T000000Z" / "new.warc.gz"
    new.parent.mkdir()
    new.write_bytes(
        _member("warcinfo", ids["info"], b"{}")
        + _member("metadata", ids["new1"], b"{}", refers_to=ids["gz"])
        + _member("metadata", ids["new2"], b"{}", refers_to=ids["plain"])
        + _member("metadata", ids["new3"], b"{}", refers_to=ids["hidden"])
    )
    report = verify_paths([new])
    assert report.earlier_refs == 2
    (problem,) = report.problems
    assert problem.kind == "dangling-refers-to" and problem.record_id == ids["new3"]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", ["@0: [no-warcinfo] file holds no WARC record"]),
        (
            _record("warcinfo", "<urn:a>", b"{}", length="1")
            + _record("metadata", "<urn:b>", b"{}"),
            [
                "@0 <urn:a>: [record-end] record not followed by its end marker "
                "(bad Content-Length?)"
            ],
        ),
        (
            _record("warcinfo", "<urn:a>", b"{}", length="x")
            + _record("metadata", "<urn:b>", b"{}"),
            [
                "@0 <urn:a>: [bad-header] record header cut short or without a valid "
                "Content-Length",
                "@0 <urn:a>: [record-end] record not followed by its end marker (bad "
                "Content-Length?)",
            ],
        ),
        (
            _record("warcinfo", "<urn:a>", b"{}")
            + _record("metadata", "<urn:b>", b"0123456789")[:-7],
            ["@184 <urn:b>: [truncated] block ends 3 bytes short of its 10"],
        ),
        (
            _record("metadata", "<urn:a>", b"{}"),
            ["@0 <urn:a>: [no-warcinfo] file does not start with a warcinfo record"],
        ),
    ],
    ids=["empty", "record-end", "bad-length", "truncated", "no-warcinfo"],
)
def test_damage_in_a_plain_warc_is_named_exactly(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], data: bytes, expected: list[str]
) -> None:
    """Plain WARCs have no gzip members to cross-check: the record checks alone must catch a
    bad Content-Length, a cut block or a missing warcinfo (and keep warcio's chatter quiet)."""
    path = tmp_path / "crawl.warc"
    path.write_bytes(data)
    report = verify_paths([path])
    assert [p.format() for p in report.problems] == [f"{path} {e}" for e in expected]
    assert capfd.readouterr() == ("", "")


def test_index_lines_in_the_unreadable_part_are_not_blamed_twice(crawl: SimpleNamespace) -> None:
    """Damage where a record starts: that record's index line is covered by the one
    'unreadable' problem, and the lines after it (another file) are still checked."""
    damaged = crawl.dir / crawl.revisit.file
    damaged.write_bytes(
        damaged.read_bytes()[: crawl.revisit.offset] + b"\x1f\x8b" + b"garbage" * 20
    )
    report = verify_paths([crawl.dir])
    (problem,) = report.problems
    assert (problem.file, problem.kind, problem.offset) == (
        str(damaged),
        "unreadable",
        crawl.revisit.offset,
    )
    prefix = "cannot read on from here: "
    assert problem.message.startswith(prefix + "Invalid WARC record, first line: ?garbagegarbage")
    assert len(problem.message) == len(prefix) + 120  # printable, and cut at 120 characters
    assert report.index_lines == 3


def test_index_problems_are_located_and_the_rest_still_checked(crawl: SimpleNamespace) -> None:
    lines = crawl.index.read_text().splitlines(keepends=True)
    gone = (
        'aaa,example)/ 20261127010203 {"url": "http://aaa.example/", "mime": "text/html", '
        '"status": "200", "digest": "sha1:AAAA", "length": "10", "offset": "0", '
        '"filename": "gone.warc.gz"}\n'
    )
    gone_too = gone.replace("aaa,", "aab,").replace('"gone.warc.gz"', '"sub/gone.warc.gz"')
    crawl.index.write_text(
        "not a cdxj line\n" + gone + gone_too + lines[0] + lines[0] + "".join(lines[1:])
    )
    report = verify_paths([crawl.dir])
    index = str(crawl.index)
    assert report.problems == [
        Problem(index, "index-unparsable", "not a CDXJ line", line=1),
        Problem(
            index, "index-missing-file", "points at 'gone.warc.gz', which does not exist", line=2
        ),
        Problem(
            index,
            "index-missing-file",
            "points at 'sub/gone.warc.gz', which does not exist",
            line=3,
        ),
    ]  # a repeated line is in order; every later line was still checked

    crawl.index.write_text(lines[1] + lines[0] + lines[2])
    (problem,) = verify_paths([crawl.dir]).problems
    assert problem == Problem(
        index,
        "index-unsorted",
        "line sorts before the one above it (replay tools binary-search the index)",
        line=2,
    )


def test_index_mismatch_names_the_record_and_every_difference(crawl: SimpleNamespace) -> None:
    lines = crawl.index.read_text().splitlines(keepends=True)
    key, ts, block = lines[0].split(" ", 2)
    fields = json.loads(block)
    fields.update(length="1", digest="sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
    crawl.index.write_text(f"{key} {ts} {json.dumps(fields)}\n" + "".join(lines[1:]))
    (problem,) = verify_paths([crawl.dir]).problems
    first = crawl.locs["http://example.com/a?b=1"]
    assert problem.record_id == first.record_id
    assert problem.message.startswith(f"{first.file} @{first.offset}: length 1 != ")
    assert "; digest sha1:AAAA" in problem.message


def test_an_index_elsewhere_finds_its_files_by_path_or_beside_it(
    tmp_path: Path, kit: SimpleNamespace
) -> None:
    """Two crawls with the same file names: a plain name means the file beside the index,
    a relative path the file it names."""
    counter = iter(range(100, 200))
    other_kit = SimpleNamespace(
        **{
            **vars(kit),
            "make_id_factory": lambda: (
                lambda: f"<urn:uuid:00000000-0000-4000-9000-{next(counter):012d}>"
            ),
        }
    )
    one = write_sample_crawl(tmp_path / "one", kit)
    two = write_sample_crawl(tmp_path / "two", other_kit)
    assert [w.name for w in one.warcs] == [w.name for w in two.warcs]
    report = verify_paths([one.dir, two.dir])
    assert report.ok, report.format()
    assert report.index_lines == 6

    moved = tmp_path / "all.cdxj"
    moved.write_text(
        "".join(
            ln.replace('"filename": "', '"filename": "two/')
            for ln in two.index.read_text().splitlines(keepends=True)
        )
    )
    two.index.unlink()
    report = verify_paths([one.dir, two.dir, moved])
    assert report.ok, report.format()


def test_a_gzip_file_with_no_record_is_one_problem(tmp_path: Path) -> None:
    path = tmp_path / "junk.warc.gz"
    path.write_bytes(b"\x1f\x8b\x08\x00junk")
    report = verify_paths([path])
    assert [p.format() for p in report.problems] == [
        f"{path} @0: [no-warcinfo] file holds no WARC record"
    ]


def test_a_data_folder_means_its_crawls_and_hidden_folders_are_skipped(
    tmp_path: Path, kit: SimpleNamespace
) -> None:
    """``archive/`` beside ``crawls/`` holds copies (their IDs would all repeat), and a hidden
    folder holds the Scrapy job queue, not WARCs to check."""
    data = tmp_path / "data"
    crawl = write_sample_crawl(data / "crawls" / "niaga" / "20261127T010203Z", kit)
    copy = data / "archive" / "niaga"
    copy.mkdir(parents=True)
    for warc in crawl.warcs:
        (copy / warc.name).write_bytes(warc.read_bytes())
    queue = crawl.dir / ".jobdir"
    queue.mkdir()
    (queue / "stray.warc.gz").write_bytes(b"not a warc")
    report = verify_paths([data])
    assert report.ok, report.format()
    assert sorted(report.warc_files) == sorted(crawl.warcs)


def test_an_open_file_is_named_and_a_damaged_earlier_crawl_is_no_crash(
    tmp_path: Path, kit: SimpleNamespace
) -> None:
    site = tmp_path / "crawls" / "niaga"
    (site / "20261101T000000Z").mkdir(parents=True)
    (site / "20261101T000000Z" / "old.warc.gz").write_bytes(b"\x1f\x8b" + b"garbage" * 20)
    ghost = "<urn:uuid:11111111-1111-4111-8111-111111111111>"
    new = site / "20261201T000000Z" / "new.warc.gz"
    new.parent.mkdir()
    new.write_bytes(
        _member("warcinfo", "<urn:uuid:a>", b"{}")
        + _member("metadata", "<urn:uuid:b>", b"{}", refers_to=ghost)
    )
    still_open = new.with_name("next.warc.gz.open")
    still_open.write_bytes(b"")
    report = verify_paths([new.parent])
    assert report.problems[0] == Problem(
        str(still_open), "open-file", "WARC file was never finished (run recovery or wait)"
    )
    assert [p.kind for p in report.problems[1:]] == ["dangling-refers-to"]


def test_a_record_without_an_id_is_reported_without_one(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc"
    head = "WARC/1.1\r\nWARC-Type: warcinfo\r\nContent-Length: 2\r\n\r\n"
    path.write_bytes(head.encode() + b"{}\r\n\r\n")
    (problem,) = verify_paths([path]).problems
    assert (problem.kind, problem.record_id) == ("bad-header", None)
    assert problem.message == "record has no WARC-Record-ID"


def _raw(rec_type: str, record_id: str, uri: str, extra: dict[str, str] | None = None) -> bytes:
    """One plain record with any extra WARC headers (links between records, mostly)."""
    fields = "".join(f"{k}: {v}\r\n" for k, v in (extra or {}).items())
    head = (
        f"WARC/1.1\r\nWARC-Type: {rec_type}\r\nWARC-Record-ID: {record_id}\r\n"
        f"WARC-Target-URI: {uri}\r\nWARC-Date: 2026-12-01T00:00:00Z\r\n{fields}"
        "Content-Type: application/octet-stream\r\nContent-Length: 2\r\n\r\n"
    )
    return head.encode() + b"{}\r\n\r\n"


def test_a_link_either_way_pairs_a_response_with_its_request(tmp_path: Path) -> None:
    """WARC-Concurrent-To may sit on the response, on the request, or both; a request for
    another URL is named; a repeated ID and a dangling warcinfo are located."""
    info = _raw("warcinfo", "<urn:i>", "urn:info")
    only_request_links = _raw("response", "<urn:r1>", "http://a/1") + _raw(
        "request", "<urn:q1>", "http://a/1", {"WARC-Concurrent-To": "<urn:r1>"}
    )
    only_response_links = _raw(
        "response", "<urn:r2>", "http://a/2", {"WARC-Concurrent-To": "<urn:q2>"}
    ) + _raw("request", "<urn:q2>", "http://a/2")
    path = tmp_path / "links.warc"
    path.write_bytes(info + only_request_links + only_response_links)
    assert verify_paths([path]).ok, verify_paths([path]).format()

    wrong = _raw("response", "<urn:r3>", "http://a/3", {"WARC-Concurrent-To": "<urn:q3>"})
    wrong += _raw("request", "<urn:q3>", "http://a/other")
    twice = _raw("metadata", "<urn:r1>", "urn:m", {"WARC-Warcinfo-ID": "<urn:gone>"})
    bad = tmp_path / "bad.warc"
    bad.write_bytes(info + only_request_links + wrong + twice)
    report = verify_paths([bad])
    at = {p.kind: p for p in report.problems}
    assert sorted(at) == ["dangling-warcinfo", "duplicate-id", "request-uri"]
    assert at["request-uri"].message == "linked request is for http://a/other, not http://a/3"
    assert at["request-uri"].file == str(bad) and at["request-uri"].record_id == "<urn:r3>"
    dup_offset = len(info + only_request_links + wrong)
    assert at["duplicate-id"] == Problem(
        str(bad), "duplicate-id", f"record ID also used at bad.warc @{len(info)}",
        offset=dup_offset, record_id="<urn:r1>",
    )  # fmt: skip
    assert at["dangling-warcinfo"] == Problem(
        str(bad), "dangling-warcinfo",
        "WARC-Warcinfo-ID <urn:gone> is not a warcinfo record in the given files",
        offset=dup_offset, record_id="<urn:r1>",
    )  # fmt: skip


def test_what_is_given_by_name_is_checked_for_what_it_is(tmp_path: Path) -> None:
    index = tmp_path / "index.cdxj"
    index.write_text("")
    notes = tmp_path / "notes.txt"
    notes.write_text("hello\n")
    corrupt = tmp_path / "x.warc.gz.corrupt"
    corrupt.write_bytes(b"")
    gone = tmp_path / "gone.warc.gz"
    given = [index, gone, notes, corrupt]
    report = verify_paths(given)
    assert report.problems == [
        Problem(str(gone), "missing", "no such file or folder"),
        Problem(str(notes), "not-warc", "not a WARC (.warc.gz, .warc) or CDXJ file"),
        Problem(", ".join(map(str, given)), "no-warc", "no WARC files found"),
    ]
    assert [w.kind for w in report.warnings] == ["corrupt-file"]
    assert verify_paths([]).problems == [Problem("(none)", "no-warc", "no WARC files found")]


def test_unreadable_text_is_made_printable_and_nothing_after_it_is_blamed(
    tmp_path: Path,
) -> None:
    path = tmp_path / "crawl.warc"
    info = _raw("warcinfo", "<urn:i>", "urn:info")
    path.write_bytes(info + "Ünreadable line\r\n\r\n".encode("latin-1"))
    (problem,) = verify_paths([path]).problems
    assert (problem.kind, problem.offset) == ("unreadable", len(info))
    assert problem.message.endswith("first line: ?nreadable line")


def test_an_indexed_record_missing_from_the_index_is_named(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc"
    path.write_bytes(
        _raw("warcinfo", "<urn:i>", "urn:info")
        + _raw("response", "<urn:r>", "http://a/1", {"WARC-Concurrent-To": "<urn:q>"})
        + _raw("request", "<urn:q>", "http://a/1")
    )
    (tmp_path / "index.cdxj").write_text("")
    (problem,) = verify_paths([tmp_path]).problems
    assert problem.kind == "index-missing" and problem.message == (
        "response for http://a/1 is in no given index"
    )


def test_a_problem_in_one_file_does_not_stand_for_another_files_bad_member(
    tmp_path: Path,
) -> None:
    """Each file's bad member is reported unless that file's own warcio pass already named
    the spot: damage at the same offset in a file checked before it does not count."""
    info = gzip.compress(_raw("warcinfo", "<urn:i>", "urn:info"), mtime=0)
    first = tmp_path / "a.warc.gz"
    first.write_bytes(info + b"\x1f\x8b" + b"garbage" * 20)
    second = tmp_path / "b.warc.gz"
    cut = gzip.compress(_raw("metadata", "<urn:m>", "urn:m"), mtime=0)[:-4]
    second.write_bytes(info + cut)  # cut in its gzip trailer: warcio reads it whole
    report = verify_paths([first, second])
    assert [(Path(p.file).name, p.kind, p.offset) for p in report.problems] == [
        ("a.warc.gz", "unreadable", len(info)),
        ("b.warc.gz", "bad-member", len(info)),
        ("b.warc.gz", "duplicate-id", 0),
    ]


def test_a_record_without_uri_or_date_is_not_given_made_up_ones(tmp_path: Path) -> None:
    """A damaged or foreign file may lack these headers: the index check then compares what
    is there and neither fails on a date nor expects a URL key that is not."""
    path = tmp_path / "crawl.warc"
    info = _raw("warcinfo", "<urn:i>", "urn:info")
    undated = _raw("response", "<urn:r>", "http://a/1", {"WARC-Concurrent-To": "<urn:q>"})
    undated = undated.replace(b"WARC-Date: 2026-12-01T00:00:00Z\r\n", b"")
    request = _raw("request", "<urn:q>", "http://a/1")
    nowhere = _raw("metadata", "<urn:m>", "").replace(b"WARC-Target-URI: \r\n", b"")
    path.write_bytes(info + undated + request + nowhere)
    at = {rid: (offset, length) for _, rid, offset, length in members(path)}
    lines = [
        ("-", at["<urn:m>"]),
        ("a)/1", at["<urn:r>"]),
    ]
    (tmp_path / "index.cdxj").write_text(
        "".join(
            f"{key} 20261201000000 "
            + json.dumps({"offset": offset, "length": length, "filename": path.name})
            + "\n"
            for key, (offset, length) in lines
        )
    )
    report = verify_paths([tmp_path])
    assert report.index_lines == 2
    assert [(p.kind, p.line, p.message) for p in report.problems] == [
        ("index-mismatch", 1, f"crawl.warc @{at['<urn:m>'][0]}: record is a metadata")
    ]
