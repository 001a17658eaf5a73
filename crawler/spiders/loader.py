"""Scrapy spider loader that makes one spider per site config file.

``scrapy crawl niaga`` therefore works for any file in ``config/sites/`` without Python,
and a missing or broken file becomes a short usage error instead of a traceback.
"""

from __future__ import annotations

import builtins
from typing import Self

from scrapy import Spider
from scrapy.exceptions import UsageError
from scrapy.http import Request
from scrapy.settings import BaseSettings

from crawler.config.sites import ConfigError, load_site, site_names


class SiteSpiderLoader:
    def __init__(self, settings: BaseSettings) -> None:
        self.settings = settings

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Self:
        return cls(settings)

    def load(self, spider_name: str) -> type[Spider]:
        from crawler.spiders.news import NewsSpider

        try:
            site = load_site(spider_name)
        except ConfigError as exc:
            raise UsageError(str(exc), print_help=False) from None
        class_name = "".join(part.title() for part in spider_name.split("_")) + "Spider"
        return type(class_name, (NewsSpider,), {"name": spider_name, "site_config": site})

    def list(self) -> list[str]:
        return site_names()

    def find_by_request(self, request: Request) -> builtins.list[str]:
        return []
