"""Following a crawl's progress file from another process, as ``warta demo`` does: plain
lines when the output is not a terminal, the final counts from the summary at the end."""

from __future__ import annotations

import io
import itertools
import json
import os
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from crawler.layout import PROGRESS_FILE, SUMMARY_FILE, new_crawl_id
from crawler.process import progress_display
from crawler.process.progress_display import (
    ProgressFollower,
    ProgressView,
    follow_crawl,
    progress_line,
    terminal_wanted,
)
from tests.waiting import wait_until

RUNNING = {"site": "niaga", "state": "running", "elapsed": 3.0, "pages": 40, "articles": 12,
           "warc_bytes": 3 * 1024 * 1024, "pages_per_s": 13.3, "articles_per_s": 4.0,
           "bytes_per_s": 1024 * 1024, "queue": 25, "failures": 2,
           "failures_by_reason": {"timeout": 2}}  # fmt: skip


def test_progress_line_names_every_count() -> None:
    line = progress_line(RUNNING)
    for part in ("40 pages (13.3/s)", "12 articles", "3.0 MiB WARC", "1.0 MiB/s", "queue 25",
                 "2 failures (timeout 2)", "3s"):  # fmt: skip
        assert part in line


class _CountingView(ProgressView):
    """A plain view that also counts the updates it was given, so a test waits on the
    follower having read the file (and fails at once if the line it printed is wrong)."""

    updates = 0
    last: dict[str, object] | None = None

    def update(self, progress: dict[str, object]) -> None:
        super().update(progress)
        self.updates += 1
        self.last = progress


def test_follower_prints_plain_lines_and_the_final_summary(tmp_path: Path) -> None:
    out = io.StringIO()
    finder, _ = follow_crawl(tmp_path, "niaga", out=out)
    looks: list[Path | None] = []

    def find() -> Path | None:
        looks.append(finder())
        return looks[-1]

    folder = tmp_path / "crawls" / "niaga" / new_crawl_id()  # a crawl that starts now
    folder.mkdir(parents=True)
    view = _CountingView(live=False, every=0.0, out=out)
    with ProgressFollower(find, view):
        [thread] = [t for t in threading.enumerate() if t.name == "crawl-progress"]
        assert thread.daemon  # following never keeps a finished command alive
        (folder / PROGRESS_FILE).write_text(json.dumps(RUNNING))
        wait_until(lambda: view.updates, 10, what="the follower to read the progress file")
        assert out.getvalue() == f"progress: {progress_line(RUNNING)}\n"
        seen = len(looks)
        wait_until(lambda: len(looks) > seen, 10, what="another look at the progress file")
        assert view.updates == 1  # the same file again is not shown again
        summary = {"finish_reason": "closespider_timeout", "pages": 55, "articles": 20,
                   "warc_bytes": 10, "failures": {"timeout": 2, "dns": 1}}  # fmt: skip
        (folder / SUMMARY_FILE).write_text(json.dumps(summary))
        (folder / PROGRESS_FILE).unlink()
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 and view.updates == 2  # an unchanged file is not shown twice
    final = {**RUNNING, "state": "closespider_timeout", "pages": 55, "articles": 20,
             "warc_bytes": 10, "failures": 3,
             "failures_by_reason": {"timeout": 2, "dns": 1}}  # fmt: skip
    assert lines[-1] == f"progress: {progress_line(final)}" and view.last == final
    assert "3 failures (dns 1, timeout 2)" in lines[-1]
    assert "\x1b[" not in out.getvalue()


def test_a_summary_that_names_no_finish_reason_reads_as_finished(tmp_path: Path) -> None:
    folder = tmp_path / "crawls" / "niaga" / new_crawl_id()
    folder.mkdir(parents=True)
    (folder / PROGRESS_FILE).write_text(json.dumps(RUNNING))
    (folder / SUMMARY_FILE).write_text(json.dumps({"pages": 41}))
    find, _ = follow_crawl(tmp_path, "niaga")
    view = _CountingView(live=False, every=0.0, out=io.StringIO())
    with ProgressFollower(find, view):
        pass  # leaving reads the file once more and then the summary
    assert view.last == {**RUNNING, "state": "finished", "pages": 41, "failures": 0,
                         "failures_by_reason": {}}  # fmt: skip
    (folder / SUMMARY_FILE).write_text("{not json")  # a summary cut short: the last counts stay
    late = _CountingView(live=False, every=0.0, out=io.StringIO())
    with ProgressFollower(find, late):
        pass
    assert late.last == RUNNING and late.updates == 1


def test_follower_ignores_crawls_from_before_it_started(tmp_path: Path) -> None:
    old = tmp_path / "crawls" / "niaga" / "20200101T000000Z"
    old.mkdir(parents=True)
    (old / PROGRESS_FILE).write_text(json.dumps(RUNNING))
    past = time.time() - 3600
    os.utime(old / PROGRESS_FILE, (past, past))
    find, _ = follow_crawl(tmp_path, "niaga")
    assert find() is None
    # Another crawl in the same data dir, started before, rewrites its progress every second.
    (old / PROGRESS_FILE).write_text(json.dumps(RUNNING))
    assert find() is None
    ours = tmp_path / "crawls" / "niaga" / new_crawl_id()
    ours.mkdir()
    (ours / PROGRESS_FILE).write_text(json.dumps(RUNNING))
    assert find() == ours / PROGRESS_FILE


def test_the_line_reads_in_full_and_a_file_with_no_counts_yet_reads_as_zeros() -> None:
    assert progress_line(RUNNING) == (
        "40 pages (13.3/s), 12 articles (4.0/s), 3.0 MiB WARC, 1.0 MiB/s, queue 25, "
        "2 failures (timeout 2), 3s"
    )
    assert progress_line({}) == (
        "0 pages (0.0/s), 0 articles (0.0/s), 0 B WARC, 0 B/s, queue 0, 0 failures, 0s"
    )


@pytest.mark.parametrize(
    ("elapsed", "shown"),
    [(59.9, "59s"), (60, "1m00s"), (61, "1m01s"), (3599, "59m59s"), (3600, "1h00m"),
     (3725, "1h02m"), (90_061, "25h01m")],
)  # fmt: skip
def test_elapsed_time_is_shown_in_seconds_minutes_or_hours(elapsed: float, shown: str) -> None:
    assert progress_line({"elapsed": elapsed}).endswith(f" failures, {shown}")


def test_plain_lines_are_spaced_out_and_the_last_count_is_printed_at_the_end(
    capsys: pytest.CaptureFixture[str],
) -> None:
    view = ProgressView(live=False)  # a line at most every 5 s, on stdout
    view.start()
    view.update({**RUNNING, "pages": 1})
    view.update({**RUNNING, "pages": 2})  # within 5 s of the first: not printed yet
    assert capsys.readouterr().out.splitlines() == [
        f"progress: {progress_line({**RUNNING, 'pages': 1})}"
    ]
    view.stop()
    assert capsys.readouterr().out == f"progress: {progress_line({**RUNNING, 'pages': 2})}\n"
    shown = ProgressView(live=False, every=0.0)
    shown.update(RUNNING)
    shown.stop()  # the latest count was printed already: not again
    assert capsys.readouterr().out.count("progress: ") == 1
    ProgressView(live=False).stop()  # nothing counted: nothing printed
    assert capsys.readouterr().out == ""


class _Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_the_panel_is_for_terminals_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "xterm-256color")
    assert terminal_wanted(_Stream(tty=True))
    assert not terminal_wanted(_Stream(tty=False))
    monkeypatch.setenv("TERM", "dumb")
    assert not terminal_wanted(_Stream(tty=True))
    out = _Stream(tty=False)
    _, view = follow_crawl(Path("."), "niaga", out=out)
    assert view.live is False and view.out is out


def test_the_newest_crawl_started_since_is_followed(tmp_path: Path) -> None:
    find, _ = follow_crawl(tmp_path, "niaga")
    now = time.time()
    crawls = tmp_path / "crawls" / "niaga"
    folders = []
    for _ in range(2):  # two crawls started since, one second apart
        folders.append(crawls / new_crawl_id(taken=lambda c: (crawls / c).exists()))
        folders[-1].mkdir(parents=True)
        (folders[-1] / PROGRESS_FILE).write_text(json.dumps(RUNNING))
    first, second = folders
    os.utime(first / PROGRESS_FILE, (now + 20, now + 20))
    os.utime(second / PROGRESS_FILE, (now + 10, now + 10))
    assert find() == first / PROGRESS_FILE  # the one written last
    os.utime(first / PROGRESS_FILE, (now - 3600, now - 3600))  # not rewritten since we began
    assert find() == second / PROGRESS_FILE
    os.utime(second / PROGRESS_FILE, (now - 1.6, now - 1.6))  # before this command began
    assert find() is None


class _Flushed(io.StringIO):
    flushes = 0

    def flush(self) -> None:
        super().flush()
        self.flushes += 1


def test_lines_are_spaced_by_five_seconds_and_each_reaches_a_pipe_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = [1000.0]
    monkeypatch.setattr(progress_display, "time", SimpleNamespace(monotonic=lambda: clock[0]))
    out = _Flushed()
    view = ProgressView(live=False, out=out)
    for at in (1000.0, 1004.9, 1005.0, 1009.9):
        clock[0] = at
        view.update({**RUNNING, "pages": int(at)})
    assert [line.split()[1] for line in out.getvalue().splitlines()] == ["1000", "1005"]
    assert out.flushes >= 2  # a line is flushed as it is printed, not when the pipe fills


def test_older_crawls_still_running_do_not_hide_ours(tmp_path: Path) -> None:
    find, _ = follow_crawl(tmp_path, "niaga")
    crawls = tmp_path / "crawls" / "niaga"
    ours = crawls / new_crawl_id()
    ours.mkdir(parents=True)
    (ours / PROGRESS_FILE).write_text(json.dumps(RUNNING))
    for old in ("20200101T000000Z", "20210101T000000Z", "20220101T000000Z", "resumed-1"):
        (crawls / old).mkdir()  # started before us, still rewriting their progress files
        (crawls / old / PROGRESS_FILE).write_text(json.dumps(RUNNING))
    assert find() == ours / PROGRESS_FILE


def test_a_crawl_begun_two_seconds_before_the_command_is_not_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crawl id is whole seconds, so one this command starts spells a time up to a second
    before the command began; a second more is allowed, and a crawl begun earlier is another's."""
    now = int(time.time()) + 0.5  # the command starts half-way through a second
    monkeypatch.setattr(progress_display, "time", SimpleNamespace(time=lambda: now))
    find, _ = follow_crawl(tmp_path, "niaga")

    def crawl_begun(ago: float) -> Path:
        folder = (
            tmp_path / "crawls" / "niaga" / new_crawl_id(datetime.fromtimestamp(now - ago, UTC))
        )
        folder.mkdir(parents=True)
        (folder / PROGRESS_FILE).write_text(json.dumps(RUNNING))
        os.utime(folder / PROGRESS_FILE, (now, now))  # rewritten as the command began
        return folder / PROGRESS_FILE

    crawl_begun(2.5)
    assert find() is None
    ours = crawl_begun(1.5)
    assert find() == ours


def _thread_errors(monkeypatch: pytest.MonkeyPatch) -> list[threading.ExceptHookArgs]:
    """What a thread raised and nobody caught (a traceback on the operator's terminal)."""
    errors: list[threading.ExceptHookArgs] = []
    monkeypatch.setattr(threading, "excepthook", errors.append)
    return errors


def test_a_progress_file_gone_before_it_was_read_ends_quietly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crawl so short that its progress file went between the look and the read: no
    counts to complete with the summary, so nothing is shown and nothing is raised."""
    errors = _thread_errors(monkeypatch)
    folder = tmp_path / "crawls" / "niaga" / new_crawl_id()
    folder.mkdir(parents=True)
    (folder / SUMMARY_FILE).write_text(json.dumps({"finish_reason": "finished", "pages": 3}))
    out = io.StringIO()
    view = _CountingView(live=False, every=0.0, out=out)
    with ProgressFollower(lambda: folder / PROGRESS_FILE, view):
        pass
    assert not errors, errors[0].exc_value
    assert view.updates == 0 and out.getvalue() == ""


class _PanelStandIn(ProgressView):
    """A view for a terminal that notes what the follower asks of it (rich's panel is not
    drawn: its layout is display only, and the follower's part is when it starts and stops)."""

    def __init__(self) -> None:
        super().__init__(live=True)
        self.asked: list[object] = []

    def start(self) -> None:
        self.asked.append("start")
        self._live = self  # what a started panel looks like to the follower

    def update(self, progress: dict[str, Any]) -> None:
        self._latest = progress  # what the follower completes with the summary at the end
        self.asked.append((progress["state"], progress["pages"]))

    def stop(self) -> None:
        self.asked.append("stop")
        self._live = None


def test_on_a_terminal_the_panel_starts_once_with_the_first_counts_and_stops_at_the_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    errors = _thread_errors(monkeypatch)
    folder = tmp_path / "crawls" / "niaga" / new_crawl_id()
    folder.mkdir(parents=True)
    view = _PanelStandIn()
    with ProgressFollower(lambda: folder / PROGRESS_FILE, view):
        for pages in (40, 41):
            (folder / PROGRESS_FILE).write_text(json.dumps({**RUNNING, "pages": pages}))
            wait_until(lambda: ("running", pages) in view.asked, 10, what="a read")  # noqa: B023
        summary = {"finish_reason": "closespider_timeout", "pages": 55}
        (folder / SUMMARY_FILE).write_text(json.dumps(summary))
        (folder / PROGRESS_FILE).unlink()
    assert not errors, errors[0].exc_value
    assert view.asked == [
        "start",
        ("running", 40),
        ("running", 41),
        ("closespider_timeout", 55),
        "stop",
    ]


def test_the_follower_looks_at_the_file_more_often_than_the_crawl_rewrites_it() -> None:
    looks: list[float] = []

    def find() -> Path | None:
        looks.append(time.monotonic())
        return None

    with ProgressFollower(find, ProgressView(live=False, out=io.StringIO())):
        wait_until(lambda: len(looks) >= 3, 10, what="three looks at the progress file")
        first = looks[:3]
    # the crawl rewrites its progress file every second: a slower follower skips counts
    assert min(b - a for a, b in itertools.pairwise(first)) < 1.0, first


def test_leaving_does_not_wait_for_ever_on_a_reader_stuck_on_the_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A reader stuck on the progress file (a hung network mount) does not keep the
    command from ending: leaving waits for it a bounded time, then goes on."""
    stuck, unstuck = threading.Event(), threading.Event()

    def find() -> Path | None:
        stuck.set()
        unstuck.wait(60)
        return None

    follower = ProgressFollower(find, ProgressView(live=False, out=io.StringIO()))
    waits: list[float | None] = []
    join = follower._thread.join

    def join_briefly(timeout: float | None = None) -> None:
        waits.append(timeout)
        join(0.05)  # the bound it asked for, shortened so the test is quick

    monkeypatch.setattr(follower._thread, "join", join_briefly)
    try:
        with follower:
            wait_until(stuck.is_set, 10, what="the reader to get stuck")
        assert follower._thread.is_alive()  # left while the reader is still stuck
        [timeout] = waits
        assert timeout is not None and 0 < timeout <= 10
    finally:
        unstuck.set()
        join(10)
