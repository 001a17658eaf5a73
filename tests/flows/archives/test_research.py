"""Research access end to end: three demo crawls into one S3 prefix (SeaweedFS, auth on),
then SQL over every crawl's index, one page by URL with one ranged GET, the text dataset,
and the back-fill of a crawl stored without an index.

The crawls are those of ``make demo`` (the niaga replica on one fixed port, so URLs stay the
same): 40 articles, the same 40 again (an incremental crawl with no new article), then 47.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from crawler.warc.reader import read_records
from flows.archive_flow import archive_site
from flows.archives.get import get_page
from flows.archives.query import connect
from flows.cli import main
from flows.storage import open_storage
from tests.conftest import PolitenessOff
from tests.flows.conftest import S3Target
from tests.ports import fresh_ports
from tests.waiting import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]
SEED_SLUG = "pemilu-2024-kian-dekat-tiga-pilar-di-kaltim-rapatkan-barisan-jaga-kondusifitas"
CREDIT = "handout/Polresta Samarinda"
# Three crawls of a replica that grows between the second and the third: small, as every
# assertion is about three crawls, a revisit and new articles, not about volume.
SIZES = (12, 12, 15)


@dataclass(frozen=True)
class Archive:
    uri: str
    target: S3Target
    base_url: str
    summaries: list[dict[str, Any]]

    @property
    def seed_url(self) -> str:
        return f"{self.base_url}/{SEED_SLUG}/"


@pytest.fixture
def three_crawls(s3_target: S3Target, tmp_path: Path, politeness_off: PolitenessOff) -> Archive:
    from replica.catalog import build_replica

    port = fresh_ports(1)[0]  # one port, kept for the three runs: the same URLs each time
    summaries = []
    for articles in SIZES:
        with build_replica("niaga", articles, port=port) as server:
            summaries.append(
                archive_site(
                    "niaga",
                    storage=s3_target.uri,
                    base_url=server.base_url,
                    crawl_settings=politeness_off(),
                    data_dir=str(tmp_path / "data"),
                )
            )
        wait_until(next_second(), 2, what="a new second")  # crawl ids are seconds
    return Archive(s3_target.uri, s3_target, server.base_url, summaries)


def next_second() -> Callable[[], bool]:
    """A condition that holds from the next whole second on."""
    now = int(time.time())
    return lambda: int(time.time()) > now


def note(capsys: pytest.CaptureFixture[str], message: str) -> None:
    """Numbers for the record, shown with -s, outside what the CLI calls capture."""
    with capsys.disabled():
        print(message)


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["archives", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def count_requests(storage: Any) -> list[tuple[str, str, str | None]]:
    """Every request boto3 sends for ``storage``: (method, path, Range header)."""
    sent: list[tuple[str, str, str | None]] = []

    def record(request: Any, **_: Any) -> None:
        value = request.headers.get("Range")
        ranged = value.decode() if isinstance(value, bytes) else value
        sent.append((request.method, request.url.split("?")[0], ranged))

    storage.client.meta.events.register("before-send.s3", record)
    return sent


def test_query_get_export_over_three_crawls(
    three_crawls: Archive, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    uri = three_crawls.uri
    assert [s["articles"] for s in three_crawls.summaries][::2] == [SIZES[0], SIZES[2] - SIZES[1]]

    # Every crawl downloads; the second one's article file is empty.
    dest = tmp_path / "download"
    code, out, err = cli(capsys, "download", uri, str(dest), "--no-progress")
    assert code == 0, out + err
    crawls = sorted((dest / "niaga").iterdir())
    assert len(crawls) == 3
    assert (crawls[1] / "articles.jsonl").stat().st_size == 0
    sizes = [{p.name: p.stat().st_size for p in c.glob("*.parquet")} for c in crawls]
    note(capsys, f"index sizes per crawl: {sizes}")

    # SQL over every crawl's index.
    started = time.monotonic()
    code, out, err = cli(
        capsys, "query", uri, "SELECT count(DISTINCT url) AS n FROM articles", "--format", "json"
    )
    note(capsys, f"query over S3 (CLI, 3 crawls): {time.monotonic() - started:.2f} s")
    assert code == 0, err
    assert json.loads(out) == [{"n": SIZES[2]}]
    code, out, _ = cli(
        capsys, "query", uri,
        f"SELECT url, captions FROM articles WHERE url LIKE '%{SEED_SLUG}%'", "--format", "json",
    )  # fmt: skip
    [seed] = json.loads(out)
    assert len(seed["captions"]) == 2
    assert all(c["credit"] == CREDIT and c["text"] for c in seed["captions"])
    code, out, _ = cli(
        capsys, "query", uri,
        "SELECT record_type, count(*) AS n FROM captures GROUP BY 1 ORDER BY 1", "--format", "csv",
    )  # fmt: skip
    note(capsys, out)
    assert "revisit" in out  # the second crawl found everything unchanged

    # One page by URL: one ranged GET of its record, byte-identical to the WARC payload.
    [warc] = sorted(crawls[0].glob("*.warc.gz"))
    expected = next(
        r.content()
        for r in read_records(warc)
        if r.rec_type == "response" and r.target_uri == three_crawls.seed_url
    )
    storage = open_storage(uri)
    con, _files = connect(storage)
    sent = count_requests(storage)
    _asked, read, data, record = get_page(storage, con, three_crawls.seed_url)
    note(capsys, f"get: boto3 requests {sent} -> {len(data)} bytes")
    assert sent == [("GET", sent[0][1], f"bytes={read.offset}-{read.offset + read.length - 1}")]
    assert sent[0][1].endswith(read.warc_key)
    assert len(data) == read.length
    assert record.content() == expected
    assert read.record_type == "response" and read.status == 200

    # A revisit (a page the second crawl found unchanged) is read from its original.
    code, out, _ = cli(
        capsys, "query", uri,
        "SELECT url, fetch_time FROM captures WHERE record_type = 'revisit' AND status = 200"
        " LIMIT 1",
        "--format", "json",
    )  # fmt: skip
    [revisited] = json.loads(out)
    sent.clear()
    at = datetime.fromisoformat(revisited["fetch_time"])  # the later crawl may have changed it
    revisit, original, _, original_record = get_page(storage, con, revisited["url"], at)
    assert revisit.record_type == "revisit" and original.record_id == revisit.refers_to
    assert original.crawl_id < revisit.crawl_id and len(sent) == 1
    assert original_record.rec_type == "response"

    page = tmp_path / "page.html"
    code, _, err = cli(capsys, "get", uri, three_crawls.seed_url, "-o", str(page))
    assert code == 0, err
    assert page.read_bytes() == expected
    code, _, err = cli(capsys, "get", uri, three_crawls.seed_url, "--record", "-o", str(page))
    assert code == 0 and page.read_bytes() == data
    assert cli(capsys, "get", uri, three_crawls.base_url + "/never-archived/")[0] == 1

    # The text dataset: one row per article URL, partitioned by site, year and month.
    export = tmp_path / "export"
    code, out, err = cli(capsys, "export", uri, str(export))
    assert code == 0, err
    table = pq.read_table(export)
    assert table.num_rows == SIZES[2] == len(set(table.column("url").to_pylist()))
    assert {"site", "year", "month", "text", "captures", "crawl_id", "warc_key"} <= set(
        table.column_names
    )
    parts = ds.dataset(export, format="parquet", partitioning="hive")
    assert parts.to_table(filter=ds.field("site") == "niaga").num_rows == SIZES[2]

    check_backfill(three_crawls, capsys)  # it rewrites the first crawl's manifest
    check_compaction(three_crawls, tmp_path)


COMPARED = [
    "SELECT * EXCLUDE (captions) FROM articles ORDER BY ALL",
    "SELECT * FROM captures ORDER BY ALL",
    "SELECT url, c.text, c.credit FROM articles, unnest(captions) AS t(c) ORDER BY ALL",
]


def check_compaction(three_crawls: Archive, tmp_path: Path) -> None:
    """Real crawls (a full one, an incremental one of revisits, one with new articles): every
    row, a revisit's original and the export are the same from the compacted index."""
    from flows.archives.compact import compact
    from flows.archives.export import export_articles
    from flows.archives.query import find_index_files, run_query

    storage = open_storage(three_crawls.uri)
    con, _ = connect(storage)
    before = [run_query(con, sql) for sql in COMPARED]
    export_articles(con, tmp_path / "before")
    report = compact(storage)
    assert report.crawls == 3 and report.problems == []
    files = find_index_files(storage)
    assert (files.crawls, files.compacted) == (3, 3)
    con, _ = connect(storage)
    assert [run_query(con, sql) for sql in COMPARED] == before
    export_articles(con, tmp_path / "after")
    assert pq.read_table(tmp_path / "after").equals(pq.read_table(tmp_path / "before"))
    [revisited] = run_query(
        con, "SELECT url, fetch_time FROM captures WHERE record_type = 'revisit' LIMIT 1"
    ).to_pylist()
    revisit, original, _, record = get_page(storage, con, revisited["url"], revisited["fetch_time"])
    assert original.record_id == revisit.refers_to and record.rec_type == "response"


def check_backfill(three_crawls: Archive, capsys: pytest.CaptureFixture[str]) -> None:
    """A crawl stored before the index existed gets one from its WARCs and article file."""
    uri, target = three_crawls.uri, three_crawls.target
    client = target.server.client()
    storage = open_storage(uri)
    [first_key, *_] = sorted(
        k.key for k in storage.list("niaga/") if k.key.endswith(".manifest.json")
    )
    manifest = json.loads(storage.get_bytes(first_key))
    for entry in manifest["files"]:
        if entry["kind"] == "parquet":
            client.delete_object(Bucket=target.bucket, Key=f"{target.prefix}/{entry['key']}")
    manifest["files"] = [f for f in manifest["files"] if f["kind"] != "parquet"]
    storage.put_bytes(first_key, json.dumps(manifest).encode())  # as stored before the index

    code, out, err = cli(capsys, "query", uri, "SELECT count(DISTINCT url) AS n FROM articles",
                         "--format", "json")  # fmt: skip
    assert json.loads(out) == [{"n": SIZES[2] - SIZES[1]}] and "have no index" in err
    code, out, err = cli(capsys, "index", uri)
    assert code == 0 and out.startswith("1 crawl(s) indexed, 2 already had an index"), out + err
    code, out, _ = cli(capsys, "query", uri, "SELECT count(DISTINCT url) AS n FROM articles",
                       "--format", "json")  # fmt: skip
    assert json.loads(out) == [{"n": SIZES[2]}]
    code, out, err = cli(capsys, "verify", uri)
    assert code == 0, out + err
