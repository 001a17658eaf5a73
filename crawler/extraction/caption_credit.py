"""A caption's credit, split off its text wherever the caption writes it.

"text (credit)", "text (Foto: X)", "text Foto: X", and the credit first: "PORTAL.COM/NAMA —
text", "AGENCY FOTO/Nama - text". Only caption-sized text is ever matched, so no pattern,
built-in or a site's, runs on a body-sized paragraph.
"""

from __future__ import annotations

import logging
import re

from crawler.config.patterns import PatternError, site_pattern
from crawler.extraction.non_body_lines import clean

LOG = logging.getLogger(__name__)

MAX_CAPTION_CHARS = 1000
# Searched, not matched from the start: the text before the label is whatever precedes it,
# so no lazy prefix has to be tried against every position (that backtracked quadratically).
TRAILING_CREDIT = re.compile(
    r"(?:\b(?:Foto|Photo|Fotografer|Dok(?:umentasi)?|Doc)\s{0,3}[:.]"
    r"|\b(?:(?:Photo|Image)\s+credit|Image|Picture|Illustration|Gambar|Kredit|Credit)\s{0,3}:)"
    r"\s{0,3}(?P<credit>[^()]{2,120}?)\s?\.?$",
    re.IGNORECASE,
)
# A credit in brackets closing the caption: "(Foto: X)", "(AGENCY/X)".
# A bracket of digits only ("(12/2)", the day the photo was taken) is no credit.
BRACKET_CREDIT = re.compile(r"\((?P<credit>(?=[^()]*[^\W\d_])[^()]{2,120})\)\s?\.?$")
# The credit first: "PORTAL.COM/NAMA LENGKAP — text", "AGENCY FOTO/Nama - text".
LEADING_CREDIT = re.compile(
    r"(?P<credit>[A-Z][A-Z0-9.]{1,30}(?: FOTO)?\s?/\s?[A-Z][\w.' -]{1,60}?)\s[—–-]{1,2}\s"
)
CREDIT_PREFIX = re.compile(
    r"^(?:Foto|Photo|Fotografer|Sumber\s+foto|Kredit|(?:Photo\s+|Image\s+)?Credit|Image)\s*:\s*",
    re.I,
)
# A caption without a caption class is recognised by its credit: "Foto: X", "Dok. X",
# "(AGENCY/Foto: X)", "(TRIBUNKALTIM.CO/NAMA)" or "(Istimewa)" next to an image.
CREDIT_HINT = re.compile(
    r"\b(?:Foto|Photo|Fotografer|Dok(?:umentasi)?|Doc)\s*[:.]\s*\S"
    r"|\b(?:Image|Picture|Illustration|Gambar|Kredit|Credit|Sumber\s+foto)(?:\s+credit)?\s*:\s*\S"
    r"|\b(?:Photo|Illustration|Image)\s+(?:by|courtesy)\b|©"
    r"|\b(?:Getty\s?Images|Shutterstock|Adobe\s+Stock|Unsplash|AP\s+Photo)\b"
    r"|\((?=[^()/]{0,120}[A-Za-z][^()/]{0,120}/\s?[A-Za-z])[^()]{3,120}\)\s?\.?\s?$"
    r"|\((?:Istimewa|Ist|Dok(?:umentasi)?|Handout)[^()]{0,60}\)\s?\.?\s?$",
    re.IGNORECASE,
)
# "(kiri)", "(tengah)", "(kedua dari kanan)" say who is where in the photo; they are no credit.
POSITION = re.compile(
    r"^(?:ke-?\w+\s+|kedua\s+|ketiga\s+|paling\s+)?(?:dari\s+)?"
    r"(?:kiri|kanan|tengah|depan|belakang|atas|bawah|left|right|center|centre)\b",
    re.IGNORECASE,
)


def split_credit(caption: str, site_regex: str | None = None) -> tuple[str, str | None]:
    """(text, credit) for "text (credit)", "text (Foto: X)", "text Foto: X" and the credit
    first, "PORTAL.COM/NAMA — text". Text longer than a caption is returned whole, so no
    pattern, built-in or the site's, ever runs on a body-sized paragraph."""
    caption = clean(caption)
    if len(caption) > MAX_CAPTION_CHARS:
        return caption, None
    if site_regex:
        found = _site_split(caption, site_regex)
        if found is not None:
            return found
    text, credit = caption, None
    match = BRACKET_CREDIT.search(caption)
    trailing = None if match else TRAILING_CREDIT.search(caption)
    if match is not None:
        text, credit = caption[: match.start()], match["credit"]
    elif trailing is not None:
        text, credit = caption[: trailing.start()].rstrip(" .,;:|–—-"), trailing["credit"]
    else:
        match = LEADING_CREDIT.match(caption)
        if match is None:
            return caption, None
        text, credit = caption[match.end() :], match["credit"]
    return _tidy(caption, text, credit)


def _site_split(caption: str, site_regex: str) -> tuple[str, str | None] | None:
    try:
        match = site_pattern(site_regex, dotall=True).match(caption)
    except PatternError as exc:
        LOG.warning("invalid caption_credit regex %r: %s", site_regex, exc)
        return None
    if match is None or not {"text", "credit"} <= set(match.groupdict()):
        return None
    if not (match["credit"] or "").strip():
        return None
    return _tidy(caption, match["text"] or "", match["credit"])


def _tidy(caption: str, text: str, credit: str | None) -> tuple[str, str | None]:
    credit = CREDIT_PREFIX.sub("", clean(credit or "")).strip(" .,;")
    if not credit or POSITION.match(credit):
        return caption, None
    text = clean(text).strip(" ,;:|–—-")
    return (text, credit) if text else (caption, credit)
