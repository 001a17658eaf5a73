"""Indonesian page forms of every era, each imitated by a minimal snippet written for the test:
related-news lists that leave dates behind, photo and gallery pages, captions in attributes
and in caption boxes that are no <figure>, and the fallback that never leaves an article empty.
"""

from __future__ import annotations

from crawler.extraction.article import extract_article
from crawler.extraction.dates import is_date_line
from crawler.extraction.non_body_lines import is_dropped_line

PARAS = (
    "Pemerintah kota meresmikan jembatan baru di tepi sungai pada Senin pagi setelah dua "
    "tahun pembangunan yang sempat tertunda karena banjir.",
    "Wali kota mengatakan jembatan itu akan memangkas waktu tempuh warga dari dua desa di "
    "seberang sungai menuju pasar dan sekolah di pusat kota.",
    "Warga menyambut peresmian itu dengan syukuran kecil di ujung jembatan, sementara "
    "petugas mengatur lalu lintas kendaraan yang mulai melintas.",
)


def _related(count: int) -> str:
    items = "".join(
        f'<li><a href="/r/{i}"><span>{i:02d}</span></a><span class="date">'
        f"Kamis, 0{i % 9 + 1}/11/2015 09:2{i} WIB</span></li>"
        for i in range(1, count + 1)
    )
    return f'<div class="related"><ul>{items}</ul></div>'


def test_weekday_dates_counters_and_bullets_are_no_body_lines() -> None:
    assert is_date_line("- Kamis, 05/11/2015 09:25 WIB")
    assert is_date_line("Selasa, 23/02/2016 15:32 WIB")
    assert not is_date_line("Kamis kemarin 05/11/2015 warga berkumpul")
    assert is_dropped_line("-") and is_dropped_line("07") and is_dropped_line("•")
    assert not is_dropped_line("2015") and not is_dropped_line("Ya.")


def test_a_related_list_leaves_no_dates_or_counters_in_the_body() -> None:
    body = "".join(f"<p>{p}</p>" for p in PARAS)
    page = (
        "<html><head><title>Jembatan baru diresmikan</title></head><body>"
        f"{_related(6)}<div class='content'><h1>Jembatan baru diresmikan</h1>{body}</div>"
        f"{_related(8)}</body></html>"
    )
    record = extract_article(page, "https://kota.example/read/2015/11/05/jembatan")
    assert record is not None
    assert record.text.split("\n\n") == list(PARAS)


def _links(count: int) -> str:
    return (
        "<ul>"
        + "".join(
            f"<li><a href='/berita/{i}'>Berita lain nomor {i} tentang kota ini</a></li>"
            for i in range(count)
        )
        + "</ul>"
    )


def test_a_short_article_the_readings_miss_falls_back_and_says_so() -> None:
    page = (
        "<html><head><meta property='og:type' content='article'></head><body>"
        f"<h1>Jembatan baru diresmikan</h1><div class='text'>{PARAS[0]}</div>"
        f"{_links(15)}</body></html>"
    )
    record = extract_article(page, "https://kota.example/berita/2015/jembatan-baru")
    assert record is not None and record.page_kind == "article"
    assert record.text == PARAS[0]
    assert record.confidence is not None and record.confidence < 0.5


def test_a_full_article_is_read_with_confidence() -> None:
    body = "".join(f"<p>{p}</p>" for p in PARAS * 3)
    page = f"<html><body><article><h1>Jembatan baru</h1>{body}</article></body></html>"
    record = extract_article(page, "https://kota.example/berita/2015/jembatan-baru")
    assert record is not None and record.page_kind == "article"
    assert record.confidence is not None and record.confidence >= 0.9


SHOTS = (
    "Warga berjalan di atas jembatan gantung yang baru selesai diperbaiki, Senin (15/2).",
    "Anak-anak bermain di tepi sungai di bawah jembatan gantung, Senin (15/2).",
    "Petugas memeriksa kabel baja jembatan sebelum dibuka untuk umum, Senin (15/2).",
)


def _gallery(credit: str = "(FOTOGRAFER/Nama Fotografer)") -> str:
    return "".join(
        f"<figure class='gallery-item'><div><a href='#p{i}'><img src='/img/{i}.jpg' "
        f"alt='{text} {credit}'></a></div><figcaption class='gallery-item__text'>{text} "
        f"{credit}</figcaption></figure>"
        for i, text in enumerate(SHOTS)
    )


def test_a_gallery_page_is_its_captions() -> None:
    page = (
        "<html><head><meta property='og:type' content='article'></head><body>"
        f"<nav>{_links(8)}</nav><article><h1>Jembatan gantung dibuka lagi</h1>"
        f"<div class='gallery'>{_gallery()}</div><div class='tags'>Tag: jembatan</div>"
        f"</article><aside>{_links(10)}</aside></body></html>"
    )
    record = extract_article(page, "https://foto.kota.example/daerah/jembatan-gantung-2437")
    assert record is not None and record.page_kind == "gallery"
    assert record.text.split("\n\n") == [s.rstrip(".") + "." for s in SHOTS]
    assert [c.text for c in record.captions] == list(SHOTS)
    assert {c.credit for c in record.captions} == {"FOTOGRAFER/Nama Fotografer"}


def test_a_photo_page_keeps_its_own_text_and_drops_the_furniture() -> None:
    intro = (
        "Pemerintah kota hari ini resmi membuka kembali jembatan gantung di desa itu setelah "
        "diperbaiki selama tiga bulan."
    )
    page = (
        "<html><head><meta property='og:type' content='article'></head><body>"
        "<div class='content'><div class='date'>Selasa, 23/02/2016 15:32 WIB</div>"
        "<div class='kanal'>FotoDaerah</div><h1>Jembatan gantung dibuka lagi</h1>"
        "<div class='author'>Fotografer: Nama Fotografer</div>"
        f"<div class='intro'>{intro}</div><img class='big' src='/img/0.jpg'>"
        "<div class='contact'>Redaksi: redaksi[at]kota.example</div>"
        "<div class='ads'>Informasi pemasangan iklan</div></div></body></html>"
    )
    record = extract_article(page, "https://kota.example/readfoto/2016/02/23/jembatan-gantung")
    assert record is not None and record.page_kind == "photo"
    assert record.text == intro
