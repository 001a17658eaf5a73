"""The article budget of a bounded crawl: never more article requests out than articles
it can still keep, the rest held back and released as requests end."""

from __future__ import annotations

from crawler.spiders.bounds import ArticleBudget


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
