"""Scrapy commands that warta replaces (``COMMANDS_MODULE`` in :mod:`crawler.settings`)."""
