"""The crawl's disk queue writes what Scrapy's own writes, found without a walk per request."""

from __future__ import annotations

import inspect
import shutil
from pathlib import Path

import pytest
from scrapy import Request, Spider, signals
from scrapy.squeues import PickleLifoDiskQueue
from scrapy.utils.test import get_crawler

from crawler.fetch.diskqueue import CrawlDiskQueue


class Listing(Spider):
    name = "listing"

    def parse_page(self, response: object) -> None: ...

    def failed(self, failure: object) -> None: ...

    also_parse = parse_page  # an alias: the walk's first name in sorted order wins


def _written(queue_class: type, spider: Spider, request: Request, folder: Path) -> bytes:
    crawler = get_crawler(Listing)
    crawler.spider = spider
    queue = queue_class.from_crawler(crawler, str(folder / "q"))
    queue.push(request)
    queue.close()
    return (folder / "q").read_bytes()


def test_the_same_bytes_as_scrapys_queue(tmp_path: Path) -> None:
    spider = Listing()
    for callback in (spider.parse_page, spider.failed, None):
        request = Request("https://example.id/a", callback=callback, errback=spider.failed)
        ours = _written(CrawlDiskQueue, spider, request, tmp_path / "ours")
        scrapys = _written(PickleLifoDiskQueue, spider, request, tmp_path / "scrapy")
        assert ours == scrapys
        (tmp_path / "ours" / "q").unlink()
        (tmp_path / "scrapy" / "q").unlink()


def test_a_method_set_later_is_found_by_scrapys_walk(tmp_path: Path) -> None:
    spider = Listing()
    crawler = get_crawler(Listing)
    crawler.spider = spider
    queue = CrawlDiskQueue.from_crawler(crawler, str(tmp_path / "q"))
    queue.push(Request("https://example.id/a", callback=spider.parse_page))  # stand-in made

    def late(self: Listing, response: object) -> None: ...

    spider.late = late.__get__(spider)  # type: ignore[attr-defined]
    queue.push(Request("https://example.id/b", callback=spider.late))  # type: ignore[attr-defined]
    popped = queue.pop()
    assert popped.url == "https://example.id/b"
    assert popped.callback == spider.late  # type: ignore[attr-defined]
    assert queue.pop().callback == spider.parse_page
    queue.close()


def test_the_spider_is_walked_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    walks = []
    real = inspect.getmembers

    def counted(obj: object, predicate: object = None) -> list[tuple[str, object]]:
        walks.append(type(obj).__name__)
        return real(obj, predicate)  # type: ignore[arg-type]

    monkeypatch.setattr(inspect, "getmembers", counted)
    spider = Listing()
    crawler = get_crawler(Listing)
    crawler.spider = spider
    queue = CrawlDiskQueue.from_crawler(crawler, str(tmp_path / "q"))
    for n in range(20):
        queue.push(Request(f"https://example.id/{n}", callback=spider.parse_page))
    queue.close()
    assert walks.count("Listing") == 1, walks


def test_an_emptied_queue_is_kept_for_its_next_push_and_closed_with_the_spider(
    tmp_path: Path,
) -> None:
    spider = Listing()
    crawler = get_crawler(Listing)
    crawler.spider = spider
    path = str(tmp_path / "slot" / "0")
    queue = CrawlDiskQueue.from_crawler(crawler, path)
    queue.push(Request("https://example.id/a", callback=spider.parse_page))
    assert queue.pop().url == "https://example.id/a"
    queue.close()  # as Scrapy's priority queue does when a priority empties
    assert Path(path).exists()  # parked, not removed
    again = CrawlDiskQueue.from_crawler(crawler, path)
    assert again is queue and len(again) == 0
    again.push(Request("https://example.id/b", callback=spider.parse_page))
    other = CrawlDiskQueue.from_crawler(crawler, str(tmp_path / "slot" / "10"))
    assert other is not queue
    other.close()  # empty: parked too
    again.close()  # not empty: closed for good, its request kept on disk as Scrapy keeps it
    crawler.signals.send_catch_log(signals.spider_closed, spider=spider, reason="finished")
    assert not Path(other.path).exists()  # the parked one is closed for good at the end
    reopened = CrawlDiskQueue.from_crawler(crawler, path)
    assert reopened is not queue and len(reopened) == 1
    assert reopened.pop().url == "https://example.id/b"
    reopened.close()  # after the spider closed: removed at once, as Scrapy's would be
    assert not Path(path).exists()


def test_parked_queues_whose_folder_is_gone_close_quietly(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    crawler = get_crawler(Listing)
    crawler.spider = Listing()
    queue = CrawlDiskQueue.from_crawler(crawler, str(tmp_path / "job" / "slot" / "0"))
    queue.close()  # parked
    shutil.rmtree(tmp_path / "job")  # a finished crawl's JOBDIR dropped first
    crawler.signals.send_catch_log(signals.spider_closed, spider=crawler.spider, reason="finished")
    assert not (tmp_path / "job").exists()
    assert not [r for r in caplog.records if "_Parking" in r.getMessage()]
