"""The portal replica served by the niaga replica's transport, imported rather than copied.

Only the routing differs: ``PortalHandler`` resolves targets with the portal's routes and
inherits everything on the wire (gzip over chunked, ETag/304, Cloudflare-like headers, the
byte-bounded cache and the ``/__fault__/`` machinery) from ``ReplicaHandler``.
"""

from __future__ import annotations

import time
from typing import IO, Any, cast
from urllib.parse import parse_qs, urlsplit

from replica import faults
from replica.cache import Prepared
from replica.fault_modes import FAULT_PREFIX
from replica.portal import routes
from replica.portal.content import PortalSite
from replica.responses import Options
from replica.server import (
    ReplicaHandler,
    ReplicaHTTPServer,
    ReplicaServer,
)


class PortalHandler(ReplicaHandler):
    def _serve(self, head: bool) -> None:
        server = self.server
        portal: PortalSite = cast(Any, server).portal
        if server.delay > 0:
            time.sleep(server.delay)
        base = self._base()
        target = self.path
        if not target.startswith("/"):
            parts = urlsplit(target)
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        path, _, query = target.partition("?")
        if path.startswith(FAULT_PREFIX):
            name = path[len(FAULT_PREFIX) :]
            if faults.handle_raw(name, self):
                return
            found = faults.resource(name, parse_qs(query), base)
            resource = found if found is not None else routes.not_found(portal, base)
            self._send(Prepared.of(resource), head)
            return
        key = (base, target)
        entry = server.cache.get(key)
        cached = True
        if entry is None:
            resource = routes.resolve(portal, base, target, server.options)
            entry = Prepared.of(resource)
            cached = resource.status in (200, 301)
            if cached:
                server.cache.put(key, entry)
        self._send(entry, head, cached)


class PortalHTTPServer(ReplicaHTTPServer):
    def __init__(
        self,
        address: tuple[str, int],
        portal: PortalSite,
        *,
        delay: float,
        options: Options,
        cache_bytes: int,
        log_file: IO[str] | None,
    ) -> None:
        # The base class wants a niaga site for its own handler; ours reads ``portal``.
        super().__init__(
            address,
            cast(Any, portal),
            delay=delay,
            options=options,
            cache_bytes=cache_bytes,
            log_file=log_file,
        )
        self.portal = portal
        self.RequestHandlerClass = PortalHandler


class PortalServer(ReplicaServer):
    """``with PortalServer(build_portal(30)) as server: fetch(server.base_url + "/")``"""

    http_server_class = PortalHTTPServer

    def __init__(self, portal: PortalSite, *args: Any, **kwargs: Any) -> None:
        super().__init__(cast(Any, portal), *args, **kwargs)
        self.portal = portal
