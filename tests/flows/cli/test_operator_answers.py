"""Small answers an operator meets in the first hour: bad input is exit 2 in one line,
names that a site file uses work where a person would type them."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from flows.cli import main

WARTA = Path(sys.executable).parent / "warta"


def test_demo_refuses_a_negative_article_count() -> None:
    proc = subprocess.run([str(WARTA), "demo", "--articles", "-5"], capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip() == "warta demo: --articles must be at least 1, not -5"


def test_a_window_that_ends_before_it_starts_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    for action in (["export", str(archive), str(tmp_path / "out")], ["list", str(archive)]):
        code = main(["archives", *action, "--until", "2024-01-01", "--since", "2024-01-02"])
        assert code == 2
        assert "--since 2024-01-02 is after --until 2024-01-01" in capsys.readouterr().err


def test_the_replica_answers_to_the_name_of_the_site_it_imitates() -> None:
    from replica.cli import add_arguments

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    assert parser.parse_args(["--site", "kabarbenua"]).site == "portal"
    assert parser.parse_args(["--site", "portal"]).site == "portal"
    with pytest.raises(SystemExit):
        parser.parse_args(["--site", "nowhere"])
