"""build_cdxj: the index pywb reads, made by cdxj-indexer, written atomically."""

from __future__ import annotations

import io
import os
import re
import stat
import tempfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.recordbuilder import RecordBuilder

from crawler.warc import records as R
from crawler.warc.indexing import (
    CdxjLine,
    IndexingError,
    build_cdxj,
    line_mismatches,
    parse_cdxj_line,
)
from crawler.warc.reader import WarcReader
from crawler.warc.records import CapturedRequest, CapturedResponse
from crawler.warc.writer import RotatingWarcWriter
from tests.ecosystem import cdxj_indexer


def write_warcs(directory: Path, kit: SimpleNamespace) -> SimpleNamespace:
    """GET, gzip and POST exchanges, derived records and a revisit, over two files."""
    writer = RotatingWarcWriter(
        directory, "warta", "test", max_bytes=1500, id_factory=kit.make_id_factory()
    )
    first = writer.write_exchange(*kit.plain_exchange("/a?b=1"))
    page = writer.write_exchange(*kit.gzip_chunked_exchange("/page"))
    url = "http://example.com/search"
    post = writer.write_exchange(
        CapturedRequest(
            "POST",
            url,
            [("Content-Type", "application/x-www-form-urlencoded")],
            kit.T0,
            body=b"q=samarinda",
        ),
        CapturedResponse(
            url, "HTTP/1.1", 200, "OK", [("Content-Type", "text/html")], b"hits", kit.T0
        ),
    )
    writer.write_records(
        [
            R.metadata(
                R.derived_uri("article", "http://example.com/page"),
                b"{}",
                "application/json",
                writer.spec(),
                refers_to=page.record_id,
            ),
            R.conversion(
                R.derived_uri("text", "http://example.com/page"),
                b"text",
                "text/plain",
                writer.spec(),
                refers_to=page.record_id,
            ),
        ]
    )
    revisit = RecordBuilder(warc_version=R.WARC_VERSION).create_revisit_record(
        "http://example.com/a?b=1",
        digest="sha1:JEXJR23VJNMISKZO2PJJFAYRPVKZAOS5",
        refers_to_uri="http://example.com/a?b=1",
        refers_to_date=R.warc_date(kit.T0),
        warc_headers_dict={
            "WARC-Record-ID": writer.new_record_id(),
            "WARC-Date": R.warc_date(kit.T0),
            "WARC-Refers-To": first.record_id,
        },
    )
    (revisit_loc,) = writer.write_records([revisit])
    writer.close()
    return SimpleNamespace(
        warcs=writer.files_written, first=first, page=page, post=post, revisit=revisit_loc
    )


@pytest.fixture
def warcs(tmp_path: Path, kit: SimpleNamespace) -> SimpleNamespace:
    return write_warcs(tmp_path / "crawl", kit)


def record_at(path: Path, offset: int, length: int) -> tuple[str, str]:
    with open(path, "rb") as stream:
        stream.seek(offset)
        member = stream.read(length)
    rec = next(iter(ArchiveIterator(io.BytesIO(member))))
    return rec.rec_type, rec.rec_headers.get_header("WARC-Record-ID")


def test_one_sorted_line_per_response_and_revisit(warcs: SimpleNamespace, tmp_path: Path) -> None:
    assert len(warcs.warcs) >= 2
    out = build_cdxj(warcs.warcs, tmp_path / "crawl" / "index.cdxj")
    lines = out.read_text().splitlines()
    assert lines == sorted(lines)
    parsed = [parse_cdxj_line(line) for line in lines]
    assert len(parsed) == 4  # three responses and one revisit; nothing else
    assert not any(p.urlkey.startswith("urn:") for p in parsed)
    pointed = set()
    for p in parsed:
        assert "/" not in p.filename  # base names: how pywb finds files in archive/
        rec_type, rid = record_at(out.parent / p.filename, p.offset, p.length)
        assert rec_type in ("response", "revisit")
        pointed.add(rid)
    expected = {warcs.first, warcs.page, warcs.post, warcs.revisit}
    assert pointed == {loc.record_id for loc in expected}
    by_url = {p.fields["url"]: p for p in parsed if p.fields.get("mime") != "warc/revisit"}
    page = by_url["http://example.com/page"]
    assert (page.urlkey, page.timestamp) == ("com,example)/page", "20261127010203")
    assert page.fields["status"] == "200" and page.fields["mime"] == "text/html"
    assert page.fields["digest"].startswith("sha1:")
    assert (page.offset, page.length) == (warcs.page.offset, warcs.page.length)
    # POST bodies go into the key, as pywb's own indexer does, so replay can tell them apart.
    post = by_url["http://example.com/search"]
    assert "__wb_method=post" in post.urlkey and "q=samarinda" in post.urlkey


def test_same_as_the_cdxj_indexer_command(warcs: SimpleNamespace, tmp_path: Path) -> None:
    ours = build_cdxj(warcs.warcs, tmp_path / "ours.cdxj")
    theirs = tmp_path / "theirs.cdxj"
    cdxj_indexer("--sort", "--post-append", "--records", "response,revisit", "-o", str(theirs),
                 *map(str, warcs.warcs))  # fmt: skip
    assert ours.read_text() == theirs.read_text()


def test_filenames_relative_to_dir_root(warcs: SimpleNamespace, tmp_path: Path) -> None:
    out = build_cdxj(warcs.warcs, tmp_path / "idx" / "all.cdxj", dir_root=tmp_path)
    names = {parse_cdxj_line(line).filename for line in out.read_text().splitlines()}
    assert names == {f"crawl/{w.name}" for w in warcs.warcs}


def test_failure_leaves_the_old_index_and_no_temp_file(
    warcs: SimpleNamespace, tmp_path: Path
) -> None:
    out = tmp_path / "crawl" / "index.cdxj"
    out.write_text("old index\n")
    broken = tmp_path / "crawl" / "broken.warc.gz"
    data = bytearray(warcs.warcs[0].read_bytes())
    data[warcs.first.offset + 20] ^= 0xFF  # damage the compressed response member
    broken.write_bytes(bytes(data))
    with pytest.raises(IndexingError, match=r"cannot index .*broken\.warc\.gz"):
        build_cdxj([*warcs.warcs, broken], out)
    assert out.read_text() == "old index\n"
    assert sorted(p.name for p in out.parent.iterdir() if p.suffix not in (".gz",)) == [
        "index.cdxj"
    ]


def test_bad_inputs_are_refused(warcs: SimpleNamespace, tmp_path: Path) -> None:
    out = tmp_path / "x.cdxj"
    with pytest.raises(FileNotFoundError):
        build_cdxj([tmp_path / "nope.warc.gz"], out)
    open_file = tmp_path / "a.warc.gz.open"
    open_file.write_bytes(b"")
    with pytest.raises(IndexingError, match="still being written"):
        build_cdxj([open_file], out)
    with pytest.raises(IndexingError, match="not a WARC"):
        build_cdxj([tmp_path / "notes.txt"], out)
    twin = tmp_path / "twin"
    twin.mkdir()
    (twin / warcs.warcs[0].name).write_bytes(warcs.warcs[0].read_bytes())
    with pytest.raises(IndexingError, match="share the name"):
        build_cdxj([warcs.warcs[0], twin / warcs.warcs[0].name], out)
    assert not out.exists()


def test_refusals_say_what_is_wrong(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    with pytest.raises(IndexingError) as refused:
        build_cdxj([notes], tmp_path / "x.cdxj")
    assert str(refused.value) == f"{notes} is not a WARC file (.warc.gz or .warc)"
    missing = tmp_path / "nope.warc.gz"
    with pytest.raises(FileNotFoundError) as not_found:
        build_cdxj([missing], tmp_path / "x.cdxj")
    assert str(not_found.value) == f"WARC file not found: {missing}"


def test_index_is_written_as_a_hidden_temp_file_beside_it_then_renamed(
    warcs: SimpleNamespace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Readers of the folder never see a partial index; the rename stays on one file system,
    whatever the system temp folder is; the new folders are made; anyone may read it."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "no-such-temp-folder"))
    renamed: list[tuple[str, str]] = []
    real_replace = os.replace

    def replace(src: str, dst: Path) -> None:
        renamed.append((src, str(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    out = tmp_path / "new" / "deeper" / "index.cdxj"
    assert build_cdxj(warcs.warcs, out) == out
    [(src, dst)] = renamed
    assert dst == str(out)
    assert Path(src).parent == out.parent
    assert re.fullmatch(r"\.index\.cdxj\..+\.tmp", Path(src).name)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
    assert [p.name for p in out.parent.iterdir()] == ["index.cdxj"]


def test_an_error_reported_after_the_rename_is_the_one_raised(
    warcs: SimpleNamespace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_replace = os.replace

    def replace_then_fail(src: str, dst: Path) -> None:
        real_replace(src, dst)
        raise OSError("rename reported as failed")

    monkeypatch.setattr(os, "replace", replace_then_fail)
    with pytest.raises(OSError, match=r"^rename reported as failed$"):
        build_cdxj(warcs.warcs, tmp_path / "index.cdxj")


def test_no_files_gives_an_empty_index(tmp_path: Path) -> None:
    assert build_cdxj([], tmp_path / "empty.cdxj").read_text() == ""


@pytest.mark.parametrize(
    "line",
    ["", "com,example)/ 2026 not-json", "com,example)/ notdigits {}", "k 1 [1]"],
)
def test_parse_rejects_non_cdxj(line: str) -> None:
    with pytest.raises(ValueError):
        parse_cdxj_line(line)


def test_each_line_matches_its_record_and_a_wrong_key_is_named(
    warcs: SimpleNamespace, tmp_path: Path
) -> None:
    """line_mismatches (what ``verify`` reports) passes every line cdxj-indexer made, the
    POST line too, whose key carries the body; a GET line under another key is named."""
    out = build_cdxj(warcs.warcs, tmp_path / "crawl" / "index.cdxj")
    lines = [parse_cdxj_line(line) for line in out.read_text().splitlines()]
    assert any("method" in line.fields for line in lines)
    for line in lines:
        with WarcReader(out.parent / line.filename) as reader:
            rec = reader.record_at(line.offset)
            target = SimpleNamespace(
                rec_type=rec.rec_type,
                uri=rec.target_uri,
                date=rec.date,
                length=line.length,
                payload_digest=rec.header("WARC-Payload-Digest"),
            )
        assert line_mismatches(line, target) == [], line
        if "method" not in line.fields:
            moved = CdxjLine("com,example)/elsewhere", line.timestamp, line.fields)
            assert line_mismatches(moved, target) == [
                "key 'com,example)/elsewhere' is not the SURT of the url"
            ]


def test_a_line_that_is_not_cdxj_is_quoted_in_the_error_up_to_200_characters() -> None:
    long = "k" * 300
    with pytest.raises(ValueError, match="not a CDXJ line") as caught:
        parse_cdxj_line(long)
    assert repr("k" * 200) in str(caught.value) and "k" * 201 not in str(caught.value)
    with pytest.raises(ValueError):
        parse_cdxj_line('com,example)/ 20261127010203 {"url": "http://example.com/"}XX\n')
