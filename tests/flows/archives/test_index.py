"""The article columns' Arrow types come from the one article model: each kind of field a
model can declare maps to the type a Parquet reader will see."""

from __future__ import annotations

import pyarrow as pa
import pytest
from pydantic import BaseModel

from crawler.extraction.article_record import Article, Caption, WarcRef
from flows.archives.index import arrow_type


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
