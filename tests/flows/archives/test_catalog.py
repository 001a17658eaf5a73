"""``verify_archive`` on a local archive of two small crawls with real WARCs (no servers):
what it counts, which crawls a filter reaches, and what only a deep check finds."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from warcio.warcwriter import WARCWriter

from crawler.layout import manifest_key
from crawler.warc.indexing import build_cdxj
from flows.archives.catalog import CrawlRef, find_crawls, verify_archive
from flows.storage import open_storage
from flows.storage.base import Storage
from flows.storage.crawl_upload import store_crawl
from flows.storage.manifest import Manifest

CRAWLS = [("niaga", "20261127T101500Z", date(2026, 11, 27)),
          ("kota", "20261128T101500Z", date(2026, 11, 28))]  # fmt: skip


def _crawl(folder: Path, site: str, crawl_id: str, padding: int = 0,
           refers_to: str | None = None) -> Path:  # fmt: skip
    """Three pages (the first ``padding`` random bytes longer), and with ``refers_to`` a
    revisit of a record of an earlier crawl."""
    folder.mkdir(parents=True)
    warc = folder / f"warta-{site}-{crawl_id}-00000.warc.gz"
    with warc.open("wb") as out:
        writer = WARCWriter(out, gzip=True, warc_version="1.1")
        writer.write_record(writer.create_warcinfo_record(warc.name, {"software": "test"}))
        for i in range(3):
            body = f"<html><body>halaman {i}</body></html>".encode()
            body += os.urandom(padding) if i == 0 else b""
            http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + body
            response = writer.create_warc_record(
                f"https://{site}.example/{i}", "response", payload=BytesIO(http),
            )  # fmt: skip
            writer.write_record(response)
            writer.write_record(writer.create_warc_record(
                f"https://{site}.example/{i}", "request",
                payload=BytesIO(b"GET / HTTP/1.1\r\n\r\n"),
                warc_headers_dict={"WARC-Concurrent-To": response.rec_headers["WARC-Record-ID"]},
            ))  # fmt: skip
        if refers_to:
            writer.write_record(writer.create_warc_record(
                f"https://{site}.example/0", "revisit", payload=BytesIO(b""),
                warc_headers_dict={"WARC-Refers-To": refers_to,
                                   "WARC-Profile": "http://netpreserve.org/warc/1.1/revisit/"
                                                   "identical-payload-digest"},
            ))  # fmt: skip
    build_cdxj([warc], folder / f"warta-{site}-{crawl_id}.cdxj")
    (folder / "articles.jsonl").write_text(f'{{"url": "https://{site}.example/1"}}\n')
    return folder


@pytest.fixture
def archive(tmp_path: Path) -> tuple[Storage, Path, list[Manifest]]:
    root = tmp_path / "archive"
    storage = open_storage(str(root))
    manifests = [
        store_crawl(_crawl(tmp_path / site / crawl_id, site, crawl_id), storage, site,
                    crawl_id, day)
        for site, crawl_id, day in CRAWLS
    ]  # fmt: skip
    return storage, root, manifests


def _replace(root: Path, key: str, data: bytes) -> None:
    """Change an object behind warta's back, keeping the digest recorded beside it."""
    root.joinpath(*key.split("/")).write_bytes(data)


def test_verify_counts_every_file_of_the_selected_crawls(archive) -> None:
    storage, _root, manifests = archive
    report = verify_archive(storage)
    assert report.ok and report.crawls == 2 and not report.notes
    keys = sorted(f.key for m in manifests for f in m.files)
    assert sorted(report.done) == keys and report.files == len(keys)
    assert report.bytes == sum(m.total_bytes for m in manifests)
    for selected, only in (
        ({"site": "kota"}, "kota"),
        ({"since": date(2026, 11, 28)}, "kota"),
        ({"until": date(2026, 11, 27)}, "niaga"),
    ):
        report = verify_archive(storage, **selected)
        assert report.crawls == 1 and report.done and all(k.startswith(only) for k in report.done)


def test_stray_objects_are_noted_only_when_the_whole_archive_is_checked(archive) -> None:
    storage, _root, _ = archive
    storage.put_bytes("niaga/2026/11/27/left-behind.warc.gz", b"x")
    [note] = verify_archive(storage).notes
    assert note.startswith("1 object(s) belong to no manifest") and "left-behind" in note
    assert verify_archive(storage, site="niaga").notes
    assert not verify_archive(storage, site="kota").notes
    assert not verify_archive(storage, since=date(2026, 11, 1)).notes
    assert not verify_archive(storage, until=date(2026, 12, 1)).notes


@pytest.mark.parametrize("kind", ["warc", "cdxj", "jsonl"])
def test_only_a_deep_check_reads_what_an_object_holds(archive, kind: str) -> None:
    storage, root, manifests = archive
    entry = next(f for f in manifests[0].files if f.kind == kind)
    original = storage.get_bytes(entry.key)
    _replace(root, entry.key, original[:-1] + bytes([original[-1] ^ 1]))  # same size
    assert verify_archive(storage).ok  # the recorded digest still claims the old bytes
    report = verify_archive(storage, deep=True)
    assert [p.split(":")[0] for p in report.problems if "content sha256" in p] == [entry.key]
    assert entry.key not in report.done


def test_a_deep_check_reads_the_records_behind_matching_digests(tmp_path: Path) -> None:
    """A WARC cut inside a record, stored as it was: its digest matches the manifest."""
    site, crawl_id, day = CRAWLS[0]
    folder = _crawl(tmp_path / "crawl", site, crawl_id)
    warc = next(folder.glob("*.warc.gz"))
    warc.write_bytes(warc.read_bytes()[:-20])
    storage = open_storage(str(tmp_path / "archive"))
    store_crawl(folder, storage, site, crawl_id, day)
    assert verify_archive(storage).ok
    problems = verify_archive(storage, deep=True).problems
    assert problems and all(p.startswith(f"{site} {crawl_id}: ") for p in problems)
    assert any(f"{site}/2026/11/27/{warc.name}" in p for p in problems), problems


def test_crawls_are_listed_by_day_with_their_site_and_manifest(archive) -> None:
    storage, _root, manifests = archive
    assert find_crawls(storage) == [
        CrawlRef(site, day, crawl_id, manifest_key(site, crawl_id, day))
        for site, crawl_id, day in CRAWLS
    ]
    assert [m.key for m in manifests] == [r.key for r in find_crawls(storage)]
    with pytest.raises(ValueError, match=r"invalid site '\.\./niaga'"):
        find_crawls(storage, site="../niaga")


def test_a_manifest_of_another_crawl_is_refused_and_the_others_checked(archive) -> None:
    storage, _root, manifests = archive
    copy = manifest_key("arsip", "20261101T101500Z", date(2026, 11, 1))  # the oldest crawl
    storage.put_bytes(copy, storage.get_bytes(manifests[0].key))
    report = verify_archive(storage)
    assert report.problems == [
        f"manifest {copy} describes another crawl ('niaga' '20261127T101500Z'); refused"
    ]
    assert report.crawls == 2 and len(report.done) == report.files
    storage.put_bytes(copy, b"{not json")
    [problem] = verify_archive(storage).problems
    assert problem.startswith(f"manifest {copy} is not valid: "), problem


def test_a_missing_object_is_found_without_a_deep_check(archive) -> None:
    storage, root, manifests = archive
    entry = manifests[1].files[0]
    root.joinpath(*entry.key.split("/")).unlink()
    assert verify_archive(storage).problems == [f"{entry.key}: missing"]


def test_a_deep_check_names_the_digest_it_read(archive) -> None:
    storage, root, manifests = archive
    entry = next(f for f in manifests[0].files if f.kind == "warc")
    data = bytearray(storage.get_bytes(entry.key))
    data[-1] ^= 1
    _replace(root, entry.key, bytes(data))
    digest = hashlib.sha256(data).hexdigest()
    assert (
        f"{entry.key}: content sha256 {digest[:16]}... ({len(data)} bytes) does not match"
        in verify_archive(storage, deep=True).problems
    )


def test_a_deep_check_reads_objects_longer_than_one_chunk(tmp_path: Path) -> None:
    site, crawl_id, day = CRAWLS[0]
    folder = _crawl(tmp_path / "crawl", site, crawl_id, padding=3 * 1024 * 1024)
    storage = open_storage(str(tmp_path / "archive"))
    store_crawl(folder, storage, site, crawl_id, day)
    report = verify_archive(storage, deep=True)
    assert report.ok, report.problems
    assert report.bytes > 3 * 1024 * 1024


def test_a_deep_check_reads_the_index_against_its_warc(tmp_path: Path) -> None:
    """A CDXJ line pointing at the wrong offset, stored as it was: its digest matches."""
    site, crawl_id, day = CRAWLS[0]
    folder = _crawl(tmp_path / "crawl", site, crawl_id)
    cdxj = next(folder.glob("*.cdxj"))
    surt, stamp, fields = cdxj.read_text().splitlines()[1].split(" ", 2)
    moved = {**json.loads(fields), "offset": str(int(json.loads(fields)["offset"]) + 1)}
    lines = cdxj.read_text().splitlines()
    lines[1] = f"{surt} {stamp} {json.dumps(moved)}"
    cdxj.write_text("\n".join(lines) + "\n")
    storage = open_storage(str(tmp_path / "archive"))
    store_crawl(folder, storage, site, crawl_id, day)
    assert verify_archive(storage).ok
    problems = verify_archive(storage, deep=True).problems
    assert any(f"{site}/2026/11/27/{cdxj.name}" in p for p in problems), problems


def test_a_revisit_of_an_earlier_crawl_is_no_problem(tmp_path: Path) -> None:
    site, crawl_id, day = CRAWLS[0]
    folder = _crawl(tmp_path / "crawl", site, crawl_id, refers_to="<urn:uuid:earlier-crawl>")
    storage = open_storage(str(tmp_path / "archive"))
    store_crawl(folder, storage, site, crawl_id, day)
    report = verify_archive(storage, deep=True)
    assert report.ok, report.problems
