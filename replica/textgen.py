"""Deterministic Indonesian filler articles: article ``i`` comes from ``Random((seed, i))``.

Each article draws from its own random stream, so adding articles never changes earlier
ones. Dates follow a fixed timetable (eight slots a day, WITA) that starts right after the
seed article, so a larger site only adds newer articles.
"""

from __future__ import annotations

import random
import re
import unicodedata
from datetime import datetime, timedelta

from replica import vocab
from replica.dates import WITA, indonesian_date
from replica.seedarticle import SEED_POST_ID
from replica.site_model import Article, Author, Caption, Category, Comment, EditorialPage, Tag

SLOT_HOURS = (7, 9, 10, 12, 14, 16, 18, 20)
SEED_SLOT = 4  # the seed article sits in the 14:00 slot of 3 March 2023
DAY_ZERO = datetime(2023, 3, 3, tzinfo=WITA)
POST_ID_STEP = 4  # each post also uses ids for its attachments, like WordPress


def slugify(text: str) -> str:
    """WordPress-like ``sanitize_title``: lower case ASCII words joined by hyphens."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9\s-]", "", text.lower())
    return re.sub(r"[\s-]+", "-", text).strip("-")


def published_at(i: int, rng: random.Random) -> datetime:
    slot = SEED_SLOT + i
    day, hour = divmod(slot, len(SLOT_HOURS))
    return DAY_ZERO + timedelta(days=day, hours=SLOT_HOURS[hour], minutes=rng.randrange(60))


def title_case(text: str) -> str:
    """Headline casing: capitalise each word, keep acronyms such as IKN and DPRD."""
    small = {"di", "ke", "dan", "dari", "untuk", "yang"}
    return " ".join(w if w in small else w[:1].upper() + w[1:] for w in text.split(" "))


class _Values(dict[str, str]):
    """Template values drawn only when a template names them, to keep generation cheap."""

    def __init__(self, filler: Filler, moment: datetime | None) -> None:
        super().__init__()
        self.filler, self.moment = filler, moment

    def __missing__(self, key: str) -> str:
        f, r, moment = self.filler, self.filler.rng, self.moment
        if key == "topic":
            return f.topic
        if key == "Topic":
            return title_case(f.topic)
        if key == "place":
            return f.place
        if key in ("org", "org2"):
            return r.choice(vocab.ORGS)
        if key == "Official":
            return r.choice(vocab.OFFICIALS)
        if key == "venue":
            return r.choice(vocab.VENUES)
        if key == "month":
            return r.choice(vocab.MONTHS)
        if key == "num":
            return str(r.choice((2, 5, 7, 12, 15, 25, 40, 120)))
        if key == "count":
            return str(r.randrange(3, 400))
        if key == "day":
            return vocab.DAYS[moment.weekday()] if moment else ""
        if key == "date":
            return indonesian_date(moment, weekday=False, with_time=False) if moment else ""
        raise KeyError(key)


class Filler:
    """Fills templates for one article, keeping its place and topic consistent."""

    def __init__(self, rng: random.Random, topic: str, place: str) -> None:
        self.rng, self.topic, self.place = rng, topic, place

    def fill(self, template: str, moment: datetime | None = None) -> str:
        return template.format_map(_Values(self, moment))

    def paragraph(self) -> str:
        r = self.rng
        if r.random() < 0.25:
            quote = self.fill(r.choice(vocab.QUOTES))
            speaker = r.choice(vocab.SPEAKERS)
            return f"“{quote},” {r.choice(vocab.QUOTE_VERBS)} {speaker}."
        count = r.randint(2, 3)
        return " ".join(self.fill(t) for t in r.sample(vocab.SENTENCES, count))


def make_article(
    seed: int,
    i: int,
    categories: tuple[Category, ...],
    authors: tuple[Author, ...],
    used_slugs: set[str],
    older: list[Article],
) -> Article:
    """Article ``i >= 1``; ``older`` holds articles ``0..i-1`` (only read for related links)."""
    rng = random.Random(f"warta-replica:{seed}:{i}")
    category = rng.choice(categories)
    topic = rng.choice(vocab.TOPICS[category.slug])
    place = rng.choice(vocab.PLACES)
    filler = Filler(rng, topic, place)
    published = published_at(i, rng)
    modified = published + timedelta(minutes=rng.choice((0, 0, 0, 12, 45, 90, 180)))
    title = filler.fill(rng.choice(vocab.TITLE_TEMPLATES), published)
    slug = base = slugify(title)
    n = 2
    while slug in used_slugs:
        slug, n = f"{base}-{n}", n + 1

    paragraphs = tuple(filler.paragraph() for _ in range(rng.randint(5, 12)))
    post_id = SEED_POST_ID + POST_ID_STEP * i
    author = rng.choice(authors)
    editor = rng.choice(vocab.EDITORS)
    opinion = category.slug == "opini"
    source: str | None = None
    roll = rng.random()
    if opinion or roll < 0.1:
        credit_line = f"Penulis : {author.name} | Editor : {editor}"
    elif roll < 0.3:
        credit_line = f"Editor : {editor}"
    else:
        source = rng.choice(vocab.SOURCES)
        credit_line = f"Sumber : {source} | Editor : {editor}"

    captions = _captions(rng, filler, published, slug, post_id, len(paragraphs))
    tag_names = rng.sample(vocab.TAGS, rng.randint(1, 3))
    if topic[0].isupper() and topic not in tag_names:
        tag_names.append(topic)
    tags = tuple(Tag(name, slugify(name)) for name in tag_names)
    related_index = rng.randrange(max(0, i - 60), i) if rng.random() < 0.35 else None
    pool = range(max(0, i - 120), i)
    see_also = tuple(rng.sample(pool, min(3, len(pool))))
    comments = tuple(
        Comment(rng.choice(vocab.COMMENTERS), rng.choice(vocab.COMMENTS), rng.randrange(5, 600))
        for _ in range(rng.choice((0, 0, 1, 2, 3)))
    )
    return Article(
        index=i,
        post_id=post_id,
        slug=slug,
        title=title,
        published=published,
        modified=modified,
        category=category,
        tags=tags,
        author=author,
        editor=editor,
        source=source,
        credit_line=credit_line,
        dateline=None if opinion else place.upper(),
        paragraphs=paragraphs,
        captions=captions,
        related_index=related_index,
        related_position=rng.randint(2, len(paragraphs) - 1),
        see_also=see_also,
        comments=comments,
    )


def _captions(
    rng: random.Random, filler: Filler, published: datetime, slug: str, post_id: int, n: int
) -> tuple[Caption, ...]:
    captions = []
    for k in range(rng.choice((1, 1, 2))):
        credit = rng.choice(vocab.CREDIT_TEMPLATES).format(
            source=rng.choice(vocab.SOURCES), photographer=rng.choice(vocab.PHOTOGRAPHERS)
        )
        if rng.random() < 0.5:
            name = f"IMG-{published:%Y%m%d}-WA{rng.randrange(10000):04d}"
        else:
            name = "-".join(slug.split("-")[:5]) + (f"-{k + 1}" if k else "")
        text = filler.fill(rng.choice(vocab.CAPTIONS), published)
        captions.append(
            Caption(
                text=text,
                credit=credit,
                image_path=f"/wp-content/uploads/{published:%Y/%m}/{name}.jpg",
                attachment_id=post_id + 1 + k,
                style=rng.choice(("classic", "block")),
                position=0 if k == 0 else rng.randint(2, n - 1),
                alt=text if rng.random() < 0.5 else "",
            )
        )
    return tuple(captions)


def editorial_pages() -> tuple[EditorialPage, ...]:
    redaksi = (
        "Niaga.Asia adalah media siber yang berkedudukan di Samarinda, Kalimantan Timur.",
        "Pemimpin Redaksi: Intoniswan. Redaktur Pelaksana: Saud Rosadi.",
        "Redaktur: Rachmat Rolau, Hamdani. Reporter: Nur Asih Damayanti, Putri Ramadhani, "
        "Sebastian Tumiwa, Rahmat Hidayat.",
        "Alamat redaksi: Jalan Pahlawan, Samarinda, Kalimantan Timur.",
    )
    pedoman = (
        "Kemerdekaan berpendapat, kemerdekaan berekspresi, dan kemerdekaan pers adalah hak "
        "asasi manusia yang dilindungi Pancasila, Undang-Undang Dasar 1945, dan Deklarasi "
        "Universal Hak Asasi Manusia PBB.",
        "Keberadaan media siber di Indonesia juga merupakan bagian dari kemerdekaan pers.",
        "Setiap berita harus melalui verifikasi. Berita yang dapat merugikan pihak lain "
        "memerlukan verifikasi pada berita yang sama untuk memenuhi prinsip akurasi dan "
        "keberimbangan.",
        "Ralat, koreksi, dan hak jawab mengacu pada Undang-Undang Pers, Kode Etik Jurnalistik, "
        "dan Pedoman Hak Jawab yang ditetapkan Dewan Pers.",
    )
    return (
        EditorialPage("redaksi", "Redaksi", redaksi),
        EditorialPage("pedoman-media-siber", "Pedoman Media Siber", pedoman),
    )
