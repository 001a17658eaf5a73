"""Deterministic content of the portal replica, with the ground truth an extractor must find.

Article ``i`` draws from its own stream ``Random("portal-replica:{seed}:{i}")``, so a site of
``N + K`` articles starts with the ``N`` articles of the smaller one. Long articles are split
over several pages (``?page=2``), as on tribun- or detik-style portals; the ground truth is
always the whole article.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any, Literal

from replica import vocab
from replica.dates import WITA
from replica.textgen import Filler, slugify

DEFAULT_SEED = 2023
SITE_NAME = "Kabar Benua Kaltim"
BRAND = "KABARBENUA.TEST"  # as the dateline prints it: "KABARBENUA.TEST, SAMARINDA - "
FIRST_ID = 5_123_401
ID_STEP = 7
PARAS_PER_PAGE = 5
SINGLE_PAGE_MAX = 7  # articles with more paragraphs are split into pages
LISTING_SIZE = 20
DAY_ZERO = datetime(2023, 3, 3, 6, 0, tzinfo=WITA)

SECTIONS: tuple[tuple[str, str], ...] = (
    ("Samarinda", "samarinda"),
    ("Balikpapan", "balikpapan"),
    ("Ekonomi", "ekonomi"),
    ("Politik", "politik"),
    ("Olahraga", "olahraga"),
    ("Kesehatan", "kesehatan"),
)
SECTION_TOPICS: dict[str, str] = {
    "samarinda": "daerah",
    "balikpapan": "pemerintahan",
    "ekonomi": "ekonomi",
    "politik": "politik",
    "olahraga": "olahraga",
    "kesehatan": "kesehatan",
}
AUTHORS: tuple[str, ...] = (
    "Nevrianto Hardi",
    "Aro Wijaya",
    "Purnomo Susanto",
    "Dwi Ardianta",
    "Mohammad Fairoussaniy",
    "Rita Lavenia",
)
EDITORS: tuple[str, ...] = ("Amalia Husnul", "Sumarsono", "Budi Susilo", "Mathias Masan")
SOURCES: tuple[str, ...] = (
    "Humas Pemprov Kaltim",
    "Diskominfo Samarinda",
    "Polresta Balikpapan",
    "KPU Kaltim",
    "Dinkes Kaltim",
)
INITIALS: tuple[str, ...] = ("nvr/ams", "aro/sum", "pur/bud", "dwi/mat", "rit/ams")
CREDITS: tuple[str, ...] = (
    "KabarBenua/{photographer}",
    "Dok. {source}",
    "Istimewa",
    "{source}",
)


@dataclass(frozen=True)
class Photo:
    """A photo and its caption; ``text`` excludes the "Foto: ..." credit the page shows."""

    text: str
    credit: str
    image_path: str
    position: int  # body paragraphs before it; 0 is the lead photo above the body
    style: Literal["lead", "inline"]

    @property
    def shown(self) -> str:
        """The caption as the page prints it, credit included."""
        if self.style == "lead":
            return f"{self.text} (Foto: {self.credit})"
        return f"{self.text}. Foto: {self.credit}"


@dataclass(frozen=True)
class PortalArticle:
    index: int
    article_id: int
    slug: str
    title: str
    published: datetime
    modified: datetime
    section: tuple[str, str]  # (name, slug)
    tags: tuple[str, ...]
    author: str
    editor: str
    source: str | None
    initials: str  # "(nvr/ams)" closes the article, as detik-style desks sign off
    dateline: str  # place in capitals
    paragraphs: tuple[str, ...]
    photos: tuple[Photo, ...]
    related_index: int | None = None  # "Baca juga" target, an older article

    @property
    def path(self) -> str:
        return f"/read/{self.article_id}/{self.slug}"

    @property
    def pages(self) -> tuple[tuple[int, int], ...]:
        """(start, end) paragraph ranges of each page."""
        n = len(self.paragraphs)
        if n <= SINGLE_PAGE_MAX:
            return ((0, n),)
        return tuple((s, min(n, s + PARAS_PER_PAGE)) for s in range(0, n, PARAS_PER_PAGE))

    def page_path(self, page: int) -> str:
        return self.path if page == 1 else f"{self.path}?page={page}"

    @property
    def page_paths(self) -> tuple[str, ...]:
        return tuple(self.page_path(p) for p in range(1, len(self.pages) + 1))

    def photos_on(self, page: int) -> tuple[Photo, ...]:
        start, end = self.pages[page - 1]
        return tuple(p for p in self.photos if start <= p.position < end)

    def ground_truth(self) -> dict[str, Any]:
        """JSON-ready facts an extractor should recover from all pages of this article."""
        return {
            "path": self.path,
            "pages": list(self.page_paths),
            "article_id": self.article_id,
            "title": self.title,
            "published": self.published.isoformat(),
            "modified": self.modified.isoformat(),
            "section": self.section[0],
            "tags": list(self.tags),
            "author": self.author,
            "authors": [self.author],
            "editor": self.editor,
            "source": self.source,
            "dateline": self.dateline,
            "paragraphs": list(self.paragraphs),
            "captions": [
                {"text": p.text, "credit": p.credit, "image": p.image_path} for p in self.photos
            ],
        }


@dataclass(frozen=True)
class PortalSite:
    seed: int
    articles: tuple[PortalArticle, ...]
    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def __iter__(self) -> Iterator[PortalArticle]:
        return iter(self.articles)

    def __len__(self) -> int:
        return len(self.articles)

    @property
    def newest(self) -> PortalArticle:
        return self.articles[-1]

    @cached_property
    def newest_first(self) -> tuple[PortalArticle, ...]:
        return tuple(reversed(self.articles))

    @cached_property
    def _by_id(self) -> dict[int, PortalArticle]:
        return {a.article_id: a for a in self.articles}

    @cached_property
    def _images(self) -> dict[str, PortalArticle]:
        return {p.image_path: a for a in self.articles for p in a.photos}

    def article_by_id(self, article_id: int) -> PortalArticle | None:
        return self._by_id.get(article_id)

    def image_owner(self, path: str) -> PortalArticle | None:
        return self._images.get(path)

    @cached_property
    def tags(self) -> dict[str, str]:
        """slug -> tag name, for every tag in use."""
        out: dict[str, str] = {}
        for article in self.articles:
            for tag in article.tags:
                out.setdefault(slugify(tag), tag)
        return out

    def listing(self, kind: str, slug: str = "") -> tuple[PortalArticle, ...]:
        """Newest-first articles of ``indeks``, ``kanal`` or ``tag``."""
        key = f"{kind}:{slug}"
        if key not in self._cache:
            arts = self.newest_first
            if kind == "kanal":
                arts = tuple(a for a in arts if a.section[1] == slug)
            elif kind == "tag":
                arts = tuple(a for a in arts if any(slugify(t) == slug for t in a.tags))
            self._cache[key] = arts
        return self._cache[key]


def _published(i: int, rng: random.Random) -> datetime:
    day, slot = divmod(i, 6)
    return DAY_ZERO + timedelta(days=day, hours=2 * slot + 1, minutes=rng.randrange(60))


def _photos(
    rng: random.Random, filler: Filler, when: datetime, article_id: int, n: int
) -> tuple[Photo, ...]:
    photos = []
    for k in range(rng.choice((1, 1, 2))):
        credit = rng.choice(CREDITS).format(
            photographer=rng.choice(AUTHORS), source=rng.choice(SOURCES)
        )
        text = filler.fill(rng.choice(vocab.CAPTIONS), when)
        photos.append(
            Photo(
                text=text,
                credit=credit,
                image_path=f"/foto/{when:%Y/%m/%d}/{article_id}-{k + 1}.jpg",
                position=0 if k == 0 else rng.randint(2, n - 1),
                style="lead" if k == 0 else "inline",
            )
        )
    return tuple(photos)


def make_article(seed: int, i: int, used: set[str]) -> PortalArticle:
    rng = random.Random(f"portal-replica:{seed}:{i}")
    section = rng.choice(SECTIONS)
    topic = rng.choice(vocab.TOPICS[SECTION_TOPICS[section[1]]])
    place = section[0] if section[1] in ("samarinda", "balikpapan") else rng.choice(vocab.PLACES)
    filler = Filler(rng, topic, place)
    published = _published(i, rng)
    modified = published + timedelta(minutes=rng.choice((0, 0, 7, 30)))
    title = filler.fill(rng.choice(vocab.TITLE_TEMPLATES), published)
    slug = base = slugify(title)
    n = 2
    while slug in used:
        slug, n = f"{base}-{n}", n + 1
    paragraphs = tuple(filler.paragraph() for _ in range(rng.randint(4, 14)))
    article_id = FIRST_ID + ID_STEP * i
    tags = tuple(dict.fromkeys([*rng.sample(vocab.TAGS, rng.randint(1, 3)), title_tag(topic)]))
    return PortalArticle(
        index=i,
        article_id=article_id,
        slug=slug,
        title=title,
        published=published,
        modified=modified,
        section=section,
        tags=tags,
        author=rng.choice(AUTHORS),
        editor=rng.choice(EDITORS),
        source=rng.choice(SOURCES) if rng.random() < 0.35 else None,
        initials=rng.choice(INITIALS),
        dateline=place.upper(),
        paragraphs=paragraphs,
        photos=_photos(rng, filler, published, article_id, len(paragraphs)),
        related_index=rng.randrange(0, i) if i and rng.random() < 0.5 else None,
    )


def title_tag(topic: str) -> str:
    return " ".join(w[:1].upper() + w[1:] for w in topic.split())


def build_portal(articles: int, seed: int = DEFAULT_SEED) -> PortalSite:
    """``articles`` articles (at least 1), oldest first; pure and deterministic."""
    if articles < 1:
        raise ValueError(f"a replica needs at least 1 article, got {articles}")
    built: list[PortalArticle] = []
    used: set[str] = set()
    for i in range(articles):
        article = make_article(seed, i, used)
        used.add(article.slug)
        built.append(article)
    return PortalSite(seed=seed, articles=tuple(built))
