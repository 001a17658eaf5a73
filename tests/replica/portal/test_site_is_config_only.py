"""The second site is configuration and fixtures only: no Python in crawler/ names it."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from crawler.config.sites import PACKAGE_ROOT, load_site, site_names

SITE = "kabarbenua"
NAMES = re.compile(r"kabar[\s_.-]?benua", re.IGNORECASE)


def test_no_python_in_crawler_names_the_second_site() -> None:
    crawler = PACKAGE_ROOT / "crawler"
    portal = PACKAGE_ROOT / "replica" / "portal"
    offenders = [
        str(path.relative_to(PACKAGE_ROOT))
        for path in crawler.rglob("*.py")
        if NAMES.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
    # The check is live: the replica package itself does name the site.
    assert NAMES.search((portal / "content.py").read_text(encoding="utf-8"))


def test_the_site_is_one_config_file() -> None:
    assert SITE in site_names()
    site = load_site(SITE)
    assert site.host.endswith(".test")  # a real crawl of this file can never leave the machine
    assert site.selectors.next_page and site.timezone == "Asia/Makassar"
    assert (Path(PACKAGE_ROOT) / "config" / "sites" / f"{SITE}.yaml").is_file()


@pytest.mark.slow
def test_warta_replica_site_portal_serves_the_portal() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "replica", "--site", "portal", "--port", "0",
         "--articles", "8"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = re.fullmatch(r"serving (http://127\.0\.0\.1:\d+)\n", line)
        assert match, line
        with urllib.request.urlopen(f"{match.group(1)}/rss", timeout=30) as response:
            assert b"/read/" in response.read()
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
