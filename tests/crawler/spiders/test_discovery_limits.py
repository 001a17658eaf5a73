"""Discovery's limits, each at its edge: a feed of exactly 50 MB, a sitemap nested deeper
than libxml2 allows, a sitemap naming a DTD, dates in lower case, and the link parser that
forgets what it has passed (a page of links parsed in many small steps)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import lxml.etree
import pytest

from crawler.spiders import discovery
from crawler.spiders.discovery import feed_items, parse_sitemap

BASE = "http://127.0.0.1:8765"
URLSET = b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'


def test_a_feed_of_exactly_50_mb_is_read() -> None:
    rss = b"<rss><channel></channel></rss>"
    assert feed_items(rss + b" " * (50 * 1024 * 1024 - len(rss)), BASE) == []


def test_a_sitemap_nested_too_deep_loses_what_follows() -> None:
    """libxml2's limits stay on (huge_tree off): a hostile nesting ends the reading."""
    deep = b"<x>" * 300 + b"</x>" * 300
    body = (
        URLSET + f"<url><loc>{BASE}/a/</loc></url><url><loc>{BASE}/b/</loc>".encode() + deep
        + f"</url><url><loc>{BASE}/c/</loc></url></urlset>".encode()
    )  # fmt: skip
    assert [e.url for e in parse_sitemap(body, BASE)] == [f"{BASE}/a/", f"{BASE}/b/"]


def test_a_sitemap_s_dtd_is_never_read(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []

    class Recorder(lxml.etree.Resolver):
        def resolve(self, url: str | None, pubid: str | None, context: Any) -> Any:
            asked.append(str(url))
            return self.resolve_string('<!ENTITY e "x">', context)

    real = lxml.etree.XMLParser

    def parser(**options: Any) -> lxml.etree.XMLParser:
        made = real(**options)
        made.resolvers.add(Recorder())
        return made

    monkeypatch.setattr(discovery.lxml.etree, "XMLParser", parser)
    body = b'<!DOCTYPE urlset SYSTEM "file:///etc/sitemap.dtd">' + URLSET
    body += f"<url><loc>{BASE}/a/</loc></url></urlset>".encode()
    assert [e.url for e in parse_sitemap(body, BASE)] == [f"{BASE}/a/"]
    assert asked == []


@pytest.mark.parametrize("stamp", ["2023-03-03T06:05:00Z", "2023-03-03t06:05:00z"])
def test_iso_dates_in_either_case(stamp: str) -> None:
    atom = (
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry>'
        f'<link href="{BASE}/a/"/><updated>{stamp}</updated></entry></feed>'
    ).encode()
    [entry] = feed_items(atom, BASE)
    assert entry.lastmod == datetime(2023, 3, 3, 6, 5, tzinfo=UTC)
    sitemap = f"<url><loc>{BASE}/a/</loc><lastmod>{stamp}</lastmod></url></urlset>"
    [entry] = parse_sitemap(URLSET + sitemap.encode(), BASE)
    assert entry.lastmod == datetime(2023, 3, 3, 6, 5, tzinfo=UTC)


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Every element the link parser handed out, in small steps of parsing."""
    seen: list[Any] = []
    real = lxml.etree.HTMLPullParser

    class Recording(real):  # type: ignore[misc, valid-type]
        def read_events(self) -> Iterator[Any]:
            for event in super().read_events():
                seen.append(event[1])
                yield event

    monkeypatch.setattr(discovery.lxml.etree, "HTMLPullParser", Recording)
    monkeypatch.setattr(discovery, "PARSE_STEP", 37)
    yield seen


BLOCK = (
    '<div>teks <a href="/a{0}">a</a> <span>s</span><a href="/b{0}">b</a></div>'
    '<p><a href="/c{0}">c</a></p>'
)
PAGE = "<html><head><title>x</title></head><body>"
PAGE += "".join(BLOCK.format(i) for i in range(2000)) + "</body></html>"
LINKS = [f"{BASE}/{k}{i}" for i in range(2000) for k in "abc"]


def test_a_page_of_links_parsed_in_small_steps_gives_every_link(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Only finished elements are dropped: dropping one still open (an ancestor of the
    element the parser is filling) once crashed the parser."""
    monkeypatch.setattr(discovery, "PARSE_STEP", 37)
    assert list(discovery.page_links(PAGE, f"{BASE}/")) == LINKS


def test_a_page_of_links_is_forgotten_as_it_is_read(parsed: list[Any]) -> None:
    assert list(discovery.page_links(PAGE, f"{BASE}/")) == LINKS
    root = parsed[-1].getroottree().getroot()
    assert sum(1 for _ in root.iter()) < 20  # the ancestors of the last link, not the page
