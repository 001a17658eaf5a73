"""The explorer in a real browser: Debian's headless Chromium against the archive of two
replica crawls (conftest). The search page lists the stories the article files hold, its
chart draws the numbers ``warta archives query`` gives, a story opens the archived page in
its sandboxed frame, and a hostile query stays text.

Every request Chromium makes outside the explorer goes through a recording proxy, so the
test sees whether an archived page reached for the live web (the replayed niaga pages
carry the ad and emoji scripts of the real site). A control run opens the same archived
bytes with no sandbox and shows the proxy does see those requests. Screenshots of the
main views are written to the test's output folder (printed with -s; $WARTA_TEST_OUTPUT
chooses another).
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from lxml import html

from flows.cli import main
from tests.flows.explore.conftest import Running
from tests.flows.explore.test_explorer_http import articles, common_word, get, has_word, rows

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[3]
BROWSER_OWN = (".google.com", ".googleapis.com", ".gstatic.com", ".gvt1.com")


def find_chromium() -> str | None:
    return (
        os.environ.get("WARTA_CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's chromium; installed with ``make chromium`` (apt-get, as root) if missing."""
    found = find_chromium()
    if found is None:
        lock_path = Path(tempfile.gettempdir()) / "warta-chromium.lock"
        with open(lock_path, "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # another session may be installing it
            if find_chromium() is None and shutil.which("make"):
                subprocess.run(["make", "-C", str(REPO), "chromium"], check=False, timeout=900)
        found = find_chromium()
    if found is None:
        pytest.skip("no chromium (Debian package 'chromium'): run `make chromium` as root")
    return found


class Recorder(ThreadingHTTPServer):
    """An HTTP proxy that forwards nothing: it writes down every request sent to it."""

    daemon_threads = True

    def __init__(self) -> None:
        self.seen: list[str] = []
        super().__init__(("127.0.0.1", 0), _RecordingHandler)

    def hosts(self) -> set[str]:
        return {urlsplit(u if "://" in u else f"//{u}").hostname or u for u in self.seen}

    def page_hosts(self) -> set[str]:
        """Hosts asked for other than the browser's own services (sign-in, time, autofill),
        which headless Chromium calls whatever page it shows."""
        return {h for h in self.hosts() if not h.endswith(BROWSER_OWN)}


class _RecordingHandler(BaseHTTPRequestHandler):
    server: Recorder

    def _record(self) -> None:
        self.server.seen.append(self.path)
        self.send_response(502)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = do_HEAD = do_CONNECT = do_PUT = do_OPTIONS = _record

    def log_message(self, format: str, *args: object) -> None:  # the test reads .seen
        pass


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    server = Recorder()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


class Browser:
    def __init__(self, binary: str, explorer: Running, proxy: Recorder, home: Path) -> None:
        self.binary, self.explorer, self.proxy, self.home = binary, explorer, proxy, home

    def run(self, target: str, *flags: str) -> str:
        url = self.explorer.url + target if target.startswith("/") else target
        port = self.explorer.server.port
        command = [
            self.binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-default-apps", "--hide-scrollbars", "--no-pings",
            "--disable-client-side-phishing-detection", "--disable-breakpad",
            f"--user-data-dir={self.home}", "--virtual-time-budget=4000",
            f"--proxy-server=http://127.0.0.1:{self.proxy.server_address[1]}",
            f"--proxy-bypass-list=<-loopback>;127.0.0.1:{port}",  # all else to the recorder
            *flags, url,
        ]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        assert result.returncode == 0, result.stderr[-2000:]
        return result.stdout

    def dom(self, target: str) -> html.HtmlElement:
        return html.fromstring(self.run(target, "--dump-dom"))

    def screenshot(self, target: str, path: Path, height: int = 1500) -> Path:
        self.run(target, f"--screenshot={path}", f"--window-size=1280,{height}")
        assert path.stat().st_size > 10_000  # a page, not a blank
        return path


@pytest.fixture
def browser(chromium: str, explorer: Running, recorder: Recorder, tmp_path: Path) -> Browser:
    return Browser(chromium, explorer, recorder, tmp_path / "chromium-profile")


@pytest.fixture
def shots(
    tmp_path: Path, request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]
) -> Iterator[Path]:
    """The test's output folder for screenshots; under $WARTA_TEST_OUTPUT when set (pytest
    keeps only its last three temporary folders)."""
    base = Path(os.environ.get("WARTA_TEST_OUTPUT") or tmp_path)
    folder = base / "explorer-screenshots" / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    yield folder
    with capsys.disabled():
        print(f"\nscreenshots: {folder}")


def test_search_page_shows_the_stories_and_the_chart(
    browser: Browser, shots: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    explorer = browser.explorer
    word = common_word(explorer)
    address = "/?" + urlencode({"q": word, "group": "Kalimantan Timur"})
    doc = browser.dom(address)
    expected = {a["url"]: a for a in articles(explorer) if has_word(a, word)}
    assert int(doc.get_element_by_id("matching").text) == len(expected)
    listed = [(a.text_content(), a.get("href")) for a in doc.cssselect("#stories a.title")]
    assert {title for title, _ in listed} <= {a["title"] for a in expected.values()}
    assert len(listed) == min(20, len(expected))

    # the table's stories are the CSV's (the CSV has every match)
    table = rows(get(explorer.url + "/stories.csv?" + address[2:])[2])
    assert {r["url"] for r in table} == set(expected)
    by_url = {r["url"]: r for r in table}
    for title, href in listed:
        assert by_url[parse_qs(urlsplit(href).query)["url"][0]]["title"] == title

    # the chart's points are the numbers of `warta archives query`
    capsys.readouterr()
    assert main(["archives", "query", explorer.archive.uri, "--format", "json", f"""
        SELECT substr(published, 1, 10) AS day, site,
               count(DISTINCT url) FILTER (WHERE regexp_matches(title || ' ' || text,
                                                                '(?i)\\b{word}\\b')) AS n,
               count(DISTINCT url) AS total
        FROM articles GROUP BY ALL"""]) == 0  # fmt: skip
    expected_points = json.loads(capsys.readouterr().out)
    drawn = [t.text_content() for t in doc.cssselect("svg.chart circle title")]
    for row in expected_points:
        label = f"{row['site']}, {row['day']}: {row['n']} of {row['total']} stories"
        assert any(d.startswith(label + " (") for d in drawn), (label, drawn)
    assert len(doc.cssselect("svg.chart polyline")) == 2  # one line per site
    browser.screenshot(address, shots / "search.png", height=1700)
    browser.screenshot(address + "&measure=share&every=week", shots / "search-share-week.png")
    assert not browser.proxy.page_hosts(), browser.proxy.seen  # the explorer loads nothing else


def test_story_opens_the_archived_page_sandboxed(browser: Browser, shots: Path) -> None:
    explorer = browser.explorer
    story = next(a for a in articles(explorer) if a["site"] == "niaga" and a.get("captions"))
    address = "/story?" + urlencode({"url": story["url"]})
    doc = browser.dom(address)
    assert doc.get_element_by_id("title").text_content() == story["title"]
    frame = doc.get_element_by_id("replay")
    assert frame.get("sandbox") == ""
    captions = [p.text_content() for p in doc.cssselect(".fields .caption")]
    assert any(story["captions"][0]["text"] in c for c in captions)
    browser.screenshot(address, shots / "story.png", height=1100)

    # the frame's page, opened on its own: the archived article, its scripts held back
    replayed = browser.dom(frame.get("src"))
    assert story["title"] in replayed.text_content()
    raw = get(explorer.url + doc.get_element_by_id("raw").get("href"))[2]
    named = {urlsplit(u.decode()).hostname for u in re.findall(rb"https?://[^\s\"'<>)]+", raw)}
    replica = urlsplit(explorer.archive.base_urls["niaga"])
    assert "pagead2.googlesyndication.com" in named  # the page does name the live web
    assert not browser.proxy.hosts() & (named | {replica.hostname}), browser.proxy.seen
    assert not browser.proxy.page_hosts(), browser.proxy.seen  # ... and reached none of it

    # control: the same bytes opened with no sandbox do reach out, and the recorder sees it
    page = shots / "unsandboxed.html"
    page.write_bytes(raw)
    browser.run(page.as_uri(), "--dump-dom")
    assert browser.proxy.hosts() & (named | {replica.hostname}), browser.proxy.seen


def test_a_hostile_query_stays_text(browser: Browser, shots: Path) -> None:
    attack = (
        '"><img src=x onerror="document.title=\'pwned\'"><script>document.title="pwned"</script>'
    )
    doc = browser.dom("/?" + urlencode({"q": attack}))
    assert doc.findtext(".//title") != "pwned"
    assert not doc.cssselect("img[onerror]") and not doc.cssselect("main script")
    assert doc.cssselect("input[name=q]")[0].get("value") == attack
    bad = "/?" + urlencode({"q": "banjir AND (longsor OR", "from": "2023-02-30"})
    doc = browser.dom(bad)
    messages = [li.text_content() for li in doc.cssselect(".errors li")]
    assert any("never closed" in m or "ends after" in m for m in messages), messages
    assert any("2023-02-30" in m for m in messages), messages
    browser.screenshot(bad, shots / "error.png", height=700)
    assert not browser.proxy.page_hosts(), browser.proxy.seen
