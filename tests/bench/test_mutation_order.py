"""The order a mutant's tests run in under ``make mutate`` (tests/mutation_order.py)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench.mutate import mirror_prefix
from tests import mutation_order


@dataclass
class Item:
    nodeid: str


MUTANT = "crawler.extraction.captions.x_collect_captions__mutmut_7"


def ids(items: list[Item]) -> list[str]:
    return [i.nodeid for i in items]


def test_the_mutated_modules_own_tests_come_first_then_modules_by_their_cheapest_test() -> None:
    items = [
        Item("tests/crawler/extraction/test_article.py::test_slow"),
        Item("tests/crawler/extraction/test_body.py::test_b1"),
        Item("tests/crawler/extraction/test_captions.py::test_slow"),
        Item("tests/crawler/extraction/test_article.py::test_fast"),
        Item("tests/crawler/extraction/test_captions_sources.py::test_one"),
        Item("tests/crawler/extraction/test_captions.py::test_fast"),
        Item("tests/crawler/extraction/test_body.py::test_b2"),
    ]
    seconds = {
        "tests/crawler/extraction/test_article.py::test_slow": 2.0,
        "tests/crawler/extraction/test_article.py::test_fast": 0.01,
        "tests/crawler/extraction/test_captions.py::test_slow": 1.0,
        "tests/crawler/extraction/test_captions.py::test_fast": 0.02,
        "tests/crawler/extraction/test_captions_sources.py::test_one": 0.5,
        "tests/crawler/extraction/test_body.py::test_b1": 0.3,
        "tests/crawler/extraction/test_body.py::test_b2": 0.2,
    }
    assert ids(mutation_order.likeliest_first(items, MUTANT, seconds)) == [
        "tests/crawler/extraction/test_captions.py::test_fast",
        "tests/crawler/extraction/test_captions.py::test_slow",
        "tests/crawler/extraction/test_captions_sources.py::test_one",
        "tests/crawler/extraction/test_article.py::test_fast",
        "tests/crawler/extraction/test_article.py::test_slow",
        "tests/crawler/extraction/test_body.py::test_b2",
        "tests/crawler/extraction/test_body.py::test_b1",
    ]


def test_a_test_without_a_duration_counts_as_free_and_ties_keep_pytests_order() -> None:
    x1, x2, y = "tests/a/test_x.py::t1", "tests/a/test_x.py::t2", "tests/a/test_y.py::t"
    got = mutation_order.likeliest_first(
        [Item(x1), Item(x2), Item(y)], "flows.a.z.x_f__mutmut_1", {x1: 1}
    )
    assert ids(got) == [x2, x1, y]


@pytest.mark.parametrize(
    ("mutant", "prefix"),
    [
        (MUTANT, "tests/crawler/extraction/test_captions"),
        ("flows.explore.app.xǁExplorerServerǁ__init____mutmut_14", "tests/flows/explore/test_app"),
        ("crawler.settings.x_politeness__mutmut_2", "tests/crawler/test_settings"),
    ],
)
def test_mirror_prefix_names_the_test_files_of_the_mutated_module(mutant: str, prefix: str) -> None:
    assert mirror_prefix(mutant) == prefix


def test_only_a_mutants_own_process_reorders(monkeypatch: pytest.MonkeyPatch) -> None:
    for value in ("", "stats", "fail", "list_all_tests"):
        monkeypatch.setenv("MUTANT_UNDER_TEST", value)
        assert mutation_order.mutant_under_test() is None
    monkeypatch.setenv("MUTANT_UNDER_TEST", MUTANT)
    assert mutation_order.mutant_under_test() == MUTANT
    monkeypatch.delenv("MUTANT_UNDER_TEST")
    assert mutation_order.mutant_under_test() is None


def test_durations_are_read_again_only_when_the_stats_file_changes(tmp_path: Path) -> None:
    stats = tmp_path / "mutmut-stats.json"
    assert mutation_order.durations(stats) == {}
    stats.write_text(
        json.dumps({"duration_by_test": {"t1": 0.5}, "tests_by_mangled_function_name": {}})
    )
    os.utime(stats, (1_000, 1_000))
    assert mutation_order.durations(stats) == {"t1": 0.5}
    stats.write_text(json.dumps({"duration_by_test": {"t1": 9.0}}))
    os.utime(stats, (1_000, 1_000))  # same time: the copy already read stands
    assert mutation_order.durations(stats) == {"t1": 0.5}
    os.utime(stats, (2_000, 2_000))
    assert mutation_order.durations(stats) == {"t1": 9.0}
