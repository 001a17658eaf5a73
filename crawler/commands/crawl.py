"""``scrapy crawl SITE``, checking its arguments before anything starts and failing a crawl
that reached nothing.

Scrapy's own command builds the crawler first and meets a bad ``-a`` value inside the
spider's constructor, as a 35-line traceback; here the site name, the spider arguments
(:mod:`crawler.config.arguments`) and the ``WARTA_*`` settings are checked first, and a problem is
one line on stderr with exit code 2. After the crawl, a site that answered none of its
discovery fetches makes the exit code 1: "finished" with nothing is not success.
"""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError
from scrapy.utils.conf import arglist_to_dict

from crawler.config.arguments import check_setting_overrides, parse_spider_args
from crawler.config.operator import contact_warning
from crawler.config.sites import ConfigError, load_site
from crawler.process.progress import unreachable_message

USAGE_ERROR = 2


class Command(ScrapyCrawl):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        try:
            site = load_site(args[0]) if len(args) == 1 else None
            options = parse_spider_args(opts.spargs)
            check_setting_overrides(arglist_to_dict(opts.set or []))
        except (ConfigError, ValueError) as exc:
            print(f"scrapy crawl: {exc}", file=sys.stderr)
            sys.exit(USAGE_ERROR)
        warning = site and contact_warning(site.name, options.base_url or site.base_url)
        if warning:
            print(warning, file=sys.stderr)

    def _create_crawler(self, spidercls: type | str) -> Crawler:
        self.crawler = super()._create_crawler(spidercls)
        return self.crawler

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give one site name, e.g. scrapy crawl niaga", print_help=False)
        super().run(args, opts)
        try:
            stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        except RuntimeError:  # the crawl never started: Scrapy has set the exit code
            return
        message = unreachable_message(stats)
        if message:
            print(f"scrapy crawl {args[0]}: {message}", file=sys.stderr)
            self.exitcode = 1
