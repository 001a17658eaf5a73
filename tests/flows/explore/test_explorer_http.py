"""The explorer end to end over real HTTP, on an archive of two replica crawls (see
conftest): what it finds is checked against the crawl's own article files and against
``warta archives query`` on the same archive; what it replays against the WARC bytes."""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

import pyarrow.parquet as pq
import pytest
from lxml import html
from warcio.archiveiterator import ArchiveIterator

from flows.cli import main
from flows.explore.app import Explorer, ExplorerServer
from flows.storage import open_storage
from flows.storage.crawl_upload import store_crawl
from tests.flows.conftest import S3Target
from tests.flows.explore.conftest import Running

pytestmark = pytest.mark.slow


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def page(explorer: Running, **params: str | list[str]) -> html.HtmlElement:
    status, headers, body = get(f"{explorer.url}/?{urlencode(params, doseq=True)}")
    assert status == 200, body[:500]
    assert "script-src" not in headers["Content-Security-Policy"]  # default-src 'none' holds
    return html.fromstring(body)


def rows(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8"))))


def articles(explorer: Running) -> list[dict]:
    """Every article the crawls wrote, read from their own article files."""
    found = []
    for folder in explorer.archive.folders.values():
        for line in (folder / "articles.jsonl").read_text(encoding="utf-8").splitlines():
            found.append(json.loads(line))
    return found


def has_word(article: dict, word: str) -> bool:
    text = f"{article.get('title') or ''} {article.get('text') or ''}"
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.IGNORECASE) is not None


def archives_query(capsys: pytest.CaptureFixture[str], uri: str, sql: str) -> list[dict]:
    capsys.readouterr()
    code = main(["archives", "query", uri, sql, "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def common_word(explorer: Running) -> str:
    """A word that some stories of both sites hold and others do not."""
    stories = articles(explorer)
    for word in ("banjir", "warga", "anggaran", "harga", "pemerintah", "kasus"):
        hits = [a for a in stories if has_word(a, word)]
        if 2 < len(hits) < len(stories) and len({a["site"] for a in hits}) == 2:
            return word
    raise AssertionError("no word splits the replica's stories")


def test_search_finds_what_the_article_files_hold(explorer: Running) -> None:
    word = common_word(explorer)
    expected = {a["url"] for a in articles(explorer) if has_word(a, word)}
    doc = page(explorer, q=word)
    assert int(doc.get_element_by_id("matching").text) == len(expected)
    _, _, body = get(f"{explorer.url}/stories.csv?q={word}")
    table = rows(body)
    assert {r["url"] for r in table} == expected
    shown = [a.get("href") for a in doc.cssselect("#stories a.title")]
    assert len(shown) == min(20, len(expected))
    assert {urllib.parse.parse_qs(h.split("?", 1)[1])["url"][0] for h in shown} <= expected
    story = html.fromstring(get(explorer.url + shown[0])[2])
    assert story.cssselect(".back a")[0].get("href") == f"/?q={word}"  # back to this search

    # NOT, OR, phrases: against the article files again
    doc = page(explorer, q=f"{word} -samarinda")
    by_url = {a["url"]: a for a in articles(explorer)}
    minus = {u for u in expected if not has_word(by_url[u], "samarinda")}
    assert int(doc.get_element_by_id("matching").text) == len(minus)
    one = sorted(expected)[0]
    title = next(a["title"] for a in articles(explorer) if a["url"] == one)
    phrase = " ".join(title.split()[:3])
    doc = page(explorer, q=f'"{phrase}"')
    listed = [a.text_content() for a in doc.cssselect("#stories a.title")]
    assert title in listed


def test_sites_groups_days_section_and_author(explorer: Running) -> None:
    stories = articles(explorer)
    doc = page(explorer, group="Hanya niaga")
    assert int(doc.get_element_by_id("matching").text) == sum(a["site"] == "niaga" for a in stories)
    doc = page(explorer, site="kabarbenua")
    sites = {td.text for td in doc.cssselect("#totals tbody td:first-child")}
    assert sites == {"kabarbenua"}
    day = sorted(a["published"][:10] for a in stories if a["site"] == "niaga")[3]
    doc = page(explorer, site="niaga", **{"from": day, "to": day})
    assert int(doc.get_element_by_id("matching").text) == sum(
        a["site"] == "niaga" and a["published"][:10] == day for a in stories
    )
    section = next(a["section"] for a in stories if a.get("section"))
    doc = page(explorer, section=section.upper())
    assert int(doc.get_element_by_id("matching").text) == sum(
        (a.get("section") or "").lower() == section.lower() for a in stories
    )
    author = next(a["authors"][0] for a in stories if a.get("authors"))
    doc = page(explorer, author=author)
    assert int(doc.get_element_by_id("matching").text) == sum(
        author in (a.get("authors") or []) for a in stories
    )


def test_attention_matches_archives_query(
    explorer: Running, capsys: pytest.CaptureFixture[str]
) -> None:
    word = common_word(explorer)
    status, headers, body = get(f"{explorer.url}/attention.csv?q={word}&every=day")
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    assert "attachment" in headers["Content-Disposition"]
    chart = {(r["period"], r["site"]): (int(r["matching"]), int(r["total"])) for r in rows(body)}
    expected = archives_query(capsys, explorer.archive.uri, f"""
        SELECT substr(published, 1, 10) AS day, site,
               count(DISTINCT url) FILTER (WHERE regexp_matches(title || ' ' || text,
                                                                '(?i)\\b{word}\\b')) AS matching,
               count(DISTINCT url) AS total
        FROM articles GROUP BY ALL ORDER BY ALL""")  # fmt: skip
    assert expected
    for row in expected:
        assert chart[(row["day"], row["site"])] == (row["matching"], row["total"])
    assert sum(m for m, _ in chart.values()) == sum(r["matching"] for r in expected)
    # the chart on the page draws the same numbers (one tooltip per point)
    doc = page(explorer, q=word)
    labels = [t.text for t in doc.cssselect("svg.chart circle title")]
    for row in expected:
        assert (
            f"{row['site']}, {row['day']}: {row['matching']} of {row['total']} stories"
            in " ".join(labels)
        )
    weekly = rows(get(f"{explorer.url}/attention.csv?q={word}&every=week")[2])
    assert sum(int(r["matching"]) for r in weekly) == sum(r["matching"] for r in expected)
    assert all(r["period"] for r in weekly)


def test_downloads_match_the_search(explorer: Running, tmp_path: Path) -> None:
    word = common_word(explorer)
    expected = {a["url"] for a in articles(explorer) if has_word(a, word)}
    status, headers, body = get(f"{explorer.url}/stories.parquet?q={word}")
    assert status == 200
    (tmp_path / "s.parquet").write_bytes(body)
    table = pq.read_table(tmp_path / "s.parquet")
    assert set(table.column("url").to_pylist()) == expected
    assert all(word in (t or "").lower() + (title or "").lower()
               for t, title in zip(table.column("text").to_pylist(),
                                   table.column("title").to_pylist(), strict=True))  # fmt: skip
    status, headers, body = get(f"{explorer.url}/records.warc.gz?q={word}")
    assert status == 200 and headers["Content-Type"] == "application/warc"
    records = list(ArchiveIterator(io.BytesIO(body)))
    assert {r.rec_headers.get_header("WARC-Target-URI") for r in records} == expected
    assert {r.rec_type for r in records} == {"response"}
    # a selection: the stories ticked in the sample table (the form sends url=... twice)
    form = page(explorer, q=word).get_element_by_id("selection")
    fields = [(i.get("name"), i.get("value")) for i in form.cssselect("input[type=hidden]")]
    ticked = [i.get("value") for i in form.cssselect("input[type=checkbox]")][:2]
    address = form.get("action") + "?" + urlencode(fields + [("url", u) for u in ticked])
    records = list(ArchiveIterator(io.BytesIO(get(explorer.url + address)[2])))
    assert sorted(r.rec_headers.get_header("WARC-Target-URI") for r in records) == sorted(ticked)


def archived_payload(explorer: Running, url: str) -> bytes:
    """The response payload for ``url`` as the crawl's WARC holds it (read with warcio)."""
    for folder in explorer.archive.folders.values():
        for warc in sorted(folder.glob("*.warc.gz")):
            with warc.open("rb") as stream:
                for record in ArchiveIterator(stream):
                    if (
                        record.rec_type == "response"
                        and record.rec_headers.get_header("WARC-Target-URI") == url
                    ):
                        return record.content_stream().read()
    raise AssertionError(f"{url} not in the WARCs")


def test_story_opens_in_replay_with_the_archived_bytes(
    explorer: Running, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    story = next(a for a in articles(explorer) if a["site"] == "niaga" and a.get("captions"))
    status, _, body = get(f"{explorer.url}/story?{urlencode({'url': story['url']})}")
    assert status == 200
    doc = html.fromstring(body)
    assert doc.get_element_by_id("title").text == story["title"]
    assert doc.get_element_by_id("original").get("href") == story["url"]
    frame = doc.get_element_by_id("replay")
    assert frame.get("sandbox") == ""
    raw = doc.get_element_by_id("raw").get("href")
    assert raw.startswith("/replay/") and "id_/" in raw

    status, headers, payload = get(explorer.url + raw)
    assert status == 200
    assert payload == archived_payload(explorer, story["url"])
    out = tmp_path / "page.html"
    capsys.readouterr()
    assert main(["archives", "get", explorer.archive.uri, story["url"], "-o", str(out)]) == 0
    assert payload == out.read_bytes()
    assert headers["Content-Security-Policy"].startswith("sandbox;")

    status, headers, rewritten = get(explorer.url + frame.get("src"))
    assert status == 200 and "sandbox" in headers["Content-Security-Policy"]
    assert story["title"].encode() in rewritten
    images = re.findall(rb'<img[^>]+src="(/replay/[^"]+)"', rewritten)
    assert images, "the archived page shows its images from the archive"
    status, headers, image = get(explorer.url + images[0].decode())
    assert status == 200 and headers["Content-Type"].startswith("image/") and image
    base = explorer.archive.base_urls["niaga"].encode()
    assert not re.search(rb'(?:src|href)="' + re.escape(base), rewritten)

    status, headers, record = get(f"{explorer.url}/record?{urlencode({'url': story['url']})}")
    [only] = list(ArchiveIterator(io.BytesIO(record)))
    assert only.rec_headers.get_header("WARC-Target-URI") == story["url"]
    assert gzip.decompress(record).startswith(b"WARC/1.1")


@pytest.mark.parametrize(
    "params",
    [
        {"q": "<script>alert(1)</script>"},
        {"q": '"><img src=x onerror=alert(1)>'},
        {"q": "'; DROP TABLE articles; --"},
        {"q": "((((("},
        {"q": "banjir OR"},
        {"q": "x" * 5000},
        {"site": "niaga' OR '1'='1"},
        {"group": "<b>nope</b>"},
        {"from": "2023-13-45", "to": "<svg onload=alert(1)>"},
        {"section": "x' OR 1=1 --"},
        {"author": "') OR TRUE; --"},
        {"every": "year; DROP"},
    ],
)
def test_hostile_queries_get_a_message_not_html_or_sql(
    explorer: Running, params: dict[str, str]
) -> None:
    status, _, body = get(f"{explorer.url}/?{urlencode(params)}")
    assert status == 200
    text = body.decode()
    assert "<script" not in text and "onerror=" not in text.replace("onerror=alert", "")
    assert "<img src=x" not in text and "<svg onload" not in text and "<b>nope" not in text
    assert "Traceback" not in text
    doc = html.fromstring(body)
    matching = doc.cssselect("#matching")
    errors = doc.cssselect(".errors li")
    assert errors or (matching and int(matching[0].text) == 0), text[:2000]
    for route in ("/stories.csv", "/attention.csv"):
        status, _, body = get(f"{explorer.url}{route}?{urlencode(params)}")
        assert status in (200, 400)
    # the archive is untouched: every story still there
    assert int(page(explorer).get_element_by_id("matching").text) == len(articles(explorer))


def test_only_its_own_address_and_paths(explorer: Running) -> None:
    status, _, _ = get(explorer.url + "/", {"Host": "evil.example"})
    assert status == 421
    for path in ("/static/../app.py", "/static/explore.css/../../app.py", "/nothing",
                 "/story?url=%3Cscript%3E", "/replay/garbage", "/replay/2023/file:///etc/passwd",
                 "/replay/20230101/http://not.archived.test/"):  # fmt: skip
        status, headers, body = get(explorer.url + path)
        assert status == 404, path
        assert b"<script" not in body and b"Traceback" not in body
    status, headers, css = get(explorer.url + "/static/explore.css")
    assert status == 200 and headers["Content-Type"].startswith("text/css")
    assert b"http" not in css  # nothing loaded from elsewhere


def test_an_archive_in_object_storage(explorer: Running, s3_target: S3Target) -> None:
    """The same crawls stored in S3 (SeaweedFS, keys enforced): the explorer finds the
    same stories and replays the same bytes, read by ranged GETs."""
    storage = open_storage(s3_target.uri)
    for site, folder in explorer.archive.folders.items():
        day = datetime.strptime(folder.name, "%Y%m%dT%H%M%SZ").date()
        store_crawl(folder, storage, site, folder.name, day)
    server = ExplorerServer(Explorer(open_storage(s3_target.uri), {}, s3_target.uri))
    server.serve_in_thread()
    try:
        on_s3 = Running(explorer.archive, server)
        word = common_word(explorer)
        local = rows(get(f"{explorer.url}/stories.csv?q={word}")[2])
        remote = rows(get(f"{on_s3.url}/stories.csv?q={word}")[2])
        assert [r["url"] for r in remote] == [r["url"] for r in local]
        story = local[0]["url"]
        doc = html.fromstring(get(f"{on_s3.url}/story?{urlencode({'url': story})}")[2])
        raw = doc.get_element_by_id("raw").get("href")
        assert get(on_s3.url + raw)[2] == archived_payload(explorer, story)
    finally:
        server.shutdown()
        server.server_close()
