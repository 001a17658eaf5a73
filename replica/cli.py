"""Serve a local replica (niaga.asia, or ``--site portal``) until a signal.

Runs on its own as ``python -m replica`` and inside warta as ``warta replica`` (which calls
``add_arguments`` and ``run`` here). Prints exactly one line, ``serving http://HOST:PORT``,
once the socket listens, so scripts (the demo, benchmarks, tests) can start it with
``--port 0`` and read the address back.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from replica.catalog import build_replica, replica_kind
from replica.content import DEFAULT_SEED
from replica.server import is_loopback


def _kind(name: str) -> str:
    try:
        return replica_kind(name)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--site",
        type=_kind,
        default="niaga",
        help="which replica: niaga (WordPress) or portal (custom CMS, multi-page articles; "
        "also called kabarbenua, the site it imitates)",
    )
    parser.add_argument("--port", type=int, default=8000, help="TCP port; 0 picks a free one")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (loopback only)")
    parser.add_argument("--articles", type=int, default=60, help="number of articles")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="content seed")
    parser.add_argument(
        "--delay",
        type=float,
        default=0.0,
        help="seconds added to every response (a network-like regime)",
    )
    parser.add_argument(
        "--crawl-delay", type=float, default=None, help="Crawl-delay to announce in robots.txt"
    )
    parser.add_argument(
        "--faults",
        action="store_true",
        help="link the /__fault__/ URLs from the home page and post sitemap",
    )
    parser.add_argument(
        "--cache-mb", type=int, default=256, help="memory for cached rendered/gzipped pages"
    )
    parser.add_argument("--log-file", default=None, help="append one line per request here")
    parser.add_argument(
        "--public", action="store_true", help="allow binding to a non-loopback address"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m replica [options]``: the same options and behaviour as ``warta replica``."""
    parser = argparse.ArgumentParser(
        prog="python -m replica", description="serve the local replica of a news site"
    )
    add_arguments(parser)
    parser.set_defaults(program=parser.prog)
    return run(parser.parse_args(argv))


def run(args: argparse.Namespace) -> int:
    program = getattr(args, "program", "warta replica")  # names the command in error messages
    if not (args.public or is_loopback(args.host)):
        print(
            f"{program}: refusing to bind to {args.host}; pass --public to allow it",
            file=sys.stderr,
        )
        return 2
    if args.articles < 1 or not 0 <= args.port <= 65535 or args.delay < 0:
        print(f"{program}: --articles must be >= 1, --port 0-65535, --delay >= 0", file=sys.stderr)
        return 2
    log_file = open(args.log_file, "a", encoding="utf-8") if args.log_file else None  # noqa: SIM115
    try:
        server = build_replica(
            getattr(args, "site", "niaga"),
            args.articles,
            seed=args.seed,
            host=args.host,
            port=args.port,
            delay=args.delay,
            crawl_delay=args.crawl_delay,
            faults=args.faults,
            log_file=log_file,
            allow_public=args.public,
            cache_bytes=args.cache_mb << 20,
        )
    except OSError as exc:
        print(f"{program}: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        with server:
            print(f"serving {server.base_url}", flush=True)
            while not stop.wait(0.5):
                pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if log_file is not None:
            log_file.close()
    return 0
