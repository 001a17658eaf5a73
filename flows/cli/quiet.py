"""What Prefect prints during ``warta archive`` and ``warta demo``: warnings, in one line.

An operator reads the live panel and the summary. Prefect's own INFO lines (a dozen "task
run finished", the temporary server's start and its link to the docs) and the tracebacks it
logs for an expected failure (a busy site, an unreachable one) bury them; ``--debug`` keeps
everything. Set before Prefect is imported: its logging is configured at import.
"""

from __future__ import annotations

import logging
import os

QUIET_ENV = {
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",  # no telemetry, no "database is locked"
}


class OneLine(logging.Filter):
    """Warnings and errors without their traceback, cut to their first line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING:
            text = record.getMessage()
            record.msg = (text.splitlines() or [""])[0]
            record.args = ()
            record.exc_info = None
            record.exc_text = None
        return True


def quiet_prefect(debug: bool) -> None:
    """Before Prefect is imported: its INFO lines off, unless ``--debug`` or the environment
    already says otherwise."""
    if "PREFECT_API_URL" not in os.environ:
        # Prefect's temporary server lives and dies with this command: sending it the logs
        # only adds, after a Ctrl-C has stopped it, a minute of retries against a dead port.
        os.environ.setdefault("PREFECT_LOGGING_TO_API_ENABLED", "false")
    if debug:
        return
    for key, value in QUIET_ENV.items():
        os.environ.setdefault(key, value)


def one_line_errors(debug: bool) -> None:
    """After Prefect is imported: its handlers print errors in one line, unless ``--debug``."""
    if debug:
        return
    names = ["prefect", *(n for n in logging.root.manager.loggerDict if n.startswith("prefect"))]
    for name in names:
        for handler in logging.getLogger(name).handlers:
            if not any(isinstance(f, OneLine) for f in handler.filters):
                handler.addFilter(OneLine())


__all__ = ["one_line_errors", "quiet_prefect"]
