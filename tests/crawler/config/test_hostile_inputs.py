"""What an operator or a flow-run parameter may hand the crawl (issue 27, finding 7).

Run settings: only WARTA_* and a documented list of Scrapy's may be set for a run, so
``-s`` cannot switch off the host guard (DOWNLOADER_MIDDLEWARES, TWISTED_DNS_RESOLVER) or
send files elsewhere (JOBDIR, FEEDS, LOG_FILE). Site names: ``../../x/evil`` loaded any
YAML on the worker and put the crawl folder outside the data dir.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.config.arguments import RUN_SETTINGS, check_setting_overrides
from crawler.config.sites import PACKAGE_ROOT, ConfigError, load_site, sites_dir
from crawler.layout import crawl_folder
from flows.crawl_steps import plan_archive

FORBIDDEN = {
    "TWISTED_DNS_RESOLVER": "twisted.internet.base.ThreadedResolver",
    "DOWNLOADER_MIDDLEWARES": '{"crawler.fetch.host_guard.AllowedHostsMiddleware": null}',
    "DOWNLOAD_HANDLERS": '{"http": "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler"}',
    "JOBDIR": "/tmp/elsewhere",
    "FEEDS": '{"/tmp/items.json": {"format": "json"}}',
    "LOG_FILE": "/tmp/crawl.log",
    "EXTENSIONS": "{}",
    "ROBOTSTXT_OBEY": "False",
}
EVIL = "name: evil\nbase_url: http://127.0.0.1:9\n"


@pytest.mark.parametrize("name", list(FORBIDDEN))
def test_a_run_cannot_set_what_guards_the_crawl(name: str) -> None:
    with pytest.raises(ConfigError, match=f"setting {name} cannot be set for a run"):
        check_setting_overrides({name: FORBIDDEN[name]})


def test_the_documented_run_settings_pass() -> None:
    documented = {"DOWNLOAD_DELAY": "2", "CLOSESPIDER_TIMEOUT": "600", "LOG_LEVEL": "DEBUG"}
    check_setting_overrides({**documented, "WARTA_ALLOWED_NETWORKS": '["10.0.0.0/8"]'})
    readme = (PACKAGE_ROOT / "README.md").read_text()
    assert all(f"`{name}`" in readme for name in RUN_SETTINGS)


def _evil_site(tmp_path: Path) -> str:
    """A YAML outside config/sites, and the name that reached it by ``..``."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    (folder / "evil.yaml").write_text(EVIL)
    return os.path.relpath(folder / "evil", sites_dir())


def test_a_site_name_with_a_path_loads_nothing(tmp_path: Path) -> None:
    name = _evil_site(tmp_path)
    with pytest.raises(ConfigError, match="invalid site name"):
        load_site(name)
    with pytest.raises(ConfigError, match="invalid site name"):  # the flow's `site` parameter
        plan_archive(name, storage=str(tmp_path / "archive"), data_dir=str(tmp_path / "data"))
    with pytest.raises(ValueError, match="invalid site"):
        crawl_folder(tmp_path / "data", "../../x", "20260101T000000Z")


def _scrapy_crawl(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    return subprocess.run([sys.executable, "-m", "scrapy", "crawl", *args], cwd=PACKAGE_ROOT,
                          env=env, capture_output=True, text=True, timeout=120)  # fmt: skip


@pytest.mark.slow
def test_scrapy_crawl_refuses_both_before_it_starts(tmp_path: Path) -> None:
    done = _scrapy_crawl(
        "niaga", "-s", "TWISTED_DNS_RESOLVER=twisted.internet.base.ThreadedResolver"
    )
    assert done.returncode == 2 and "cannot be set for a run" in done.stderr, done.stderr[-2000:]
    done = _scrapy_crawl(_evil_site(tmp_path))
    assert done.returncode == 2 and "invalid site name" in done.stderr, done.stderr[-2000:]
