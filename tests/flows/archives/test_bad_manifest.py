"""One crafted manifest among good ones (issue 27, finding 7).

A manifest of JSON nested 100,000 deep made ``warta archives list`` and ``verify`` die with
RecursionError and ``download`` (without ``--site``) download nothing. It is reported and
skipped; every other crawl is listed, verified and downloaded.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from flows.cli import main
from flows.storage import LocalStorage
from flows.storage.crawl_upload import store_crawl

GOOD = ("niaga", "20261125T101500Z", date(2026, 11, 25))
BAD_KEY = "kaltim/2026/11/26/20261126T101500Z.manifest.json"
DEEP = b"[" * 100_000 + b"]" * 100_000


@pytest.fixture
def uri(tmp_path: Path, make_crawl: Callable[..., Path]) -> str:
    storage = LocalStorage(tmp_path / "archive")
    site, crawl_id, day = GOOD
    store_crawl(make_crawl(crawl_id, large=False), storage, site, crawl_id, day)
    storage.put_bytes(BAD_KEY, DEEP)
    return str(tmp_path / "archive")


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(["archives", *argv])
    out, err = capsys.readouterr()
    return code, out + err


def test_list_and_verify_report_the_bad_manifest_and_go_on(
    uri: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, text = _run(capsys, "list", uri)
    assert GOOD[1] in text and BAD_KEY in text and "nested too deeply" in text
    assert "RecursionError" not in text
    code, text = _run(capsys, "verify", uri)
    assert code == 1 and "1 crawl(s)" in text and BAD_KEY in text


def test_download_takes_every_good_crawl(
    uri: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dest = tmp_path / "dest"
    code, text = _run(capsys, "download", uri, str(dest), "--no-progress")
    assert code == 2 and BAD_KEY in text and "the other 1 crawl(s) downloaded" in text
    assert (dest / "niaga" / GOOD[1]).is_dir()
    assert not (dest / "kaltim").exists()
