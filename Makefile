# Fundlens: the README's commands. `make run` brings the whole system up; `make test` runs every test.
SHELL := /bin/bash
ENV := set -a; eval "$$(scripts/setup.sh)"; set +a

.PHONY: setup run test lint fmt build bench-extract

setup:
	@$(ENV); echo "Postgres: $$DATABASE_URL  Redis: $$REDIS_URL"

build:
	cargo build --release --bins

run: build
	@$(ENV); exec scripts/run.sh

test:
	@$(ENV); scripts/test.sh

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings

fmt:
	cargo fmt --all

bench-extract:
	@$(ENV); cargo run --release -p fundlens-worker --bin fundlens -- bench-extract
