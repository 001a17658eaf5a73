"""What happens to a request on its way out and its answer on the way back.

The host guard keeps a crawl on its hosts and off private networks, politeness paces it,
limits bound it, failures are written down, and credentials are redacted before anything
is stored or logged.
"""
