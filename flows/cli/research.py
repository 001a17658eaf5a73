"""``warta archives query | get | export | index``: the research side of a stored archive.

``query`` runs SQL over every crawl's index (views ``captures`` and ``articles``), ``get``
prints one archived page read by HTTP range, ``export`` writes the articles as a Parquet
dataset, ``index`` builds the index of crawls stored before it existed and ``compact``
merges new crawls' index files into the compacted index. See
docs/research.md for the columns and example questions.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from crawler.config.units import format_bytes
from crawler.layout import PARQUET_SUFFIX
from flows.storage import open_storage


def day_argument(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _storage_filters(parser: argparse.ArgumentParser, what: str = "UTC day of the crawl") -> None:
    parser.add_argument("uri", metavar="STORAGE", help="s3://bucket/prefix or a local archive")
    parser.add_argument("--site", help="only this site")
    parser.add_argument("--since", type=day_argument, metavar="YYYY-MM-DD", help=f"first {what}")
    parser.add_argument("--until", type=day_argument, metavar="YYYY-MM-DD", help=f"last {what}")


def add_research_arguments(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    query = sub.add_parser("query", help="SQL over every crawl's index: captures, articles")
    _storage_filters(query)
    query.add_argument("sql", metavar="SQL", help='e.g. "SELECT count(*) FROM articles"')
    query.add_argument("--format", choices=("table", "csv", "json"), default="table")
    query.add_argument(
        "--no-compacted", dest="compacted", action="store_false",
        help="ignore the compacted index: read every crawl's own files (slow; for checks)",
    )  # fmt: skip

    get = sub.add_parser("get", help="one archived page by URL, read with one ranged GET")
    get.add_argument("uri", metavar="STORAGE", help="s3://bucket/prefix or a local archive")
    get.add_argument("url", metavar="URL")
    get.add_argument("--at", metavar="TIMESTAMP", help="closest to this time (default latest)")
    get.add_argument("--record", action="store_true", help="the WARC record itself, as stored")
    get.add_argument("-o", "--output", type=Path, metavar="FILE", help="write here, not stdout")

    export = sub.add_parser("export", help="articles as Parquet by site/year/month, one per URL")
    _storage_filters(export, what="publication day")
    export.add_argument("dest", metavar="DEST", type=Path, help="folder for the dataset")

    index = sub.add_parser("index", help="build the index of crawls stored without one")
    _storage_filters(index)
    index.add_argument("--rebuild", action="store_true", help="also crawls that have one")

    compact = sub.add_parser("compact", help="merge new crawls' index files, by site and month")
    compact.add_argument("uri", metavar="STORAGE", help="s3://bucket/prefix or a local archive")
    compact.add_argument("--site", help="only this site")
    compact.add_argument(
        "--max-parts", type=int, metavar="N",
        help="files a site-month keeps before one rewrite (default: settings)",
    )  # fmt: skip
    compact.add_argument(
        "--full", action="store_true",
        help="find new crawls by listing the whole archive, not the arrivals log",
    )  # fmt: skip
    compact.add_argument(
        "--repair", action="store_true",
        help="rewrite every partition, checking each file's sha256; rebuild bad ones",
    )  # fmt: skip


def _query(args: argparse.Namespace) -> int:
    from flows.archives.query import connect, format_result, run_query

    storage = open_storage(args.uri)
    storage.check()
    started = time.monotonic()
    con, files = connect(
        storage, site=args.site, since=args.since, until=args.until, compacted=args.compacted
    )
    table = run_query(con, args.sql)
    print(format_result(table, args.format))
    compacted = f", {files.compacted} of them compacted" if files.compacted else ""
    print(
        f"{table.num_rows} row(s) from {files.crawls} crawl(s){compacted} in "
        f"{time.monotonic() - started:.2f} s",
        file=sys.stderr,
    )
    if files.unindexed:
        print(
            f"note: {len(files.unindexed)} crawl(s) have no index (stored before it existed); "
            f"run: warta archives index {args.uri}",
            file=sys.stderr,
        )
    return 0


def _get(args: argparse.Namespace) -> int:
    from crawler.warc.reader import DecodedTooLarge
    from flows.archives.get import NotArchived, get_page, parse_timestamp
    from flows.archives.query import connect

    at = parse_timestamp(args.at) if args.at else None
    storage = open_storage(args.uri)
    storage.check()
    con, _files = connect(storage)
    try:
        asked, read, data, record = get_page(storage, con, args.url, at)
    except NotArchived as exc:
        print(f"warta archives get: {exc}", file=sys.stderr)
        return 1
    try:
        out = data if args.record else record.content()
    except DecodedTooLarge as exc:  # a compression bomb, archived as it was received
        print(f"warta archives get: {exc}; or use --record for the record as stored",
              file=sys.stderr)  # fmt: skip
        return 1
    if args.output:
        args.output.write_bytes(out)
    else:
        sys.stdout.buffer.write(out)
        sys.stdout.buffer.flush()
    via = f" (revisit of {read.fetch_time:%Y-%m-%d %H:%M:%S})" if asked is not read else ""
    print(
        f"{asked.url} captured {asked.fetch_time:%Y-%m-%d %H:%M:%S} UTC{via}, status "
        f"{read.status}: {read.length} bytes at {read.offset} of {read.warc_key}",
        file=sys.stderr,
    )
    return 0


def _export(args: argparse.Namespace) -> int:
    from flows.archives.export import export_articles
    from flows.archives.query import connect

    storage = open_storage(args.uri)
    storage.check()
    con, files = connect(storage, site=args.site)
    result = export_articles(con, args.dest, site=args.site, since=args.since, until=args.until)
    size = sum(p.stat().st_size for p in result.dest.rglob("*" + PARQUET_SUFFIX))
    print(
        f"{result.rows} article(s) from {files.crawls} crawl(s) in {result.files} file(s), "
        f"{format_bytes(size)} -> {result.dest}"
    )
    return 0


def _index(args: argparse.Namespace) -> int:
    from flows.archives.index import backfill_index

    storage = open_storage(args.uri)
    storage.check(write=True)
    report = backfill_index(
        storage, site=args.site, since=args.since, until=args.until, rebuild=args.rebuild
    )
    print(f"{len(report.done)} crawl(s) indexed, {len(report.skipped)} already had an index")
    for problem in report.problems:
        print(f"PROBLEM {problem}")
    return 0 if report.ok else 1


def _compact(args: argparse.Namespace) -> int:
    from flows.archives.compact import compact

    storage = open_storage(args.uri)
    storage.check(write=True)
    report = compact(
        storage, site=args.site, max_parts=args.max_parts, repair=args.repair, full=args.full
    )
    if report.generation is None:
        print("nothing to compact: every indexed crawl is in the compacted index")
    else:
        print(
            f"{report.crawls} crawl(s) compacted into {report.partitions} partition(s) "
            f"({report.merged} rewritten whole), {report.files} file(s), "
            f"{format_bytes(report.bytes)}: generation {report.generation} "
            f"in {report.seconds:.1f} s"
        )
    for problem in report.problems:
        print(f"PROBLEM {problem}")
    return 0 if not report.problems else 1


RESEARCH_ACTIONS: dict[str, Callable[[argparse.Namespace], int]] = {
    "query": _query,
    "get": _get,
    "export": _export,
    "index": _index,
    "compact": _compact,
}
