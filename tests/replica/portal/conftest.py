"""A small portal replica and a real server for it on 127.0.0.1 with an OS-chosen port."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from replica.portal.content import PortalArticle, PortalSite, build_portal
from replica.portal.server import PortalServer

PORTAL_ARTICLES = 30


@pytest.fixture(scope="session")
def portal() -> PortalSite:
    return build_portal(PORTAL_ARTICLES)


@pytest.fixture(scope="session")
def portal_server(portal: PortalSite) -> Iterator[PortalServer]:
    with PortalServer(portal, faults=True) as running:
        yield running


@pytest.fixture(scope="session")
def multipage_article(portal: PortalSite) -> PortalArticle:
    return next(a for a in portal if len(a.pages) == 3 and len(a.photos) == 2)


@pytest.fixture
def client_factory(
    portal_server: PortalServer, make_client: Callable[[str], Any]
) -> Callable[[], tuple[Any, str]]:
    """``client, base = client_factory()``: a keep-alive client of the portal server."""

    def make() -> tuple[Any, str]:
        return make_client(portal_server.base_url), portal_server.base_url

    return make
