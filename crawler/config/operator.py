"""Operator settings shared by every site: where data goes, who operates the crawl, how
WARCs rotate. Not Scrapy's settings (crawler/settings.py), which a crawl reads at run time.

They come from ``config/settings.yaml``; a few can be overridden by ``WARTA_*`` environment
variables so that a scheduled worker can redirect output without editing files.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from crawler.config.sites import (
    ConfigError,
    _read_yaml,
    config_dir,
    format_validation_error,
    site_names,
)
from crawler.layout import SAFE_ID

DEFAULT_CONTACT = "https://github.com/warta-archive/warta"  # the project's, not an operator's

ENV_OVERRIDES = {
    "WARTA_DATA_DIR": "data_dir",
    "WARTA_STORAGE": "storage",
    "WARTA_OPERATOR": "operator",
    "WARTA_OPERATOR_CONTACT": "operator_contact",
    "WARTA_WARC_MAX_BYTES": "warc_max_bytes",
}


class OperatorSettings(BaseModel):
    """config/settings.yaml: who runs warta and where its files go (one of three kinds of
    "settings": Scrapy's are crawler/settings.py, and ``-s NAME=VALUE`` overrides of those
    are checked by :func:`crawler.config.arguments.check_setting_overrides`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    data_dir: Path = Field(default=Path("data"), description="Root of local output")
    storage: str = Field(
        default="data/archive",
        description="Where finished archives go: a local path or s3://bucket/prefix",
    )
    operator: str = Field(default="warta", description="Who runs the crawl, for warcinfo")
    operator_contact: str = Field(
        default=DEFAULT_CONTACT,
        description="URL or e-mail that site owners can reach; goes in the User-Agent",
    )
    user_agent: str = Field(
        default="warta/{version} (+{contact})",
        description="User-Agent template; {version} and {contact} are filled in",
    )
    warc_prefix: str = Field(default="warta", description="First part of every WARC file name")
    warc_max_bytes: int = Field(
        default=1_000_000_000, ge=1_000_000, description="Rotate WARC files at this size"
    )
    delete_local_after_upload: bool = Field(
        default=False, description="Remove local files once their upload is verified"
    )
    compact_schedule: str = Field(
        default="40 * * * *",
        description="Cron (UTC) of the compact-index deployment; empty: not deployed",
    )
    compact_max_parts: int = Field(
        default=8, ge=1, le=1000, description="Files a site-month keeps before one rewrite"
    )
    groups: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Named groups of sites, e.g. a province, offered by `warta explore`",
    )

    @field_validator("groups")
    @classmethod
    def _valid_groups(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for name, members in value.items():
            if not name.strip() or len(name) > 80:
                raise ValueError(f"group name {name!r}: 1 to 80 characters")
            if not members:
                raise ValueError(f"group {name!r} lists no site")
            for member in members:
                if not SAFE_ID.match(member):
                    raise ValueError(f"group {name!r}: {member!r} is not a site name")
        return value


def load_operator_settings(root: Path | None = None) -> OperatorSettings:
    path = (root or config_dir()) / "settings.yaml"
    data = _read_yaml(path) if path.is_file() else {}
    for env, field in ENV_OVERRIDES.items():
        if os.environ.get(env):
            data[field] = os.environ[env]
    try:
        return OperatorSettings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(path, exc, "operator settings")) from None


def site_groups(root: Path | None = None) -> dict[str, list[str]]:
    """The configured groups, each member checked against the site files in ``config/sites``
    (a misspelt site would silently empty a group's searches)."""
    folder = root or config_dir()
    groups = load_operator_settings(root).groups
    known = set(site_names(folder))
    for name, members in groups.items():
        for position, member in enumerate(members):
            if member not in known:
                raise ConfigError(
                    f"{folder / 'settings.yaml'}: field 'groups.{name}.{position}': no site "
                    f"file config/sites/{member}.yaml (known: {', '.join(sorted(known))})"
                )
    return groups


def is_local_address(url: str) -> bool:
    """Loopback, private networks and reserved test names: no site owner to bother."""
    host = urlsplit(url).hostname or ""
    if host == "localhost" or host.endswith((".test", ".localhost", ".invalid", ".example")):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private


def contact_warning(site: str, url: str) -> str | None:
    """A warning when a real site would see warta's own project address as the contact."""
    if is_local_address(url) or load_operator_settings().operator_contact != DEFAULT_CONTACT:
        return None
    return (
        f"warning: the User-Agent for {site} ({url}) gives warta's project address as the "
        "contact; set operator_contact in config/settings.yaml (or WARTA_OPERATOR_CONTACT) "
        "to an address where the site's owners can reach you"
    )
