"""Scrapy settings for warta. Per-site politeness is applied by an add-on from the site config.

Each WARTA_* Scrapy setting is documented in README.md; they can be set with ``-s NAME=VALUE``.
"""

from crawler import __version__

BOT_NAME = "warta"
SPIDER_MODULES: list[str] = []
NEWSPIDER_MODULE = "crawler.spiders"
SPIDER_LOADER_CLASS = "crawler.spiders.loader.SiteSpiderLoader"
COMMANDS_MODULE = "crawler.commands"  # `scrapy crawl` that checks arguments before crawling

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"

USER_AGENT = f"warta/{__version__} (+https://github.com/warta-archive/warta)"
ROBOTSTXT_OBEY = True
COOKIES_ENABLED = True
REFERER_ENABLED = True
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False  # no listening ports beyond what the crawl needs

CONCURRENT_REQUESTS = 16
# Scrapy starts CONCURRENT_ITEMS asyncio tasks for every response's output; warta's
# pipelines are synchronous, so 100 of them (the default) only burn the reactor's CPU
# (measured: 28% less CPU per crawl with 4; docs/performance.md).
CONCURRENT_ITEMS = 4
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
RETRY_ENABLED = True
RETRY_TIMES = 2
DOWNLOAD_TIMEOUT = 60

# Guards against hostile or broken responses: huge bodies and decompression bombs.
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024
DOWNLOAD_MAXSIZE_SITEMAP = 50 * 1024 * 1024  # the sitemap protocol's own limit
REDIRECT_MAX_TIMES = 10
# Connections go only to public addresses, plus networks the operator names here
# (crawler/fetch/host_guard.py); a literal address in the site's base_url is allowed too.
TWISTED_DNS_RESOLVER = "crawler.fetch.host_guard.GuardedHostnameResolver"
WARTA_ALLOWED_NETWORKS: list[str] = []

# Only the configured site's hosts are fetched (see OffsiteDownloaderMiddleware).
# Politeness sits between RobotsTxt (100) and Retry (550 on the way back); WARC capture is
# last out and first back, so it archives what went over the wire.
DOWNLOADER_MIDDLEWARES = {
    "crawler.fetch.host_guard.AllowedHostsMiddleware": 1,  # first: no flag can skip it
    # Scrapy's own offsite check drops redirects off the site when they are scheduled,
    # silently (DEBUG), so failures.jsonl never heard of them; the guard above covers it.
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "crawler.fetch.failures.FailureLog": 10,  # near the engine: sees only final failures
    # Scrapy's decompression, with its bomb refusals listed in failures.jsonl too.
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "crawler.fetch.failures.CountingHttpCompressionMiddleware": 590,
    "crawler.fetch.politeness.PolitenessMiddleware": 700,
    "crawler.fetch.limits.RequestHeaderLimit": 760,  # after CookiesMiddleware (700) adds cookies
    "crawler.warc.capture.WarcCaptureMiddleware": 950,
}
# Scrapy's HTTP/1.1 handler, recording the bytes on the wire for the WARC records.
DOWNLOAD_HANDLERS = {
    "http": "crawler.warc.wire.WireRecordingDownloadHandler",
    "https": "crawler.warc.wire.WireRecordingDownloadHandler",
}
ITEM_PIPELINES = {
    "crawler.pipelines.ArticleJsonLinesPipeline": 800,
}
# Crawl set-up from the site file (crawl id, folder, JOBDIR, state, warcinfo); it also
# enables the crawl lock and the extraction workers (crawler/spiders/crawl_setup.py).
ADDONS = {"crawler.spiders.crawl_setup.CrawlSetup": 0}
STATS_CLASS = "crawler.process.stats.CrawlStats"  # Scrapy's, without a check per call
# Scrapy's LIFO disk queue, without a walk over the spider per request written
SCHEDULER_DISK_QUEUE = "crawler.fetch.diskqueue.CrawlDiskQueue"

EXTENSIONS = {
    "crawler.process.progress.CrawlProgress": 500,
    "crawler.fetch.limits.CrawlBytesBudget": 510,
    "crawler.process.quick_stop.QuickStop": 520,
    "crawler.process.collector.CollectorSettings": 530,
}

# Politeness off, for servers of our own on loopback only (the replica of `warta demo`, the
# fleet demo, the benchmark, the tests' servers); never for a real site. The one copy of
# these values: a dict Scrapy carries along as an unused setting.
POLITENESS_OFF = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False,
                  "CONCURRENT_REQUESTS_PER_DOMAIN": 8}  # fmt: skip

LOG_LEVEL = "INFO"
LOG_FORMAT = "%(asctime)s [%(name)s] %(levelname)s: %(message)s"

# warta's own settings.
WARTA_WARC_ENABLED = True
WARTA_PAGE_REQUISITES = True  # False: no page requisites whatever the site config says
WARTA_EXTRACT_ENABLED = True
WARTA_DATA_DIR = ""  # default: data_dir of config/settings.yaml (or $WARTA_DATA_DIR)
WARTA_OUTPUT_DIR = ""  # default: <data_dir>/crawls/<site>/<crawl_id>
WARTA_CRAWL_ID = ""  # default: UTC timestamp of the crawl's start
WARTA_PROGRESS_INTERVAL = 30.0  # seconds between progress lines in the log; 0: none
WARTA_PROGRESS_DISPLAY = "auto"  # live display on a terminal: auto (if stderr is one), on, off
WARTA_DISK_QUEUE = True  # pending requests on disk in the crawl folder (layout.JOB_DIR)
WARTA_EXTRACT_TIMEOUT = 30.0  # seconds per page; a worker past it is replaced
WARTA_EXTRACT_WORKERS: int | None = None  # extraction processes; None = one per core, 0 = inline
WARTA_WARC_PREFIX = "warta"  # CrawlSetup sets "<prefix>-<site>" from config/settings.yaml
WARTA_WARC_MAX_BYTES = 1_000_000_000
# Write WARC records on a thread of their own (crawler/warc/serial.py): pays off only with a
# core to spare beside the reactor and the extraction workers (docs/performance.md).
WARTA_WARC_WRITER_THREAD = False
# The cyclic garbage collector's thresholds during a crawl, after start-up's objects are
# frozen (crawler/process/collector.py); empty: Python's own (700, 10, 10), nothing frozen.
WARTA_GC_THRESHOLD = [10_000, 10, 10]
WARTA_WARCINFO: dict[str, str] = {}  # extra warcinfo fields; CrawlSetup fills operator etc.

# Incremental crawling (docs/incremental.md).
WARTA_STATE_ENABLED = True
WARTA_STATE_PATH = ""  # default: <data_dir>/state/<site>.sqlite (CrawlSetup fills it in)
WARTA_STATE_COMMIT_INTERVAL = 2.0  # seconds; a kill loses at most this much state
# seconds one SQLite statement on the state may run before it is interrupted (a crafted
# snapshot's recursive view, say; crawler/incremental/sqlite_guard.py)
WARTA_STATE_STATEMENT_TIMEOUT = 60.0
# What the capture middleware asks before archiving an exchange in full or as a revisit;
# empty: every exchange is archived in full and no crawl state is kept.
WARTA_REVISIT_POLICY = "crawler.incremental.revisits.Revisits"
# Politeness (crawler/fetch/politeness.py).
WARTA_OBEY_CRAWL_DELAY = True  # apply robots.txt Crawl-delay as the host's minimum delay
WARTA_CRAWL_DELAY_MAX = 60.0  # cap on a robots.txt Crawl-delay, in seconds
WARTA_RETRY_AFTER_MAX = 120.0  # a longer Retry-After gives up the URL for this crawl
WARTA_BACKOFF_BASE = 1.0  # first pause after a 5xx/429/network error, doubling each time
WARTA_BACKOFF_MAX = 60.0  # cap on one backoff pause, in seconds
WARTA_HOST_ERROR_BUDGET = 20  # consecutive failures after which a host is given up
WARTA_SITEMAP_MAX_DEPTH = 3  # sitemap index -> sitemap -> ...: deeper nesting is refused
# What one page may add (crawler/spiders/link_budget.py): links taken from one listing or
# feed (a sitemap: the 50,000 of its protocol), and requests waiting in the queue; a page
# that hits either is listed in failures.jsonl (too-many-links, queue-full).
WARTA_MAX_LINKS_PER_PAGE = 5_000
WARTA_MAX_PENDING_REQUESTS = 250_000
# Budgets for one crawl (0 switches one off): Scrapy's CloseSpider for pages and time,
# crawler.fetch.limits for bytes. A crawl that hits one ends with that reason in its summary.
CLOSESPIDER_PAGECOUNT = 250_000
CLOSESPIDER_TIMEOUT = 12 * 3600
WARTA_MAX_CRAWL_BYTES = 20_000_000_000
WARTA_MAX_COOKIE_BYTES = 8192  # Cookie header above this is dropped from the request
WARTA_MAX_REQUEST_HEADER_BYTES = 16384  # and a request still above this is refused
# A response whose header block passes either limit is dropped at the wire (crawler/warc/
# wire.py) and listed as `headers-too-large`: Twisted keeps every header in memory.
WARTA_MAX_RESPONSE_HEADER_BYTES = 1024 * 1024
WARTA_MAX_RESPONSE_HEADERS = 1000  # header lines
# Scrapy's memory guard (scrapy.extensions.memusage): a crawl past this many MB of RSS
# closes with reason `memusage_exceeded` instead of taking the machine.
MEMUSAGE_ENABLED = True
MEMUSAGE_LIMIT_MB = 2048
MEMUSAGE_WARNING_MB = 1024
