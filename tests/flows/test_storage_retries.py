"""Storage steps are retried on StorageError, and only on it.

The decision functions are checked on Prefect states directly (fast); one flow run then goes
against a real local archive whose every storage step fails once with StorageError, as a
store that is briefly unreachable would. The run must finish: every step was retried.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from prefect.cache_policies import NO_CACHE
from prefect.states import Completed, Failed

from crawler.process.runner import CrawlFailed
from flows import crawl_steps
from flows.archive_flow import (
    JITTER,
    STORAGE_RETRIES,
    STORAGE_RETRY_DELAY,
    archive_site,
    retry_on_crawl_failure,
    storage_task,
)
from flows.archive_flow import retry_on_storage_error as retry_storage
from flows.archives import find_crawls, verify_archive
from flows.storage import LocalStorage, StorageError, open_storage


def test_only_a_storage_error_is_retried_by_storage_steps() -> None:
    assert retry_storage(None, None, Failed(data=StorageError("s3://b", "put x", "timed out")))  # type: ignore[arg-type]
    assert not retry_storage(None, None, Failed(data=ValueError("bad folder")))  # type: ignore[arg-type]
    assert not retry_storage(None, None, Failed(data=CrawlFailed("crawl died")))  # type: ignore[arg-type]
    assert not retry_storage(None, None, Completed(data={"stored": True}))  # type: ignore[arg-type]
    assert STORAGE_RETRIES >= 1


def test_only_a_failed_crawl_is_retried_by_the_crawl_step() -> None:
    assert retry_on_crawl_failure(None, None, Failed(data=CrawlFailed("crawl died")))  # type: ignore[arg-type]
    assert not retry_on_crawl_failure(None, None, Failed(data=StorageError("u", "o", "r")))  # type: ignore[arg-type]
    assert not retry_on_crawl_failure(None, None, Completed(data=1))  # type: ignore[arg-type]


class Unreachable(LocalStorage):
    """A local archive that cannot be reached right now."""

    def check(self, *, write: bool = False) -> None:
        raise StorageError(self.uri, "open", "connection refused (injected)")


class FlakyOpener:
    """Stands in for open_storage: every first attempt of a step gets an unreachable store.

    Each storage step opens its target once per attempt, so failing every odd-numbered
    open makes every step fail once and succeed on its retry.
    """

    def __init__(self) -> None:
        self.opens = 0
        self.failures = 0
        self.lock = threading.Lock()

    def __call__(self, uri: str) -> LocalStorage:
        with self.lock:
            self.opens += 1
            if self.opens % 2:
                self.failures += 1
                return Unreachable(Path(uri))
        return LocalStorage(Path(uri))


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness")
def test_every_storage_step_survives_one_transient_failure(
    niaga_replica: Any,
    fast_crawl: dict[str, object],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    archive = tmp_path / "archive"
    opener = FlakyOpener()
    monkeypatch.setattr(crawl_steps, "open_storage", opener)
    summary = archive_site(
        site="niaga",
        storage=str(archive),
        base_url=niaga_replica.base_url,
        crawl_settings=fast_crawl,
        spider_args={"max_articles": 3},
        data_dir=str(tmp_path / "data"),
        delete_local=True,
        storage_retries=2,
        storage_retry_delay=0.1,
    )
    assert summary["status"] == "stored" and summary["articles"] == 3
    # open-storage (the lease), restore-state, count-new-articles, store, save-state,
    # delete-local...: every step's first open failed and its retry succeeded.
    assert opener.failures >= 6 and opener.opens == 2 * opener.failures, vars(opener)
    [ref] = find_crawls(open_storage(str(archive)), site="niaga")
    assert ref.crawl_id == summary["crawl_id"]
    assert verify_archive(open_storage(str(archive)), deep=True).ok
    assert summary["deleted_local"] and not Path(summary["folder"]).exists()


def test_a_storage_step_is_retried_with_backoff_and_jitter_on_storage_errors_only() -> None:
    def step(x: int) -> int:
        return x

    made = storage_task(step, "probe-step")
    assert made.fn is step and made.name == "probe-step"
    assert made.retries == STORAGE_RETRIES
    assert made.retry_delay_seconds == [STORAGE_RETRY_DELAY * 2**n for n in range(STORAGE_RETRIES)]
    assert made.retry_jitter_factor == JITTER
    assert made.retry_condition_fn is retry_storage
    assert made.cache_policy is NO_CACHE  # a retried step runs again, never from a cache
