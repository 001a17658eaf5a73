"""URIs, keys, names, dates and durations: the small rules the archive layout rests on."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path

import pytest

from crawler.layout import manifest_key, parse_manifest_key, stored_name
from flows.archives import parse_expiry
from flows.storage import LocalStorage, StorageError, check_key, open_storage
from flows.storage.manifest import file_kind, parse_manifest, utc_day


def test_uris_pick_the_backend(tmp_path: Path) -> None:
    local = open_storage(str(tmp_path / "a"))
    assert isinstance(local, LocalStorage) and local.root == tmp_path / "a"
    via_file = open_storage((tmp_path / "b c").as_uri())
    assert isinstance(via_file, LocalStorage) and via_file.root == tmp_path / "b c"
    s3 = open_storage("s3://warta-archive/some/prefix/")
    assert s3.uri == "s3://warta-archive/some/prefix/"
    assert (s3.bucket, s3.prefix) == ("warta-archive", "some/prefix")  # type: ignore[attr-defined]
    with pytest.raises(StorageError, match="unsupported scheme 'gs'"):
        open_storage("gs://bucket/x")


def test_local_use_does_not_import_boto3(tmp_path: Path) -> None:
    code = (
        "import sys; from flows.storage import open_storage; import flows.storage.crawl_upload, "
        "flows.cli.archives; open_storage(sys.argv[1]).check(write=True); "
        "assert 'boto3' not in sys.modules, 'boto3 imported'"
    )
    subprocess.run([sys.executable, "-c", code, str(tmp_path / "x")], check=True)


@pytest.mark.parametrize(
    "key", ["", "/abs", "a//b", "a/../b", "a/./b", "a/.hidden", "x.part", "x.sha256", "a\\b"]
)
def test_unsafe_keys_are_refused(key: str) -> None:
    with pytest.raises(ValueError):
        check_key(key)


def test_layout_names_and_kinds() -> None:
    day = date(2026, 11, 27)
    key = manifest_key("niaga", "20261127T101500Z", day)
    assert key == "niaga/2026/11/27/20261127T101500Z.manifest.json"
    assert parse_manifest_key(key) == ("niaga", day, "20261127T101500Z")
    assert parse_manifest_key("niaga/2026/11/27/x.warc.gz") is None
    assert parse_manifest_key("niaga/2026/13/40/x.manifest.json") is None
    assert stored_name("c1", "articles.jsonl") == "c1-articles.jsonl"
    assert stored_name("c1", "warta-c1-00000.warc.gz") == "warta-c1-00000.warc.gz"
    kinds = ["a.warc.gz", "a.cdxj", "a.wacz", "articles.jsonl", "crawl-summary.json", "log.txt"]
    assert [file_kind(n) for n in kinds] == ["warc", "cdxj", "wacz", "jsonl", "summary", "other"]


def test_crawl_day_is_utc_and_naive_datetimes_are_refused() -> None:
    assert utc_day(datetime.fromisoformat("2026-11-28T07:00:00+08:00")) == date(2026, 11, 27)
    assert utc_day(date(2026, 11, 28)) == date(2026, 11, 28)
    with pytest.raises(ValueError, match="no timezone"):
        utc_day(datetime(2026, 11, 28, 7))


def test_crawl_day_is_the_utc_day_wherever_the_code_runs(machine_in_wita: None) -> None:
    """18:00 UTC is already the next morning in Samarinda; the crawl day stays the UTC one."""
    assert utc_day(datetime(2026, 11, 27, 18, 0, tzinfo=UTC)) == date(2026, 11, 27)
    assert utc_day(datetime.fromisoformat("2026-11-27T20:00:00-05:00")) == date(2026, 11, 28)


def test_a_time_zone_without_an_offset_counts_as_none() -> None:
    """Python treats a datetime whose tzinfo gives no UTC offset as naive: its day is a guess."""

    class Floating(tzinfo):
        def utcoffset(self, dt: datetime | None) -> timedelta | None:
            return None

        def dst(self, dt: datetime | None) -> timedelta | None:
            return None

    with pytest.raises(ValueError, match="no timezone"):
        utc_day(datetime(2026, 11, 28, 7, tzinfo=Floating()))


def test_durations() -> None:
    assert parse_expiry("7d") == 7 * 86400
    assert parse_expiry("12h") == 43200
    assert parse_expiry("90") == 90
    for bad in ("8d", "0s", "soon", "-1h"):
        with pytest.raises(ValueError):
            parse_expiry(bad)


def test_broken_manifest_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"manifest k\.json is not valid"):
        parse_manifest(b"{not json", "k.json")
    with pytest.raises(ValueError, match=r"manifest k\.json is not valid"):
        parse_manifest(b'{"site": "niaga"}', "k.json")


def test_local_writes_are_atomic_and_leave_sha256sum_sidecars(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "archive")
    source = tmp_path / "f.bin"
    source.write_bytes(b"hello")
    digest = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
    storage.put_file("niaga/2026/11/27/f.bin", source, digest)
    folder = tmp_path / "archive" / "niaga" / "2026" / "11" / "27"
    assert sorted(p.name for p in folder.iterdir()) == ["f.bin", "f.bin.sha256"]
    assert (folder / "f.bin.sha256").read_text() == f"{digest}  f.bin\n"
    check = subprocess.run(["sha256sum", "-c", "f.bin.sha256"], cwd=folder, capture_output=True)
    assert check.returncode == 0
    assert [i.key for i in storage.list()] == ["niaga/2026/11/27/f.bin"]

    with pytest.raises(StorageError, match="content changed while copying"):
        storage.put_file("niaga/2026/11/27/g.bin", source, "0" * 64)
    assert sorted(p.name for p in folder.iterdir()) == ["f.bin", "f.bin.sha256"]


def test_server_errors_and_odd_sites_read_plainly(tmp_path: Path) -> None:
    from botocore.exceptions import ClientError

    storage = open_storage("s3://warta/archive")
    busy = ClientError(
        {"Error": {"Code": "SlowDown"}, "ResponseMetadata": {"HTTPStatusCode": 503}}, "PutObject"
    )
    assert storage._reason(busy).startswith("server error 503 (SlowDown)")  # type: ignore[attr-defined]

    from flows.archives import find_crawls

    with pytest.raises(ValueError, match="invalid site"):
        find_crawls(LocalStorage(tmp_path), site="../..")
    with pytest.raises(ValueError, match="invalid listing prefix"):
        list(LocalStorage(tmp_path).list("../x/"))


def test_manifest_errors_quote_the_first_lines_of_the_cause() -> None:
    from pydantic import ValidationError

    from flows.storage.manifest import Manifest, ManifestError

    data = b'{"site": "Not A Site", "crawl_id": "../x", "files": [{"name": ".."}]}'
    try:
        Manifest.model_validate_json(data)
    except ValidationError as exc:
        cause = str(exc).splitlines()
    assert len(cause) > 3
    with pytest.raises(ManifestError) as caught:
        parse_manifest(data, "niaga/m.json")
    assert str(caught.value) == f"manifest niaga/m.json is not valid: {' '.join(cause[:3])}"


def test_a_stored_manifest_is_indented_json_ending_in_a_newline(tmp_path: Path) -> None:
    """People read manifests with ``cat`` and diff them: one field a line."""
    from flows.storage.manifest import Manifest

    manifest = Manifest(site="niaga", crawl_id="20261127T101500Z", crawl_date=date(2026, 11, 27),
                        files=[])  # fmt: skip
    text = manifest.to_json().decode()
    assert text.startswith('{\n  "format": "warta-manifest/1",\n  "site": "niaga",\n')
    assert text.endswith("\n}\n") and parse_manifest(text.encode(), "k") == manifest


def test_file_kinds_and_object_checks() -> None:
    from flows.storage.base import ObjectInfo
    from flows.storage.manifest import ManifestFile, object_problem

    assert file_kind("index.cdxj.gz") == file_kind("INDEX.CDXJ") == "cdxj"
    assert file_kind("crawls/niaga/x/crawl-summary.json") == "summary"
    assert file_kind("notes.txt") == "other"
    entry = ManifestFile(name="a.jsonl", key="k", size=3, sha256="a" * 64, kind="jsonl")
    assert object_problem(None, entry) == "missing"
    assert object_problem(ObjectInfo("k", 3, "b" * 64), entry) == (
        f"recorded sha256 {'b' * 16}..., expected {'a' * 16}..."
    )
    assert object_problem(ObjectInfo("k", 3, "a" * 64, content_sha256="a" * 64), entry) is None
    assert object_problem(ObjectInfo("k", 3, "a" * 64, content_sha256="c" * 64), entry) == (
        f"server checksum {'c' * 16}..., expected {'a' * 16}..."
    )
