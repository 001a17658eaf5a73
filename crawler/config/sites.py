"""Typed, validated site configuration.

Everything warta knows about one news site lives in ``config/sites/<name>.yaml``; adding a
site means adding a file, never Python. Validation errors name the file and the field, so a
typo in YAML is found before a crawl starts rather than halfway through it.
"""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from crawler.config.patterns import check_patterns

PACKAGE_ROOT = Path(__file__).resolve().parents[2]
SITE_NAME = re.compile(r"^[a-z][a-z0-9_]{1,40}$")


class ConfigError(Exception):
    """A config file is missing or invalid; the message names the file and the field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


CRON_ALIASES = frozenset({"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight",
                          "@hourly"})  # fmt: skip


def _check_cron(expression: str) -> str:
    """Five cron fields (or an @alias), as Prefect's Cron schedule reads them."""
    from cronsim import CronSim, CronSimError

    if expression.strip() in CRON_ALIASES:
        return expression.strip()
    try:
        CronSim(expression, datetime(2026, 1, 1))
    except CronSimError as exc:
        raise ValueError(
            f"{expression!r} is not a cron expression ({exc}); write five fields, "
            "minute hour day month weekday, e.g. '17 */6 * * *' for every six hours"
        ) from None
    return expression


def _check_css(selectors: list[str], *, parsel: bool = False) -> list[str]:
    """CSS as the extractor (lxml) or the article test (parsel, which adds ::text and
    ::attr) will read it; a broken selector fails here, not once per page in a crawl."""
    from cssselect import SelectorError
    from lxml.cssselect import CSSSelector
    from parsel.csstranslator import css2xpath

    for css in selectors:
        try:
            css2xpath(css) if parsel else CSSSelector(css, translator="html")
        except SelectorError as exc:
            raise ValueError(f"invalid CSS selector {css!r}: {exc}") from None
    return selectors


def _check_regex(patterns: list[str]) -> list[str]:
    """Site-file patterns must run on RE2 (linear time; see crawler/config/patterns.py)."""
    return check_patterns(patterns)


class Discovery(_Strict):
    """Where the spider looks for article URLs. Paths are relative to ``base_url``."""

    sitemaps: list[str] = Field(
        default_factory=list, description="Sitemap or sitemap-index paths, e.g. /sitemap_index.xml"
    )
    feeds: list[str] = Field(default_factory=list, description="RSS or Atom feed paths")
    listings: list[str] = Field(
        default_factory=list, description="Listing pages (home, sections) whose links are followed"
    )
    pagination_pattern: str = Field(
        default=r"/page/\d+/?$",
        description="Regex for listing pagination links that should be followed",
    )
    max_listing_pages: int = Field(
        default=20, ge=0, description="How many pages deep each listing is followed"
    )

    _validate_pagination = field_validator("pagination_pattern")(lambda v: _check_regex([v])[0])


class ArticleRules(_Strict):
    """How the spider tells an article from every other page on the site."""

    url_patterns: list[str] = Field(
        default_factory=lambda: [r"^/[^/]+/?$"],
        description="Regexes on the URL path; a link must match one to be fetched as an article",
    )
    exclude_patterns: list[str] = Field(
        default_factory=list,
        description="Regexes on the URL path that are never articles (sections, tags, feeds)",
    )
    require_any: list[str] = Field(
        default_factory=lambda: [
            "meta[property='og:type'][content='article']",
            "script[type='application/ld+json']:contains('NewsArticle')",
        ],
        description="CSS selectors; a fetched page is an article only if one of them matches",
    )

    _validate = field_validator("url_patterns", "exclude_patterns")(_check_regex)
    _validate_css = field_validator("require_any")(lambda v: _check_css(v, parsel=True))


class Selectors(_Strict):
    """Optional per-site CSS selectors. Unset fields fall back to the generic extractor."""

    title: str | None = None
    body: str | None = Field(default=None, description="Element holding the article body")
    captions: str | None = Field(default=None, description="Elements holding photo captions")
    byline: str | None = None
    editor: str | None = None
    source: str | None = None
    tags: str | None = Field(default=None, description="Links or items naming the article's tags")
    section: str | None = None
    published: str | None = None
    remove: list[str] = Field(
        default_factory=list,
        description="Elements removed before extraction (related posts, share buttons, ads)",
    )
    next_page: str | None = Field(
        default=None, description="Link to the next page of a multi-page article"
    )

    @field_validator("*")
    @classmethod
    def _valid_css(cls, value: str | list[str] | None) -> str | list[str] | None:
        if isinstance(value, str):
            _check_css([value])
        elif isinstance(value, list):
            _check_css(value)
        return value


class TextRules(_Strict):
    """Regexes that split a news article's conventional lines out of its body text."""

    dateline: str | None = Field(
        default=None, description="Regex with a 'place' group matching the dateline prefix"
    )
    source_editor: str | None = Field(
        default=None,
        description="Regex with optional 'source', 'editor' and 'author' groups for credit lines",
    )
    caption_credit: str | None = Field(
        default=None, description="Regex with 'text' and 'credit' groups splitting a caption"
    )
    drop_lines: list[str] = Field(
        default_factory=list, description="Regexes; matching body lines are removed"
    )

    _validate = field_validator("drop_lines")(_check_regex)

    @field_validator("dateline", "source_editor", "caption_credit")
    @classmethod
    def _valid_regex(cls, value: str | None) -> str | None:
        if value is not None:
            _check_regex([value])
        return value


class Politeness(_Strict):
    """How hard the crawler may press on the site."""

    obey_robots_txt: bool = True
    download_delay: float = Field(default=1.0, ge=0, description="Seconds between requests")
    concurrency_per_domain: int = Field(default=2, ge=1, le=64)
    autothrottle: bool = True
    autothrottle_target_concurrency: float = Field(default=1.0, gt=0)


USERINFO_REFUSED = (
    "must not hold a user name or password (user:password@host): warta cannot send them "
    "(the HTTP client takes them for part of the host name) and they would be stored in "
    "clear in logs and flow-run parameters; let the mirror admit the crawler by address"
)


def refuse_userinfo(url: str) -> None:
    """A base URL with ``user:password@`` is refused, with a message that does not repeat it."""
    try:
        netloc = urlsplit(url).netloc
    except ValueError:
        return  # the URL check that follows says what is wrong with it
    if "@" in netloc:
        raise ValueError(USERINFO_REFUSED)


class SiteConfig(_Strict):
    """One news site: where it is, how to discover its articles and how to read them."""

    name: Annotated[str, Field(pattern=SITE_NAME.pattern)]
    title: str = ""
    base_url: str = Field(description="Scheme and host the crawl starts from")
    allowed_domains: list[str] = Field(
        default_factory=list,
        description="Hosts the crawler may fetch from; defaults to the base_url host",
    )
    language: str = "id"
    timezone: str = Field(default="Asia/Jakarta", description="IANA zone for naive dates")
    discovery: Discovery = Field(default_factory=Discovery)
    articles: ArticleRules = Field(default_factory=ArticleRules)
    selectors: Selectors = Field(default_factory=Selectors)
    text: TextRules = Field(default_factory=TextRules)
    politeness: Politeness = Field(default_factory=Politeness)
    archive_images: bool = Field(
        default=True, description="Also archive images that articles show, for replay"
    )
    page_requisites: bool = Field(
        default=True,
        description="Also archive the stylesheets, scripts, fonts and images pages load",
    )
    asset_hosts: list[str] = Field(
        default_factory=list,
        description="Other hosts (CDNs) the site's page requisites may be fetched from",
    )
    schedule: str | None = Field(
        default=None, description="Cron expression for the scheduled Prefect deployment"
    )
    replica: str | None = Field(
        default=None,
        description="Bundled replica that imitates this site (niaga, portal), for the demo",
    )
    recheck_hours: float = Field(
        default=0, ge=0, description="Re-fetch articles younger than this, to catch updates"
    )
    replica_only: bool = Field(
        default=False,
        description="The site exists only as a bundled replica (a fictional site): never "
        "deployed on a schedule unless named",
    )

    _validate_schedule = field_validator("schedule")(
        lambda v: _check_cron(v) if v is not None else None
    )

    @field_validator("base_url")
    @classmethod
    def _valid_base_url(cls, value: str) -> str:
        refuse_userinfo(value)
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"must be an http(s) URL with a host, got {value!r}")
        return value.rstrip("/")

    @field_validator("timezone")
    @classmethod
    def _valid_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA time zone {value!r}") from None
        return value

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).hostname or ""

    @property
    def domains(self) -> list[str]:
        """Hosts the crawl may touch: the configured ones plus the base URL's own host."""
        hosts = list(self.allowed_domains)
        if self.host not in hosts:
            hosts.append(self.host)
        return hosts

    @property
    def fetch_hosts(self) -> list[str]:
        """Every host a crawl may fetch from: :attr:`domains` plus the asset hosts."""
        return self.domains + [h for h in self.asset_hosts if h not in self.domains]

    def with_base_url(self, base_url: str) -> SiteConfig:
        """The same site served elsewhere (a replica, a mirror); allowed hosts follow it."""
        data = self.model_dump()
        data["base_url"] = base_url
        data["allowed_domains"] = []
        data["asset_hosts"] = []  # a replica or mirror serves its own assets
        return SiteConfig.model_validate(data)

    def state_name(self, base_url: str | None = None) -> str:
        """Name of the crawl state for this site as served at ``base_url``.

        ``niaga`` for the configured host; ``niaga@127.0.0.1_8765`` for a replica or a
        mirror, so that crawling another host never marks the real site's articles archived.
        """
        if not base_url or base_url.rstrip("/") == self.base_url:
            return self.name
        parts = urlsplit(base_url)
        return f"{self.name}@{parts.hostname}_{parts.port or parts.scheme}"

    def absolute(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            return path
        return self.base_url + "/" + path.lstrip("/")


def config_dir() -> Path:
    """``$WARTA_CONFIG_DIR`` if set, else the repository's ``config/`` folder."""
    env = os.environ.get("WARTA_CONFIG_DIR")
    return Path(env) if env else PACKAGE_ROOT / "config"


def sites_dir(root: Path | None = None) -> Path:
    return (root or config_dir()) / "sites"


def site_names(root: Path | None = None) -> list[str]:
    folder = sites_dir(root)
    return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []


def format_validation_error(path: Path, error: ValidationError, kind: str = "site config") -> str:
    """One line naming the file and what it holds, then one line per wrong field."""
    lines = [f"{path}: invalid {kind}"]
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"]) or "(top level)"
        message = str(item["msg"]).removeprefix("Value error, ")
        lines.append(f"  field '{field}': {message}")
    return "\n".join(lines)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise ConfigError(
            f"{path}: not valid YAML{where}: {getattr(exc, 'problem', exc)}"
        ) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of fields, got {type(data).__name__}")
    return data


def load_site_file(path: Path) -> SiteConfig:
    data = _read_yaml(path)
    data.setdefault("name", path.stem)
    if data["name"] != path.stem:
        raise ConfigError(
            f"{path}: field 'name': {data['name']!r} must match the file name {path.stem!r}"
        )
    try:
        return SiteConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(path, exc)) from None


def check_site_name(name: str) -> str:
    """A site name as it enters (a flow parameter, the command line, a spider name): it
    becomes a file name under config/sites and a folder under the data dir, so it must
    match :data:`SITE_NAME` (``../../x`` would load any YAML and write anywhere)."""
    if not isinstance(name, str) or not SITE_NAME.match(name):
        raise ConfigError(
            f"invalid site name {name!r}: lower-case letters, digits and '_', starting with a "
            "letter (2-41 characters)"
        )
    return name


def load_site(name: str, root: Path | None = None) -> SiteConfig:
    check_site_name(name)
    path = sites_dir(root) / f"{name}.yaml"
    if not path.is_file():
        known = ", ".join(site_names(root)) or "(none)"
        raise ConfigError(
            f"unknown site {name!r}; configured sites: {known} (in {sites_dir(root)})"
        )
    return load_site_file(path)
