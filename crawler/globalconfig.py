"""Settings shared by every site: where data goes, who operates the crawl, how WARCs rotate.

They come from ``config/settings.yaml``; a few can be overridden by ``WARTA_*`` environment
variables so that a scheduled worker can redirect output without editing files.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from crawler.siteconfig import ConfigError, _read_yaml, config_dir, format_validation_error

ENV_OVERRIDES = {
    "WARTA_DATA_DIR": "data_dir",
    "WARTA_STORAGE": "storage",
    "WARTA_OPERATOR": "operator",
    "WARTA_OPERATOR_CONTACT": "operator_contact",
    "WARTA_WARC_MAX_BYTES": "warc_max_bytes",
}


class WartaSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    data_dir: Path = Field(default=Path("data"), description="Root of local output")
    storage: str = Field(
        default="data/archive",
        description="Where finished archives go: a local path or s3://bucket/prefix",
    )
    operator: str = Field(default="warta", description="Who runs the crawl, for warcinfo")
    operator_contact: str = Field(
        default="https://github.com/warta-archive/warta",
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


def load_settings(root: Path | None = None) -> WartaSettings:
    path = (root or config_dir()) / "settings.yaml"
    data = _read_yaml(path) if path.is_file() else {}
    for env, field in ENV_OVERRIDES.items():
        if os.environ.get(env):
            data[field] = os.environ[env]
    try:
        return WartaSettings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(path, exc)) from None
