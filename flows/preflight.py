"""Everything ``warta archive``, ``warta demo`` and ``warta deploy`` can check before work.

A wrong storage address, missing S3 credentials, a misspelt spider argument or setting, a
site file that does not load: each is one :class:`ConfigError` line naming the thing and
what would be right, raised in about a second, before Prefect starts or a page is fetched.
(docs/scheduling.md: "Wrong input fails before any work".)
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from crawler.config.arguments import check_setting_overrides, parse_spider_args
from crawler.config.operator import contact_warning, load_operator_settings
from crawler.config.sites import ConfigError, SiteConfig, load_site
from flows.storage import StorageError, open_storage


def check_storage(uri: str, *, reach: bool = True) -> None:
    """The storage address must be a path or ``s3://bucket/prefix``; with ``reach``, the
    target must also answer with the configured credentials (a HEAD on the bucket), since a
    crawl of an hour is wasted if its upload cannot start."""
    try:
        storage = open_storage(uri)
        if reach:
            storage.check(write=True)
    except StorageError as exc:
        raise ConfigError(f"storage: {exc}") from None


def check_data_dir(data_dir: str | Path) -> Path:
    """The data folder exists (made if need be) and this user may write in it."""
    folder = Path(data_dir).expanduser().resolve()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"data folder {folder}: cannot create it ({exc.strerror})") from None
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise ConfigError(
            f"data folder {folder}: cannot write in it ({exc.strerror}); "
            "choose another with --data-dir or WARTA_DATA_DIR"
        ) from None
    return folder


def check_archive_inputs(
    site: str,
    *,
    storage: str | None = None,
    base_url: str | None = None,
    crawl_settings: dict[str, Any] | None = None,
    spider_args: dict[str, Any] | None = None,
    data_dir: str | None = None,
    reach_storage: bool = True,
    warn: bool = True,
) -> SiteConfig:
    """Check one run's inputs; return the site. ConfigError names the first bad one."""
    config = load_site(site)
    settings = load_operator_settings()
    check_setting_overrides(dict(crawl_settings or {}))
    args = dict(spider_args or {})
    if base_url:
        args["base_url"] = base_url
    parse_spider_args(args)
    check_data_dir(data_dir or settings.data_dir)
    check_storage(storage or settings.storage, reach=reach_storage)
    warning = contact_warning(config.name, base_url or config.base_url)
    if warning and warn:
        print(warning, file=sys.stderr)
    return config
