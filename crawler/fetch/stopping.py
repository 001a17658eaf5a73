"""The first Ctrl-C (or SIGTERM) stops a crawl in seconds: what only waits is dropped.

Scrapy's graceful stop finishes every request the downloader holds, and with politeness on
(a delay per host, AutoThrottle, Retry-After pauses) the downloader holds a dozen requests
that are only waiting for their turn: the stop took 20 s. The crawl process sends
:data:`stop_requested` (a Scrapy signal, through ``crawler.signals``) on the first stop
signal; each component that holds requests back drops them by failing them with
:class:`DroppedAtStop`. Requests already on the wire finish and are archived as usual.
"""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest

from crawler import keys

stop_requested = object()  # a Scrapy signal: the crawl is stopping, drop what waits
DROPPED_STAT = keys.DROPPED_AT_STOP  # requests dropped that way (the panel says so)
STOPPING_STAT = keys.STOPPING  # set once a stop was asked for


class DroppedAtStop(IgnoreRequest):
    """A request that was only waiting (a host delay, a Retry-After pause) when the crawl
    was asked to stop; not a failure of the site, so the failure log leaves it out."""


__all__ = ["DROPPED_STAT", "STOPPING_STAT", "DroppedAtStop", "stop_requested"]
