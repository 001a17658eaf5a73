"""Showing a crawl's progress: a live panel on a terminal, plain lines anywhere else.

The numbers come from the dict that :mod:`crawler.process.progress` writes to the crawl folder
every second. :class:`ProgressView` shows one such dict (``rich.Live`` on a terminal, a
line every few seconds otherwise); :class:`ProgressFollower` reads the file of a crawl
running in another process (``warta demo``, ``warta archive``) and feeds a view.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from crawler.config.units import format_bytes


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def progress_line(p: dict[str, Any]) -> str:
    """One line: ``120 pages (8.1/s), 48 articles, 2.3 MiB WARC, queue 35, 0 failures, 15s``."""
    failures = p.get("failures", 0)
    reasons = p.get("failures_by_reason") or {}
    detail = f" ({', '.join(f'{k} {v}' for k, v in sorted(reasons.items()))})" if reasons else ""
    return (
        f"{p.get('pages', 0)} pages ({p.get('pages_per_s', 0):.1f}/s), "
        f"{p.get('articles', 0)} articles ({p.get('articles_per_s', 0):.1f}/s), "
        f"{format_bytes(p.get('warc_bytes', 0))} WARC, "
        f"{format_bytes(p.get('bytes_per_s', 0))}/s, queue {p.get('queue', 0)}, "
        f"{failures} failures{detail}, {_duration(p.get('elapsed', 0))}"
    )


def _panel(p: dict[str, Any]) -> Any:
    from rich.table import Table

    table = Table.grid(padding=(0, 2))
    for _ in range(4):
        table.add_column()
    state = p.get("state", "running")
    title = f"[bold]{p.get('site') or 'crawl'}[/] {p.get('crawl_id') or ''} [dim]{state}[/]"
    table.add_row(title, "", "", f"[dim]{_duration(p.get('elapsed', 0))}[/]")
    table.add_row(
        "pages", f"[bold]{p.get('pages', 0)}[/]",
        "rate", f"{p.get('pages_per_s', 0):.1f}/s (avg {p.get('average_pages_per_s', 0):.1f}/s)",
    )  # fmt: skip
    table.add_row(
        "articles", f"[bold]{p.get('articles', 0)}[/]",
        "queue", str(p.get("queue", 0)),
    )  # fmt: skip
    table.add_row(
        "WARC", format_bytes(p.get("warc_bytes", 0)),
        "download", f"{format_bytes(p.get('bytes_per_s', 0))}/s",
    )  # fmt: skip
    reasons = p.get("failures_by_reason") or {}
    detail = ", ".join(f"{k} {v}" for k, v in sorted(reasons.items()))
    style = "red" if p.get("failures") else "green"
    table.add_row("failures", f"[{style}]{p.get('failures', 0)}[/]", detail, "")
    return table


def _redirect_log_streams(target: IO[str]) -> list[tuple[logging.StreamHandler[Any], Any, Any]]:
    """Point console log handlers at ``target`` (the live display's stderr, which prints
    above the panel); returns what to put back. Prefect's handler has a rich console too."""
    swapped: list[tuple[logging.StreamHandler[Any], Any, Any]] = []
    loggers = [logging.getLogger()] + [
        lg for lg in logging.root.manager.loggerDict.values() if isinstance(lg, logging.Logger)
    ]
    terminals = {sys.__stderr__, sys.__stdout__}
    for lg in loggers:
        for handler in lg.handlers:
            if isinstance(handler, logging.StreamHandler) and handler.stream in terminals:
                console = getattr(handler, "console", None)
                old_file = getattr(console, "file", None)
                swapped.append((handler, handler.stream, old_file))
                handler.setStream(target)
                if console is not None:
                    console.file = target
    return swapped


class ProgressView:
    """A live panel (``live=True``, for terminals) or a plain line every ``every`` seconds."""

    def __init__(self, live: bool, every: float = 5.0, out: IO[str] | None = None) -> None:
        self.live = live
        self.every = every
        self.out = out
        self._live: Any = None
        self._swapped: list[tuple[logging.StreamHandler[Any], Any, Any]] = []
        self._last_line = 0.0
        self._latest: dict[str, Any] | None = None
        self._unshown = False  # the latest counts have not been printed yet

    def start(self) -> None:
        if self.live:
            from rich.console import Console
            from rich.live import Live

            console = Console(file=self.out or sys.__stderr__)
            self._live = Live(console=console, refresh_per_second=4, transient=False,
                              redirect_stdout=True, redirect_stderr=True)  # fmt: skip
            self._live.start()
            self._swapped = _redirect_log_streams(sys.stderr)

    def update(self, progress: dict[str, Any]) -> None:
        self._latest = progress
        self._unshown = True
        if self._live is not None:
            self._live.update(_panel(progress))
        elif time.monotonic() - self._last_line >= self.every:
            self._last_line = time.monotonic()
            self._print(progress)

    def _print(self, progress: dict[str, Any]) -> None:
        self._unshown = False
        out = self.out or sys.stdout
        print(f"progress: {progress_line(progress)}", file=out, flush=True)

    def stop(self) -> None:
        if self._live is not None:
            for handler, stream, console_file in self._swapped:
                handler.setStream(stream)
                console = getattr(handler, "console", None)
                if console is not None and console_file is not None:
                    console.file = console_file
            self._live.stop()
            self._live = None
        elif self._latest is not None and self._unshown and not self.live:
            self._print(self._latest)  # the final count, whatever the timing


class ProgressFollower:
    """Follow the progress file of a crawl in another process and show it in a view.

    ``find`` returns the file once the crawl has made it (the folder is named by the crawl,
    which the caller does not know in advance), else None.
    """

    def __init__(self, find: Callable[[], Path | None], view: ProgressView) -> None:
        self.find = find
        self.view = view
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="crawl-progress", daemon=True)
        self._seen = ""
        self._path: Path | None = None

    def __enter__(self) -> ProgressFollower:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _read(self) -> None:
        path = self.find()
        if path is None:
            return
        self._path = path
        try:
            text = path.read_text(encoding="utf-8")
            progress = json.loads(text)
        except (OSError, ValueError):
            return
        if text != self._seen:
            self._seen = text
            if self._seen and self.view._live is None and self.view.live:
                self.view.start()
            self.view.update(progress)

    def _final(self) -> None:
        """The crawl's last counts, from its summary (the progress file is gone by then)."""
        from crawler.layout import SUMMARY_FILE

        if self._path is None or self.view._latest is None:
            return
        try:
            summary = json.loads((self._path.parent / SUMMARY_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        reasons = summary.get("failures") or {}
        final = {**self.view._latest, "state": summary.get("finish_reason", "finished")}
        final.update({k: summary[k] for k in ("pages", "articles", "warc_bytes") if k in summary})
        final.update(failures=sum(reasons.values()), failures_by_reason=reasons)
        self.view.update(final)

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self._read()
        self._read()
        self._final()
        self.view.stop()


def terminal_wanted(stream: IO[str]) -> bool:
    return stream.isatty() and os.environ.get("TERM") != "dumb"


def follow_crawl(
    data_dir: Path, site: str, crawl_id: str | None = None, out: IO[str] | None = None
) -> tuple[Callable[[], Path | None], ProgressView]:
    """What ``warta demo`` and ``warta archive`` need to follow a crawl they start through
    the flow: a finder for its progress file (the newest crawl folder of ``site`` whose crawl
    started from now on: another crawl running in the same data dir also rewrites its
    progress file every second) and a view on ``out`` (default stdout), live on a terminal,
    plain lines otherwise."""
    from crawler.layout import PROGRESS_FILE, crawl_folder, parse_crawl_id

    started = time.time() - 1
    folder = crawl_folder(Path("."), site, crawl_id or "0")  # a valid id, replaced by "*"
    pattern = str(folder.parent / (crawl_id or "*") / PROGRESS_FILE)

    def find() -> Path | None:
        newest: tuple[float, Path] | None = None
        for path in Path(data_dir).glob(pattern):
            try:
                mtime = path.stat().st_mtime
            except OSError:  # replaced or removed between glob and stat
                continue
            begun = parse_crawl_id(path.parent.name)
            if crawl_id is None and (begun is None or begun.timestamp() < started - 1):
                continue  # a crawl that was running before this command
            if mtime >= started and (newest is None or mtime > newest[0]):
                newest = (mtime, path)
        return newest[1] if newest else None

    stream = out or sys.stdout
    return find, ProgressView(live=terminal_wanted(stream), out=stream)
