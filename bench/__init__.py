"""Benchmarks and evaluations of warta; run from the repository root."""
