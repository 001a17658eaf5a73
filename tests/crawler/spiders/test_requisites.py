"""A page's requisites (stylesheets, scripts, fonts) are asked for once per crawl, only on
the site's hosts, and not at all when the site file switches them off."""

from __future__ import annotations

from scrapy import Request

from crawler import keys
from crawler.spiders.requisites import Requisites

HOSTS = ["www.niaga.asia", "cdn.niaga.asia"]


def test_each_requisite_on_an_allowed_host_is_asked_for_once() -> None:
    requisites = Requisites(iter(HOSTS))  # any iterable of hosts, read once
    urls = ["https://cdn.niaga.asia/a.css", "https://tracker.example/t.js",
            "http://[oops/x.js", "https://www.niaga.asia/b.js"]  # fmt: skip
    first = list(requisites.requests(urls, callback=None))
    assert [r.url for r in first] == ["https://cdn.niaga.asia/a.css", "https://www.niaga.asia/b.js"]
    assert all(isinstance(r, Request) and r.priority < 0 for r in first)  # after the pages
    assert all(r.meta[keys.NO_CONDITIONAL] for r in first)  # fetched whole, never as a 304
    assert list(requisites.requests(urls, callback=None)) == []  # asked for already
    assert list(Requisites(HOSTS, enabled=False).requests(urls, callback=None)) == []
