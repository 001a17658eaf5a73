"""Spider arguments and warta's Scrapy settings, checked before a crawl does any work.

``scrapy crawl niaga -a since=...``, ``warta archive niaga --arg ...`` and ``--set ...`` all
pass through here, so a misspelt name or a value of the wrong kind is one line naming the
thing and what would be right, not a traceback halfway into a crawl. :class:`SpiderArguments`
is the spider's whole interface; :func:`check_setting_overrides` knows every ``WARTA_*``
setting from :mod:`crawler.settings`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from crawler import settings as default_settings
from crawler.config.sites import USERINFO_REFUSED, ConfigError, refuse_userinfo
from crawler.config.units import parse_duration


class SpiderArguments(BaseModel):
    """What ``-a NAME=VALUE`` may say; each field is documented in README.md."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: str | None = Field(default=None, description="crawl this scheme and host instead")
    since: datetime | None = Field(default=None, description="ISO date: skip older sitemap entries")
    until: datetime | None = Field(default=None, description="ISO date: skip newer sitemap entries")
    lookback: timedelta | None = Field(default=None, description="a duration such as 2d or 36h")
    recheck_hours: float | None = Field(default=None, ge=0, description="overrides the site file")
    max_articles: int | None = Field(default=None, ge=1, description="stop after this many")
    urls: list[str] = Field(default_factory=list, description="extra URLs or paths")

    @field_validator("since", "until", mode="before")
    @classmethod
    def _iso_date(cls, value: Any) -> Any:
        if isinstance(value, str):
            if not value.strip():
                return None
            try:
                when = datetime.fromisoformat(value.strip())
            except ValueError:
                raise ValueError(f"{value!r} is not an ISO date such as 2026-11-01") from None
            return when if when.tzinfo else when.replace(tzinfo=UTC)
        return value

    @field_validator("lookback", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        if isinstance(value, str):
            return parse_duration(value) if value.strip() else None
        return value

    @field_validator("recheck_hours", "max_articles", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("urls", mode="before")
    @classmethod
    def _comma_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        refuse_userinfo(value)
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http(s) URL with a host, such as http://127.0.0.1:8765")
        return value.rstrip("/")


def spider_argument_names() -> list[str]:
    return sorted(SpiderArguments.model_fields)


def parse_spider_args(raw: dict[str, Any]) -> SpiderArguments:
    """The spider arguments, or a one-line :class:`ConfigError` naming the bad one."""
    try:
        return SpiderArguments.model_validate(raw)
    except ValidationError as exc:
        item = exc.errors()[0]
        name = ".".join(str(p) for p in item["loc"]) or "?"
        if item["type"] == "extra_forbidden":
            known = ", ".join(spider_argument_names())
            raise ConfigError(f"unknown spider argument {name!r}; known: {known}") from None
        msg = str(item["msg"]).removeprefix("Value error, ")
        if msg == USERINFO_REFUSED:  # the value holds a password: not repeated
            raise ConfigError(f"spider argument {name}: {msg}") from None
        # The refused value itself: for one item of a list, that item (``urls.1='ftp://x'``).
        value = item.get("input", raw.get(name))
        raise ConfigError(f"spider argument {name}={value!r}: {msg}") from None


# Settings whose default is None still have a kind.
# The kind a value must read as where the default does not tell: unset, or a whole number
# for a setting Scrapy reads as a decimal (a 7.5 s timeout is a fine timeout).
_KIND_OF_UNSET: dict[str, Any] = {
    "WARTA_EXTRACT_WORKERS": 0,
    "DOWNLOAD_TIMEOUT": 0.0,
    "CLOSESPIDER_TIMEOUT": 0.0,
}


def warta_setting_names() -> list[str]:
    return sorted(n for n in dir(default_settings) if n.startswith("WARTA_"))


def _check_value(name: str, value: Any, default: Any) -> None:
    """A value from the command line (a string) must read as the default's kind."""
    if not isinstance(value, str) or default is None:
        return
    text = value.strip()
    if isinstance(default, bool):
        ok = text.lower() in ("0", "1", "true", "false", "yes", "no", "on", "off")
        kind = "true or false"
    elif isinstance(default, int):
        ok, kind = text.lstrip("-").isdigit(), "a whole number"
    elif isinstance(default, float):
        try:
            float(text)
            ok = True
        except ValueError:
            ok = False
        kind = "a number"
    elif isinstance(default, (dict, list)):
        try:
            ok = isinstance(json.loads(text), type(default)) if text else True
        except ValueError:
            ok = False
        kind = f"a JSON {'object' if isinstance(default, dict) else 'list'}"
    else:
        return
    if not ok:
        raise ConfigError(f"setting {name}={value!r}: expected {kind}")


# Scrapy settings a run may change (``-s``, ``--set``, a flow's ``crawl_settings``): pace,
# size, time and retry limits, logging verbosity, memory. Everything else stays as
# crawler/settings.py has it: the host guard and its resolver (TWISTED_DNS_RESOLVER,
# DOWNLOADER_MIDDLEWARES, DOWNLOAD_HANDLERS), where files go (JOBDIR, FEEDS, LOG_FILE),
# which code runs (EXTENSIONS, ITEM_PIPELINES, SPIDER_*), robots.txt (the site file's).
RUN_SETTINGS = frozenset({
    "DOWNLOAD_DELAY", "RANDOMIZE_DOWNLOAD_DELAY", "AUTOTHROTTLE_ENABLED",
    "AUTOTHROTTLE_START_DELAY", "AUTOTHROTTLE_MAX_DELAY", "AUTOTHROTTLE_TARGET_CONCURRENCY",
    "CONCURRENT_REQUESTS", "CONCURRENT_REQUESTS_PER_DOMAIN", "DOWNLOAD_TIMEOUT",
    "DOWNLOAD_MAXSIZE", "DOWNLOAD_WARNSIZE", "DOWNLOAD_MAXSIZE_SITEMAP", "RETRY_ENABLED",
    "RETRY_TIMES", "REDIRECT_MAX_TIMES", "CLOSESPIDER_TIMEOUT", "CLOSESPIDER_PAGECOUNT",
    "CLOSESPIDER_ITEMCOUNT", "CLOSESPIDER_ERRORCOUNT", "LOG_LEVEL", "MEMUSAGE_LIMIT_MB",
    "MEMUSAGE_WARNING_MB",
})  # fmt: skip


def check_setting_overrides(settings: dict[str, Any]) -> None:
    """Unknown ``WARTA_*`` names, Scrapy names outside :data:`RUN_SETTINGS` and values of
    the wrong kind are errors; Scrapy's are checked for kind when Scrapy has a default."""
    known = set(warta_setting_names())
    for name, value in settings.items():
        if not name.startswith("WARTA_") and name not in RUN_SETTINGS:
            raise ConfigError(
                f"setting {name} cannot be set for a run; Scrapy settings a run may change: "
                f"{', '.join(sorted(RUN_SETTINGS))}, and warta's WARTA_* settings"
            )
        if name.startswith("WARTA_") and name not in known:
            hint = ""
            if name in ("WARTA_STORAGE", "WARTA_OPERATOR", "WARTA_OPERATOR_CONTACT"):
                hint = f" ({name} is an environment variable for warta, not a Scrapy setting)"
            raise ConfigError(
                f"unknown setting {name}{hint}; warta's settings are: {', '.join(sorted(known))}"
            )
        default = _KIND_OF_UNSET.get(name, getattr(default_settings, name, None))
        if default is None and not name.startswith("WARTA_"):
            from scrapy.settings import default_settings as scrapy_defaults  # only when needed

            default = getattr(scrapy_defaults, name, None)
        _check_value(name, value, default)
