"""Article records go to ``articles.jsonl`` and, as derived records, into the WARC itself.

Each JSON line is written and flushed as soon as its article is scraped, so a crash loses at
most the article in flight. Inside the WARC, each article gets a ``conversion`` record
(plain text) and a ``metadata`` record (the JSON), both with URIs of their own and
``WARC-Refers-To`` pointing at the response they came from, so an archive alone is enough
to rebuild and check the extracted text years later.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured

from crawler.layout import ARTICLES_FILE
from crawler.warc import records
from crawler.warc.capture import get_warc_writer
from crawler.warc.serial import SerialWarcWriter
from crawler.warc.writer import RotatingWarcWriter


def derived_records(
    item: dict[str, Any], writer: RotatingWarcWriter | SerialWarcWriter
) -> list[records.ArcWarcRecord]:
    """The text and JSON records for one article, tied to its response record."""
    url = item["url"]
    refers_to = (item.get("warc") or {}).get("record_id")
    text = records.conversion(
        records.derived_uri("text", url),
        (item.get("text") or "").encode("utf-8"),
        "text/plain; charset=utf-8",
        writer.spec(),
        refers_to=refers_to,
    )
    article = records.metadata(
        records.derived_uri("article", url),
        json.dumps(item, ensure_ascii=False).encode("utf-8"),
        "application/json",
        writer.spec(),
        refers_to=refers_to,
    )
    return [text, article]


class ArticleJsonLinesPipeline:
    def __init__(self, crawler: Crawler, path: Path) -> None:
        self.crawler = crawler
        self.path = path
        self._file: IO[str] | None = None
        self._writer: SerialWarcWriter | None = None
        self._seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        out = crawler.settings.get("WARTA_OUTPUT_DIR")
        if not out or not crawler.settings.getbool("WARTA_EXTRACT_ENABLED"):
            raise NotConfigured("article output is off (no WARTA_OUTPUT_DIR or extraction off)")
        return cls(crawler, Path(out) / ARTICLES_FILE)

    def open_spider(self) -> None:
        self._writer = get_warc_writer(self.crawler)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.exists():
            with self.path.open(encoding="utf-8") as existing:
                for line in existing:
                    try:
                        self._seen.add(json.loads(line)["url"])
                    except (ValueError, KeyError, TypeError):
                        continue  # a line cut short by a crash; keep it, skip it
        self._file = self.path.open("a", encoding="utf-8")

    async def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        url = item.get("url")
        if not url:
            raise DropItem("article record without a url")
        if url in self._seen:
            raise DropItem(f"article already recorded in this crawl: {url}")
        self._seen.add(url)
        assert self._file is not None
        self._file.write(json.dumps(item, ensure_ascii=False) + "\n")
        self._file.flush()
        if self._writer is not None and item.get("warc"):
            await self._writer.write_records_async(derived_records(item, self._writer))
        return item

    def close_spider(self) -> None:
        if self._file:
            self._file.close()
            self._file = None
