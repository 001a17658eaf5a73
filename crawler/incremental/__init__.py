"""Incremental crawling: the crawl state store, its snapshots, and the revisit decisions."""
