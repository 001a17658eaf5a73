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


def _page(inner: str) -> str:
    body = "".join(f"<p>{p}</p>" for p in PARAS * 2)
    return (
        "<html><head><meta property='og:type' content='article'></head><body>"
        f"<div class='main'><h1>Jembatan baru diresmikan</h1>{inner}{body}</div></body></html>"
    )


def _captions(inner: str, body: bool = True) -> list[tuple[str, str | None]]:
    record = extract_article(_page(inner), "https://kota.example/berita/2015/jembatan-baru")
    assert record is not None
    if body:
        assert record.text.split("\n\n") == list(PARAS * 2)  # no caption left in the body
    return [(c.text, c.credit) for c in record.captions]


LEAD = "Warga melintasi jembatan baru di tepi sungai, Senin (5/11)"


def test_a_caption_box_named_by_id_beside_the_lead_image() -> None:
    inner = (
        "<div id='foto_berita'><img src='/img/1.jpg' alt='Jembatan baru diresmikan'>"
        f"<div id='caption_berita'>{LEAD}.</div></div>"
    )
    assert _captions(inner) == [(f"{LEAD}.", None)]


def test_an_indonesian_caption_class_beside_the_image() -> None:
    for word in ("deskripsi", "keterangan", "ket-foto"):
        inner = (
            f"<div class='tampilan'><div class='gambar'><img src='/img/1.jpg'></div>"
            f"<div class='{word}'>{LEAD}.</div></div>"
        )
        assert _captions(inner) == [(f"{LEAD}.", None)], word


def test_a_doc_credit_is_split_off() -> None:
    from crawler.extraction.captions import split_credit

    assert split_credit(f"{LEAD}. Doc. humas kota") == (LEAD, "humas kota")
    assert split_credit(f"{LEAD}.") == (f"{LEAD}.", None)  # "(5/11)" is the day, no credit
    assert split_credit(f"{LEAD} (KANTOR/Nama)") == (LEAD, "KANTOR/Nama")


def test_teaser_cards_and_staff_lists_are_no_captions() -> None:
    teaser = (
        "<div class='box'><div class='thumb'><a href='/berita/2'><img src='/img/2.jpg'></a>"
        "</div><h3><a href='/berita/2'>Pasar baru dibuka</a></h3><div class='desc'>Pasar "
        "baru di pusat kota dibuka untuk pedagang kecil mulai pekan ini.</div></div>"
        "<div class='card__caption'><h5><a href='/berita/3'>Harga cabai turun</a></h5> "
        "Telah dibaca 1.2k kali</div>"
        "<ul class='credits'><li class='credits__role'>Editor</li><li><img class='x' "
        "src='/avatars/u.png' alt='avatar'><span class='credits__name'>Nama Editor</span>"
        "</li></ul>"
    )
    assert _captions(teaser, body=False) == []


def test_one_caption_per_image_with_its_credit_split_in_both_places() -> None:
    inner = (
        f"<figure class='wp-caption' data-caption='{LEAD}. Foto: Nama Fotografer'>"
        f"<img src='/img/1.jpg'><figcaption>{LEAD}. Foto: Nama Fotografer</figcaption></figure>"
        f"<div class='photo' data-caption='{LEAD} (Dok. Humas)'><img src='/img/1.jpg'></div>"
    )
    assert _captions(inner) == [(LEAD, "Nama Fotografer")]


def test_the_lead_image_alt_is_its_caption_when_it_is_a_sentence() -> None:
    inner = f"<div class='foto'><img src='/img/1.jpg' alt='{LEAD} (Istimewa)'></div>"
    assert _captions(inner) == [(LEAD, "Istimewa")]
    headline = "<div class='foto'><img src='/img/1.jpg' alt='Jembatan baru diresmikan'></div>"
    assert _captions(headline) == []


def test_a_photo_credit_standing_alone_in_the_text_is_no_body_line() -> None:
    for line in ("KANTORBERITA FOTO/Nama Fotografer", "(KANTOR/Nama)", "PORTAL.com/NAMA PENULIS"):
        assert is_dropped_line(line), line
    assert not is_dropped_line("KANTORBERITA FOTO/Nama Fotografer memotret warga di jembatan.")


def test_linked_captions_stay_and_a_footer_notice_is_none() -> None:
    inner = (
        "<figure><img src='/img/1.jpg'><figcaption><a href='/resep/kue'>Kue Lapis "
        "Legit Klasik</a></figcaption></figure>"
        "<div class='wp-caption'><img src='/img/2.jpg'><p class='wp-caption-text'><em>Source: "
        "<a href='https://data.example/riset'>data.example</a></em></p></div>"
    )
    assert _captions(inner) == [
        ("Kue Lapis Legit Klasik", None),
        ("Source: data.example", None),
    ]
    footer = "<img src='/logo.png'><p>kota.example Copyright © 2016</p>"
    assert _captions(footer, body=False) == []
