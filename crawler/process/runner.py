"""Run one crawl in a child process and read back its summary.

A Twisted reactor cannot be restarted, so each crawl gets a fresh ``scrapy crawl`` process.
That also keeps the crawl's memory out of a long-lived Prefect worker.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler import settings as crawl_defaults
from crawler.config.sites import PACKAGE_ROOT
from crawler.layout import ARTICLES_FILE, LOG_FILE, SUMMARY_FILE, warc_files
from crawler.process.lifetime import DIE_WITH_PARENT_ENV

# Past the crawl's own time limit, closing it (the WARC, the state, the workers) may take
# this long before the flow kills the process.
CRAWL_CLOSE_GRACE = 1800.0


def crawl_deadline(crawl_settings: dict[str, Any], timeout: float | None = None) -> float:
    """Seconds after which the flow kills the crawl: ``timeout``, or by default the crawl's
    ``CLOSESPIDER_TIMEOUT`` (its own default when 0 or unset) plus :data:`CRAWL_CLOSE_GRACE`.

    A crawl stuck where its own time limit cannot reach it (in C code, say) must not hold
    the site's lease and a crawl slot for ever.
    """
    if timeout is not None:
        return timeout
    own = float(crawl_settings.get("CLOSESPIDER_TIMEOUT") or 0)
    return (own or float(crawl_defaults.CLOSESPIDER_TIMEOUT)) + CRAWL_CLOSE_GRACE


class CrawlFailed(RuntimeError):
    """The crawl process exited badly; the message points at its log."""


class CrawlInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped the crawl. Its folder is kept; the next run of the site stores it."""


# After Ctrl-C Scrapy closes the spider, the WARC and the state; a crawl that takes longer
# than this after SIGTERM (a cancelled flow run, a dying parent) is killed.
STOP_GRACE_SECONDS = 20.0


@dataclass
class CrawlResult:
    site: str
    output_dir: Path
    returncode: int
    summary: dict[str, Any] = field(default_factory=dict)
    log_file: Path | None = None

    @property
    def warc_files(self) -> list[Path]:
        return warc_files(self.output_dir)

    @property
    def articles_file(self) -> Path:
        return self.output_dir / ARTICLES_FILE


def crawl_command(
    site: str,
    output_dir: Path,
    crawl_id: str,
    base_url: str | None = None,
    settings: dict[str, Any] | None = None,
    spider_args: dict[str, str] | None = None,
) -> list[str]:
    cmd = [sys.executable, "-m", "scrapy", "crawl", site]
    args = dict(spider_args or {})
    if base_url:
        args["base_url"] = base_url
    for key, value in args.items():
        cmd += ["-a", f"{key}={value}"]
    merged = {"WARTA_OUTPUT_DIR": str(output_dir), "WARTA_CRAWL_ID": crawl_id, **(settings or {})}
    for key, value in merged.items():
        if isinstance(value, (dict, list)):
            value = json.dumps(value)
        cmd += ["-s", f"{key}={value}"]
    return cmd


# What a crawl process may see of its parent's environment: enough to run Python, find its
# config and data, and nothing else. Storage credentials (AWS_*), Prefect's API key and any
# other secret of the worker stay behind: a crawl talks only to the site.
ENV_KEEP = frozenset({"PATH", "HOME", "LANG", "LANGUAGE", "TZ", "TMPDIR", "USER", "LOGNAME",
                      "VIRTUAL_ENV", "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE",
                      "CURL_CA_BUNDLE", "SYSTEMROOT", "COVERAGE_PROCESS_START"})  # fmt: skip
ENV_KEEP_PREFIXES = ("LC_", "PYTHON", "WARTA_", "SCRAPY_")


def crawl_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The child's environment: :data:`ENV_KEEP` and warta's, Scrapy's and Python's own."""
    env = {k: v for k, v in environ.items() if k in ENV_KEEP or k.startswith(ENV_KEEP_PREFIXES)}
    env["SCRAPY_SETTINGS_MODULE"] = "crawler.settings"
    env[DIE_WITH_PARENT_ENV] = "1"
    return env


def run_crawl(
    site: str,
    output_dir: Path,
    crawl_id: str,
    base_url: str | None = None,
    settings: dict[str, Any] | None = None,
    spider_args: dict[str, str] | None = None,
    log_file: Path | None = None,
    timeout: float | None = None,
) -> CrawlResult:
    """Crawl ``site`` into ``output_dir``; raise :class:`CrawlFailed` if it did not finish."""
    output_dir.mkdir(parents=True, exist_ok=True)
    log_file = log_file or output_dir / LOG_FILE
    cmd = crawl_command(site, output_dir, crawl_id, base_url, settings, spider_args)
    env = crawl_environment(os.environ)
    with log_file.open("ab") as log:
        # A session of its own: a Ctrl-C at the terminal reaches only us, and we pass it on
        # once (Scrapy's graceful stop) instead of the crawl getting it alongside us.
        proc = subprocess.Popen(
            cmd, cwd=PACKAGE_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        interrupts = wait_for_crawl(proc, timeout)
    if interrupts:
        raise CrawlInterrupted(
            f"crawl of {site} stopped by Ctrl-C; {output_dir} is kept and stored by the next run"
        )
    summary_path = output_dir / SUMMARY_FILE
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else {}
    result = CrawlResult(site, output_dir, proc.returncode, summary, log_file)
    if proc.returncode != 0 or not summary:
        tail = log_file.read_text(errors="replace").splitlines()[-15:]
        raise CrawlFailed(
            f"crawl of {site} exited with {proc.returncode}; see {log_file}\n" + "\n".join(tail)
        )
    return result


def wait_for_crawl(proc: subprocess.Popen[bytes], timeout: float | None) -> int:
    """Wait for the crawl; pass each Ctrl-C on to it; return how many there were.

    Scrapy stops gracefully at the first SIGINT (the WARC is closed) and at once at the
    second. Any other way out of here (a timeout, SIGTERM from a cancelled flow run) stops
    the crawl before leaving, so no crawl outlives the code that waits for it.
    """
    deadline = None if timeout is None else time.monotonic() + timeout
    interrupts = 0
    try:
        while True:
            try:
                remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
                proc.wait(remaining)
                return interrupts
            except KeyboardInterrupt:
                interrupts += 1
                if proc.poll() is None:
                    proc.send_signal(signal.SIGINT if interrupts < 3 else signal.SIGKILL)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise
    except BaseException:
        stop_crawl(proc)
        raise


def stop_crawl(proc: subprocess.Popen[Any], grace: float = STOP_GRACE_SECONDS) -> None:
    """SIGTERM (Scrapy closes cleanly), then SIGKILL after ``grace`` seconds; also how
    flows.graceful_stop stops Prefect's temporary server."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
