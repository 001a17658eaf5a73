"""Article records go to ``articles.jsonl`` beside the crawl's WARC files.

Each line is written and flushed as soon as its article is scraped, so a crash loses at
most the article in flight, and a resumed crawl can read back what it already has.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured


class ArticleJsonLinesPipeline:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[str] | None = None
        self._seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        out = crawler.settings.get("WARTA_OUTPUT_DIR")
        if not out or not crawler.settings.getbool("WARTA_EXTRACT_ENABLED"):
            raise NotConfigured("article output is off (no WARTA_OUTPUT_DIR or extraction off)")
        return cls(Path(out) / "articles.jsonl")

    def open_spider(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.exists():
            with self.path.open(encoding="utf-8") as existing:
                for line in existing:
                    try:
                        self._seen.add(json.loads(line)["url"])
                    except (ValueError, KeyError, TypeError):
                        continue  # a line cut short by a crash; keep it, skip it
        self._file = self.path.open("a", encoding="utf-8")

    def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        url = item.get("url")
        if not url:
            raise DropItem("article record without a url")
        if url in self._seen:
            raise DropItem(f"article already recorded in this crawl: {url}")
        self._seen.add(url)
        assert self._file is not None
        self._file.write(json.dumps(item, ensure_ascii=False, sort_keys=False) + "\n")
        self._file.flush()
        return item

    def close_spider(self) -> None:
        if self._file:
            self._file.close()
            self._file = None
