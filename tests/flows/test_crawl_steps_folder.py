"""The steps that work on a finished crawl folder: check its WARC files, package the indexes
under the crawl's UTC day, store it and delete the local copies. Real WARC files, a local
archive folder, no crawl."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime, timedelta, timezone
from io import BytesIO
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from warcio.warcwriter import WARCWriter

from crawler.config.sites import config_dir
from crawler.layout import ARTICLES_FILE, ARTICLES_INDEX, CAPTURES_INDEX, file_key
from crawler.warc.indexing import build_cdxj
from flows import crawl_steps
from flows.crawl_steps import CheckResult, WarcCheckError
from flows.storage import StorageError
from tests.flows.warcs import exchange, real_warc

CRAWL_ID = "20260101T200000Z"  # 20:00 UTC: already 2 January in Samarinda (WITA)


def _folder(tmp_path: Path, crawl_id: str = CRAWL_ID) -> Path:
    folder = tmp_path / "data" / "crawls" / "niaga" / crawl_id
    folder.mkdir(parents=True)
    real_warc(folder / f"warta-niaga-{crawl_id}-00000.warc.gz")
    return folder


def _plan(tmp_path: Path, crawl_id: str = CRAWL_ID) -> crawl_steps.ArchivePlan:
    return crawl_steps.plan_archive(
        "niaga", storage=str(tmp_path / "archive"), data_dir=str(tmp_path / "data"),
        resume_crawl_id=crawl_id,
    )  # fmt: skip


def test_a_sound_crawl_passes_its_check_and_keeps_its_index(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    with (folder / f"warta-niaga-{CRAWL_ID}-00001.warc.gz").open("wb") as out:
        writer = WARCWriter(out, gzip=True, warc_version="1.1")
        writer.write_record(writer.create_warcinfo_record(out.name, {"software": "test"}))
        exchange(writer, "https://niaga.asia/lain")
        revisit = writer.create_warc_record(
            "https://niaga.asia/0", "revisit", payload=BytesIO(b""),
            warc_headers_dict={"WARC-Refers-To": "<urn:uuid:archived-by-an-earlier-crawl>",
                               "WARC-Profile": "http://netpreserve.org/warc/1.1/revisit/"
                                               "identical-payload-digest"},
        )  # fmt: skip
        writer.write_record(revisit)
    (folder / f"warta-niaga-{CRAWL_ID}-00002.warc.gz.corrupt").write_bytes(b"\x1f\x8b cut")
    index = folder / f"warta-niaga-{CRAWL_ID}.cdxj"
    build_cdxj(crawl_steps.warc_files(folder), index)

    result = crawl_steps.check_warcs(folder)
    assert result.problems == [] and len(result.warnings) == 1
    assert "corrupt" in result.warnings[0]
    assert result == CheckResult(
        warc_files=2, records=11 + 4, problems=[], warnings=result.warnings,
        method="warta verify", earlier_refs=1,
    )  # fmt: skip
    assert index.is_file()  # a sound folder's index is not dropped


def test_a_damaged_crawl_fails_its_check(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    with (folder / f"warta-niaga-{CRAWL_ID}-00001.warc.gz").open("wb") as out:
        exchange(WARCWriter(out, gzip=True, warc_version="1.1"), "https://niaga.asia/x")
    with pytest.raises(WarcCheckError, match="does not start with a warcinfo record"):
        crawl_steps.check_warcs(folder)
    for i in range(2, 25):  # 24 damaged files: the error shows the first 20, one a line
        with (folder / f"warta-niaga-{CRAWL_ID}-{i:05d}.warc.gz").open("wb") as out:
            exchange(WARCWriter(out, gzip=True, warc_version="1.1"), f"https://niaga.asia/{i}")
    with pytest.raises(WarcCheckError) as failed:
        crawl_steps.check_warcs(folder)
    header, *shown = str(failed.value).splitlines()
    assert header == f"24 problem(s) in {folder}:"
    assert len(shown) == 20 and all(line.startswith(str(folder)) for line in shown)


@pytest.mark.usefixtures("machine_in_wita")
def test_package_files_the_crawl_under_its_utc_day(tmp_path: Path) -> None:
    folder = _folder(tmp_path)  # no crawl-summary.json: the crawl id tells the start
    plan = _plan(tmp_path)
    paths = crawl_steps.package(plan)
    assert paths == [plan.index_path, folder / CAPTURES_INDEX, folder / ARTICLES_INDEX]
    assert all(p.is_file() for p in paths)
    assert (folder / ARTICLES_FILE).read_bytes() == b""  # no article found, and it says so
    rows = pq.read_table(folder / CAPTURES_INDEX).to_pylist()
    warc = f"warta-niaga-{CRAWL_ID}-00000.warc.gz"
    assert {(r["site"], r["warc_key"]) for r in rows} == {
        ("niaga", file_key("niaga", date(2026, 1, 1), CRAWL_ID, warc))
    }


def test_the_start_comes_from_the_summary_else_from_the_crawl_id(tmp_path: Path) -> None:
    plan = _plan(tmp_path, _folder(tmp_path).name)
    from_id = datetime(2026, 1, 1, 20, tzinfo=UTC)
    wita = datetime(2026, 1, 3, 1, 2, 3, tzinfo=timezone(timedelta(hours=8)))
    assert crawl_steps.crawl_started(plan, {"started": wita.isoformat()}) == wita
    assert crawl_steps.crawl_started(plan, {}) == from_id
    assert crawl_steps.crawl_started(plan, {"started": "2026-01-03T01:02:03"}) == from_id  # naive
    assert crawl_steps.crawl_started(plan, {"started": "yesterday"}) == from_id
    odd = crawl_steps.ArchivePlan("niaga", "manual-1", plan.folder, plan.storage_uri)
    with pytest.raises(ValueError, match="crawl manual-1: no start time"):
        crawl_steps.crawl_started(odd, {"started": "2026-01-03T01:02:03"})


def test_a_summary_that_is_not_a_json_object_reads_as_empty(tmp_path: Path) -> None:
    path = tmp_path / "crawl-summary.json"
    assert crawl_steps.read_summary(tmp_path) == {}
    path.write_text(json.dumps({"site": "niaga", "title": "Niaga – Asia"}), encoding="utf-8")
    assert crawl_steps.read_summary(tmp_path) == {"site": "niaga", "title": "Niaga – Asia"}
    path.write_text("[1, 2]")
    assert crawl_steps.read_summary(tmp_path) == {}
    path.write_text("{cut")
    assert crawl_steps.read_summary(tmp_path) == {}


def test_storage_addresses_and_the_warc_prefix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert crawl_steps.resolve_storage("s3://bucket/warta") == "s3://bucket/warta"
    monkeypatch.chdir(tmp_path)
    assert crawl_steps.resolve_storage("archive") == str(tmp_path / "archive")
    config = shutil.copytree(config_dir(), tmp_path / "config")
    settings = config / "settings.yaml"
    settings.write_text(settings.read_text().replace("warc_prefix: warta", "warc_prefix: smd"))
    monkeypatch.setenv("WARTA_CONFIG_DIR", str(config))
    plan = crawl_steps.plan_archive("niaga", storage="archive", data_dir="data")
    assert plan.file_prefix == "smd"
    assert plan.index_path.name == f"smd-niaga-{plan.crawl_id}.cdxj"


def test_by_default_stored_copies_are_trusted_by_size_and_digest(tmp_path: Path) -> None:
    """Reading every object back (deep_verify) is asked for, not the default: a stored copy
    changed behind storage's back (same size, its recorded digest intact) goes unnoticed."""
    folder = _folder(tmp_path)
    (folder / "crawl-summary.json").write_text(json.dumps({"started": "2026-01-01T20:00:00Z"}))
    plan = _plan(tmp_path)
    crawl_steps.package(plan)
    summary = crawl_steps.read_summary(folder)
    manifest = crawl_steps.store(plan, summary, {"pages": 5})
    warc = f"warta-niaga-{CRAWL_ID}-00000.warc.gz"
    [entry] = [f for f in manifest.files if f.name == warc]
    stored = tmp_path / "archive" / entry.key
    data = bytearray(stored.read_bytes())
    data[-1] ^= 0xFF
    stored.write_bytes(bytes(data))  # the sidecar still names the digest of the original

    assert crawl_steps.store(plan, summary, {"pages": 5}).key == manifest.key
    with pytest.raises(StorageError, match="verify"):
        crawl_steps.store(plan, summary, {"pages": 5}, deep_verify=True)
    with pytest.raises(StorageError, match="kept every file"):
        crawl_steps.remove_local(plan, manifest, deep_verify=True)
    assert (folder / warc).is_file()
    deleted = crawl_steps.remove_local(plan, manifest)
    assert folder / warc in deleted and not (folder / warc).exists()


def test_a_public_url_drops_only_the_credentials() -> None:
    assert crawl_steps.public_url(None) is None and crawl_steps.public_url("") == ""
    assert crawl_steps.public_url("https://niaga.asia/x?y=1") == "https://niaga.asia/x?y=1"
    assert crawl_steps.public_url("http://u:p@127.0.0.1:8765/x") == "http://127.0.0.1:8765/x"
    assert crawl_steps.public_url("https://u@niaga.asia/") == "https://niaga.asia/"
    assert crawl_steps.public_url("file://u:p@/x") == "file:///x"  # no host to keep
    for plain in ("https://Niaga.Asia/X", "http://[::1]:8765/x"):
        assert crawl_steps.public_url(plain) == plain  # without credentials: untouched
    assert crawl_steps.public_url("https://:p@niaga.asia/") == "https://niaga.asia/"
