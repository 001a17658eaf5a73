"""``warta extract``: one HTML file in, one JSON record out, for checking a site's rules.

Exit codes: 0 record printed, 1 no article found on the page, 2 bad input (unreadable file;
an unknown site is reported by ``flows.cli`` through ConfigError).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from crawler.config.sites import load_site


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="HTML file to read, or - for stdin")
    parser.add_argument("--url", required=True, help="URL the page was fetched from")
    parser.add_argument(
        "--site",
        default=None,
        help="site config name (config/sites/NAME.yaml); generic rules if unset",
    )
    parser.add_argument("--indent", type=int, default=None, help="pretty-print with this indent")


def _read(file: str) -> bytes:
    if file == "-":
        return sys.stdin.buffer.read()
    return Path(file).read_bytes()


def run(args: argparse.Namespace) -> int:
    from crawler.extraction.article import extract_article

    site = load_site(args.site) if args.site else None
    try:
        data = _read(args.file)
    except OSError as exc:
        print(f"warta extract: cannot read {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    article = extract_article(data, args.url, site)
    if article is None:
        print(f"warta extract: no article found in {args.file}", file=sys.stderr)
        return 1
    if args.indent is not None:
        print(article.model_dump_json(indent=args.indent))
    else:
        print(article.to_json())
    return 0
