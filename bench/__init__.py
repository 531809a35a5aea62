"""Benchmarks: `python -m bench` prints the figures (see README, Performance)."""
