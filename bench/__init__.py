"""Benchmarks. `scripts/bench` (or `.venv/bin/python -m bench`) runs the whole
service benchmark (suite.py) and prints one table; `.venv/bin/python -m
bench.<name>` runs one part: render, pool, growth."""
