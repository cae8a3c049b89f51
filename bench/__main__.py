"""`.venv/bin/python -m bench`: the whole service benchmark (bench/suite.py)."""

from __future__ import annotations

from bench.suite import main

main()
