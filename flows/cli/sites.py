"""``warta sites``: list the configured sites and validate every file, as CI would."""

from __future__ import annotations

import argparse
import sys

from crawler.config.operator import site_groups
from crawler.config.sites import ConfigError, load_site_file, sites_dir


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quiet", action="store_true", help="print only problems")


def run(args: argparse.Namespace) -> int:
    folder = sites_dir()
    files = sorted(folder.glob("*.yaml"))
    if not files:
        print(f"no site files in {folder}", file=sys.stderr)
        return 1
    problems = 0
    for path in files:
        try:
            site = load_site_file(path)
        except ConfigError as exc:
            problems += 1
            print(f"INVALID {exc}", file=sys.stderr)
            continue
        if not args.quiet:
            schedule = site.schedule or "(no schedule)"
            note = "  (replica only: not deployed unless named)" if site.replica_only else ""
            print(f"{site.name:<16} {site.base_url:<40} {site.timezone:<16} {schedule}{note}")
    try:
        groups = site_groups()
    except ConfigError as exc:
        problems += 1
        print(f"INVALID {exc}", file=sys.stderr)
        groups = {}
    if not args.quiet:
        for name, members in groups.items():
            print(f"group {name}: {', '.join(members)}")
    return 1 if problems else 0
