"""The bundled replicas by kind, so the CLI, the demo and benchmarks build them one way.

A site file names the replica that imitates it (``replica: portal``); nothing in Python
names the site itself.
"""

from __future__ import annotations

from typing import Any

from replica.content import DEFAULT_SEED, build_site
from replica.server import ReplicaServer

KINDS = ("niaga", "portal", "hostile")
# The site files that name a replica by another name (config/sites/kabarbenua.yaml says
# `replica: portal`): `warta replica --site kabarbenua` then serves the one it means.
ALIASES = {"kabarbenua": "portal"}


def replica_kind(name: str) -> str:
    """A replica kind from its own name or from the name of the site it imitates."""
    kind = ALIASES.get(name, name)
    if kind not in KINDS:
        raise ValueError(f"unknown replica {name!r}; bundled replicas: {', '.join(KINDS)}")
    return kind


def build_replica(
    kind: str, articles: int, seed: int = DEFAULT_SEED, **server_options: Any
) -> ReplicaServer:
    """A not-yet-started server for replica ``kind`` with ``articles`` articles.

    ``server_options`` go to the server (host, port, delay, crawl_delay, faults, ...);
    binding happens here, so an OSError means the port is taken.
    """
    if kind == "portal":
        from replica.portal.content import build_portal
        from replica.portal.server import PortalServer

        return PortalServer(build_portal(articles, seed=seed), **server_options)
    if kind == "hostile":
        from replica.hostile.server import HostileServer

        return HostileServer(build_site(articles, seed=seed), **server_options)
    if kind == "niaga":
        return ReplicaServer(build_site(articles, seed=seed), **server_options)
    raise ValueError(f"unknown replica {kind!r}; bundled replicas: {', '.join(KINDS)}")
