"""The research index on a local archive, from a small hand-made crawl (fast, no servers):
index rows, SQL, one page by range, the export, and the WARC pointers in the rows."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from crawler.warc.reader import WarcReader
from crawler.warc.writer import RotatingWarcWriter
from flows.archives.index import build_index
from flows.cli import main
from flows.storage import open_storage
from flows.storage.crawl_upload import store_crawl
from tests.crawler.warc.conftest import gzip_chunked_exchange, make_id_factory, plain_exchange

CRAWL_ID = "20261127T101500Z"
DAY = date(2026, 11, 27)


@pytest.fixture
def archive(tmp_path: Path) -> tuple[str, Path]:
    return stored_archive(tmp_path)


def stored_archive(tmp_path: Path) -> tuple[str, Path]:
    """A two-article crawl written, indexed and stored: (archive folder, crawl folder)."""
    folder = tmp_path / "crawls" / "niaga" / CRAWL_ID
    folder.mkdir(parents=True)
    writer = RotatingWarcWriter(folder, "warta", "test", id_factory=make_id_factory())
    first = writer.write_exchange(*plain_exchange("/berita/1"))
    second = writer.write_exchange(*gzip_chunked_exchange("/berita/2"))
    writer.close()
    captions = [{"text": "Banjir", "credit": "handout/Polresta Samarinda", "image": None}]
    rows = [
        {"url": "http://example.com/berita/1", "title": "Banjir di Samarinda", "tags": ["Banjir"],
         "published": "2023-03-03T14:05:00+08:00", "captions": captions, "text": "satu dua tiga",
         "warc": first.as_meta()},
        {"url": "http://example.com/berita/2", "title": "Harga sembako naik",
         "published": "2023-04-01T00:30:00+08:00", "text": "empat", "warc": second.as_meta()},
    ]  # fmt: skip
    (folder / "articles.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    build_index(folder, "niaga", CRAWL_ID, DAY)
    uri = str(tmp_path / "archive")
    store_crawl(folder, open_storage(uri), "niaga", CRAWL_ID, DAY)
    return uri, folder


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["archives", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_index_rows_point_at_stored_records(archive: tuple[str, Path]) -> None:
    uri, folder = archive
    captures = pq.read_table(folder / "captures.parquet").to_pylist()
    assert [c["record_type"] for c in captures] == ["request", "response"] * 2  # by SURT
    for row in captures:
        assert row["warc_key"].startswith("niaga/2026/11/27/warta-") and row["length"] > 0
        assert row["surt"].startswith("com,example)/berita/")
        with WarcReader(folder / row["warc_file"]) as reader:
            assert reader.record_at(row["offset"]).record_id == row["record_id"]
    [a1, a2] = pq.read_table(folder / "articles.parquet").to_pylist()
    assert a1["crawl_id"] == CRAWL_ID and a1["fetch_time"] is not None
    assert a1["captions"][0]["credit"] == "handout/Polresta Samarinda"
    assert a1["published_utc"].isoformat() == "2023-03-03T06:05:00+00:00"
    assert a1["word_count"] == 3 and a2["word_count"] == 1
    assert (Path(uri) / a1["warc_key"]).is_file()


def test_query_get_and_export_locally(
    archive: tuple[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    uri, folder = archive
    code, out, err = run(capsys, "query", uri, "SELECT count(*) AS n FROM articles", "--format",
                         "json")  # fmt: skip
    assert code == 0 and json.loads(out) == [{"n": 2}], err
    code, out, _ = run(capsys, "query", uri, "SELECT url, tags FROM articles ORDER BY url",
                       "--format", "csv")  # fmt: skip
    assert out.splitlines() == ["url,tags", 'http://example.com/berita/1,"[""Banjir""]"',
                                "http://example.com/berita/2,[]"]  # fmt: skip
    code, out, _ = run(capsys, "query", uri, "SELECT count(*) AS n FROM captures")
    assert code == 0 and out.splitlines()[1].strip() == "4"
    assert run(capsys, "query", uri, "SELECT nope FROM articles")[0] == 2

    page = tmp_path / "page"
    code, _, err = run(capsys, "get", uri, "http://example.com/berita/2", "-o", str(page))
    assert code == 0, err
    [warc] = sorted(folder.glob("*.warc.gz"))
    with WarcReader(warc) as reader:
        expected = next(r.content() for r in reader if r.rec_type == "response"
                        and r.target_uri.endswith("/2"))  # fmt: skip
    assert page.read_bytes() == expected  # gzip and chunking undone, as a browser sees it
    code, _, err = run(capsys, "get", uri, "http://EXAMPLE.com/berita/1", "--at", "2020")
    assert code == 0, err  # same SURT, any time: the only capture

    dest = tmp_path / "export"
    code, out, err = run(capsys, "export", uri, str(dest), "--until", "2023-03-31")
    assert code == 0, err
    table = pq.read_table(dest)
    assert table.column("url").to_pylist() == ["http://example.com/berita/1"]
    assert [p.relative_to(dest).as_posix() for p in dest.rglob("*.parquet")] == [
        "site=niaga/year=2023/month=03/part-0.parquet"
    ]
    code, out, _ = run(capsys, "export", uri, str(dest))
    assert code == 0 and pq.read_table(dest).num_rows == 2  # replaces the earlier export


@pytest.mark.parametrize(
    ("filters", "articles"),
    [
        ((), 2),
        (("--until", DAY.isoformat()), 2),  # the crawl's own day is the last day: included
        (("--since", DAY.isoformat()), 2),
        (("--since", DAY.isoformat(), "--until", DAY.isoformat()), 2),
        (("--until", "2026-11-26"), 0),
        (("--since", "2026-11-28"), 0),
    ],
)
def test_query_day_filters_are_inclusive(
    archive: tuple[str, Path], capsys: pytest.CaptureFixture[str], filters: tuple[str, ...],
    articles: int,
) -> None:  # fmt: skip
    uri, _ = archive
    code, out, err = run(capsys, "query", uri, "SELECT count(*) AS n FROM articles",
                         "--format", "json", *filters)  # fmt: skip
    assert code == 0, err
    assert json.loads(out) == [{"n": articles}]


def _documented_columns(view: str) -> list[str]:
    """The columns docs/research.md promises for ``view``, in the order it lists them."""
    text = (Path(__file__).resolve().parents[3] / "docs" / "research.md").read_text()
    section = text.split(f"`{view}`: ", 1)[1].split("\n\n", 2)[1]
    columns: list[str] = []
    for line in section.splitlines()[2:]:
        first = line.split("|")[1]
        columns += [c.strip(" `") for c in first.replace("(list)", "").split(",")]
    return columns


@pytest.mark.parametrize("view", ["captures", "articles"])
def test_views_have_every_documented_column(
    archive: tuple[str, Path], capsys: pytest.CaptureFixture[str], view: str
) -> None:
    """Compared with the documentation researchers read, not with the schema in the code:
    a column dropped from both would pass a comparison with the code."""
    documented = _documented_columns(view)
    assert len(documented) == {"captures": 19, "articles": 26}[view]
    uri, _ = archive
    code, out, err = run(capsys, "query", uri, f"SELECT * FROM {view}", "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    assert rows and sorted(rows[0]) == sorted(documented)
    filled = {c for row in rows for c, v in row.items() if v not in (None, [], "")}
    always = {"url", "site", "crawl_id", "fetch_time", "warc_file", "warc_key"}
    assert always <= filled, always - filled


def test_export_never_replaces_a_folder_it_did_not_write(
    archive: tuple[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 27: DEST holding extension-less files (keys, dotfiles) was deleted."""
    uri, _ = archive
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_ed25519").write_text("-----BEGIN OPENSSH PRIVATE KEY-----\n")
    (home / ".bashrc").write_text("export PATH\n")
    code, _, err = run(capsys, "export", uri, str(home))
    assert code == 2 and "is not an earlier export" in err, err
    assert (home / ".ssh" / "id_ed25519").is_file() and (home / ".bashrc").is_file()
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run(capsys, "export", uri, str(empty))[0] == 0  # an empty folder is fine
    assert run(capsys, "export", uri, str(empty))[0] == 0  # and so is our own export, again
