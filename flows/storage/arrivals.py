"""The arrivals log: one tiny marker per stored crawl, filed under the day it was stored.

A crawl's files are filed under the day the crawl *started*, so finding the crawls stored
since some moment would take a listing of every crawl. Right after a crawl's manifest,
:func:`note_arrival` writes a marker under ``_index/arrivals/<day stored>/`` whose key
names the crawl (:func:`crawler.layout.arrival_key`). The compacted index's readers list
only the days since the last compaction (:mod:`flows.archives.query`), whatever the
archive's size, and still see a crawl stored late into an old day folder.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from crawler.layout import ARTICLES_INDEX, CAPTURES_INDEX, arrival_key
from flows.storage.base import Storage
from flows.storage.manifest import Manifest


def note_arrival(storage: Storage, manifest: Manifest) -> str:
    """Write the marker of a crawl whose manifest is stored; return its key. Idempotent in
    effect: a crawl stored again gets a second marker, and readers count it once."""
    names = {f.name for f in manifest.files}
    indexed = CAPTURES_INDEX in names and ARTICLES_INDEX in names
    stored = datetime.now(UTC).date()
    key = arrival_key(stored, manifest.site, manifest.crawl_date, manifest.crawl_id, indexed)
    storage.put_bytes(key, (json.dumps({"manifest": manifest.key}) + "\n").encode())
    return key
