"""Fixtures for the extraction tests: the seed page, its expected body and the niaga config."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from crawler.config.sites import SiteConfig, load_site

FIXTURES = Path(__file__).parent / "fixtures"
SEED_URL = (
    "https://www.niaga.asia/"
    "pemilu-2024-kian-dekat-tiga-pilar-di-kaltim-rapatkan-barisan-jaga-kondusifitas/"
)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Under ``make mutate``, mutmut's fork server collects the tests once and forks one
    process per mutant: what is loaded here is loaded once, not once per mutant. trafilatura
    reads justext's stop lists (a file per language, 0.17 s of CPU) at its first fallback to
    justext, so they are read now. Only the library's own state: warta's caches stay empty."""
    if "MUTMUT_DEPENDENCY_DEPTH" in os.environ:
        from trafilatura.external import jt_stoplist_init

        jt_stoplist_init()


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def seed_url() -> str:
    return SEED_URL


@pytest.fixture(scope="session")
def seed_html() -> bytes:
    return (FIXTURES / "niaga-seed.html").read_bytes()


@pytest.fixture(scope="session")
def seed_body() -> str:
    """The seed article's body paragraphs, dateline removed, as text should come out."""
    return (FIXTURES / "niaga-seed-body.txt").read_text(encoding="utf-8").strip()


@pytest.fixture(scope="session")
def niaga() -> SiteConfig:
    return load_site("niaga")
