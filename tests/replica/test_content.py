"""The content model: determinism, growth, the seed article and the ground truth."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from replica.content import build_site
from replica.routes import resolve
from replica.seedarticle import seed_text
from replica.site_model import ReplicaSite

BASE = "http://127.0.0.1:8000"


def test_same_seed_gives_the_same_site() -> None:
    one, two = build_site(25), build_site(25)
    assert [a.ground_truth() for a in one] == [a.ground_truth() for a in two]


def test_other_seed_changes_generated_articles_but_not_the_seed_article() -> None:
    one, two = build_site(10, seed=1), build_site(10, seed=2)
    assert one.seed_article == two.seed_article
    assert [a.title for a in one.articles[1:]] != [a.title for a in two.articles[1:]]


def test_growing_the_site_keeps_earlier_article_pages_byte_identical() -> None:
    small, large = build_site(20), build_site(32)
    assert large.articles[:20] == small.articles
    for article in small:
        before = resolve(small, BASE, article.path)
        after = resolve(large, BASE, article.path)
        assert before.status == 200
        assert before.body == after.body, article.path
        image = article.captions[0].image_path
        assert resolve(small, BASE, image).body == resolve(large, BASE, image).body
    assert min(a.published for a in large.articles[20:]) > small.newest.published


def test_dates_increase_and_are_in_wita(site: ReplicaSite) -> None:
    published = [a.published for a in site]
    assert published == sorted(published)
    assert len(set(published)) == len(published)
    for article in site:
        assert article.published.utcoffset() == timedelta(hours=8)
        assert article.modified >= article.published


def test_seed_article_is_always_article_zero() -> None:
    for count in (1, 2, 50):
        seed = build_site(count).seed_article
        assert seed.is_seed and seed.index == 0
    seed = build_site(1).seed_article
    truth = seed.ground_truth()
    assert truth["path"] == (
        "/pemilu-2024-kian-dekat-tiga-pilar-di-kaltim-rapatkan-barisan-jaga-kondusifitas/"
    )
    assert truth["title"] == (
        "Pemilu 2024 Kian Dekat, Tiga Pilar di Kaltim Rapatkan Barisan Jaga Kondusifitas"
    )
    assert truth["published"] == "2023-03-03T14:05:00+08:00"
    assert truth["modified"] == "2023-03-03T15:20:00+08:00"
    assert truth["section"] == "Hukum & Kriminal"
    assert truth["tags"] == ["Pemilu 2024", "Polda Kaltim", "Tiga Pilar"]
    assert (truth["author"], truth["editor"], truth["source"]) == (
        "Redaksi Niaga.Asia",
        "Saud Rosadi",
        "Polresta Samarinda",
    )
    assert truth["dateline"] == "SAMARINDA"
    assert truth["credit_line"] == "Sumber : Polresta Samarinda | Editor : Saud Rosadi"
    assert [c["credit"] for c in truth["captions"]] == ["handout/Polresta Samarinda"] * 2
    assert [c.position for c in seed.captions] == [0, 4]
    assert [c.style for c in seed.captions] == ["classic", "block"]
    assert len(seed.paragraphs) == 7
    assert seed.paragraphs[0].startswith("Pemilihan Umum (Pemilu) digelar Februari 2024")


def test_seed_text_is_reproduced_exactly() -> None:
    seed = build_site(1).seed_article
    text = seed_text()
    for paragraph in seed.paragraphs:
        assert paragraph in text
    for caption in seed.captions:
        assert caption.full_text in text
    assert f"{seed.dateline_prefix}{seed.paragraphs[0]}" in text


def test_generated_articles_look_like_regional_news(site: ReplicaSite) -> None:
    credit = re.compile(r"^(Sumber : .+ \| |Penulis : .+ \| )?Editor : .+$")
    for article in site.articles[1:]:
        assert 5 <= len(article.paragraphs) <= 12
        assert 1 <= len(article.captions) <= 2
        assert credit.match(article.credit_line)
        assert article.tags
        assert re.fullmatch(r"[a-z0-9-]+", article.slug)
        if article.category.slug == "opini":
            assert article.dateline is None
        else:
            assert article.dateline and article.dateline.isupper()
        for caption in article.captions:
            assert caption.image_path.startswith(f"/wp-content/uploads/{article.published:%Y/%m}/")
        assert all(j < article.index for j in article.see_also)
        if article.related_index is not None:
            assert article.related_index < article.index
    assert len({a.slug for a in site}) == len(site)
    assert len({a.category.slug for a in site}) >= 5


def test_lookups(site: ReplicaSite) -> None:
    article = site.articles[7]
    assert site.article_by_path(article.path) is article
    assert site.article_by_id(article.post_id) is article
    ref = site.image(article.captions[0].image_path)
    assert ref is not None and ref.article is article
    assert site.listing("home")[0] is site.newest
    assert article in site.listing("category", article.category.slug)
    assert article in site.listing("tag", article.tags[0].slug)
    assert article in site.listing("author", article.author.slug)


def test_zero_articles_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1 article"):
        build_site(0)
