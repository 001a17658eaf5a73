"""``warta explore STORAGE [--port P]``: the researchers' explorer on a stored archive.

It opens the archive's research index (the one ``warta archives query`` reads), starts the
web application of :mod:`flows.explore` on 127.0.0.1 and prints its address; Ctrl-C stops
it. See docs/research.md.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time

DEFAULT_PORT = 8780


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("uri", metavar="STORAGE", help="s3://bucket/prefix or a local archive")
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT,
        help="port to listen on, 0 for any free one (default: %(default)s)",
    )  # fmt: skip
    parser.add_argument(
        "--host", default="127.0.0.1",
        help="address to listen on (default: %(default)s, this machine only)",
    )  # fmt: skip
    parser.add_argument("--open", action="store_true", help="open the page in a web browser")


def run(args: argparse.Namespace) -> int:
    from crawler.config.operator import site_groups
    from flows.explore.app import Explorer, ExplorerServer
    from flows.storage import open_storage

    groups = site_groups()  # a misspelt group member stops here, naming file and field
    storage = open_storage(args.uri)
    storage.check()
    explorer = Explorer(storage, groups, args.uri)
    started = time.monotonic()
    explorer.warm()
    sites = explorer.index.sites()
    files = explorer.index.files
    try:
        server = ExplorerServer(explorer, args.host, args.port)
    except OSError as exc:
        print(f"warta explore: cannot listen on {args.host}:{args.port}: {exc.strerror}; "
              "choose another with --port", file=sys.stderr)  # fmt: skip
        return 2
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    stories = sum(n for _, n in sites)
    print(
        f"{stories} stories from {len(sites)} site(s) in {files.crawls} crawl(s), "
        f"index opened in {time.monotonic() - started:.2f} s"
    )
    if files.unindexed:
        print(f"note: {len(files.unindexed)} crawl(s) have no index; run: "
              f"warta archives index {args.uri}")  # fmt: skip
    print(f"warta explorer: {server.url}  (Ctrl-C stops it)", flush=True)
    if args.open:
        import webbrowser

        webbrowser.open(server.url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
