"""How long the explorer's pages take on an archive, against a baseline from the same run.

    .venv/bin/python -m bench.explore_bench data/archive [--repeat 5]

It serves the archive with the real application on a loopback port and fetches, over HTTP,
the first page (the index opened, nothing cached: what `warta explore` users wait for), then
a few searches again and again. The baseline is the cheapest question the same index
answers, ``SELECT count(*) FROM articles`` through :func:`flows.archives.query.connect`,
timed in the same process just before; the ratios make runs on busy and idle machines
comparable. Numbers: docs/performance.md.
"""

from __future__ import annotations

import argparse
import statistics
import time
import urllib.request

from flows.archives.query import connect
from flows.explore.app import Explorer, ExplorerServer
from flows.storage import open_storage

SEARCHES = (
    "",
    "q=banjir",
    "q=banjir+OR+%22harga+elpiji%22&every=week",
    "q=banjir*+-samarinda&measure=share",
)


def fetch(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=300) as response:
        response.read()
        assert response.status == 200
    return time.perf_counter() - started


def baseline(uri: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        con, _files = connect(open_storage(uri))
        con.execute("SELECT count(*) FROM articles").fetchall()
        times.append(time.perf_counter() - started)
        con.close()
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("uri", metavar="STORAGE", help="an archive (local path or s3://)")
    parser.add_argument("--repeat", type=int, default=5, help="fetches of each search")
    args = parser.parse_args()
    base = baseline(args.uri, args.repeat)
    started = time.perf_counter()
    explorer = Explorer(open_storage(args.uri), {}, args.uri)
    explorer.warm()  # as `warta explore` does before it prints the address
    server = ExplorerServer(explorer)
    server.serve_in_thread()
    try:
        first = fetch(server.url)
        cold = time.perf_counter() - started
        print(f"baseline (open index + count articles): {base * 1000:.0f} ms")
        print(f"first page: {first * 1000:.0f} ms ({first / base:.1f}x baseline); "
              f"server start to first page {cold * 1000:.0f} ms")  # fmt: skip
        for search in SEARCHES:
            times = [fetch(f"{server.url}?{search}") for _ in range(args.repeat)]
            median = statistics.median(times)
            print(f"/?{search:<44} median {median * 1000:6.0f} ms  {median / base:5.1f}x baseline")
    finally:
        server.shutdown()
        server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
