"""The names that one component writes and another reads: Scrapy statistics and request-meta keys.

A statistic counted under one spelling and read back under another silently reads zero, and
a meta key set under one prefix and looked up under another silently reads None; so every
such name is spelled here once and imported by whoever counts, sets or reads it. Statistics
start with ``warta/``; request-meta keys start with ``warta_``.
"""

from __future__ import annotations

STAT_PREFIX = "warta/"
META_PREFIX = "warta_"

# Statistics --------------------------------------------------------------------------------
# Discovery: a site that answers no discovery fetch is unreachable (crawler.process.progress).
DISCOVERY_REQUESTS = "warta/discovery_requests"
DISCOVERY_ANSWERS = "warta/discovery_answers"
SITEMAP_REJECTED = "warta/sitemap_rejected"  # not a sitemap, too large, or malformed
SITEMAP_TOO_DEEP = "warta/sitemap_too_deep"  # nested beyond WARTA_SITEMAP_MAX_DEPTH
LISTING_PAGING_STOPPED = "warta/listing_paging_stopped"  # a listing page held only old news
# Articles known to the crawl state (crawler.incremental.known).
ALREADY_ARCHIVED = "warta/already_archived"
ARTICLE_RECHECKS = "warta/article_rechecks"
REREAD_FROM_ARCHIVE = "warta/reread_from_archive"
ARTICLE_UNCHANGED = "warta/article_unchanged"
# Pages that are parsed.
ARTICLE_PAGES = "warta/article_pages"  # archived without extraction (WARTA_EXTRACT_ENABLED off)
NOT_ARTICLE = "warta/not_article"
EXTRACTION_FAILED = "warta/extraction_failed"
EXTRACTION_DEADLINE = "warta/extraction_deadline"
DUPLICATE_ARTICLE = "warta/duplicate_article"
CANONICAL_REFUSED = "warta/canonical_refused"
NEXT_PAGE = "warta/next_page"
# The request path.
COOKIES_DROPPED = "warta/cookies_dropped"
HOSTS_GIVEN_UP = "warta/hosts_given_up"
RETRY_AFTER_PAUSES = "warta/retry_after_pauses"
REFUSED_OFFSITE = "warta/refused/offsite"
REFUSED_ADDRESS = "warta/refused/address"
REFUSED_HOST_PREFIX = "warta/refused/host/"  # + a host all of whose addresses were refused
FAILURES_PREFIX = "warta/failures/"  # + the failure's reason
REVISIT_PREFIX = "warta/revisit/"  # + the last part of the revisit profile
TRUNCATED_PREFIX = "warta/truncated/"  # + why a body was cut short
CRAWL_DELAY_PREFIX = "warta/crawl_delay/"  # + host: its robots.txt Crawl-delay

# How far a crawl goes (crawler.spiders.bounds) and how fast it stops (crawler.fetch.stopping).
OUT_OF_WINDOW = "warta/out_of_window"  # a link or article dated outside since..until
ARTICLE_HELD_BACK = "warta/article_held_back"  # waited for max_articles to free a slot
LISTING_PAST_WINDOW = "warta/listing_past_window"  # listings whose paging the window ended
MAX_ARTICLES_REACHED = "warta/max_articles_reached"
DROPPED_AT_STOP = "warta/dropped_at_stop"  # waiting requests dropped at the first Ctrl-C
STOPPING = "warta/stopping"  # set once a stop was asked for

# Request-meta keys -------------------------------------------------------------------------
KIND = "warta_kind"  # discovery | article | page, recorded in the crawl state
SITEMAP_DEPTH = "warta_sitemap_depth"  # 0 for a configured sitemap, +1 per index level
RECHECK = "warta_recheck"  # an archived article fetched again inside its recheck window
CONDITIONAL = "warta_conditional"  # validators from the state were sent
NO_CONDITIONAL = "warta_no_conditional"  # never send validators for this request
FROM_ARCHIVE = "warta_from_archive"  # answer from the archived copy, no network
WARC_RECORD = "warta_warc_record"  # where the response was archived (file, offset, ...)
REVISIT = "warta_revisit"  # set when the exchange was archived as a revisit
NOT_MODIFIED_RECORD = "warta_304_record"  # a 304 archived as it is, before asking again
WIRE = "warta_wire"  # the bytes on the wire, handed from the download handler to capture
FAILURE_REASON = "warta_failure_reason"  # a component's own word for the failure
BOUNDED = "warta_bounded"  # an article request whose end the window or budget waits for
BOUND_DONE = "warta_bound_done"  # ... and that end was counted
LISTING_PAGE = "warta_listing_page"  # the listing page (ListingPager id) it came from
PUBLISHED = "warta_published"  # the article's published date, once extracted
