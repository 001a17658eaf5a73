"""``warta verify PATH...``: check WARC files, crawl folders and CDXJ indexes.

The checks are :mod:`crawler.warc.verify`'s; exit status 0 when all is well, 1 otherwise.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from crawler.layout import CDXJ_SUFFIX, warc_files
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
    waiting = unpackaged_crawls([Path(p) for p in args.paths])
    if waiting:
        # Not indexed yet is not damage: the WARCs are checked, the index comes with storing.
        report.problems = [
            p for p in report.problems
            if not (p.kind == "index-missing" and Path(p.file).resolve().parent in waiting)
        ]  # fmt: skip
        for folder in sorted(waiting):
            site = folder.parent.name
            print(f"crawl {folder.name} is not stored yet: run `warta archive {site}` "
                  f"(or `warta archive {site} --resume {folder.name}`)")  # fmt: skip
    print(report.format(limit=args.limit or None))
    return 0 if report.ok else 1


def unpackaged_crawls(paths: list[Path]) -> set[Path]:
    """Crawl folders among ``paths`` (or just under them) holding WARCs but no index yet:
    an interrupted crawl, which the next ``warta archive`` of its site recovers and stores."""
    folders: set[Path] = set()
    for path in paths:
        if not path.is_dir():
            continue
        for folder in [path, *(p for p in path.iterdir() if p.is_dir())]:
            indexed = any(p.name.endswith(CDXJ_SUFFIX) for p in folder.iterdir())
            if warc_files(folder, include_open=True) and not indexed:
                folders.add(folder.resolve())
    return folders
