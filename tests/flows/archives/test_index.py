"""The article columns' Arrow types come from the one article model: each kind of field a
model can declare maps to the type a Parquet reader will see."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from pydantic import BaseModel

from crawler.extraction.article_record import Article, Caption, WarcRef
from crawler.layout import manifest_key
from flows.archives.index import arrow_type, backfill_index
from flows.storage import open_storage
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
