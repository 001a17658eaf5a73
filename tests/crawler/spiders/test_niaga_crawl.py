"""``scrapy crawl niaga`` against the replica: discovery, records and WARCs, end to end."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.config.sites import PACKAGE_ROOT

pytestmark = pytest.mark.slow
SEED_TITLE = "Pemilu 2024 Kian Dekat, Tiga Pilar di Kaltim Rapatkan Barisan Jaga Kondusifitas"


def warc_records(paths: list[Path]) -> list[tuple[str, str, str, dict[str, str]]]:
    out = []
    for path in paths:
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                headers = dict(record.rec_headers.headers)
                status = record.http_headers.get_statuscode() if record.http_headers else ""
                out.append((record.rec_type, headers.get("WARC-Target-URI", ""), status, headers))
    return out


def test_every_article_yields_exactly_one_record(niaga_crawl) -> None:
    base = niaga_crawl.base_url
    expected = {base + article.path for article in niaga_crawl.site}
    urls = Counter(record["url"] for record in niaga_crawl.records)
    assert all(count == 1 for count in urls.values()), urls.most_common(3)
    # The malformed-but-article fault page is the only extra record allowed.
    assert set(urls) - expected <= {base + "/__fault__/malformed-html"}
    assert expected <= set(urls)


def test_seed_article_record_matches_seed_text(niaga_crawl) -> None:
    [seed] = [r for r in niaga_crawl.records if r["title"] == SEED_TITLE]
    assert seed["site"] == "niaga"
    assert seed["published"].startswith("2023-03-03T") and seed["published"].endswith("+08:00")
    assert [c["credit"] for c in seed["captions"]] == ["handout/Polresta Samarinda"] * 2
    assert seed["dateline"] == "SAMARINDA"
    assert seed["editor"] == "Saud Rosadi"
    assert seed["source"] == "Polresta Samarinda"
    text = seed["text"]
    assert text.startswith("Pemilihan Umum (Pemilu) digelar")
    assert text.rstrip().endswith("serta Kades dan Lurah.")
    for unwanted in ("handout", "Sumber", "Editor", "Wakil Kepala Polda Kalimantan Timur Brigadir"):
        assert unwanted not in text
    assert seed["warc"]["record_id"].startswith("<urn:uuid:")


def test_records_point_at_their_response_records(niaga_crawl) -> None:
    folder = niaga_crawl.result.output_dir
    for record in niaga_crawl.records[:10]:
        ref = record["warc"]
        with (folder / ref["file"]).open("rb") as stream:
            stream.seek(ref["offset"])
            warc = next(iter(ArchiveIterator(stream)))
            assert warc.rec_type == "response"
            assert warc.rec_headers.get_header("WARC-Record-ID") == ref["record_id"]
            assert warc.rec_headers.get_header("WARC-Target-URI") == record["url"]


def test_warcio_check_passes_and_every_response_has_its_request(niaga_crawl) -> None:
    warcs = niaga_crawl.result.warc_files
    assert warcs and all(".open" not in p.name for p in warcs)
    for path in warcs:
        subprocess.run(
            [str(Path(sys.executable).parent / "warcio"), "check", str(path)], check=True
        )
    records = warc_records(warcs)
    assert records[0][0] == "warcinfo"
    ids = {h["WARC-Record-ID"]: (kind, h) for kind, _, _, h in records}
    for kind, uri, _, headers in records:
        if kind == "response":
            partner = ids.get(headers.get("WARC-Concurrent-To", ""))
            assert partner and partner[0] == "request", uri


def test_every_kind_of_exchange_is_archived(niaga_crawl) -> None:
    base = niaga_crawl.base_url
    seed = niaga_crawl.site.seed_article
    responses = {
        (uri, status)
        for kind, uri, status, _ in warc_records(niaga_crawl.result.warc_files)
        if kind == "response"
    }
    uris = {uri for uri, _ in responses}
    for path in ("/robots.txt", "/sitemap_index.xml", "/news-sitemap.xml", "/feed/", "/"):
        assert base + path in uris, path
    assert any("/post-sitemap" in u for u in uris)
    assert any("/page/2/" in u for u in uris)
    assert any("/wp-content/uploads/" in u for u in uris)
    assert (f"{base}/?p={seed.post_id}", "301") in responses
    assert (base + seed.path.rstrip("/"), "301") in responses
    assert (f"{base}/__fault__/500", "500") in responses


def test_summary_counts(niaga_crawl) -> None:
    summary = niaga_crawl.result.summary
    assert summary["articles"] == len(niaga_crawl.records)
    assert summary["pages"] > summary["articles"]
    assert summary["warc_bytes"] > 0
    assert summary["finish_reason"] == "finished"


def run_scrapy(*args: str, env_config: Path | None = None) -> subprocess.CompletedProcess[str]:
    import os

    env = dict(os.environ)
    if env_config:
        env["WARTA_CONFIG_DIR"] = str(env_config)
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args],
        cwd=PACKAGE_ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_unknown_site_lists_configured_sites_without_traceback() -> None:
    proc = run_scrapy("crawl", "nosuchsite")
    assert proc.returncode == 2
    assert "unknown site 'nosuchsite'" in proc.stderr and "niaga" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_broken_config_names_file_and_field(tmp_path: Path) -> None:
    (tmp_path / "sites").mkdir()
    (tmp_path / "sites" / "niaga.yaml").write_text(
        "base_url: https://x.example\ntimezone: Nowhere\n"
    )
    proc = run_scrapy("crawl", "niaga", env_config=tmp_path)
    assert proc.returncode == 2
    assert "niaga.yaml" in proc.stderr and "field 'timezone'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_each_article_has_text_and_json_records_referring_to_its_response(niaga_crawl) -> None:
    records = warc_records(niaga_crawl.result.warc_files)
    ids = {h["WARC-Record-ID"]: kind for kind, _, _, h in records}
    derived = [(kind, uri, h) for kind, uri, _, h in records if kind in ("conversion", "metadata")]
    assert len(derived) == 2 * len(niaga_crawl.records)
    for _kind, uri, headers in derived:
        assert uri.startswith("urn:warta:"), uri
        assert ids[headers["WARC-Refers-To"]] == "response"
        assert "WARC-Refers-To-Target-URI" not in headers  # revisit-only in WARC 1.1
