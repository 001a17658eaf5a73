"""Keep a crawl on its allowed hosts and off private networks, whatever a server says.

Two checks at two depths, because each alone has been walked around:

- :class:`AllowedHostsMiddleware` sees every request the downloader is asked for (pages,
  redirects, retries, robots.txt, images) and refuses any whose host is not one of the
  spider's ``allowed_domains``. Scrapy's own offsite middleware lets ``dont_filter`` and
  ``allow_offsite`` through; its retry sets ``dont_filter`` and a redirect inherits it, so a
  ``503`` followed by a ``302`` to ``http://127.0.0.2/latest/meta-data/`` used to be fetched.
- :class:`GuardedHostnameResolver` filters the addresses a host name resolves to before
  Twisted connects: loopback, private, link-local, multicast, reserved and unspecified
  addresses are dropped unless ``WARTA_ALLOWED_NETWORKS`` names them. The connection can
  only use addresses that passed, so a name that resolves differently a second time (DNS
  rebinding) cannot slip past a check made earlier.

A literal IP address in the site's own ``base_url`` (the replica, a mirror the operator
points at) is the operator saying so: that one address is allowed, nothing around it.
"""

from __future__ import annotations

import ipaddress
import json
import logging
from collections.abc import Iterable, Sequence
from typing import Any, Self, cast
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.resolver import CachingHostnameResolver
from twisted.internet.interfaces import (
    IAddress,
    IHostnameResolver,
    IHostResolution,
    IResolutionReceiver,
)
from zope.interface import implementer

from crawler import keys

LOG = logging.getLogger(__name__)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class HostRefused(IgnoreRequest):
    """A request for a host or address outside what the crawl may reach."""


def setting_list(value: Any) -> list[str]:
    """A list setting given as a list, a JSON list (``-s X='["a", "b"]'``) or ``a,b``."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            return [str(v) for v in json.loads(text)]
        return [v for v in (part.strip() for part in text.split(",")) if v]
    return [str(v) for v in value or []]


def parse_networks(values: Iterable[str]) -> list[Network]:
    """``["127.0.0.1/32", "10.1.0.0/16"]`` → networks; a bad entry names itself."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(str(value).strip(), strict=False))
        except ValueError:
            raise ValueError(f"WARTA_ALLOWED_NETWORKS: not a network: {value!r}") from None
    return networks


# IPv6 forms that carry an IPv4 address a router or the host may reach it by: NAT64's
# well-known prefix (its last 32 bits), the deprecated IPv4-compatible ::/96 and the
# local-use NAT64 prefix (refused whole).
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address inside an IPv4-mapped, 6to4 (2002::/16) or NAT64 address."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:  # 2002:a9fe:a9fe::1 is 169.254.169.254 by a relay
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public(address: Address) -> bool:
    """True for an address on the public internet: none of the special-purpose ranges, and
    no IPv6 form of an IPv4 address that is not public itself."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return is_public(embedded)
        if address.is_site_local or address in _IPV4_COMPATIBLE or address in _NAT64_LOCAL:
            return False  # fec0::/10 (deprecated, still routed on some LANs) and the rest
    return not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


class AddressPolicy:
    """Which peer addresses a crawl may connect to."""

    def __init__(self, allowed: Sequence[Network] = ()) -> None:
        self.allowed = list(allowed)

    def permits(self, host: str) -> bool:
        try:
            address = ipaddress.ip_address(host.split("%", 1)[0])
        except ValueError:
            return False  # not an address at all: nothing to connect to
        return is_public(address) or any(address in net for net in self.allowed)

    @classmethod
    def from_settings(cls, settings: Any, base_urls: Iterable[str] = ()) -> AddressPolicy:
        networks = parse_networks(setting_list(settings.get("WARTA_ALLOWED_NETWORKS")))
        for url in base_urls:
            host = urlsplit(url).hostname or ""
            try:
                networks.append(ipaddress.ip_network(host))
            except ValueError:
                continue  # a name, not a literal address
        return cls(networks)


def host_allowed(host: str, domains: Iterable[str]) -> bool:
    """Scrapy's rule: the host is an allowed domain or a subdomain of one."""
    host = host.lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in (d.lower() for d in domains))


class AllowedHostsMiddleware:
    """Refuse, before any connection, a request for a host the spider is not allowed.

    It runs first in the downloader chain (priority 1), so no other middleware, and no flag
    on the request, can send a request past it.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        spider = self.crawler.spider
        domains = list(getattr(spider, "allowed_domains", None) or [])
        parts = urlsplit(request.url)
        host = parts.hostname or ""
        site = getattr(spider, "site", None)
        if (
            parts.scheme in ("http", "https")
            and host_allowed(host, domains)
            and self._port_allowed(parts.port, parts.scheme, site)
        ):
            return None
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(keys.REFUSED_OFFSITE)
        LOG.warning("Refused a request outside the allowed hosts: %s", request.url)
        raise HostRefused(f"offsite: {host or request.url} is not an allowed host")

    @staticmethod
    def _port_allowed(port: int | None, scheme: str, site: Any) -> bool:
        """On a site served at a literal address and port (a replica), only that port."""
        base = urlsplit(str(getattr(site, "base_url", "") or ""))
        try:
            ipaddress.ip_address(base.hostname or "")
        except ValueError:
            return True  # a named site: any port of its hosts, as Scrapy does
        default = 443 if scheme == "https" else 80
        return (port or default) == (base.port or (443 if base.scheme == "https" else 80))


@implementer(IResolutionReceiver)
class _FilteringReceiver:
    """Passes on only the addresses the policy permits, and says what it dropped."""

    def __init__(self, receiver: IResolutionReceiver, host: str, policy: AddressPolicy,
                 owner: Any) -> None:  # fmt: skip
        self.receiver: Any = receiver  # zope interfaces are opaque to mypy
        self.host = host
        self.policy = policy
        self.crawlers = list(getattr(owner, "crawlers", None) or ([owner] if owner else []))
        self.refused: list[str] = []

    def resolutionBegan(self, resolution: IHostResolution) -> None:
        self.receiver.resolutionBegan(resolution)

    def addressResolved(self, address: IAddress) -> None:
        ip = getattr(address, "host", "")
        if self.policy.permits(ip):
            self.receiver.addressResolved(address)
        else:
            self.refused.append(ip)

    def resolutionComplete(self) -> None:
        if self.refused:
            LOG.warning(
                "Refused to connect to %s at %s: not a public address "
                "(allow it with WARTA_ALLOWED_NETWORKS)", self.host, ", ".join(self.refused)
            )  # fmt: skip
            for crawler in self.crawlers:
                if getattr(crawler, "stats", None) is not None:
                    crawler.stats.inc_value(keys.REFUSED_ADDRESS)
                    # so the failure log says "refused-address", not the DNS error Twisted
                    # raises when no address is left (crawler.fetch.failures)
                    crawler.stats.inc_value(keys.REFUSED_HOST_PREFIX + self.host)
        self.receiver.resolutionComplete()


@implementer(IHostnameResolver)
class GuardedHostnameResolver(CachingHostnameResolver):
    """Scrapy's caching resolver whose answers pass the crawl's :class:`AddressPolicy`.

    Installed with ``TWISTED_DNS_RESOLVER``. Scrapy builds resolvers once per process and
    hands them the crawler *process* (not a crawler), so the policy is read from the
    process's settings and from the sites of the crawlers it runs, at each resolution: a
    spider's base URL (which may name a literal address) exists only once it is open.
    """

    def __init__(self, reactor: Any, cache_size: int, owner: Any = None) -> None:
        super().__init__(reactor, cache_size)
        self.owner = owner  # a CrawlerProcess (or a Crawler, in tests)

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: Any) -> Self:
        size = crawler.settings.getint("DNSCACHE_SIZE")
        return cls(reactor, size if crawler.settings.getbool("DNSCACHE_ENABLED") else 0, crawler)

    def policy(self) -> AddressPolicy:
        owner = self.owner
        if owner is None:
            return AddressPolicy()
        crawlers = list(getattr(owner, "crawlers", None) or [owner])
        sites = [getattr(getattr(c, "spider", None), "site", None) for c in crawlers]
        bases = [str(site.base_url) for site in sites if site is not None]
        return AddressPolicy.from_settings(owner.settings, bases)

    def resolveHostName(
        self,
        resolutionReceiver: IResolutionReceiver,
        hostName: str,
        portNumber: int = 0,
        addressTypes: Sequence[type[IAddress]] | None = None,
        transportSemantics: str = "TCP",
    ) -> IHostResolution:
        receiver = _FilteringReceiver(resolutionReceiver, hostName, self.policy(), self.owner)
        return super().resolveHostName(
            cast(IResolutionReceiver, receiver),
            hostName,
            portNumber,
            addressTypes,
            transportSemantics,
        )
