"""Titles: the headline the page's sources agree on, without the site's affixes."""

from __future__ import annotations

import pytest

from crawler.extraction.article import extract_article
from crawler.extraction.titles import headline, repair_mojibake, strip_names

BODY = """<p>Badan Pusat Statistik mencatat inflasi di kota itu naik tipis pada bulan lalu,
didorong kenaikan harga beras dan cabai di pasar tradisional menjelang akhir tahun.</p>
<p>Kepala BPS menyebut kenaikan itu masih dalam batas wajar dan pemerintah daerah sudah
menggelar operasi pasar untuk menekan harga di tingkat konsumen.</p>"""


def _page(head: str, body_top: str) -> str:
    return f"""<html lang="id"><head>{head}<meta property="og:type" content="article"></head>
    <body>{body_top}<article><div class="entry-content">{BODY}</div></article></body></html>"""


@pytest.mark.parametrize(
    ("title", "names", "want"),
    [
        ("Judul Berita - Kompas.com", ["Kompas.com"], "Judul Berita"),
        ("KapanLagi.com: Judul Berita", ["kapanlagi.com"], "Judul Berita"),
        ("davidbau.com Vibe Coding", ["davidbau.com"], "Vibe Coding"),
        ("Kompas.com", ["Kompas.com"], "Kompas.com"),  # nothing would be left
        ("Judul Berita di Kompas", ["Kompas"], "Judul Berita di Kompas"),  # no separator
    ],
)
def test_strip_names(title: str, names: list[str], want: str) -> None:
    assert strip_names(title, names) == want


def test_site_affix_is_cut_where_the_h1_confirms_the_rest() -> None:
    got = headline(["Judul Berita Hari Ini - Kompas.com"], ["Judul Berita Hari Ini"], [])
    assert got == "Judul Berita Hari Ini"


def test_logo_h1_gives_way_to_the_article_h1() -> None:
    h1s = ["Tribun Kaltim", "Harga Cabai Turun di Samarinda"]
    got = headline(["Harga Cabai Turun di Samarinda | Tribun Kaltim"], h1s, [])
    assert got == "Harga Cabai Turun di Samarinda"


def test_h1_that_shares_nothing_with_the_metadata_is_a_logo() -> None:
    got = headline(["Banjir Rendam Tiga Kecamatan"], ["Our Blog"], ["example.com"])
    assert got == "Banjir Rendam Tiga Kecamatan"


def test_visible_rewording_of_the_metadata_title_wins() -> None:
    meta = ["Top 10 SEO Strategies for 2025 | LuccaAM"]
    got = headline(meta, ["Ten SEO Strategies for 2025 to Boost Rankings"], [])
    assert got == "Ten SEO Strategies for 2025 to Boost Rankings"


def test_a_single_shared_word_does_not_make_a_rewording() -> None:
    meta = ["How we broke into Discord and hundreds of other companies"]
    assert headline(meta, ["Discord"], []) == meta[0]


def test_name_learnt_from_two_metadata_titles_rules_out_the_logo_h1() -> None:
    title = "Small adventures with small language models"
    meta = [title, f"Engora Data Blog: {title}"]
    got = headline(meta, ["Engora Data Blog", "What is a SLM?"], [])
    assert got == "Small adventures with small language models"


def test_affix_named_like_the_host_is_cut() -> None:
    url = "https://tires.bridgestone.com/en-us/learn/ultimate-checklist"
    got = headline(["The Ultimate Car Maintenance Checklist | Bridgestone Tires"], [], [], url)
    assert got == "The Ultimate Car Maintenance Checklist"


def test_leading_part_holding_the_host_name_is_the_headline_subject() -> None:
    url = "https://www.docker.com/blog/hardened-images/"
    title = "Docker Hardened Images: Security Independently Validated"
    assert headline([title], [], [], url) == title


def test_affix_named_like_an_address_folder_is_cut_but_not_the_slug() -> None:
    url = "https://www.example.com/story/opini/2025/12/19/cara-menanam-padi/"
    got = headline(["Cara Menanam Padi di Lahan Gambut | Opini"], [], [], url)
    assert got == "Cara Menanam Padi di Lahan Gambut"
    slug_url = "https://example.com/guides/getting-to-yes/"
    title = "Getting to YES: The Anti-Sales Guide to Closing Deals"
    assert headline([title], [], [], slug_url) == title


def test_h1_with_a_date_kicker_gives_way_to_the_metadata_title() -> None:
    meta = ["Preparing a transition in Debusine"]
    got = headline(meta, ["Dec 18 2025 Preparing a transition in Debusine"], [])
    assert got == "Preparing a transition in Debusine"


def test_h1_that_completes_a_shorter_metadata_title_wins() -> None:
    meta = ["Composition techniques in landscape"]
    got = headline(meta, ["Composition techniques in landscape photography"], [])
    assert got == "Composition techniques in landscape photography"


def test_without_metadata_the_first_h1_is_the_title() -> None:
    assert headline([], ["Judul Berita", "Berita Terkait"], []) == "Judul Berita"
    assert headline([], [], []) is None


def test_mojibake_is_repaired_and_clean_text_left_alone() -> None:
    assert repair_mojibake("A DIY Investorâ\x80\x99s Guide") == "A DIY Investor’s Guide"
    assert repair_mojibake("Café Über Straße") == "Café Über Straße"


def test_page_logo_h1_and_article_h1() -> None:
    html = _page(
        "<title>Harga Cabai Turun Jelang Natal - Niaga.Asia</title>",
        '<header><h1 class="logo"><a href="/">Niaga.Asia</a></h1></header>'
        "<h1>Harga Cabai Turun Jelang Natal</h1>",
    )
    article = extract_article(html, "https://www.niaga.asia/harga-cabai-turun/")
    assert article is not None and article.title == "Harga Cabai Turun Jelang Natal"


def test_page_br_in_the_h1_separates_words() -> None:
    html = _page("<title>Weekend Coding Agent</title>", "<h1>WEEKEND<br>CODING AGENT</h1>")
    article = extract_article(html, "https://example.com/reports/coding-agent")
    assert article is not None and article.title == "WEEKEND CODING AGENT"


def test_page_kapanlagi_prefix_and_entities() -> None:
    html = _page(
        "<title>KapanLagi.com: Raisa &amp; Hamish Rayakan Ulang Tahun</title>"
        '<meta property="og:title"'
        ' content="KapanLagi.com: Raisa &amp; Hamish Rayakan Ulang Tahun">',
        "",
    )
    article = extract_article(html, "https://www.kapanlagi.com/showbiz/raisa-hamish.html")
    assert article is not None and article.title == "Raisa & Hamish Rayakan Ulang Tahun"


def test_h1_found_inside_the_metadata_title_beats_a_reshuffled_one() -> None:
    meta = ["Warga Mengungsi Karena Banjir Rendam Samarinda"]
    h1s = ["Samarinda Warga Banjir", "Banjir Rendam Samarinda"]  # only the second is a run
    assert headline(meta, h1s, []) == "Banjir Rendam Samarinda"


def test_h1_equal_to_a_metadata_title_beats_a_longer_part_of_another() -> None:
    meta = ["Harga Cabai Turun | Pasar Samarinda Ramai Pembeli", "Banjir Rendam Kota"]
    h1s = ["Pasar Samarinda Ramai Pembeli", "Banjir Rendam Kota"]
    assert headline(meta, h1s, []) == "Banjir Rendam Kota"


def test_four_word_affix_learnt_from_another_title_is_cut() -> None:
    meta = ["Harga Cabai Turun di Samarinda - Kabar Kota Samarinda Raya",
            "Harga Cabai Turun di Samarinda"]  # fmt: skip
    assert headline(meta, [], []) == "Harga Cabai Turun di Samarinda"


def test_five_letter_part_of_the_host_name_is_an_affix() -> None:
    url = "https://kabarkota.example/berita/harga-cabai/"
    assert headline(["Harga Cabai Turun di Samarinda | Kabar"], [], [], url) == (
        "Harga Cabai Turun di Samarinda"
    )


def test_kept_parts_are_rejoined_from_the_first_to_the_last() -> None:
    url = "https://kabarkota.example/"  # "| Kabarkota" is the site's affix
    assert headline(["Banjir - Banjir Lagi di Samarinda | Kabarkota"], [], [], url) == (
        "Banjir - Banjir Lagi di Samarinda"
    )
    got = headline(["Banjir di Kota - Banjir | Kabarkota"], [], [], url)
    assert got == "Banjir di Kota - Banjir"
    assert headline(["Awal Berita | Banjir Rendam | Kabarkota"], [], [], url) == (
        "Awal Berita | Banjir Rendam"
    )
    assert headline(["Kabar Kota: Banjir Rendam Samarinda"], [], [], url) == (
        "Banjir Rendam Samarinda"
    )  # a leading part named like the host goes too


@pytest.mark.parametrize(
    ("meta", "h1", "want"),
    [
        # a two-word title is too short to be wrapped: the h1 is a rewording
        (["Banjir Samarinda"], "Kamis Banjir Samarinda", "Kamis Banjir Samarinda"),
        # a three-word title is long enough; one word of kicker is enough
        (["Banjir Rendam Samarinda"], "Dec 18 2025 Banjir Rendam Samarinda",
         "Banjir Rendam Samarinda"),
        (["Banjir Rendam Samarinda"], "Blog: Banjir Rendam Samarinda", "Banjir Rendam Samarinda"),
        # a dated tail after the title, whose title is not the first metadata title
        (["Kabar Terkini Hari Ini Semua", "Banjir Rendam Samarinda"],
         "Banjir Rendam Samarinda Posted 1 July by Admin", "Banjir Rendam Samarinda"),
        # a dated tail a metadata title carries too is no wrapper: the h1 is the headline
        (["Kabar Terkini 1 Juli", "Banjir Rendam Samarinda"], "Banjir Rendam Samarinda 1 Juli",
         "Banjir Rendam Samarinda 1 Juli"),
    ],
)  # fmt: skip
def test_wrapped_titles(meta: list[str], h1: str, want: str) -> None:
    assert headline(meta, [h1], []) == want


def test_affixes_are_cut_until_one_part_is_left_and_no_further() -> None:
    url = "https://kabarkota.samarinda.example/berita/banjir/"
    # both parts are named like the host: the first stays, as the title cannot be empty
    assert headline(["Kabar Kota | Samarinda"], [], [], url) == "Kabar Kota"
    # one trailing affix goes, the part before it stays
    assert headline(["Banjir Rendam | Kota Lama | Samarinda"], [], [], url) == (
        "Banjir Rendam | Kota Lama"
    )


def test_a_metadata_title_without_words_teaches_no_affixes() -> None:
    assert headline(["Banjir Rendam | Samarinda", "…"], [], []) == "Banjir Rendam | Samarinda"


def test_words_are_compared_as_written_not_as_upper_case_folds_them() -> None:
    # "STRASSE" is "Straße" in upper case only: the h1 spelling "Strasse" is no run of the title
    meta = ["Harga Naik di Jalan Straße Baru"]
    got = headline(meta, ["Harga Naik Jalan Baru", "Naik di Jalan Strasse Baru"], [])
    assert got == "Harga Naik Jalan Baru"


def test_leading_affixes_are_cut_one_after_the_other() -> None:
    url = "https://kabarkota.samarinda.example/berita/banjir/"
    assert headline(["Kabar Kota | Samarinda | Banjir Rendam Kota Lama"], [], [], url) == (
        "Banjir Rendam Kota Lama"
    )
    assert headline(["Kabar Kota | Banjir Rendam | Kota Lama"], [], [], url) == (
        "Banjir Rendam | Kota Lama"
    )


def test_a_blank_site_name_strips_nothing() -> None:
    assert strip_names("Judul Berita |", [" "]) == "Judul Berita |"
    assert strip_names("Judul Berita - Situs", [" ", "Situs"]) == "Judul Berita"  # next name


def test_only_the_sites_name_itself_is_stripped() -> None:
    # a word as long as the name after the separator is no name
    assert strip_names("Judul Berita - Kabar", ["Situs"]) == "Judul Berita - Kabar"
    # a name that only opens a longer word is no prefix
    assert strip_names("Kompasiana Berita Hari Ini", ["Kompas"]) == "Kompasiana Berita Hari Ini"


def test_mojibake_read_as_windows_1252_is_repaired() -> None:
    # "€" and "™" are no Latin-1 characters: only the Windows-1252 reading gives the bytes back
    assert repair_mojibake("A DIY Investorâ€™s Guide") == "A DIY Investor’s Guide"


def test_an_h1_sharing_under_half_its_words_with_the_metadata_is_a_logo() -> None:
    meta = ["Banjir Rendam Tiga Kecamatan"]
    assert headline(meta, ["Kabar Banjir Terkini"], []) == meta[0]  # one word of three


def test_rewordings_of_two_words_count_and_the_first_of_equals_wins() -> None:
    meta = ["Samarinda Dilanda Banjir Besar Hari Ini"]
    assert headline(meta, ["Banjir Samarinda"], []) == "Banjir Samarinda"
    h1s = ["Banjir Samarinda", "Samarinda Banjir Besar"]  # every word shared by both
    assert headline(meta, h1s, []) == "Banjir Samarinda"


def test_a_one_word_h1_does_not_end_the_search_for_a_rewording() -> None:
    meta = ["Top 10 SEO Strategies for 2025 | LuccaAM"]
    h1s = ["Menu", "Ten SEO Strategies for 2025 to Boost Rankings"]
    assert headline(meta, h1s, []) == "Ten SEO Strategies for 2025 to Boost Rankings"


def test_of_two_equally_confirmed_h1s_the_first_wins() -> None:
    h1s = ["Banjir Rendam Kota", "Hujan Deras Sore"]  # both a three-word part of the title
    assert headline(["Banjir Rendam Kota | Hujan Deras Sore"], h1s, []) == "Banjir Rendam Kota"


def test_a_site_name_without_letters_or_digits_rules_out_no_h1() -> None:
    # "—" squashes to nothing, like an h1 of underscores: that is no reason to drop the h1
    assert headline([], ["___"], ["—"]) == headline([], ["___"], []) == "___"
