"""What researchers run against a stored archive: list, verify, download and share crawls.

``catalog`` finds crawls and verifies them against their manifests; ``download`` fetches
them or presigns links. The ``warta archives`` command (:mod:`flows.cli.archives`) prints
what these functions report.
"""

from flows.archives.catalog import CrawlRef, Report, find_crawls, read_manifests, verify_archive
from flows.archives.download import download_crawls, parse_expiry, presign_crawls

__all__ = [
    "CrawlRef",
    "Report",
    "download_crawls",
    "find_crawls",
    "parse_expiry",
    "presign_crawls",
    "read_manifests",
    "verify_archive",
]
