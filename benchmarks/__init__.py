"""Benchmarks and the synthetic corpora they build."""
