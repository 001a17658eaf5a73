"""Credentials in every form stay out of every file a crawl stores (issue 27, finding 6).

A real crawl of a scripted server: a redirect to ``user:pass@`` on the site's own host
(Twisted then fails with "invalid hostname: user:pass@host", in failures.jsonl and in the
traceback in crawl.log), and a URL with ``?token=``/``key=``/``password=`` that answers 404
(Scrapy's own "Ignoring response <404 ...>" line). A ``base_url`` with userinfo never
worked and is now refused, by the crawl and by ``warta archive``, without repeating it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.process.runner import CrawlFailed, run_crawl
from flows.cli import main
from tests.conftest import PolitenessOff
from tests.scripted_server import ScriptedServer

SECRETS = ("S3cretRedir", "S3cretTok", "S3cretKey", "S3cretPass", "S3cretPW")
SCRIPTED = {"WARTA_EXTRACT_WORKERS": 0, "RETRY_TIMES": 0, "WARTA_BACKOFF_BASE": 0.1,
            "WARTA_BACKOFF_MAX": 0.2}  # fmt: skip
ARTICLE = "/2026/01/01/banjir-samarinda/"


def _stored_texts(folder: Path) -> dict[str, str]:
    """Every file the crawl left beside its WARCs (the WARCs hold the URLs as fetched, which
    is the archive's job; the disk queue is Scrapy's working state)."""
    return {
        str(path.relative_to(folder)): path.read_text(errors="replace")
        for path in folder.rglob("*")
        if path.is_file() and not path.name.endswith((".warc.gz", ".open"))
        and ".scrapy-job" not in path.parts
    }  # fmt: skip


@pytest.mark.slow
def test_no_credential_reaches_a_stored_file(tmp_path: Path, politeness_off: PolitenessOff) -> None:
    with ScriptedServer({}) as server:
        host = server.base_url.split("//", 1)[1]
        page = "<html><head><title>Banjir</title></head><body><p>Banjir.</p></body></html>"
        server.routes[ARTICLE] = (200, {"Content-Type": "text/html"}, page.encode())
        server.routes["/pindah/"] = (302, {"Location": f"http://carol:S3cretRedir@{host}/x/"}, b"")
        urls = [ARTICLE, "/pindah/", "/hilang/?token=S3cretTok&key=S3cretKey&password=S3cretPass"]
        result = run_crawl("niaga", tmp_path / "crawl", "20260101T000000Z",
                           base_url=server.base_url, settings=politeness_off(**SCRIPTED),
                           spider_args={"urls": ",".join(urls)}, timeout=180)  # fmt: skip
    texts = _stored_texts(result.output_dir)
    assert {"crawl.log", "failures.jsonl", "crawl-summary.json"} <= set(texts)
    log = texts["crawl.log"]
    assert "Ignoring response <404" in log and "invalid hostname: REDACTED@" in log  # still said
    for name, text in texts.items():
        for secret in SECRETS:
            assert secret not in text, (name, secret)


@pytest.mark.slow
def test_a_base_url_with_userinfo_is_refused_by_the_crawl(
    tmp_path: Path, politeness_off: PolitenessOff
) -> None:
    with ScriptedServer({}) as server, pytest.raises(CrawlFailed):
        base = server.base_url.replace("//", "//alice:S3cretPW@")
        run_crawl("niaga", tmp_path / "crawl", "20260101T000000Z", base_url=base,
                  settings=politeness_off(**SCRIPTED), timeout=120)  # fmt: skip
    texts = _stored_texts(tmp_path / "crawl")
    assert "must not hold a user name or password" in texts["crawl.log"]
    assert server.paths == []  # nothing was fetched
    for name, text in texts.items():
        assert "S3cretPW" not in text, name


def test_warta_archive_refuses_it_before_any_flow_run(capsys: pytest.CaptureFixture[str],
                                                      tmp_path: Path) -> None:  # fmt: skip
    base_url = "http://alice:S3cretPW@127.0.0.1:9/"
    storage, data = str(tmp_path / "archive"), str(tmp_path / "d")
    code = main(["archive", "niaga", "--base-url", base_url, "--storage", storage,
                 "--data-dir", data])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 2
    assert "must not hold a user name or password" in err
    assert "S3cretPW" not in out + err
