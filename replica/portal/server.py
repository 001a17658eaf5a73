"""The portal replica served by the niaga replica's transport, imported rather than copied.

Only the routing differs: ``PortalHandler`` resolves targets with the portal's routes and
inherits everything on the wire (gzip over chunked, ETag/304, Cloudflare-like headers, the
byte-bounded cache and the ``/__fault__/`` machinery) from ``ReplicaHandler``.
"""

from __future__ import annotations

from typing import Any, cast

from replica.portal import routes
from replica.portal.content import PortalSite
from replica.responses import Resource
from replica.server import (
    ReplicaHandler,
    ReplicaHTTPServer,
    ReplicaServer,
)


class PortalHandler(ReplicaHandler):
    """The main server's serving loop; only the routes are the portal's."""

    def _portal(self) -> PortalSite:
        return cast(PortalSite, self.server.site)  # PortalServer hands the portal over as site

    def _resolve(self, base: str, target: str) -> Resource:
        return routes.resolve(self._portal(), base, target, self.server.options)

    def _not_found(self, base: str) -> Resource:
        return routes.not_found(self._portal(), base)


class PortalHTTPServer(ReplicaHTTPServer):
    handler_class = PortalHandler


class PortalServer(ReplicaServer):
    """``with PortalServer(build_portal(30)) as server: fetch(server.base_url + "/")``"""

    http_server_class = PortalHTTPServer

    def __init__(self, portal: PortalSite, *args: Any, **kwargs: Any) -> None:
        super().__init__(cast(Any, portal), *args, **kwargs)
        self.portal = portal
