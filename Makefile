# Developer commands. `make serve` and `make test` are the README's two commands.
.PHONY: serve test test-fast lint format bench vendor clean

serve:
	scripts/serve

test:
	scripts/test

# Unit and live-server tests only: no browser, no load test.
test-fast:
	scripts/bootstrap && .venv/bin/python -m pytest -x -q

lint:
	.venv/bin/ruff check app tests bench
	.venv/bin/ruff format --check app tests bench
	.venv/bin/mypy

format:
	.venv/bin/ruff check --fix app tests bench
	.venv/bin/ruff format app tests bench

bench:
	scripts/bench

vendor:
	scripts/vendor-js

clean:
	rm -rf .venv .pytest_cache .mypy_cache .ruff_cache test-artifacts
