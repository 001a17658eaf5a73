"""Patterns from site files run in linear time, and a pattern RE2 cannot run is a config error."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from crawler.config.patterns import PatternError, site_pattern
from crawler.config.sites import ConfigError, load_site
from crawler.extraction.captions import split_credit


def test_catastrophic_pattern_runs_in_linear_time() -> None:
    hostile = "x" * 200_000  # (x+x+)+y backtracks exponentially in Python's re
    started = time.perf_counter()
    text, credit = split_credit(hostile, site_regex=r"(?P<text>(x+x+)+)y(?P<credit>.*)")
    assert time.perf_counter() - started < 1.0
    assert credit is None and text


def test_backreference_is_refused() -> None:
    with pytest.raises(PatternError, match="RE2"):
        site_pattern(r"(\w+) \1")


def test_site_file_with_a_backtracking_only_pattern_names_file_and_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    niaga = Path(__file__).parents[3] / "config" / "sites" / "niaga.yaml"
    sites = tmp_path / "sites"
    sites.mkdir()
    text = niaga.read_text(encoding="utf-8")
    (sites / "niaga.yaml").write_text(text + "\ntext:\n  drop_lines: ['(?=lookahead)x']\n")
    monkeypatch.setenv("WARTA_CONFIG_DIR", str(tmp_path))
    with pytest.raises(ConfigError) as failure:
        load_site("niaga")
    message = str(failure.value)
    assert "niaga.yaml" in message and "drop_lines" in message and "RE2" in message
