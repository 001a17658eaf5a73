"""download_crawls and presign_crawls on a local archive: what is selected, what is counted,
when a download is refused or a file not kept."""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import zipfile
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest

from flows.archives.download import (
    ManifestRefused,
    download_crawls,
    package_download,
    presign_crawls,
)
from flows.storage import LocalStorage
from flows.storage.crawl_upload import store_crawl
from flows.storage.manifest import ManifestError, parse_manifest
from tests.flows.archives.test_research_local import CRAWL_ID, stored_archive

CRAWLS = [  # site, crawl id, day
    ("niaga", "20261125T101500Z", date(2026, 11, 25)),
    ("niaga", "20261127T101500Z", date(2026, 11, 27)),
    ("kaltim", "20261126T101500Z", date(2026, 11, 26)),
]


@pytest.fixture
def archive(tmp_path: Path, make_crawl: Callable[..., Path]) -> LocalStorage:
    storage = LocalStorage(tmp_path / "archive")
    for site, crawl_id, day in CRAWLS:
        store_crawl(make_crawl(crawl_id, large=False), storage, site, crawl_id, day)
    return storage


def crawl_folders(dest: Path) -> set[str]:
    return {f"{p.parent.name}/{p.name}" for p in dest.glob("*/*") if p.is_dir()}


def test_download_selects_by_site_and_day(archive: LocalStorage, tmp_path: Path) -> None:
    report = download_crawls(archive, tmp_path / "a", site="niaga", progress=False)
    assert crawl_folders(tmp_path / "a") == {"niaga/20261125T101500Z", "niaga/20261127T101500Z"}
    assert report.ok and report.files == len(report.done) == 12
    assert report.bytes == sum(
        p.stat().st_size
        for p in (tmp_path / "a").rglob("*")
        if p.is_file() and not p.name.endswith(".manifest.json")
    )
    report = download_crawls(
        archive, tmp_path / "b", since=date(2026, 11, 26), until=date(2026, 11, 26), progress=False
    )
    assert crawl_folders(tmp_path / "b") == {"kaltim/20261126T101500Z"}
    download_crawls(archive, tmp_path / "c", since=date(2026, 11, 26), progress=False)
    assert crawl_folders(tmp_path / "c") == {"kaltim/20261126T101500Z", "niaga/20261127T101500Z"}
    download_crawls(archive, tmp_path / "d", until=date(2026, 11, 25), progress=False)
    assert crawl_folders(tmp_path / "d") == {"niaga/20261125T101500Z"}
    got = {p.name for p in (tmp_path / "d" / "niaga" / "20261125T101500Z").iterdir()}
    stored = {
        k.name.removeprefix("20261125T101500Z-")
        for k in archive.root.rglob("*25T*")
        if "_index" not in k.parts
    }  # fmt: skip  (not the arrival marker)
    assert got == {n for n in stored if not n.endswith(".sha256")}  # no WACZ unless asked


def test_presign_selects_counts_and_passes_the_expiry(
    archive: LocalStorage, tmp_path: Path
) -> None:
    asked: list[int] = []

    class Recording(LocalStorage):
        def presign(self, key: str, expires_seconds: int) -> str:
            asked.append(expires_seconds)
            return super().presign(key, expires_seconds)

    storage = Recording(tmp_path / "archive")
    links, report = presign_crawls(storage, 3600, site="niaga", until=date(2026, 11, 26))
    assert links[0][0] == "niaga/2026/11/25/20261125T101500Z.manifest.json"
    assert len(links) == 7 and asked == [3600] * 7
    assert report.files == 6
    assert report.bytes == sum((tmp_path / "archive" / key).stat().st_size for key, _ in links[1:])
    links, _ = presign_crawls(storage, 60, since=date(2026, 11, 26))
    assert {key.rsplit("/", 1)[0] for key, _ in links} == {
        "kaltim/2026/11/26",
        "niaga/2026/11/27",
    }


def test_every_refused_manifest_is_counted_and_skipped(
    archive: LocalStorage, tmp_path: Path
) -> None:
    for key in ("niaga/2026/11/25/20261125T101500Z.manifest.json",
                "kaltim/2026/11/26/20261126T101500Z.manifest.json"):  # fmt: skip
        archive.put_bytes(key, b"{not json")
    with pytest.raises(ManifestRefused) as one:
        download_crawls(archive, tmp_path / "only", site="kaltim", progress=False)
    key = "kaltim/2026/11/26/20261126T101500Z.manifest.json"
    with pytest.raises(ManifestError) as cause:
        parse_manifest(b"{not json", key)
    assert str(one.value) == f"{cause.value}; nothing downloaded"
    assert not (tmp_path / "only").exists()
    # the good crawl still comes down: one bad object does not hold back the others
    with pytest.raises(ManifestRefused, match=r"not valid: .* \(and 1 more\); the other 1 crawl"):
        download_crawls(archive, tmp_path / "dest", progress=False)
    assert crawl_folders(tmp_path / "dest") == {"niaga/20261127T101500Z"}


class Trickle(LocalStorage):
    """Sends each object in small pieces, as a server may; records every ranged read."""

    reads: list[tuple[str, int]]

    def read_chunks(self, key: str, offset: int = 0) -> Iterator[bytes]:
        self.reads.append((key, offset))
        data = b"".join(super().read_chunks(key, offset))
        for start in range(0, len(data), 8):
            yield data[start : start + 8]


def test_an_object_longer_than_its_manifest_is_not_kept(
    archive: LocalStorage, tmp_path: Path
) -> None:
    """The first bytes match the manifest exactly; what follows must still be noticed."""
    storage = Trickle(tmp_path / "archive")
    storage.reads = []
    stored = tmp_path / "archive" / "kaltim/2026/11/26/20261126T101500Z-articles.jsonl"
    assert len(stored.read_bytes()) % 8 == 0  # the extra bytes come in a piece of their own
    with stored.open("ab") as out:
        out.write(b'{"url": "forged"}\n')
    report = download_crawls(storage, tmp_path / "dest", site="kaltim", progress=False)
    assert report.problems == [
        "20261126T101500Z/articles.jsonl: sha256 or size does not match the manifest "
        f"({len(stored.read_bytes()) - 18 + 8} bytes); not kept"
    ]
    assert not (tmp_path / "dest" / "kaltim" / "20261126T101500Z" / "articles.jsonl").exists()


def test_a_complete_part_file_is_kept_without_another_read(
    archive: LocalStorage, tmp_path: Path
) -> None:
    """Killed between the last byte and the rename: the rerun renames, it reads nothing."""
    storage = Trickle(tmp_path / "archive")
    storage.reads = []
    folder = tmp_path / "dest" / "kaltim" / "20261126T101500Z"
    folder.mkdir(parents=True)
    source = tmp_path / "archive" / "kaltim/2026/11/26/20261126T101500Z-articles.jsonl"
    (folder / "articles.jsonl.part").write_bytes(source.read_bytes())
    report = download_crawls(storage, tmp_path / "dest", site="kaltim", progress=False)
    assert report.ok and "articles.jsonl" in report.done
    assert (folder / "articles.jsonl").read_bytes() == source.read_bytes()
    assert hashlib.sha256((folder / "articles.jsonl").read_bytes()).hexdigest()
    assert all(not key.endswith("-articles.jsonl") for key, _ in storage.reads)


@pytest.mark.parametrize("terminal", [True, False])
def test_a_resumed_download_shows_its_progress_on_a_terminal_only(
    terminal: bool,
    archive: LocalStorage,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path / "dest" / "kaltim" / "20261126T101500Z"
    folder.mkdir(parents=True)
    source = tmp_path / "archive" / "kaltim/2026/11/26/20261126T101500Z-articles.jsonl"
    (folder / "articles.jsonl.part").write_bytes(source.read_bytes()[:10])  # cut off halfway
    monkeypatch.setattr(sys.stderr, "isatty", lambda: terminal)
    report = download_crawls(archive, tmp_path / "dest", site="kaltim")
    assert report.ok and (folder / "articles.jsonl").read_bytes() == source.read_bytes()
    shown = capfd.readouterr().err
    if terminal:
        assert "download: 100%" in shown
    else:  # a log file gets no carriage-return bar
        assert "\r" not in shown and "download:" not in shown


def test_a_crawl_folder_that_leads_outside_is_named(archive: LocalStorage, tmp_path: Path) -> None:
    dest, elsewhere = tmp_path / "dest", tmp_path / "elsewhere"
    (dest / "kaltim").mkdir(parents=True)
    elsewhere.mkdir()
    (dest / "kaltim" / "20261126T101500Z").symlink_to(elsewhere)
    with pytest.raises(ManifestRefused, match="'kaltim/20261126T101500Z' would be written outside"):
        download_crawls(archive, dest, site="kaltim", progress=False)
    assert list(elsewhere.iterdir()) == []


def test_a_second_download_skips_what_is_complete(
    archive: LocalStorage,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    first = download_crawls(archive, tmp_path / "dest", site="kaltim", progress=False)
    again = download_crawls(archive, tmp_path / "dest", site="kaltim")  # progress shown
    assert again.ok and again.done == [] and sorted(again.skipped) == sorted(first.done)
    assert "download: 100%" in capfd.readouterr().err


def test_wacz_packages_each_crawl_downloaded_whole(tmp_path: Path) -> None:
    uri, _ = stored_archive(tmp_path)  # real WARC records, as a package needs
    dest = tmp_path / "dest"
    report = download_crawls(LocalStorage(Path(uri)), dest, progress=False, wacz=True)
    package = dest / "niaga" / CRAWL_ID / f"warta-niaga-{CRAWL_ID}.wacz"
    assert [p.relative_to(dest) for p in dest.rglob("*.wacz")] == [package.relative_to(dest)]
    with zipfile.ZipFile(package) as wacz:
        header = json.loads(wacz.read("pages/pages.jsonl").splitlines()[0])
    assert header["title"] == f"niaga {CRAWL_ID}"
    assert report.ok and report.files == len(report.done) and package.name in report.done


def test_a_package_lists_what_it_can_of_the_articles(tmp_path: Path) -> None:
    """An article with no capture in the crawl's WARCs, or no articles file at all, still
    gives a package (of the captures there are)."""
    uri, _ = stored_archive(tmp_path)
    download_crawls(LocalStorage(Path(uri)), tmp_path / "dest", progress=False)
    folder = tmp_path / "dest" / "niaga" / CRAWL_ID
    manifest = parse_manifest((folder / f"{CRAWL_ID}.manifest.json").read_bytes(), "m")
    with (folder / "articles.jsonl").open("a") as out:
        out.write(json.dumps({"url": "http://example.com/never-fetched", "title": "x"}) + "\n")
    assert zipfile.is_zipfile(package_download(folder, manifest))
    folder = tmp_path / "again" / "niaga" / CRAWL_ID
    shutil.copytree(tmp_path / "dest" / "niaga" / CRAWL_ID, folder)
    for name in ("articles.jsonl", f"warta-niaga-{CRAWL_ID}.wacz"):
        (folder / name).unlink()
    assert zipfile.is_zipfile(package_download(folder, manifest))


def test_a_crawl_with_a_file_not_kept_is_not_packaged(tmp_path: Path) -> None:
    """Same size, other bytes: the digest alone tells, and nothing is packaged."""
    uri, _ = stored_archive(tmp_path)
    stored = Path(uri) / f"niaga/2026/11/27/{CRAWL_ID}-articles.jsonl"
    data = stored.read_bytes()
    stored.write_bytes(data[:-2] + b"X\n")
    dest = tmp_path / "dest"
    report = download_crawls(LocalStorage(Path(uri)), dest, progress=False, wacz=True)
    assert report.problems == [
        f"{CRAWL_ID}/articles.jsonl: sha256 or size does not match the manifest "
        f"({len(data)} bytes); not kept"
    ]
    assert not (dest / "niaga" / CRAWL_ID / "articles.jsonl").exists()
    assert not list(dest.rglob("*.wacz"))
