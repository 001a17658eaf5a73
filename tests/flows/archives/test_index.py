"""The article columns' Arrow types come from the one article model: each kind of field a
model can declare maps to the type a Parquet reader will see."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pydantic import BaseModel

from crawler.extraction.article_record import Article, Caption, WarcRef
from crawler.layout import file_key, manifest_key
from crawler.warc import records
from crawler.warc.records import CapturedRequest, CapturedResponse
from crawler.warc.writer import RotatingWarcWriter
from flows.archives.index import arrow_type, backfill_index, build_index
from flows.storage import open_storage
from tests.crawler.warc.conftest import make_id_factory
from tests.flows.archives.test_research_local import CRAWL_ID, DAY, stored_archive


class _Nested(BaseModel):
    caption: Caption | None = None
    refs: list[WarcRef]
    score: float
    ok: bool


@pytest.mark.parametrize(
    ("annotation", "expected"),
    [
        (str, pa.string()),
        (int, pa.int64()),
        (float, pa.float64()),
        (bool, pa.bool_()),
        (str | None, pa.string()),
        (int | None, pa.int64()),
        (list[str], pa.list_(pa.string())),
        (list[int] | None, pa.list_(pa.int64())),
        (
            Caption,
            pa.struct([("text", pa.string()), ("credit", pa.string()), ("image", pa.string())]),
        ),
        (
            _Nested,
            pa.struct(
                [
                    ("caption", arrow_type(Caption)),
                    ("refs", pa.list_(arrow_type(WarcRef))),
                    ("score", pa.float64()),
                    ("ok", pa.bool_()),
                ]
            ),
        ),
    ],
)
def test_field_annotations_map_to_arrow_types(annotation: object, expected: pa.DataType) -> None:
    assert arrow_type(annotation) == expected


@pytest.mark.parametrize("annotation", [bytes, str | int, dict[str, str], int | str | None])
def test_a_field_with_no_single_arrow_type_is_refused(annotation: object) -> None:
    with pytest.raises(TypeError, match="no Arrow type"):
        arrow_type(annotation)


def test_every_article_field_has_a_type() -> None:
    assert arrow_type(Article).names == list(Article.model_fields)
    assert arrow_type(WarcRef) == pa.struct(
        [("file", pa.string()), ("offset", pa.int64()), ("length", pa.int64()),
         ("record_id", pa.string())]
    )  # fmt: skip


def test_backfill_skips_a_crawl_with_an_index_unless_asked_to_rebuild(tmp_path: Path) -> None:
    uri, _folder = stored_archive(tmp_path)
    storage = open_storage(uri)
    kept = backfill_index(storage)
    assert (kept.skipped, kept.done, kept.files) == ([CRAWL_ID], [], 0)
    rebuilt = backfill_index(storage, rebuild=True)
    assert (rebuilt.skipped, rebuilt.done, rebuilt.files) == (
        [],
        [manifest_key("niaga", CRAWL_ID, DAY)],
        2,
    )


def _exchange(url: str, at: datetime) -> tuple[CapturedRequest, CapturedResponse]:
    request = CapturedRequest("GET", url, [("User-Agent", "warta/0.1")], at)
    response = CapturedResponse(url=url, protocol="HTTP/1.1", status=200, reason="OK",
                                headers=[("Content-Type", "text/html")], body=b"<p>x</p>",
                                timestamp=at)  # fmt: skip
    return request, response


def test_captures_sort_by_surt_then_time_and_articles_point_at_their_text(
    tmp_path: Path,
) -> None:
    """CDX order: a URL with no SURT first, then by SURT (an IP address's digits before
    letters), each URL's captures oldest first, request before response."""
    t0 = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
    later = t0 + timedelta(hours=1)
    writer = RotatingWarcWriter(tmp_path, "warta", "test", id_factory=make_id_factory())
    page = "http://example.com/a"
    second = writer.write_exchange(*_exchange(page, later))  # stored first, fetched later
    first = writer.write_exchange(*_exchange(page, t0))
    writer.write_exchange(*_exchange("http://127.0.0.1/a", later))
    writer.write_exchange(*_exchange("http://example.com:99999/", later))  # no SURT
    text = records.conversion(records.derived_uri("text", page), b"satu dua",
                              "text/plain; charset=utf-8", writer.spec(),
                              refers_to=first.record_id)  # fmt: skip
    [where] = writer.write_records([text])
    writer.close()
    article = {"url": page, "title": "A", "text": "satu dua", "warc": first.as_meta()}
    (tmp_path / "articles.jsonl").write_text(json.dumps(article) + "\n")
    captures_path, articles_path = build_index(tmp_path, "niaga", CRAWL_ID, DAY)

    rows = pq.read_table(captures_path).to_pylist()
    assert [(r["url"], r["fetch_time"], r["record_type"]) for r in rows] == [
        ("http://example.com:99999/", later, "request"),
        ("http://example.com:99999/", later, "response"),
        ("http://127.0.0.1/a", later, "request"),
        ("http://127.0.0.1/a", later, "response"),
        (page, t0, "request"),
        (page, t0, "response"),
        (page, later, "request"),
        (page, later, "response"),
    ]
    assert rows[7]["record_id"] == second.record_id
    [row] = pq.read_table(articles_path).to_pylist()
    assert row["fetch_time"] == t0  # the time of the response it was extracted from
    assert row["text_warc_key"] == file_key("niaga", DAY, CRAWL_ID, where.file)
    assert (row["text_offset"], row["text_length"]) == (where.offset, where.length)
