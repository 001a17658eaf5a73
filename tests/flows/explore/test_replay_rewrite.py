"""Replay addresses and the link rewriting of archived HTML and CSS (no servers): links
that leave the page's own folder are pointed back into the archive, the rest is kept."""

from __future__ import annotations

import pytest

from flows.explore.replay import ReplayError, parse_target, replay_address, rewrite

BASE = "http://127.0.0.1:8765/berita/banjir-rob/"
TS = "20230303120000"


def rewritten(html: str) -> str:
    return rewrite(html.encode(), BASE, TS).decode()


def test_addresses() -> None:
    assert parse_target(f"{TS}/{BASE}") == (TS, BASE, False)
    assert parse_target(f"{TS}id_/{BASE}?p=1&x=%20") == (TS, BASE + "?p=1&x=%20", True)
    assert parse_target(f"{TS}/http:/127.0.0.1:8765/") == (TS, "http://127.0.0.1:8765/", False)
    assert replay_address(TS, BASE, raw=True) == f"/replay/{TS}id_/{BASE}"
    for bad in ("nodigits/http://a/", f"{TS}/file:///etc/passwd", f"{TS}/javascript:alert(1)",
                "123/http://a/", f"{TS}"):  # fmt: skip
        with pytest.raises(ReplayError):
            parse_target(bad)


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<img src="http://127.0.0.1:8765/a.jpg">', f'<img src="/replay/{TS}/http://127.0.0.1:8765/a.jpg">'),
        ("<link href='/wp/style.css'>", f"<link href='/replay/{TS}/http://127.0.0.1:8765/wp/style.css'>"),
        ("<a href=//cdn.example/x.js>", f"<a href=/replay/{TS}/http://cdn.example/x.js>"),
        ('<script src="https://ads.example/ad.js">', f'<script src="/replay/{TS}/https://ads.example/ad.js">'),
        ('<img src="foto.jpg">', '<img src="foto.jpg">'),  # relative: already inside the replay
        ('<a href="#komentar">', '<a href="#komentar">'),
        ('<a href="javascript:void(0)">', '<a href="javascript:void(0)">'),
        ('<img src="data:image/gif;base64,R0lGOD">', '<img src="data:image/gif;base64,R0lGOD">'),
        ('<a href="mailto:redaksi@example">', '<a href="mailto:redaksi@example">'),
        ('<img srcset="/a-300.jpg 300w, b.jpg 2x">',
         f'<img srcset="/replay/{TS}/http://127.0.0.1:8765/a-300.jpg 300w, b.jpg 2x">'),
        ('<meta http-equiv="refresh" content="0; url=https://live.example/">',
         f'<meta http-equiv="refresh" content="0; url=/replay/{TS}/https://live.example/">'),
        ('<div style="background:url(\'/bg.png\')">',
         f'<div style="background:url(\'/replay/{TS}/http://127.0.0.1:8765/bg.png\')">'),
        ("<p>src=http://not-an-attribute but text</p>",
         f"<p>src=/replay/{TS}/http://not-an-attribute but text</p>"),  # harmless
    ],
)  # fmt: skip
def test_links_point_into_the_archive(html: str, expected: str) -> None:
    assert rewritten(html) == expected


def test_css_and_other_bytes() -> None:
    css = b'@import "/theme.css"; body{background:url(http://x.example/i.png)} p{color:red}'
    assert (
        rewrite(css, BASE, TS, css=True)
        == (
            f'@import "/replay/{TS}/http://127.0.0.1:8765/theme.css"; '
            f"body{{background:url(/replay/{TS}/http://x.example/i.png)}} p{{color:red}}"
        ).encode()
    )
    latin = "<p>Caf\xe9</p><img src='/a.jpg'>".encode("latin-1")  # not UTF-8: bytes kept
    assert rewrite(latin, BASE, TS).startswith(b"<p>Caf\xe9</p>")


def test_what_a_wrong_address_is_told() -> None:
    # The message is the body of the 404 page: it says what a replay address looks like.
    with pytest.raises(ReplayError, match=r"^a replay address is /replay/<YYYYMMDDhhmmss>/<orig"):
        parse_target("latest/http://a/")
    with pytest.raises(ReplayError, match=r"^only http and https pages are archived$"):
        parse_target(f"{TS}/ftp://a/")
    assert parse_target(f"{TS}/https:/a.example/x") == (TS, "https://a.example/x", False)


def test_every_candidate_of_a_srcset_is_rewritten() -> None:
    assert rewritten('<img srcset="/a.jpg 1x,/b.jpg 2x">') == (
        f'<img srcset="/replay/{TS}/http://127.0.0.1:8765/a.jpg 1x, '
        f'/replay/{TS}/http://127.0.0.1:8765/b.jpg 2x">'
    )
