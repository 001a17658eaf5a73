"""``warta archive SITE``: run the ``archive-site`` flow once, here, and print a summary.

Prefect's ephemeral server is used unless PREFECT_API_URL points at one.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from crawler.config.operator import load_operator_settings
from crawler.config.sites import ConfigError
from crawler.process.crawl_lock import CrawlLocked
from crawler.process.progress_display import follow_crawl
from flows.lease import SiteBusy

# Expected conditions, not faults: said in one line, with nothing to resume.
EXPECTED = (SiteBusy, CrawlLocked)


def parse_assignments(items: list[str] | None, what: str) -> dict[str, str]:
    """NAME=VALUE pairs from the command line; a malformed one is a clear error."""
    out: dict[str, str] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ConfigError(f"{what} must be NAME=VALUE, got {item!r}")
        out[name.strip()] = value
    return out


def add_data_dir(parser: argparse.ArgumentParser) -> None:
    """``--data-dir`` everywhere (``--data``, demo's old spelling, still works)."""
    parser.add_argument(
        "--data-dir", "--data", dest="data_dir", metavar="DIR",
        help="root of local crawl folders and crawl state (default: data_dir in "
        "config/settings.yaml, or $WARTA_DATA_DIR)",
    )  # fmt: skip


def add_set(parser: argparse.ArgumentParser, what: str) -> None:
    """``--set NAME=VALUE``: Scrapy settings for the crawl (checked before it starts)."""
    parser.add_argument("--set", dest="settings", action="append", metavar="NAME=VALUE", help=what)


def add_keep_local(parser: argparse.ArgumentParser) -> None:
    keep = parser.add_mutually_exclusive_group()
    keep.add_argument(
        "--delete-local", dest="delete_local", action="store_true", default=None,
        help="delete local files once their upload is verified",
    )  # fmt: skip
    keep.add_argument(
        "--keep-local", dest="delete_local", action="store_false",
        help="keep local files after upload (default: delete_local_after_upload in "
        "config/settings.yaml, which is false)",
    )  # fmt: skip


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("site", metavar="SITE", help="a site in config/sites/")
    parser.add_argument("--storage", metavar="URI", help="s3://bucket/prefix or a local path")
    parser.add_argument("--base-url", metavar="URL", help="crawl this address instead")
    add_set(parser, "a Scrapy setting for this crawl (repeatable), e.g. DOWNLOAD_DELAY=2")
    parser.add_argument(
        "--arg",
        dest="spider_args",
        action="append",
        metavar="NAME=VALUE",
        help="a spider argument (repeatable), e.g. max_articles=50",
    )
    parser.add_argument("--resume", metavar="CRAWL_ID", help="store an earlier crawl's folder")
    add_data_dir(parser)
    add_keep_local(parser)
    parser.add_argument("--deep-verify", action="store_true", help="read every upload back")
    parser.add_argument("--json", action="store_true", help="print the whole summary as JSON")


def preflight(args: argparse.Namespace) -> tuple[dict[str, str], dict[str, str]]:
    """Check every input before Prefect starts (ConfigError: one line, exit 2); return the
    crawl settings and spider arguments. Runs in the supervisor and again in its child."""
    from flows.graceful_stop import is_child
    from flows.preflight import check_archive_inputs

    settings = parse_assignments(args.settings, "--set")
    spider_args = parse_assignments(args.spider_args, "--arg")
    check_archive_inputs(
        args.site,
        storage=args.storage,
        base_url=args.base_url,
        crawl_settings=settings,
        spider_args=spider_args,
        data_dir=args.data_dir,
        warn=not is_child(),  # the supervisor has warned already
    )
    return settings, spider_args


def run(args: argparse.Namespace) -> int:
    settings, spider_args = preflight(args)
    data_dir = Path(args.data_dir or load_operator_settings().data_dir).expanduser().resolve()

    from prefect.settings import temporary_settings

    from crawler.process.progress_display import ProgressFollower
    from flows.archive_flow import archive_site, ephemeral_defaults, short_error
    from flows.cli.quiet import one_line_errors
    from flows.summary import render_text

    one_line_errors(getattr(args, "debug", False))
    started = time.time()

    try:
        with (
            temporary_settings(updates=ephemeral_defaults()),
            # On stderr: stdout carries the summary (--json: nothing but the JSON).
            ProgressFollower(*follow_crawl(data_dir, args.site, args.resume, sys.stderr)),
        ):
            summary = archive_site(
                args.site,
                storage=args.storage,
                base_url=args.base_url,
                crawl_settings=settings or None,
                delete_local=args.delete_local,
                spider_args=spider_args or None,
                resume_crawl_id=args.resume,
                data_dir=str(data_dir),
                deep_verify=args.deep_verify,
            )
    except Exception as exc:
        if getattr(args, "debug", False):
            raise
        print(f"warta archive {args.site}: failed: {short_error(exc)}", file=sys.stderr)
        left = None if isinstance(exc, EXPECTED) else resumable(data_dir, args.site, started)
        if left is not None:
            print(f"its files are kept in {left}; `warta archive {args.site} --resume "
                  f"{left.name}` finishes the job", file=sys.stderr)  # fmt: skip
        return 1
    print(json.dumps(summary, indent=2) if args.json else render_text(summary))
    return 0


def resumable(data_dir: Path, site: str, since: float) -> Path | None:
    """The crawl folder this run left with WARC files in it, if any: only then is there
    something for ``--resume`` to finish."""
    from crawler.layout import crawl_folder
    from flows.unfinished import holds_warcs

    site_dir = crawl_folder(data_dir, site, "x").parent
    if not site_dir.is_dir():
        return None
    left = [
        p
        for p in site_dir.iterdir()
        if p.is_dir() and p.stat().st_mtime >= since - 1 and holds_warcs(p)
    ]
    return max(left, key=lambda p: p.stat().st_mtime, default=None)
