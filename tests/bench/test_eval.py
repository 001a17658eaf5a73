"""The extraction evaluation: labels are sound, and warta generic beats plain trafilatura."""

from __future__ import annotations

import json

import pytest

from bench.eval.dataset import EvalArticle, build_dataset, handmade_articles
from bench.eval.metrics import prf
from bench.eval.run import OVERALL, Results, evaluate, main


@pytest.fixture(scope="module")
def dataset() -> list[EvalArticle]:
    return build_dataset(niaga=12, portal=12)


@pytest.fixture(scope="module")
def results(dataset: list[EvalArticle]) -> Results:
    return evaluate(dataset)


def test_the_set_has_every_kind_of_page(dataset: list[EvalArticle]) -> None:
    groups = {a.group for a in dataset}
    assert groups == {"niaga replica", "portal replica", "hand-made"}
    layouts = {a.label["layout"] for a in handmade_articles()}
    assert {"tribun", "detik", "kompas", "antara"} <= layouts
    assert any(len(a.pages) > 1 for a in dataset)  # multi-page articles are in the set
    for article in dataset:
        assert article.label["paragraphs"] and article.label["title"]


def test_word_scores() -> None:
    assert prf("a b c", "a b c") == (1.0, 1.0, 1.0)
    p, r, f = prf("a b c d", "a b")
    assert (p, r) == (0.5, 1.0) and round(f, 3) == 0.667
    assert prf("", "a") == (0.0, 0.0, 0.0)


@pytest.mark.parametrize("group", ["hand-made", OVERALL])
def test_generic_body_f1_at_least_trafilaturas(results: Results, group: str) -> None:
    # The hand-made pages have no site file: there "warta site" is the generic extractor too.
    generic = results.value(group, "warta generic", "body_f1") or 0.0
    plain = results.value(group, "trafilatura", "body_f1") or 0.0
    assert generic >= plain


@pytest.mark.parametrize("group", ["hand-made", OVERALL])
def test_generic_caption_recall_above_90_percent(results: Results, group: str) -> None:
    assert (results.value(group, "warta generic", "caption_recall") or 0.0) > 0.9
    assert results.value(group, "trafilatura", "caption_recall") is None  # it has none


def test_run_prints_a_table_then_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--niaga", "3", "--portal", "3"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert any(line.startswith("| all pages | trafilatura |") for line in out)
    assert any(line.startswith("| hand-made | warta generic |") for line in out)
    summary = json.loads(out[-1])
    assert set(summary["overall"]) == {"trafilatura", "warta generic", "warta site"}
    assert (
        summary["overall"]["warta generic"]["body_f1"]
        >= summary["overall"]["trafilatura"]["body_f1"]
    )
