"""The story list's opening lines (no servers): whitespace folded, cut at a word."""

from __future__ import annotations

from datetime import date

from flows.explore.search import Search
from flows.explore.views import error_page, opening, scope_text


def test_opening_folds_lines_and_cuts_at_a_word() -> None:
    assert opening(None) == ""
    assert opening("Banjir rob\n\n  melanda   Samarinda.") == "Banjir rob melanda Samarinda."
    text = "kata " * 64  # 320 characters with the last space: kept whole once folded
    assert opening(text) == text.strip()
    longer = "banjir " * 50  # 350 characters: cut after the last whole word before 320
    assert opening(longer) == ("banjir " * 45).strip() + " …"
    assert opening("satu dua tiga", limit=8) == "satu …"
    assert opening("satu dua", limit=8) == "satu dua"  # exactly the limit: whole
    assert opening("satu dua tiga", limit=9) == "satu dua …"  # cut just after a space
    just_over = "x" * 100 + " " + "y" * 220  # 321 characters: over the default 320
    assert opening(just_over) == "x" * 100 + " …"


def test_scope_names_the_sites_chosen_by_name_or_group_and_the_days() -> None:
    groups = {"kaltim": ["niaga", "kaltimpost"]}
    assert scope_text(Search(), groups) == "every site"
    assert scope_text(Search(sites=["niaga"]), groups) == "niaga"
    chosen = Search(sites=["tribun"], groups=["kaltim"])
    assert scope_text(chosen, groups) == "tribun, niaga, kaltimpost"
    since = Search(since=date(2023, 3, 1))
    assert scope_text(since, groups) == "every site, from 2023-03-01 to the last day"
    until = Search(sites=["niaga"], until=date(2023, 3, 31))
    assert scope_text(until, groups) == "niaga, from the first day to 2023-03-31"
    both = Search(since=date(2023, 3, 1), until=date(2023, 3, 31))
    assert scope_text(both, groups) == "every site, from 2023-03-01 to 2023-03-31"


def test_an_error_page_says_the_status_its_reason_and_the_message() -> None:
    page = error_page(404, "Not Found", "No story was archived at that address.", "arsip-kaltim")
    text = page.decode("utf-8")
    assert "<title>404 · warta explorer" in text
    assert "<h1>404 Not Found</h1>" in text
    assert "<p>No story was archived at that address.</p>" in text
    assert "arsip-kaltim" in text
