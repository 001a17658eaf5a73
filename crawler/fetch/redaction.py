"""Keep credentials out of logs, summaries and WARC metadata.

A link or redirect such as ``https://user:pass@host/`` or a URL with ``?token=...`` holds
someone's secret, not part of the archive's description. Everything warta logs or writes
about a URL (failures, summaries, log lines) goes through :func:`redact_url` or
:func:`redact_text`; a logging filter catches what other libraries log, tracebacks
included. Three forms are removed from free text: ``scheme://user:pass@``, a bare
``user:pass@host`` (Twisted names the host that way: "invalid hostname: user:pass@host"),
and the value of a credential-like query parameter (``?token=``, ``&key=``, ...). A
``base_url`` with userinfo is refused outright (crawler/config/sites.py).
"""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

REDACTED = "REDACTED"
# Query parameters whose values are credentials on common APIs and signed URLs.
SECRET_PARAMS = frozenset(
    {"token", "access_token", "auth", "key", "apikey", "api_key", "password", "passwd",
     "secret", "signature", "sig", "x-amz-signature", "x-amz-credential",
     "x-amz-security-token"}
)  # fmt: skip
# user[:password]@ right after a scheme; no nested repetition, so it runs in linear time.
_USERINFO = re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.-]{0,20}://)[^\s/@]{1,512}@")
# user:password@ with no scheme before it, followed by a host; bounded, so linear too.
_BARE_USERINFO = re.compile(
    r"(?<![^\s'\"(<\[=,;])[^\s/@:'\"<>]{1,256}:[^\s/@'\"<>]{1,512}@(?=[\w\[])"
)
# the value of a credential-like query parameter in a URL inside free text
_SECRET_PARAM = re.compile(
    r"([?&;](?:"
    + "|".join(sorted(map(re.escape, SECRET_PARAMS), key=len, reverse=True))
    + r")=)[^&;#\s'\"<>]*",
    re.IGNORECASE,
)


def redact_url(url: str) -> str:
    """``url`` without user, password, or the values of credential-like query parameters."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return _USERINFO.sub(rf"\1{REDACTED}@", url)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{REDACTED}@{netloc.rsplit('@', 1)[1]}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(k.lower() in SECRET_PARAMS for k, _ in pairs):
            query = urlencode(
                [(k, REDACTED if k.lower() in SECRET_PARAMS else v) for k, v in pairs]
            )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def redact_text(text: str) -> str:
    """Free text (a log line, an error message) with URL credentials removed."""
    if "@" in text:
        text = _USERINFO.sub(rf"\1{REDACTED}@", text)
        text = _BARE_USERINFO.sub(f"{REDACTED}@", text)
    if "=" in text:
        text = _SECRET_PARAM.sub(rf"\1{REDACTED}", text)
    return text


class RedactingFilter(logging.Filter):
    """A logging filter that removes URL credentials from every record's final message and
    from its traceback (an exception's text repeats the URL or host it failed on)."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact_text(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            # handlers use exc_text when it is set, so the traceback is written redacted
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_text(record.stack_info)
        return True


def install_log_redaction(logger: logging.Logger | None = None) -> None:
    """Attach :class:`RedactingFilter` to every handler of ``logger`` (the root by default)."""
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
