"""The evaluation harness lives in bench/, a top-level package run from the repository root."""

from __future__ import annotations

import sys

from crawler.config.sites import PACKAGE_ROOT

if str(PACKAGE_ROOT) not in sys.path:
    sys.path.insert(0, str(PACKAGE_ROOT))
