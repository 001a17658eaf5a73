"""A second replica: a national news portal's regional desk on a custom (non-WordPress) CMS.

It exists to prove that a new site needs a config file, not Python: its markup, URLs, article
marker, captions, bylines, dates and multi-page articles all differ from the niaga replica.
Served by the niaga replica's transport (gzip over chunked, ETags, 304s, faults).
"""
