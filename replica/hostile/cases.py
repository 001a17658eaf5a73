"""The hostile replica's cases: where each lives, what the real web does, what warta must do.

One table, read by the server (which paths are hostile and how to link them) and by the
documentation (docs/replica.md has the same rows), so a case cannot exist without a reason.
Paths under ``/h-.../`` fit the niaga site's article pattern on purpose: a crawler fetches
them as article candidates, which is exactly how a hostile page reaches it.
"""

from __future__ import annotations

from dataclasses import dataclass

NEST_DEPTH = 10  # sitemap indexes nested this deep; the innermost lists one article
NEVER_SERVED = "/h-never-served/"  # named by a rel=canonical, answered 404, never linked
CREDENTIALS = "warta-user:hunter2-secret"  # userinfo in a link; must appear in no log


@dataclass(frozen=True)
class Case:
    path: str  # where the case is served, or where its link is planted
    kind: str  # the class of attack, in issue 12's words
    web: str  # what the real web does
    warta: str  # what warta must do
    linked: bool = True  # listed on the home page and in the post sitemap


def _c(path: str, kind: str, web: str, warta: str, linked: bool = True) -> Case:
    return Case(path, kind, web, warta, linked)


CASES: tuple[Case, ...] = (
    # -- leaving the allowed hosts ------------------------------------------------------------
    _c(
        "/h-retry-then-trap/",
        "offsite",
        "503 first, then a 302 to another loopback address (the cloud-metadata trick)",
        "retry, then refuse the redirect: no connection to 127.0.0.2; failure `offsite`",
    ),
    _c(
        "/h-redirect-metadata/",
        "offsite",
        "302 to http://169.254.169.254/latest/meta-data/",
        "refuse before connecting; failure `offsite`",
    ),
    _c(
        "/h-redirect-other-port/",
        "offsite",
        "302 to another port of the same address",
        "refuse: a replica at a literal address allows only its own port",
    ),
    _c(
        "/h-redirect-localhost/",
        "offsite",
        "302 to http://localhost:<port>/, a name that resolves to loopback",
        "refuse: not an allowed host",
    ),
    _c("/h-redirect-file/", "offsite", "302 to file:///etc/passwd", "refuse: not http(s)"),
    _c(
        "/h-offsite-image/",
        "offsite",
        "an article whose photo is on 127.0.0.2",
        "archive the article, never fetch the photo",
    ),
    _c(
        "/",
        "offsite",
        "home page links straight to 127.0.0.2 and 169.254.169.254",
        "never request them",
        linked=False,
    ),
    _c(
        "/post-sitemap.xml",
        "offsite",
        "a sitemap <loc> on 127.0.0.2",
        "never request it",
        linked=False,
    ),
    _c(
        "/robots.txt",
        "offsite",
        "robots.txt names a sitemap on 127.0.0.2",
        "never request it",
        linked=False,
    ),
    # -- trusting what a page claims --------------------------------------------------------
    _c(
        "/h-canonical-home/",
        "canonical",
        "a theme pointing every page's rel=canonical at the home page",
        "file the article under its fetched URL, keep the claim in "
        "`canonical_claimed`; the home page absorbs nothing",
    ),
    _c(
        "/h-canonical-home-2/",
        "canonical",
        "a second such page",
        "a record of its own, not collapsed into the first",
    ),
    _c(
        "/h-canonical-ghost/",
        "canonical",
        f"rel=canonical names {NEVER_SERVED}, which answers 404 and is never linked",
        "no record under a URL never served",
    ),
    _c("/h-canonical-offsite/", "canonical", "rel=canonical on 127.0.0.2", "keep the fetched URL"),
    # -- cost that adds up --------------------------------------------------------------------
    *(
        _c(
            f"/h-retry-after-day-{n}/",
            "cost",
            "503 with Retry-After: 86400",
            "give up the URL at once (over WARTA_RETRY_AFTER_MAX), do not pause the host",
        )
        for n in range(1, 5)
    ),
    _c(
        "/h-retry-after-date/",
        "cost",
        "503 with Retry-After as a date a year ahead",
        "give up the URL",
    ),
    _c(
        "/h-429-bare/",
        "cost",
        "429 without Retry-After, always",
        "back off with jitter, a few retries, then `http-429`",
    ),
    _c(
        "/h-503-bare/",
        "cost",
        "503 without Retry-After, always",
        "back off with jitter, a few retries, then `http-503`",
    ),
    _c(
        "/h-nest-1.xml",
        "cost",
        f"sitemap indexes nested {NEST_DEPTH} deep (in the index)",
        "stop at WARTA_SITEMAP_MAX_DEPTH; /h-too-deep/ is never fetched",
        linked=False,
    ),
    _c(
        "/page/2/",
        "cost",
        "endless pagination: /page/N/ always links /page/N+1/",
        "stop at max_listing_pages",
        linked=False,
    ),
    # -- state that grows ---------------------------------------------------------------------
    _c(
        "/h-cookie-flood/",
        "state",
        "200 Set-Cookie headers of 4 KB each",
        "bound the Cookie header; no request record over 64 KB",
    ),
    _c(
        "/h-header-bomb/",
        "state",
        "5,000 response headers",
        "dropped at the wire past 1,000 header lines: failure `headers-too-large`",
    ),
    # -- transport ------------------------------------------------------------------------------
    _c(
        "/h-gzip-bomb/",
        "transport",
        "1 MB of gzip inflating to 1.1 GB",
        "stop inflating at DOWNLOAD_MAXSIZE; failure listed",
    ),
    _c(
        "/h-lying-length/",
        "transport",
        "Content-Length 100,000, 20,000 bytes sent, then close",
        "failure `data-loss` (or a flagged partial), no hang",
    ),
    _c("/h-huge-under/", "transport", "a page just under DOWNLOAD_MAXSIZE", "fetched whole"),
    _c(
        "/h-huge-over/",
        "transport",
        "a page just over DOWNLOAD_MAXSIZE, announced",
        "cancelled at the headers; failure `too-large`",
    ),
    _c(
        "/h-huge-unannounced/",
        "transport",
        "over DOWNLOAD_MAXSIZE with no Content-Length",
        "cancelled once the limit is passed; failure `too-large`",
    ),
    _c(
        "/h-slow-drip/",
        "transport",
        "headers, then one byte a second",
        "cut at DOWNLOAD_TIMEOUT; failure `timeout`",
    ),
    _c(
        "/h-reset-mid-body/",
        "transport",
        "connection reset after 8 KB of a 60 KB body",
        "failure listed, retried at most RETRY_TIMES",
    ),
    _c(
        "/h-redirect-loop/",
        "transport",
        "302 to /h-redirect-loop-b/ and back",
        "stop at REDIRECT_MAX_TIMES; failure listed",
    ),
    _c("/h-empty/", "transport", "200 with an empty body at an article URL", "no record, no crash"),
    # -- content --------------------------------------------------------------------------------
    _c(
        "/h-laughs.xml",
        "content",
        "a sitemap with a billion-laughs entity bomb and an external entity (in the index)",
        "refuse to expand; never read local files",
        linked=False,
    ),
    _c(
        "/h-bad-charset/",
        "content",
        "an article declaring charset=x-no-such-charset",
        "archive as sent; decode with a fallback, no crash",
    ),
    _c(
        "/h-binary-png/",
        "content",
        "a PNG served as text/html at an article URL",
        "archive it; no article record",
    ),
    _c(
        "/h-binary-zip/",
        "content",
        "a zip served as text/html at an article URL",
        "archive it; no article record",
    ),
    _c("/h-malformed/", "content", "unclosed tags, bad bytes, an unclosed comment", "no crash"),
    _c(
        "/h-dots/",
        "content",
        'an article with a 64 KB paragraph of ". . ." (caption-regex backtracking)',
        "extract in bounded time",
    ),
    _c(
        "/h-credentials/",
        "secrets",
        f"a link with userinfo (http://{CREDENTIALS}@host/...)",
        "the password appears in no log, summary or failures file",
    ),
)

LINKED_PATHS: tuple[str, ...] = tuple(c.path for c in CASES if c.linked)


def markdown_table() -> str:
    """The cases as the Markdown table in docs/replica.md."""
    rows = ["| case | class | what the real web does | what warta must do |", "|---|---|---|---|"]
    rows += [f"| `{c.path}` | {c.kind} | {c.web} | {c.warta} |" for c in CASES]
    return "\n".join(rows)
