"""URL canonicalisation: one article, one URL and one dedup key."""

from __future__ import annotations

import re

import pytest
from lxml.html import fromstring

from crawler.canonical import (
    CanonicalError,
    canonical_url,
    dedup_key,
    join_url,
    link_canonical,
    link_key,
    rel_canonical,
    strip_amp,
    trusted_canonical,
)

ARTICLE = "https://www.niaga.asia/pemilu-2024-kian-dekat/"


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    """link_canonical and link_key remember answers: each test computes its own."""
    link_canonical.cache_clear()
    link_key.cache_clear()


@pytest.mark.parametrize(
    "variant",
    [
        ARTICLE,
        ARTICLE + "?utm_source=facebook&utm_medium=social&utm_campaign=x",
        ARTICLE + "?fbclid=IwAR0abc",
        ARTICLE + "?gclid=EAIaIQ&utm_term=pemilu",
        ARTICLE + "#comments",
        ARTICLE + "amp/",
        ARTICLE + "?amp=1",
        ARTICLE + "?amp",
        "https://amp.niaga.asia/pemilu-2024-kian-dekat/",
        "HTTPS://WWW.NIAGA.ASIA/pemilu-2024-kian-dekat/",
        "https://www.niaga.asia:443/pemilu-2024-kian-dekat/",
    ],
)
def test_variants_share_canonical_url_and_key(variant: str) -> None:
    expected_url = (
        ARTICLE if "amp.niaga" not in variant else "https://niaga.asia/pemilu-2024-kian-dekat/"
    )
    assert canonical_url(variant) == expected_url
    assert dedup_key(variant) == "niaga.asia/pemilu-2024-kian-dekat"


def test_key_ignores_scheme_www_and_trailing_slash_but_url_keeps_them() -> None:
    plain = "http://niaga.asia/pemilu-2024-kian-dekat"
    assert canonical_url(plain) == plain  # never guess the site's slash convention
    assert dedup_key(plain) == dedup_key(ARTICLE)


def test_meaningful_query_is_kept_and_sorted() -> None:
    assert canonical_url("https://niaga.asia/?utm_source=x&p=123") == "https://niaga.asia/?p=123"
    assert canonical_url("https://x.id/s?b=2&a=1") == "https://x.id/s?a=1&b=2"
    assert dedup_key("https://niaga.asia/?p=123") != dedup_key("https://niaga.asia/?p=124")


def test_different_articles_stay_different() -> None:
    assert dedup_key(ARTICLE) != dedup_key("https://www.niaga.asia/pemilu-2024-lain/")
    assert dedup_key("https://niaga.asia/a/") != dedup_key("https://kaltimpost.id/a/")


def test_amp_detection() -> None:
    assert strip_amp(ARTICLE + "amp/") == ARTICLE and strip_amp(ARTICLE) == ARTICLE
    assert strip_amp("https://amp.niaga.asia/x/") == "https://niaga.asia/x/"
    assert strip_amp("https://x.id/amp/berita-satu/") == "https://x.id/berita-satu/"
    assert strip_amp("https://x.id/amp/") == "https://x.id/"  # the AMP home page


def test_rel_canonical_is_read_and_made_absolute() -> None:
    html = '<html><head><link rel="canonical" href="/pemilu/"></head><body></body></html>'
    assert rel_canonical(html, "https://niaga.asia/pemilu/amp/") == "https://niaga.asia/pemilu/"
    assert rel_canonical("<html><head></head></html>", ARTICLE) is None
    bad = '<html><head><link rel="canonical" href="javascript:x"></head></html>'
    assert rel_canonical(bad, ARTICLE) is None


@pytest.mark.parametrize("bad", ["/relative/path", "mailto:redaksi@niaga.asia", "ftp://x.id/a"])
def test_non_http_urls_are_refused(bad: str) -> None:
    with pytest.raises(CanonicalError, match=re.escape(repr(bad))):  # the error names it
        canonical_url(bad)


def test_choose_canonical_keeps_rel_canonical_only_on_site() -> None:
    from crawler.canonical import trusted_canonical

    def choose_canonical(named: str | None, fetched: str, hosts: set[str]) -> str:
        return trusted_canonical(named, fetched, hosts)[0]

    hosts = {"www.niaga.asia"}
    fetched = "https://www.niaga.asia/berita/amp/?utm_source=x"
    assert choose_canonical("https://www.niaga.asia/berita/", fetched, hosts) == (
        "https://www.niaga.asia/berita/"
    )
    offsite = choose_canonical("https://elsewhere.example/berita/", fetched, hosts)
    assert offsite.startswith("https://www.niaga.asia/berita") and "utm_" not in offsite
    assert "utm_" not in choose_canonical(None, fetched, hosts)


def test_a_canonical_claim_counts_only_when_it_names_the_fetched_page() -> None:
    from crawler.canonical import trusted_canonical

    hosts = {"www.niaga.asia"}
    page = "https://www.niaga.asia/berita/"
    # A theme pointing every page at the home page, or at a page never fetched: refused.
    assert trusted_canonical("https://www.niaga.asia/", page, hosts) == (
        page, "https://www.niaga.asia/")  # fmt: skip
    ghost = "https://www.niaga.asia/lain/"
    assert trusted_canonical(ghost, page, hosts) == (page, ghost)
    # The fetched page itself, its AMP form, or the URL requested before a redirect: trusted.
    assert trusted_canonical(page, page + "amp/", hosts) == (page, None)
    assert trusted_canonical(page, page, hosts, ["https://www.niaga.asia/?p=7"]) == (page, None)
    assert trusted_canonical(page, "https://www.niaga.asia/?p=7", hosts, [page]) == (page, None)
    assert trusted_canonical(None, page, hosts) == (page, None)


def test_credentials_in_a_link_are_dropped() -> None:
    from crawler.canonical import canonical_url

    assert canonical_url("http://user:secret@www.niaga.asia/berita/") == (
        "http://www.niaga.asia/berita/"
    )


def test_strip_amp_removes_the_amp_marks_and_nothing_else() -> None:
    assert strip_amp("https://x.id/a/?AMP=1&outputType=AMP&p=2") == "https://x.id/a/?p=2"
    # An output type other than AMP, a parameter whose value is "amp", a bare key: kept.
    kept = "https://x.id/a/?print=&outputType=html&view=amp"
    assert strip_amp("https://x.id/a/amp/?print&outputType=html&view=amp") == kept


def test_share_and_analytics_parameters_are_dropped_whatever_their_case() -> None:
    noisy = "https://x.id/berita/banjir/?Share=whatsapp&IGSHID=abc&_ga=1.2&id=7"
    assert canonical_url(noisy) == "https://x.id/berita/banjir/?id=7"


def test_keys_of_the_home_page_and_of_a_slug_ending_in_x() -> None:
    assert canonical_url("https://www.x.id") == "https://www.x.id/"  # a path, never none
    assert dedup_key("https://www.x.id/") == "x.id/"
    assert dedup_key("https://x.id/seri/bagian-X/") == "x.id/seri/bagian-X"


def test_rel_canonical_from_a_parsed_tree_as_from_text() -> None:
    html = '<html><head><link rel="canonical" href="/pemilu/"></head><body></body></html>'
    page = "https://niaga.asia/pemilu/amp/"
    assert rel_canonical(fromstring(html), page) == "https://niaga.asia/pemilu/"
    assert rel_canonical(fromstring("<html><head></head><body>x</body></html>"), page) is None


def test_a_page_naming_itself_is_no_refused_claim_even_on_an_unlisted_host() -> None:
    page = "https://niaga.asia/berita/"  # fetched on the bare host, the site lists www. only
    assert trusted_canonical(page, page, {"www.niaga.asia"}) == (page, None)


def test_join_url_never_returns_a_url_that_cannot_be_parsed() -> None:
    assert join_url("", "http://[oops/") is None  # no base: urljoin returns the link unparsed
    assert join_url("http://[oops/", "") is None  # no link: urljoin returns the base unparsed


def test_the_crawls_remembered_forms_answer_as_the_plain_functions() -> None:
    links = ["https://www.example.id/berita/satu/?utm_source=x#top", "http://example.id/amp/dua"]
    for link in links * 2:  # the second time from the cache
        assert link_canonical(link) == canonical_url(link)
        assert link_key(link) == dedup_key(link)
    for _ in range(2):  # an error is raised each time, never remembered as an answer
        with pytest.raises(CanonicalError):
            link_key("mailto:redaksi@example.id")
