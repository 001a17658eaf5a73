"""``warta deploy``: register the scheduled deployments, then serve them or leave them to a
work pool. What a deployment holds is :mod:`flows.deploy`'s business."""

from __future__ import annotations

import argparse
import os

from crawler.config.operator import load_operator_settings
from crawler.config.sites import ConfigError, load_site
from flows.cli.archive import add_data_dir, add_keep_local, add_set, parse_assignments
from flows.deploy import (
    OVERLAP,
    api_url,
    build_deployments,
    deployable_sites,
    ensure_process_pool,
)
from flows.preflight import check_storage


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--work-pool",
        metavar="NAME",
        help="register on this process work pool and exit (default: register and serve)",
    )
    parser.add_argument(
        "--sites", metavar="A,B",
        help="only these sites (default: every site file not marked replica_only)",
    )  # fmt: skip
    parser.add_argument("--storage", metavar="URI", help="archive target (default: settings)")
    add_data_dir(parser)
    parser.add_argument("--base-url", metavar="URL", help="crawl this address (one site only)")
    add_set(parser, "a Scrapy setting for every run (repeatable)")
    add_keep_local(parser)
    parser.add_argument(
        "--no-compact", dest="compact", action="store_false",
        help="leave out the compact-index deployment (compact_schedule in settings.yaml)",
    )  # fmt: skip
    parser.add_argument(
        "--on-overlap",
        choices=list(OVERLAP),
        default="enqueue",
        help="a run due while the site's previous run is going: enqueue it (wait for the "
        "slot) or cancel it (default: enqueue)",
    )


def check_api(url: str) -> None:
    """One line, not an httpx traceback, when the Prefect API does not answer. Plain httpx
    on ``/health`` (what Prefect's client asks too): importing Prefect alone takes seconds."""
    import httpx

    key = os.environ.get("PREFECT_API_KEY")
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    try:
        response = httpx.get(url.rstrip("/") + "/health", headers=headers, timeout=10)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        reason = (str(exc).splitlines() or [type(exc).__name__])[0]
        raise ConfigError(
            f"the Prefect API at {url} does not answer ({reason}); start one with "
            "`prefect server start` or fix PREFECT_API_URL"
        ) from None


def run(args: argparse.Namespace) -> int:
    # Cheap checks first, before Prefect is imported: each bad input costs a second.
    sites = [s.strip() for s in args.sites.split(",") if s.strip()] if args.sites else None
    settings = parse_assignments(args.settings, "--set")
    if args.storage:
        # The address only: the worker that runs the flow may hold other credentials.
        check_storage(args.storage, reach=False)
    for name in sites or deployable_sites():
        load_site(name)  # ConfigError names the site file and the field (a bad cron, ...)
    url = os.environ.get("PREFECT_API_URL") or api_url()
    if not url:
        raise ConfigError(
            "PREFECT_API_URL is not set; start a server (prefect server start) "
            "and export PREFECT_API_URL=http://127.0.0.1:4200/api"
        )
    check_api(url)
    try:
        deployments = build_deployments(
            sites,
            work_pool=args.work_pool,
            on_overlap=args.on_overlap,
            storage=args.storage,
            data_dir=args.data_dir,
            base_url=args.base_url,
            crawl_settings=settings or None,
            delete_local=args.delete_local,
        )
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    schedule = load_operator_settings().compact_schedule
    if args.compact and schedule:
        from flows.compact_flow import compact_deployment
        from flows.crawl_steps import resolve_storage

        storage = resolve_storage(args.storage or load_operator_settings().storage)
        deployments.append(compact_deployment(storage, schedule, work_pool=args.work_pool))
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
