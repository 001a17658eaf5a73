"""The explorer's pages (no servers): a story's opening lines, the scope line, the error
page, and the search page of the tiny archive (conftest)."""

from __future__ import annotations

import time
from collections import Counter
from datetime import date
from html import escape

import pytest

from crawler import __version__
from flows.explore import views
from flows.explore.queries import ArchiveIndex
from flows.explore.search import INTERVALS, MEASURES, Search, read_search
from flows.explore.views import error_page, opening, scope_text
from flows.storage import open_storage
from tests.flows.explore.conftest import GROUPS, TINY_STORIES


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


@pytest.fixture(scope="module")
def index(tiny_archive: str) -> ArchiveIndex:
    return ArchiveIndex(open_storage(tiny_archive))


def _section(page: str, start: str) -> str:
    return page[page.index(start) :].split("</section>", 1)[0]


def test_the_search_page_shows_the_results_of_a_search_in_a_group(
    index: ArchiveIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "SAMPLES", 1)  # the tiny archive has fewer than 20 stories
    monkeypatch.setattr(views, "WORD_SAMPLE", 1)  # and fewer than 2000
    query = "q=banjir&group=Hanya+niaga&measure=share&every=week"
    search = read_search(query, ["kabarbenua", "niaga"], GROUPS)
    page = views.search_page(index, search, GROUPS, "tiny archive").decode()
    summary = _section(page, '<section class="summary">')
    assert '<strong id="matching">2</strong> stories match' in summary
    assert "in niaga." in summary  # the scope: the group's one site
    chart = _section(page, '<section class="attention">')
    assert ">100 %</text>" in chart and ">50 %</text>" in chart  # the share, in per cent
    assert "<title>niaga, week of 2026-11-23: 1 of 2 stories (50.0 %)</title>" in chart
    assert "kabarbenua" not in chart
    words = _section(page, '<section class="words">')  # from the newest story only
    assert ">samarinda</a>" in words and "mahakam" not in words
    samples = _section(page, '<section class="samples">')
    assert "(newest first, 1 of 2)" in samples
    assert "Banjir Samarinda" in samples and "Sungai Mahakam" not in samples


def test_a_search_that_cannot_be_read_shows_why_and_no_results(index: ArchiveIndex) -> None:
    search = read_search("q=banjir&from=kemarin", ["kabarbenua", "niaga"], GROUPS)
    page = views.search_page(index, search, GROUPS, "tiny archive").decode()
    assert "from: &#39;kemarin&#39; is not a day (YYYY-MM-DD)" in page
    assert 'id="matching"' not in page and "Sample stories" not in page


def test_the_search_form_offers_what_the_archive_holds_and_links_the_search(
    index: ArchiveIndex,
) -> None:
    query = "q=banjir&group=Hanya+niaga&every=week"
    search = read_search(query, ["kabarbenua", "niaga"], GROUPS)
    before = time.monotonic()
    page = views.search_page(index, search, GROUPS, "tiny archive").decode()
    took = time.monotonic() - before
    form = page[page.index('<form class="search"') : page.index("</form>")]
    # every site with its number of stories, every configured group (the chosen one ticked)
    for site, n in Counter(s[0] for s in TINY_STORIES).items():
        assert f'value="{site}"> {site} <small>({n})</small>' in form
    assert 'value="Kalimantan Timur"> Kalimantan Timur' in form
    assert 'value="Hanya niaga" checked> Hanya niaga' in form
    # sections and authors to pick from, dates bounded by the archive's first and last day
    for section in {s[3] for s in TINY_STORIES}:
        assert f'<option value="{section}">' in form.split('<datalist id="sections">')[1]
    for author in {a for s in TINY_STORIES for a in s[4]}:
        assert f'<option value="{author}">' in form.split('<datalist id="authors">')[1]
    days = sorted(s[2] for s in TINY_STORIES)
    assert form.count(f'min="{days[0]}" max="{days[-1]}"') == 2  # from and to
    for every in INTERVALS:
        assert f">{every}</option>" in form
        assert f"per {every}<" in page  # the chart's switch
    assert "<option selected>week</option>" in form
    switch = page[page.index('<p class="switch">') :].split("</p>", 1)[0]
    for measure in MEASURES:
        assert f">{measure}</" in switch
    # downloads and stories carry the search they came from
    qs = escape(search.query_string())
    assert "q=banjir" in qs and "group=Hanya+niaga" in qs
    for download in ("stories.csv", "stories.parquet", "records.warc.gz", "attention.csv"):
        assert f'<a href="/{download}?{qs}" download>' in page
    assert f'/&{qs}">Banjir Samarinda</a>' in page.split('<section class="samples">')[1]
    # the time the search took, and the version in the footer
    shown = float(page.split('<span class="took">(')[1].split(" s)")[0])
    assert 0 <= shown <= took + 0.01
    assert f"<footer>warta {__version__} ·" in page
