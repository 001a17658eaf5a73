"""What a niaga replica site is made of: articles with their ground truth, and lookups.

Plain frozen data with no generation in it, so the seed-article loader, the filler generator,
the renderers and the routes can all name these types without importing one another.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any, Literal

SITE_NAME = "Niaga.Asia"
PER_PAGE = 10


@dataclass(frozen=True)
class Category:
    name: str
    slug: str

    @property
    def path(self) -> str:
        return f"/category/{self.slug}/"


@dataclass(frozen=True)
class Tag:
    name: str
    slug: str

    @property
    def path(self) -> str:
        return f"/tag/{self.slug}/"


@dataclass(frozen=True)
class Author:
    name: str
    slug: str

    @property
    def path(self) -> str:
        return f"/author/{self.slug}/"


@dataclass(frozen=True)
class Caption:
    """A photo in the body; ``text`` excludes the bracketed credit that the page shows."""

    text: str
    credit: str
    image_path: str
    attachment_id: int
    style: Literal["classic", "block"]
    position: int  # number of body paragraphs that precede the photo
    alt: str = ""

    @property
    def full_text(self) -> str:
        return f"{self.text} ({self.credit})"


@dataclass(frozen=True)
class Comment:
    author: str
    text: str
    minutes_after: int


@dataclass(frozen=True)
class Article:
    index: int
    post_id: int
    slug: str
    title: str
    published: datetime
    modified: datetime
    category: Category
    tags: tuple[Tag, ...]
    author: Author
    editor: str
    source: str | None
    credit_line: str  # the last body line exactly, e.g. "Sumber : X | Editor : Y"
    dateline: str | None  # place in capitals, e.g. "SAMARINDA"; None for opinion pieces
    paragraphs: tuple[str, ...]  # body text, the first without its dateline prefix
    captions: tuple[Caption, ...]
    related_index: int | None = None  # "Baca Juga:" target, always an older article
    related_position: int = 0
    see_also: tuple[int, ...] = ()  # jp-relatedposts targets, older articles
    comments: tuple[Comment, ...] = ()
    is_seed: bool = False

    @property
    def path(self) -> str:
        return f"/{self.slug}/"

    @property
    def dateline_prefix(self) -> str:
        """What opens the first paragraph on the page, e.g. ``SAMARINDA.NIAGA.ASIA — ``."""
        return f"{self.dateline}.NIAGA.ASIA — " if self.dateline else ""

    @property
    def body_text(self) -> str:
        """Body paragraphs without dateline, captions, ads, "Baca Juga" or the credit line."""
        return "\n\n".join(self.paragraphs)

    @property
    def image_paths(self) -> tuple[str, ...]:
        return tuple(c.image_path for c in self.captions)

    @property
    def excerpt(self) -> str:
        words = (self.dateline_prefix + self.paragraphs[0]).split()
        return " ".join(words[:40]) + (" [&hellip;]" if len(words) > 40 else "")

    def ground_truth(self) -> dict[str, Any]:
        """JSON-ready facts an extractor should recover from this article's page."""
        return {
            "path": self.path,
            "post_id": self.post_id,
            "title": self.title,
            "published": self.published.isoformat(),
            "modified": self.modified.isoformat(),
            "section": self.category.name,
            "category_slug": self.category.slug,
            "tags": [t.name for t in self.tags],
            "author": self.author.name,
            "editor": self.editor,
            "source": self.source,
            "credit_line": self.credit_line,
            "dateline": self.dateline,
            "paragraphs": list(self.paragraphs),
            "captions": [
                {
                    "text": c.text,
                    # The page shows "(Foto: X)"; the record's credit names X alone.
                    "credit": c.credit.removeprefix("Foto: "),
                    "image": c.image_path,
                    "style": c.style,
                }
                for c in self.captions
            ],
        }


@dataclass(frozen=True)
class EditorialPage:
    slug: str
    title: str
    paragraphs: tuple[str, ...]

    @property
    def path(self) -> str:
        return f"/{self.slug}/"


@dataclass(frozen=True)
class ImageRef:
    path: str
    article: Article
    caption: Caption


@dataclass(frozen=True)
class ReplicaSite:
    """All articles (oldest first, ``articles[i].index == i``) plus lookup helpers."""

    seed: int
    articles: tuple[Article, ...]
    categories: tuple[Category, ...]
    authors: tuple[Author, ...]
    pages: tuple[EditorialPage, ...]
    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def __iter__(self) -> Iterator[Article]:
        return iter(self.articles)

    def __len__(self) -> int:
        return len(self.articles)

    @property
    def seed_article(self) -> Article:
        return self.articles[0]

    @property
    def newest(self) -> Article:
        return self.articles[-1]

    @cached_property
    def newest_first(self) -> tuple[Article, ...]:
        return tuple(reversed(self.articles))

    @cached_property
    def _by_path(self) -> dict[str, Article]:
        return {a.path: a for a in self.articles}

    @cached_property
    def _by_id(self) -> dict[int, Article]:
        return {a.post_id: a for a in self.articles}

    @cached_property
    def _images(self) -> dict[str, ImageRef]:
        return {
            c.image_path: ImageRef(c.image_path, a, c) for a in self.articles for c in a.captions
        }

    @cached_property
    def tags(self) -> tuple[Tag, ...]:
        """Tags that at least one article carries, in order of first use."""
        seen: dict[str, Tag] = {}
        for article in self.articles:
            for tag in article.tags:
                seen.setdefault(tag.slug, tag)
        return tuple(seen.values())

    def article_by_path(self, path: str) -> Article | None:
        return self._by_path.get(path)

    def article_by_id(self, post_id: int) -> Article | None:
        return self._by_id.get(post_id)

    def image(self, path: str) -> ImageRef | None:
        return self._images.get(path)

    @property
    def image_paths(self) -> tuple[str, ...]:
        return tuple(self._images)

    def category(self, slug: str) -> Category | None:
        return next((c for c in self.categories if c.slug == slug), None)

    def tag(self, slug: str) -> Tag | None:
        return next((t for t in self.tags if t.slug == slug), None)

    def author(self, slug: str) -> Author | None:
        return next((a for a in self.authors if a.slug == slug), None)

    def page(self, slug: str) -> EditorialPage | None:
        return next((p for p in self.pages if p.slug == slug), None)

    def listing(self, kind: str, slug: str = "") -> tuple[Article, ...]:
        """Newest-first articles of ``home``, ``category``, ``tag`` or ``author``."""
        key = f"{kind}:{slug}"
        if key not in self._cache:
            arts = self.newest_first
            if kind == "category":
                arts = tuple(a for a in arts if a.category.slug == slug)
            elif kind == "tag":
                arts = tuple(a for a in arts if any(t.slug == slug for t in a.tags))
            elif kind == "author":
                arts = tuple(a for a in arts if a.author.slug == slug)
            self._cache[key] = arts
        return self._cache[key]

    def search(self, query: str) -> tuple[Article, ...]:
        words = [w for w in query.lower().split() if w]
        if not words:
            return ()
        return tuple(
            a
            for a in self.newest_first
            if all(w in f"{a.title} {a.paragraphs[0]}".lower() for w in words)
        )
