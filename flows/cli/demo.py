"""``warta demo`` (``make demo``): the whole job on embedded defaults, with no internet.

It serves the bundled replica on 127.0.0.1, crawls it with the real spider, archives the
result to local storage (or ``--storage s3://...``), stops the replica and prints where
everything is. The replica listens on a fixed port by default so that URLs stay the same
from one run to the next and a second run finds what the first one archived.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path
from typing import Any

from crawler.config.operator import load_operator_settings
from crawler.config.sites import ConfigError, SiteConfig, load_site
from crawler.config.units import format_bytes
from crawler.process.progress_display import ProgressFollower, follow_crawl
from crawler.settings import POLITENESS_OFF
from flows.cli.archive import add_data_dir
from flows.preflight import check_archive_inputs
from flows.summary import failures_line

DEMO_CRAWL_SETTINGS: dict[str, Any] = {
    **POLITENESS_OFF,  # the replica is ours and on loopback: no need to be gentle with it
    "WARTA_PROGRESS_INTERVAL": 5,
    "WARTA_PROGRESS_DISPLAY": "off",  # the demo itself shows the crawl's progress
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--site", default="niaga", help="site whose replica to crawl (default: %(default)s)"
    )
    parser.add_argument(
        "--articles", type=int, default=60, help="articles in the replica (default: %(default)s)"
    )
    parser.add_argument(
        "--port", type=int, default=8765,
        help="replica port, 0 for any free one (default: %(default)s)",
    )  # fmt: skip
    add_data_dir(parser)
    parser.add_argument(
        "--storage", default=None, metavar="URI",
        help="archive target, a local path or s3://bucket/prefix (default: storage in "
        "config/settings.yaml, or $WARTA_STORAGE)",
    )  # fmt: skip


def command_name() -> str:
    """How the reader runs warta here: ``.venv/bin/warta`` from the repository root. The
    script sits beside this Python (the demo may run as ``python -m flows.cli``)."""
    script = Path(sys.executable).parent / "warta"
    try:
        return str(script.absolute().relative_to(Path.cwd()))
    except ValueError:
        return "warta"


def preflight(args: argparse.Namespace) -> SiteConfig:
    """Check the inputs before Prefect starts (ConfigError: one line, exit 2)."""
    from flows.graceful_stop import is_child

    if args.data_dir:
        os.environ["WARTA_DATA_DIR"] = str(args.data_dir)
    if args.storage:
        os.environ["WARTA_STORAGE"] = args.storage
    if args.articles < 1:
        raise ConfigError(f"--articles must be at least 1, not {args.articles}")
    settings = load_operator_settings()
    site = load_site(args.site)
    if not site.replica:
        raise ConfigError(f"site {site.name!r} has no bundled replica (field 'replica')")
    # The replica's address stands in for the site's: the demo never leaves 127.0.0.1.
    check_archive_inputs(
        site.name,
        storage=settings.storage,
        data_dir=str(settings.data_dir),
        base_url=f"http://127.0.0.1:{args.port or 8765}",
        warn=not is_child(),
    )
    return site


def run(args: argparse.Namespace) -> int:
    from replica.catalog import build_replica

    site = preflight(args)
    settings = load_operator_settings()
    assert site.replica is not None  # checked by preflight
    try:
        server = build_replica(site.replica, args.articles, port=args.port)
    except OSError as exc:
        print(
            f"warta demo: cannot serve the replica on 127.0.0.1:{args.port}: {exc.strerror}; "
            "pick another port with PORT=... (make) or --port",
            file=sys.stderr,
        )
        return 2
    with server:
        print(f"replica of {site.title or site.name}: {server.base_url} ({args.articles} articles)")
        data_dir = Path(settings.data_dir).expanduser().resolve()
        with ProgressFollower(*follow_crawl(data_dir, site.name)):
            result = archive_demo(site.name, server.base_url, settings.storage)
    print_summary(result)
    return 0


def archive_demo(site: str, base_url: str, storage: str) -> dict[str, Any]:
    """Run the real ``archive-site`` Prefect flow against the replica; return its summary."""
    from prefect.settings import temporary_settings

    from flows.archive_flow import archive_site, ephemeral_defaults

    print("running the archive-site flow (crawl, check, index, package, store) ...", flush=True)
    with temporary_settings(updates=ephemeral_defaults()):
        return archive_site(
            site, storage=storage, base_url=base_url, crawl_settings=DEMO_CRAWL_SETTINGS
        )


def print_summary(result: dict[str, Any]) -> None:
    print()
    print(f"pages fetched   {result.get('pages', 0)}")
    print(f"articles        {result.get('articles', 0)} ({result.get('new_articles', 0)} new)")
    print(f"WARC bytes      {format_bytes(result.get('warc_bytes') or 0)}")
    print(f"non-200 answers {result.get('errors', 0)}")
    print(f"failed fetches  {failures_line(result.get('failures') or {})}")
    print(f"crawl folder    {result['folder']}")
    print(f"archive         {result['storage']}  (manifest {result['manifest']})")
    for entry in result.get("files") or []:
        print(f"                - {entry['name']}")
    # The site's crawls folder: an incremental crawl's revisits refer to earlier crawls.
    site_folder = Path(result["folder"]).parent
    with contextlib.suppress(ValueError):
        site_folder = site_folder.relative_to(Path.cwd())
    print(f"check it:       {command_name()} verify {site_folder}")
