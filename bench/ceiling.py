"""Run (c), the extraction ceiling: ``warta reextract``'s path over a WARC, timed apart from
start-up. Writes ``{"pages", "records", "seconds"}`` to ``--stats``."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from crawler.config.sites import load_site
from crawler.extraction.reextract import reextract, scan


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ceiling")
    parser.add_argument("warcs", nargs="+", type=Path)
    parser.add_argument("--site", default="niaga")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--stats", type=Path, required=True)
    args = parser.parse_args(argv)
    site = load_site(args.site)
    wanted, _ = scan(args.warcs)  # which responses are articles: not part of the timing
    started = time.monotonic()
    with open(os.devnull, "w", encoding="utf-8") as sink:
        stats = reextract(args.warcs, site, sink, args.workers, wanted)
    seconds = time.monotonic() - started
    result = {"pages": stats.candidates, "records": stats.records, "seconds": seconds}
    args.stats.write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
