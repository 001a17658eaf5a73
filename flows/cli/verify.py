"""``warta verify PATH...``: check WARC files, crawl folders and CDXJ indexes.

The checks are :mod:`crawler.warc.verify`'s; exit status 0 when all is well, 1 otherwise.
"""

from __future__ import annotations

import argparse

from crawler.warc.verify import verify_paths


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="WARC files, CDXJ indexes, or crawl folders holding them",
    )
    parser.add_argument(
        "--limit",
        type=int,
        default=200,
        help="show at most this many problems (default 200; 0 = all)",
    )


def run(args: argparse.Namespace) -> int:
    report = verify_paths(args.paths)
    print(report.format(limit=args.limit or None))
    return 0 if report.ok else 1
