"""The real niaga.asia article of 3 March 2023, always article 0 of every replica.

Its text is packaged data (``assets/seed-article.txt``); its metadata comes from the markup
contract (docs of the replica), since the plain-text copy carries none of it.
"""

from __future__ import annotations

import re
from datetime import datetime
from importlib import resources

from replica.dates import WITA
from replica.site_model import Article, Author, Caption, Category, Tag

SEED_SLUG = "pemilu-2024-kian-dekat-tiga-pilar-di-kaltim-rapatkan-barisan-jaga-kondusifitas"
SEED_POST_ID = 71200
SEED_PUBLISHED = datetime(2023, 3, 3, 14, 5, tzinfo=WITA)
SEED_MODIFIED = datetime(2023, 3, 3, 15, 20, tzinfo=WITA)
SEED_TAGS = (
    ("Pemilu 2024", "pemilu-2024"),
    ("Polda Kaltim", "polda-kaltim"),
    ("Tiga Pilar", "tiga-pilar"),
)
SEED_IMAGES = (
    "/wp-content/uploads/2023/03/tiga-pilar-pemilu-2024-samarinda.jpg",
    "/wp-content/uploads/2023/03/IMG-20230303-WA0031.jpg",
)
_CAPTION = re.compile(r"^(?P<text>.*?)\s*\((?P<credit>(?:handout/|Foto:)[^()]+)\)\s*$")
_DATELINE = re.compile(r"^(?P<place>[A-Z][A-Z .]*?)\.NIAGA\.ASIA\s*—\s*")
_CREDIT = re.compile(r"^(?:Sumber\s*:\s*(?P<source>[^|]+?)\s*\|\s*)?Editor\s*:\s*(?P<editor>.+)$")


def seed_text() -> str:
    """The packaged seed article exactly as shared (title, captions, body, credit, tags)."""
    return (resources.files("replica") / "assets" / "seed-article.txt").read_text("utf-8")


def load_seed_article(categories: tuple[Category, ...], authors: tuple[Author, ...]) -> Article:
    blocks = [b.strip() for b in seed_text().split("\n\n") if b.strip()]
    title, rest = blocks[0], blocks[1:]
    paragraphs: list[str] = []
    captions: list[Caption] = []
    dateline: str | None = None
    source: str | None = None
    editor = ""
    credit_line = ""
    for block in rest:
        if block.startswith("Tag:"):
            continue
        if credit := _CREDIT.match(block):
            source, editor, credit_line = credit["source"], credit["editor"], block
            continue
        if caption := _CAPTION.match(block):
            n = len(captions)
            captions.append(
                Caption(
                    text=caption["text"],
                    credit=caption["credit"],
                    image_path=SEED_IMAGES[n],
                    attachment_id=SEED_POST_ID + 1 + n,
                    style="classic" if n == 0 else "block",
                    position=len(paragraphs),
                    alt=caption["text"] if n == 0 else "",
                )
            )
            continue
        if not paragraphs and (match := _DATELINE.match(block)):
            dateline = match["place"]
            block = block[match.end() :]
        paragraphs.append(block)
    category = next(c for c in categories if c.slug == "hukum-kriminal")
    author = next(a for a in authors if a.name == "Redaksi Niaga.Asia")
    return Article(
        index=0,
        post_id=SEED_POST_ID,
        slug=SEED_SLUG,
        title=title,
        published=SEED_PUBLISHED,
        modified=SEED_MODIFIED,
        category=category,
        tags=tuple(Tag(name, slug) for name, slug in SEED_TAGS),
        author=author,
        editor=editor,
        source=source,
        credit_line=credit_line,
        dateline=dateline,
        paragraphs=tuple(paragraphs),
        captions=tuple(captions),
        comments=(),
        is_seed=True,
    )
