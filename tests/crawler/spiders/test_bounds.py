"""The article budget of a bounded crawl: never more article requests out than articles
it can still keep, the rest held back and released as requests end; and the listing pager,
which lets a listing page on only once the dates of its articles are known."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from crawler.spiders.bounds import ArticleBudget, ListingPager, aware, parse_published
from crawler.spiders.discovery import Window


def test_a_budget_holds_back_what_it_could_not_keep_and_drops_it_once_reached() -> None:
    budget = ArticleBudget[str](2)
    assert [budget.admit(x) for x in "abcd"] == [True, True, False, False]
    assert not budget.reached
    assert budget.keep()  # a was an article
    assert budget.done() == []  # one kept, one out: nothing more may go
    assert budget.done() == ["c"]  # b was no article: c goes in its place
    assert budget.keep() and budget.reached  # c was: two kept
    assert budget.done() == [] and not budget.waiting  # d is dropped, never sent
    assert not budget.admit("e") and not budget.keep()


def test_no_limit_lets_every_request_go_at_once() -> None:
    for unlimited in (ArticleBudget[str](None), ArticleBudget[str](0)):
        assert all(unlimited.admit(x) for x in "abc")
        assert unlimited.keep() and unlimited.done() == [] and not unlimited.reached


def test_a_slot_freed_by_a_finished_request_is_taken_once() -> None:
    budget = ArticleBudget[str](3)
    assert [budget.admit(x) for x in "abcd"] == [True, True, True, False]
    assert budget.done() == ["d"]  # a ended unkept: d takes its slot
    assert not budget.admit("e")  # a, b... three out again: e waits
    assert budget.done() == ["e"]
    keeper = ArticleBudget[str](2)
    assert keeper.admit("a") and keeper.keep()
    assert not keeper.admit("b")  # one kept and one still out: the budget is spoken for


def test_dates_without_a_zone_are_utc_and_publication_dates_are_read_leniently() -> None:
    wita = timezone(timedelta(hours=8))
    assert aware(datetime(2023, 3, 3, 6, 5)) == datetime(2023, 3, 3, 6, 5, tzinfo=UTC)
    assert aware(datetime(2023, 3, 3, 14, 5, tzinfo=wita)).utcoffset() == timedelta(hours=8)
    assert parse_published("2023-03-03T06:05:00") == datetime(2023, 3, 3, 6, 5, tzinfo=UTC)
    for unreadable in (None, "", 20230303, "kemarin sore"):
        assert parse_published(unreadable) is None


def test_a_sitemap_changed_at_the_start_of_the_window_may_still_list_news() -> None:
    since = datetime(2023, 3, 1, tzinfo=UTC)
    window = Window(since=since)
    assert not window.before(since) and window.before(since - timedelta(seconds=1))
    assert not window.before(None)  # undated: maybe in the window
    assert not Window().before(since)  # no window: nothing is before it


SINCE = datetime(2023, 3, 1, tzinfo=UTC)
IN, OLD = SINCE + timedelta(days=1), SINCE - timedelta(days=1)  # articles' dates


def test_a_listing_s_next_pages_wait_for_every_article_on_it() -> None:
    pager = ListingPager(Window(since=SINCE))
    page, due = pager.open(2, ["/page/4/", "/page/5/"], 2, past=False)
    assert due == []
    assert pager.resolved(page, IN) == []  # one of two
    assert pager.resolved(page, None) == [("/page/4/", 3), ("/page/5/", 3)]  # undated: maybe in
    assert pager.resolved(page, IN) == []  # released once
    assert pager.open(0, ["/page/2/"], 0, past=False) == (None, [("/page/2/", 1)])
    assert pager.stopped == 0


def test_listing_pages_open_at_once_are_released_each_by_its_own_articles() -> None:
    pager = ListingPager(Window(since=SINCE))
    first, _ = pager.open(0, ["/a/page/2/"], 1, past=False)
    second, _ = pager.open(0, ["/b/page/2/"], 1, past=False)
    assert pager.resolved(second, IN) == [("/b/page/2/", 1)]
    assert pager.resolved(first, IN) == [("/a/page/2/", 1)]


def test_every_listing_found_past_the_window_is_counted_and_pages_no_further() -> None:
    pager = ListingPager(Window(since=SINCE))
    assert pager.open(0, ["/page/2/"], 0, past=True) == (None, [])  # known at once
    page, _ = pager.open(0, ["/page/2/"], 1, past=True)  # known at once, an article out
    assert pager.resolved(page, IN) == []
    page, _ = pager.open(0, ["/page/2/"], 1, past=False)
    assert pager.resolved(page, OLD) == []  # its article is older than the window
    assert pager.stopped == 3
