"""``warta archives``: list, download, verify and share stored crawls; query their index
with SQL, get one archived page by URL, export the articles as a dataset, back-fill indexes.

Works the same on ``s3://bucket/prefix`` and on a local archive folder. Exit status: 0 when
all is well, 1 when files are missing or do not match their manifest (or a URL is not
archived), 2 when the command cannot run (bad arguments, a refused manifest, storage
unreachable, access denied, an SQL error).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from crawler.config.units import format_bytes
from flows.archives import (
    Report,
    download_crawls,
    find_crawls,
    parse_expiry,
    presign_crawls,
    read_manifests,
    verify_archive,
)
from flows.archives.snapshot import IndexCorrupt
from flows.cli.research import RESEARCH_ACTIONS, add_research_arguments, day_argument
from flows.storage import LocalStorage, StorageError, open_storage


def _command(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], name: str, what: str
) -> argparse.ArgumentParser:
    return sub.add_parser(name, help=what, description=what)


def _filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("uri", metavar="URI", help="s3://bucket/prefix or a local archive path")
    parser.add_argument("--site", help="only this site")
    parser.add_argument("--since", type=day_argument, metavar="YYYY-MM-DD", help="first UTC day")
    parser.add_argument("--until", type=day_argument, metavar="YYYY-MM-DD", help="last UTC day")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = (
        "S3 endpoint and credentials come from AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, "
        "AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION or ~/.aws/config."
    )
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    listing = _command(sub, "list", "list stored crawls: date, site, crawl id, size")
    _filters(listing)
    listing.add_argument("--json", action="store_true", help="one JSON object per crawl")

    down = _command(sub, "download", "download crawls; run again to resume")
    _filters(down)
    down.add_argument("dest", metavar="DEST", type=Path, help="folder to download into")
    down.add_argument("--no-progress", action="store_true", help="no progress bar")
    down.add_argument(
        "--wacz", action="store_true", help="also package each crawl as a WACZ (ReplayWeb.page)"
    )

    check = _command(sub, "verify", "check every stored file against its manifest")
    _filters(check)
    check.add_argument(
        "--deep", action="store_true", help="download and hash every object (slow, thorough)"
    )

    share = _command(sub, "presign", "print time-limited links that need no credentials")
    _filters(share)
    share.add_argument(
        "--expires", default="7d", help="how long links work: 7d, 12h, 30m (at most 7d)"
    )
    add_research_arguments(sub)


def _print_problems(report: Report) -> None:
    for note in report.notes:
        print(f"note: {note}", file=sys.stderr)
    for problem in report.problems:
        print(f"PROBLEM {problem}")


def _list(args: argparse.Namespace) -> int:
    storage = open_storage(args.uri)
    storage.check()
    report = Report()
    refs = find_crawls(storage, site=args.site, since=args.since, until=args.until)
    rows = [
        (str(m.crawl_date), m.site, m.crawl_id, len(m.files), m.total_bytes)
        for m in read_manifests(storage, refs, report)
    ]
    if args.json:
        for day, site, crawl, files, size in rows:
            print(
                json.dumps(
                    {"date": day, "site": site, "crawl_id": crawl, "files": files, "bytes": size}
                )
            )
    else:
        width = max([len(r[2]) for r in rows] + [8])
        print(f"{'DATE':<10}  {'SITE':<12}  {'CRAWL':<{width}}  {'FILES':>5}  {'SIZE':>10}")
        for day, site, crawl, files, size in rows:
            print(f"{day:<10}  {site:<12}  {crawl:<{width}}  {files:>5}  {format_bytes(size):>10}")
        total = sum(r[4] for r in rows)
        print(f"{len(rows)} crawl(s), {format_bytes(total)} ({total} bytes)", file=sys.stderr)
    _print_problems(report)
    return 0 if report.ok else 1


def _download(args: argparse.Namespace) -> int:
    storage = open_storage(args.uri)
    storage.check()
    try:
        report = download_crawls(
            storage,
            args.dest,
            site=args.site,
            since=args.since,
            until=args.until,
            progress=not args.no_progress,
            wacz=args.wacz,
        )
    except StorageError as exc:
        print(f"warta archives download: {exc}", file=sys.stderr)
        print("partial files are kept; run the same command again to resume", file=sys.stderr)
        return 2
    print(
        f"{report.crawls} crawl(s), {report.files} file(s): {len(report.done)} downloaded, "
        f"{len(report.skipped)} already complete, {len(report.problems)} problem(s) "
        f"-> {args.dest}"
    )
    _print_problems(report)
    return 0 if report.ok else 1


def _verify(args: argparse.Namespace) -> int:
    storage = open_storage(args.uri)
    storage.check()
    report = verify_archive(
        storage, site=args.site, since=args.since, until=args.until, deep=args.deep
    )
    how = "content re-hashed" if args.deep else "size and recorded sha256; --deep re-hashes"
    _print_problems(report)
    status = "OK" if report.ok else "FAILED"
    print(
        f"{status}: {report.crawls} crawl(s), {report.files} file(s), {format_bytes(report.bytes)} "
        f"checked ({how}); {len(report.problems)} problem(s) in {storage.uri}"
    )
    return 0 if report.ok else 1


def _presign(args: argparse.Namespace) -> int:
    seconds = parse_expiry(args.expires)
    storage = open_storage(args.uri)
    storage.check()
    links, report = presign_crawls(
        storage, seconds, site=args.site, since=args.since, until=args.until
    )
    for _key, link in links:
        print(link)
    if isinstance(storage, LocalStorage):
        print(
            "note: a local archive has no links to share; these file:// paths work only on "
            "this machine and do not expire",
            file=sys.stderr,
        )
    else:
        until = datetime.now(UTC) + timedelta(seconds=seconds)
        print(
            f"{len(links)} link(s) for {report.crawls} crawl(s), valid until "
            f"{until:%Y-%m-%d %H:%M} UTC; anyone holding a link can download that file",
            file=sys.stderr,
        )
    _print_problems(report)
    return 0 if report.ok else 1


ACTIONS = {
    "list": _list,
    "download": _download,
    "verify": _verify,
    "presign": _presign,
    **RESEARCH_ACTIONS,
}


def run(args: argparse.Namespace) -> int:
    since, until = getattr(args, "since", None), getattr(args, "until", None)
    if since and until and since > until:  # an empty window is a mistake, not "0 rows"
        print(f"warta archives {args.action}: --since {since} is after --until {until}",
              file=sys.stderr)  # fmt: skip
        return 2
    try:
        return ACTIONS[args.action](args)
    except (StorageError, ValueError, duckdb.Error, IndexCorrupt) as exc:
        message = " ".join(str(exc).split())  # one line, whatever the cause printed
        print(f"warta archives {args.action}: {message}", file=sys.stderr)
        return 2
