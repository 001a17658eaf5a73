"""Package a crawl as one WACZ file: WARCs, index and a page list a replay tool can open.

The page list is the crawl's articles, not every URL fetched: each article record names
the response record it came from (``warc.record_id``), and the page gets that record's URL
and WARC-Date, so ``wacz`` matches it to exactly that capture. ``wacz create`` runs in a
subprocess: importing ``wacz`` changes cdxj-indexer's defaults for the whole process, and
the command's exit status is the contract. The result must pass ``wacz validate`` and is
moved into place only then.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from crawler.layout import fsync_folder
from crawler.warc.indexing import check_warc_inputs
from crawler.warc.reader import WarcReader, WarcReadError, read_records

logger = logging.getLogger(__name__)

# Runs several wacz commands in one process (importing wacz takes seconds); stops at the
# first that fails, and exits with its status.
_WACZ = """
import json, sys
from wacz.main import main
for args in json.loads(sys.argv[1]):
    print("== wacz", args[0], flush=True)
    status = main(args)
    if status:
        sys.exit(status)
"""
PAGES_FORMAT = "json-pages-1.0"


class PackageError(RuntimeError):
    """The WACZ could not be built or did not validate; nothing was written at out_path."""


@dataclass(frozen=True, slots=True)
class Page:
    """One entry of ``pages.jsonl``: the capture an article was extracted from."""

    url: str
    ts: str  # the response record's WARC-Date, as written
    title: str
    record_id: str

    def to_json(self) -> str:
        page_id = self.record_id.strip("<>").removeprefix("urn:uuid:")
        return json.dumps(
            {"id": page_id, "url": self.url, "ts": self.ts, "title": self.title},
            ensure_ascii=False,
        )


def _read_articles(path: Path) -> Iterator[tuple[int, dict[str, object]]]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                article = json.loads(line)
            except ValueError:
                # The pipeline may leave a line cut short by a crash; it is not a page.
                logger.warning("%s line %d is not JSON; skipped", path, number)
                continue
            if isinstance(article, dict) and article.get("url"):
                yield number, article
            else:
                logger.warning("%s line %d has no url; skipped", path, number)


def _response_at(warc: Path, offset: int) -> tuple[str, str, str] | None:
    """(record id, target URI, WARC-Date) of the response record starting at ``offset``."""
    if offset < 0:
        return None
    with WarcReader(warc, parse_http=False) as reader:
        try:
            record = reader.record_at(offset)
        except WarcReadError:  # a wrong offset lands in the middle of a member
            return None
        if record.rec_type != "response":
            return None
        return (record.record_id or "", record.target_uri or "", record.date or "")


def _responses_by_url(warcs: list[Path]) -> dict[str, tuple[str, str, str]]:
    """Last successful response per URL; only for articles that carry no WARC location."""
    found: dict[str, tuple[str, str, str]] = {}
    for warc in warcs:
        for record in read_records(warc):
            if record.rec_type != "response" or record.http_headers is None:
                continue
            if not record.http_headers.get_statuscode().startswith("2"):
                continue
            url = record.target_uri or ""
            found[url] = (record.record_id or "", url, record.date or "")
    return found


def collect_pages(
    warc_paths: Iterable[str | os.PathLike[str]], articles_jsonl: str | os.PathLike[str]
) -> tuple[list[Page], list[str]]:
    """Pages for every article whose response is in ``warc_paths``, and why others are not."""
    warcs = check_warc_inputs(warc_paths)
    by_name = {w.name: w for w in warcs}
    articles = Path(articles_jsonl)
    pages: dict[str, Page] = {}
    missing: list[str] = []
    fallback: dict[str, tuple[str, str, str]] | None = None
    for number, article in _read_articles(articles):
        url = str(article["url"])
        ref = article.get("warc")
        hit: tuple[str, str, str] | None = None
        if isinstance(ref, dict) and ref.get("file") in by_name:
            try:
                offset = int(ref.get("offset", -1))
            except (TypeError, ValueError):
                offset = -1
            hit = _response_at(by_name[str(ref["file"])], offset)
            if hit is not None and hit[0] != ref.get("record_id"):
                hit = None
        elif not isinstance(ref, dict):
            if fallback is None:
                fallback = _responses_by_url(warcs)
            hit = fallback.get(url)
        if hit is None:
            missing.append(f"{articles.name} line {number}: no response record for {url}")
            continue
        record_id, target, date = hit
        title = str(article.get("title") or target)
        pages.setdefault(record_id, Page(target, date, title, record_id))
    return list(pages.values()), missing


def write_pages_jsonl(pages: Iterable[Page], path: str | os.PathLike[str], title: str) -> Path:
    """``pages.jsonl`` with the json-pages-1.0 header line that names the list."""
    out = Path(path)
    header = {"format": PAGES_FORMAT, "id": "pages", "title": title}
    lines = [json.dumps(header, ensure_ascii=False)] + [p.to_json() for p in pages]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def _wacz(*commands: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _WACZ, json.dumps(commands)],
        capture_output=True,
        text=True,
        check=False,
        timeout=3600,
    )


def build_wacz(
    warc_paths: Iterable[str | os.PathLike[str]],
    articles_jsonl: str | os.PathLike[str],
    out_path: str | os.PathLike[str],
    title: str,
    *,
    description: str | None = None,
    strict: bool = True,
) -> Path:
    """Write ``out_path`` (a validated WACZ) holding the WARCs and the article page list.

    With ``strict`` an article whose response is not in ``warc_paths`` is an error;
    otherwise it is left out of the page list with a warning.
    """
    warcs = check_warc_inputs(warc_paths)
    if not warcs:
        raise PackageError("a WACZ needs at least one WARC file")
    pages, missing = collect_pages(warcs, articles_jsonl)
    if missing and strict:
        raise PackageError("articles without a capture in the given WARCs:\n" + "\n".join(missing))
    for reason in missing:
        logger.warning("left out of pages.jsonl: %s", reason)
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".packaging-", dir=out.parent) as tmp:
        pages_file = write_pages_jsonl(pages, Path(tmp) / "pages.jsonl", title)
        staged = Path(tmp) / out.name
        args = ["create", "-o", str(staged), "-p", str(pages_file), "--title", title]
        if not pages:
            args.append("--copy-pages")  # keeps an empty page list; else wacz writes none
        if description:
            args += ["--desc", description]
        result = _wacz([*args, *map(str, warcs)], ["validate", "-f", str(staged)])
        if result.returncode != 0 or not staged.is_file():
            raise PackageError(f"wacz create or validate failed:\n{result.stdout}{result.stderr}")
        unmatched = [ln for ln in result.stdout.splitlines() if ln.startswith("Invalid passed")]
        if unmatched:
            raise PackageError("wacz matched no capture for:\n" + "\n".join(unmatched))
        with zipfile.ZipFile(staged) as zf:
            listed = zf.read("pages/pages.jsonl").decode("utf-8").splitlines()[1:] if pages else []
        if len(listed) != len(pages):
            raise PackageError(f"WACZ lists {len(listed)} pages, expected {len(pages)}")
        with staged.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(staged, out)
    fsync_folder(out.parent)
    logger.info("Wrote %s: %d WARC file(s), %d pages", out, len(warcs), len(pages))
    return out


__all__ = [
    "PackageError",
    "Page",
    "build_wacz",
    "collect_pages",
    "write_pages_jsonl",
]
