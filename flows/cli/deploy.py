"""``warta deploy``: register the scheduled deployments, then serve them or leave them to a
work pool. What a deployment holds is :mod:`flows.deploy`'s business."""

from __future__ import annotations

import argparse
import sys

from flows.cli.archive import parse_assignments
from flows.deploy import OVERLAP, api_url, build_deployments, ensure_process_pool


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--work-pool",
        metavar="NAME",
        help="register on this process work pool and exit (default: register and serve)",
    )
    parser.add_argument("--sites", metavar="A,B", help="only these sites (default: all)")
    parser.add_argument("--storage", metavar="URI", help="archive target (default: settings)")
    parser.add_argument("--data-dir", metavar="DIR", help="local crawl folders (default: settings)")
    parser.add_argument("--base-url", metavar="URL", help="crawl this address (one site only)")
    parser.add_argument(
        "--set",
        dest="settings",
        action="append",
        metavar="NAME=VALUE",
        help="a Scrapy setting for every run (repeatable)",
    )
    keep = parser.add_mutually_exclusive_group()
    keep.add_argument("--delete-local", dest="delete_local", action="store_true", default=None)
    keep.add_argument("--keep-local", dest="delete_local", action="store_false")
    parser.add_argument(
        "--on-overlap",
        choices=sorted(OVERLAP),
        default="enqueue",
        help="a run due while the site's previous run is going: wait for it, or cancel",
    )


def run(args: argparse.Namespace) -> int:
    url = api_url()
    if not url:
        print(
            "warta deploy: PREFECT_API_URL is not set; start a server (prefect server start) "
            "and export PREFECT_API_URL=http://127.0.0.1:4200/api",
            file=sys.stderr,
        )
        return 2
    try:
        sites = [s.strip() for s in args.sites.split(",") if s.strip()] if args.sites else None
        deployments = build_deployments(
            sites,
            work_pool=args.work_pool,
            on_overlap=args.on_overlap,
            storage=args.storage,
            data_dir=args.data_dir,
            base_url=args.base_url,
            crawl_settings=parse_assignments(args.settings, "--set") or None,
            delete_local=args.delete_local,
        )
    except (ValueError, argparse.ArgumentTypeError) as exc:
        print(f"warta deploy: {exc}", file=sys.stderr)
        return 2
    for deployment in deployments:
        schedules = deployment.schedules or []
        when = ", ".join(str(getattr(s.schedule, "cron", s.schedule)) for s in schedules)
        print(f"{deployment.flow_name}/{deployment.name}: {when or 'no schedule (manual runs)'}")
    if args.work_pool:
        ensure_process_pool(args.work_pool)
        for deployment in deployments:
            deployment.apply(work_pool_name=args.work_pool)
        print(
            f"registered {len(deployments)} deployment(s) on work pool {args.work_pool!r} at "
            f"{url}; run them with: prefect worker start --pool {args.work_pool}"
        )
        return 0
    from prefect import serve

    print(f"serving {len(deployments)} deployment(s) from {url}; stop with Ctrl-C")
    serve(*deployments, print_starting_message=False)
    return 0
