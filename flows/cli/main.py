"""The ``warta`` command: a dispatcher over one module per subcommand in :mod:`flows.cli`.

A subcommand module provides ``add_arguments(parser)`` and ``run(args) -> int`` and leaves
the work to plain functions in ``crawler`` or ``flows``. It is imported only when used, so
``warta extract`` does not pay for importing Prefect.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from crawler import __version__
from crawler.config.sites import ConfigError

SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("flows.cli.demo", "crawl the bundled replica and archive it locally"),
    "replica": ("replica.cli", "serve the local replica of a news site"),
    "extract": ("flows.cli.extract", "extract one article record from an HTML file"),
    "reextract": ("flows.cli.reextract", "rebuild article records from existing WARCs"),
    "verify": ("flows.cli.verify", "check WARC digests, pairing, references and indexes"),
    "sites": ("flows.cli.sites", "list configured sites and validate their files"),
    "archive": ("flows.cli.archive", "crawl a site and store its archive (the Prefect flow)"),
    "deploy": ("flows.cli.deploy", "register scheduled Prefect deployments of the real sites"),
    "archives": ("flows.cli.archives", "list, download, verify and share stored archives"),
    "explore": ("flows.cli.explore", "search an archive in a browser: attention, stories, replay"),
}

SUPERVISED = frozenset({"archive", "demo"})  # long runs whose Ctrl-C must not lose a crawl


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="warta", description="warta: a crawler and web archive for regional news"
    )
    parser.add_argument("--version", action="version", version=f"warta {__version__}")
    parser.add_argument(
        "--debug", action="store_true", help="show a traceback when a command fails"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=help_text)
        if name == only:
            importlib.import_module(module_name).add_arguments(command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    chosen = next((a for a in args_list if not a.startswith("-")), None)
    parser = build_parser(chosen if chosen in SUBCOMMANDS else None)
    args = parser.parse_args(args_list)
    if not args.command:
        parser.print_help()
        return 2
    module = importlib.import_module(SUBCOMMANDS[args.command][0])
    try:
        if argv is None and args.command in SUPERVISED:  # see flows.graceful_stop
            from flows import graceful_stop

            if not graceful_stop.is_child():
                # Bad input is reported here, before a second process pays for imports.
                module.preflight(args)
                return graceful_stop.run_supervised(args_list)
            graceful_stop.become_child()
        if args.command in SUPERVISED:
            from flows.cli.quiet import quiet_prefect

            quiet_prefect(args.debug)
        return int(module.run(args) or 0)
    except ConfigError as exc:  # bad input: one line naming it, exit 2, before any work
        if args.debug:
            raise
        print(f"warta {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:
        print(f"warta {args.command}: interrupted. {exc}".rstrip(". "), file=sys.stderr)
        if args.command in SUPERVISED:
            from flows.graceful_stop import is_child, stop_temporary_server

            stop_temporary_server()
            if is_child():
                # The crawl is closed and the run recorded; what Python would still run at
                # exit is Prefect's clients flushing to the server just stopped: seconds of
                # retries against a dead port, while the user waits for the prompt.
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(130)
        return 130
    except Exception as exc:  # anything else: one line; --debug shows where it came from
        if args.debug:
            raise
        first = (str(exc).splitlines() or [""])[0][:300]
        print(
            f"warta {args.command}: failed: {type(exc).__name__}: {first} "
            "(run with --debug for the traceback)",
            file=sys.stderr,
        )
        return 1
