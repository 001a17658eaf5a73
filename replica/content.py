"""Build the niaga replica's content: the real seed article, then deterministic filler.

Article ``i`` depends only on ``(seed, i)`` (and on the titles of articles ``0..i-1`` for slug
de-duplication, which are themselves fixed), so a site built with ``N + K`` articles starts
with exactly the ``N`` articles of the smaller one. Article 0 is always the real seed article
of 3 March 2023; later articles are newer. Everything here is pure: no I/O besides reading the
packaged seed text, no clock.
"""

from __future__ import annotations

from replica import seedarticle, textgen, vocab
from replica.site_model import Article, Author, Category, ReplicaSite

DEFAULT_SEED = 2023


def build_site(articles: int, seed: int = DEFAULT_SEED) -> ReplicaSite:
    """Build ``articles`` articles (at least 1: the seed article is always article 0)."""
    if articles < 1:
        raise ValueError(f"a replica needs at least 1 article, got {articles}")
    categories = tuple(Category(name, slug) for name, slug in vocab.CATEGORIES)
    authors = tuple(Author(name, textgen.slugify(name)) for name in vocab.AUTHORS)
    built: list[Article] = [seedarticle.load_seed_article(categories, authors)]
    used = {built[0].slug}
    for i in range(1, articles):
        article = textgen.make_article(seed, i, categories, authors, used, built)
        used.add(article.slug)
        built.append(article)
    return ReplicaSite(
        seed=seed,
        articles=tuple(built),
        categories=categories,
        authors=authors,
        pages=textgen.editorial_pages(),
    )
