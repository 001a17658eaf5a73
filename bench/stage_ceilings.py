"""Ceilings of the crawl's stages that no crawl run measures alone: WARC writing with exact
capture, and the crawl state's writes.

Both replay what a full crawl (run (a)) did, read back from its WARC, on one core and
without Scrapy's engine, so each figure is what that stage alone costs per article:

- **warc**: every exchange's bytes fed to a :class:`WireTape` in socket-sized reads, turned
  into records by ``from_tape`` and written by :class:`RotatingWarcWriter` (record building,
  digests, gzip members, flushes), plus each article's conversion and metadata records;
- **requisites_list**: listing each article page's requisites from its parsed tree, which
  the extraction workers do beside extraction (the extraction ceiling does not);
- **state**: the crawl state's calls per exchange (the revisit policy's two look-ups, the
  response row) and per article (discovery's two look-ups, the duplicate check and the
  article row), committed every
  ``WARTA_STATE_COMMIT_INTERVAL`` like the crawl.

Writes ``{"articles", "exchanges", "warc_cpu_s", "requisites_cpu_s", "state_cpu_s"}`` (CPU
seconds of this process, ``time.process_time``) to ``--stats``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lxml import html as lxml_html
from scrapy.http import Request

from crawler.canonical import CanonicalError, dedup_key
from crawler.extraction.requisites import page_requisites
from crawler.incremental.store import CrawlState
from crawler.pipelines import derived_records
from crawler.warc.reader import WarcReader
from crawler.warc.tape import WireTape
from crawler.warc.wire import from_tape
from crawler.warc.writer import RotatingWarcWriter

READ_SIZE = 65536  # what Twisted reads from a socket at once


@dataclass
class Exchange:
    url: str
    method: str
    sent: bytes
    received: bytes
    status: int


def load(warcs: list[Path]) -> tuple[list[Exchange], list[dict[str, Any]]]:
    """Every request/response pair and every article record of the crawl's WARCs."""
    requests: dict[str, bytes] = {}
    responses: list[tuple[str, str, bytes]] = []
    articles: list[dict[str, Any]] = []
    for path in warcs:
        with WarcReader(path, parse_http=False) as reader:
            for entry in reader:
                kind = entry.rec_type
                block = bytes(entry.record.raw_stream.read())
                if kind == "request":
                    requests[entry.header("WARC-Concurrent-To") or ""] = block
                elif kind == "response":
                    responses.append((entry.record_id or "", entry.target_uri or "", block))
                elif kind == "metadata" and entry.header("Content-Type") == "application/json":
                    articles.append(json.loads(block))
    exchanges = []
    for record_id, url, block in responses:
        sent = requests.get(record_id, b"GET / HTTP/1.1\r\n\r\n")
        method = sent.split(b" ", 1)[0].decode("ascii", "replace")
        status = int(block.split(b" ", 2)[1]) if block.startswith(b"HTTP/") else 0
        exchanges.append(Exchange(url, method, sent, block, status))
    return exchanges, articles


def warc_ceiling(exchanges: list[Exchange], articles: list[dict[str, Any]], out: Path) -> float:
    """CPU seconds to tape and write every exchange and article record."""
    started = time.process_time()
    with RotatingWarcWriter(out, prefix="ceiling", host="bench") as writer:
        for exchange in exchanges:
            tape = WireTape(limit=33 * 1024 * 1024)
            tape.record_sent(exchange.sent)
            for at in range(0, len(exchange.received), READ_SIZE):
                tape.record_received(exchange.received[at : at + READ_SIZE])
            tape.finish()
            captured = from_tape(
                Request(exchange.url, method=exchange.method), tape, writer.now(), None, None
            )
            writer.write_exchange(*captured)
            tape.close()
        for item in articles:
            writer.write_records(derived_records(item, writer))
    return time.process_time() - started


def requisites_ceiling(warcs: list[Path], articles: list[dict[str, Any]]) -> float:
    """CPU seconds to list the requisites of every article page (parsing not counted: the
    worker parses a page once, for extraction)."""
    wanted = {item.get("fetched_url") or item["url"] for item in articles}
    spent = 0.0
    for path in warcs:
        with WarcReader(path) as reader:
            for entry in reader:
                if entry.rec_type != "response" or entry.target_uri not in wanted:
                    continue
                tree = lxml_html.fromstring(entry.content())
                started = time.process_time()
                page_requisites(tree, entry.target_uri or "")
                spent += time.process_time() - started
    return spent


def state_ceiling(
    exchanges: list[Exchange], articles: list[dict[str, Any]], db: Path, commit_interval: float
) -> float:
    """CPU seconds for the crawl state's look-ups and rows of the whole crawl."""
    started = time.process_time()
    state = CrawlState(db, commit_interval=commit_interval)
    state.start_run("ceiling", db.parent)
    warc = db.parent / "ceiling.warc.gz"
    now = datetime.now(UTC)
    for n, exchange in enumerate(exchanges):
        state.capture(exchange.url)  # before_request
        state.capture(exchange.url)  # judge
        state.record_response(
            exchange.url, kind="page", status=exchange.status, etag=None, last_modified=None,
            payload_digest="sha1:AAAA", warc_path=warc, offset=n * 1000, length=1000,
            record_id=f"<urn:uuid:{n}>", warc_date=now,
        )  # fmt: skip
    for item in articles:
        try:
            key = dedup_key(item["url"])
        except CanonicalError:
            continue
        state.article(key)  # discovery: archived already?
        state.archived_capture(key)
        state.article(key)  # the spider's duplicate check
        location = item.get("warc") or {}
        state.record_article(
            key, item["url"], item.get("fetched_url") or item["url"], item.get("published"),
            location.get("record_id"), location.get("file"), location.get("offset"),
        )  # fmt: skip
    state.finish_run("finished")
    state.close()
    return time.process_time() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.stage_ceilings")
    parser.add_argument("warcs", nargs="+", type=Path)
    parser.add_argument("--stats", type=Path, required=True)
    parser.add_argument("--commit-interval", type=float, default=2.0)
    args = parser.parse_args(argv)
    exchanges, articles = load(args.warcs)
    with tempfile.TemporaryDirectory(prefix="warta-ceiling-") as tmp:
        warc_s = warc_ceiling(exchanges, articles, Path(tmp))
        requisites_s = requisites_ceiling(args.warcs, articles)
        state_s = state_ceiling(
            exchanges, articles, Path(tmp, "state.sqlite"), args.commit_interval
        )
    result = {
        "articles": len(articles),
        "exchanges": len(exchanges),
        "warc_cpu_s": round(warc_s, 3),
        "requisites_cpu_s": round(requisites_s, 3),
        "state_cpu_s": round(state_s, 3),
    }
    args.stats.write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
