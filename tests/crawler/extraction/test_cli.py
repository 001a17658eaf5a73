"""``warta extract``: through flows.cli.main in-process, and once as a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from flows.cli import main


def test_extract_with_site(capsys, fixtures_dir: Path, seed_url: str, seed_body: str) -> None:
    code = main(
        ["extract", "--site", "niaga", "--url", seed_url, str(fixtures_dir / "niaga-seed.html")]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["site"] == "niaga"
    assert record["editor"] == "Saud Rosadi"
    assert record["published"] == "2023-03-03T14:05:00+08:00"
    assert record["text"] == seed_body


def test_extract_generic(capsys, fixtures_dir: Path, seed_url: str) -> None:
    code = main(["extract", "--url", seed_url, str(fixtures_dir / "niaga-seed.html")])
    out, _ = capsys.readouterr()
    assert code == 0
    record = json.loads(out)
    assert record["site"] == "www.niaga.asia"
    assert record["dateline"] == "SAMARINDA"


def test_missing_file_is_a_clear_error(capsys, tmp_path: Path) -> None:
    code = main(["extract", "--url", "https://x.test/a/", str(tmp_path / "nope.html")])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert "cannot read" in err and "nope.html" in err
    assert "Traceback" not in err


def test_unknown_site_is_a_clear_error(capsys, fixtures_dir: Path) -> None:
    code = main(
        [
            "extract",
            "--site",
            "nosuchsite",
            "--url",
            "https://x.test/",
            str(fixtures_dir / "niaga-seed.html"),
        ]
    )
    _, err = capsys.readouterr()
    assert code == 2
    assert "unknown site 'nosuchsite'" in err
    assert "niaga" in err  # names the sites that do exist


def test_page_without_article(capsys, tmp_path: Path) -> None:
    page = tmp_path / "home.html"
    page.write_text(
        '<html><head><meta property="og:type" content="website"></head><body></body></html>'
    )
    code = main(["extract", "--url", "https://www.niaga.asia/", str(page)])
    out, err = capsys.readouterr()
    assert code == 1
    assert out == ""
    assert "no article found" in err


@pytest.mark.slow  # a fresh interpreter importing the whole stack: seconds
def test_stdin_in_a_real_process(seed_html: bytes, seed_url: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "flows.cli", "extract", "--site", "niaga", "--url", seed_url, "-"],
        input=seed_html,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()
    record = json.loads(result.stdout)
    assert record["title"].startswith("Pemilu 2024 Kian Dekat")
    assert len(record["captions"]) == 2
