"""``warta reextract WARC...``: rebuild article records from WARC files alone.

The work is :mod:`crawler.extraction.reextract`'s; this module reads the arguments and reports.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from crawler.config.sites import load_site
from crawler.extraction.reextract import ReextractError, reextract, reextract_to_file, scan


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("warcs", nargs="+", metavar="WARC", type=Path, help="WARC files to read")
    parser.add_argument(
        "--site", default=None, help="site config name (default: the one named in warcinfo)"
    )
    parser.add_argument(
        "--out", default="-", help="JSON Lines file to write (default: standard output)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="extraction processes (default: one per core; 0 extracts in this process)",
    )


def run(args: argparse.Namespace) -> int:
    paths: list[Path] = list(args.warcs)
    if args.workers is not None and args.workers < 0:
        print("warta reextract: --workers must be >= 0", file=sys.stderr)
        return 2
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        print(f"warta reextract: no such file: {', '.join(missing)}", file=sys.stderr)
        return 2
    try:
        wanted, named = scan(paths)
        site_name = args.site or named
        if site_name is None:
            raise ReextractError("no site named in the WARC's warcinfo; pass --site")
        site = load_site(site_name)
        if args.out == "-":
            stats = reextract(paths, site, sys.stdout, args.workers, wanted)
        else:
            stats = reextract_to_file(paths, site, Path(args.out), args.workers, wanted)
    except ReextractError as exc:
        print(f"warta reextract: {exc}", file=sys.stderr)
        return 2
    for problem in stats.too_large:
        print(f"warta reextract: skipped {problem}", file=sys.stderr)
    print(
        f"warta reextract: {stats.records} records from {stats.candidates} article pages "
        f"({stats.responses} responses, {stats.failed} without text, "
        f"{len(stats.too_large)} too large to decode, pages by {stats.mode})",
        file=sys.stderr,
    )
    return 0
