# Fundlens: the README's commands. `make run` brings the whole system up; `make test` runs every test.
SHELL := /bin/bash
ENV := set -a; eval "$$(scripts/setup.sh)"; set +a

.PHONY: setup run test lint fmt build bench-extract bench-load bench-ingest fault-tests eval bench-chat bench-embed bench-ocr

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

# The real stack (release API + worker as child processes, small pools) under 1,000 sequential
# chat queries and 10,000 mixed requests at concurrency 64 with 100 uploads; prints the table.
# ARGS=--scans uploads the image-only scans instead, so the worker OCRs throughout.
bench-load:
	cargo build --release --bins
	@$(ENV); target/release/fundlens-loadtest $(ARGS)

# N generated-report uploads (default 1,000 at concurrency 8) through the release API to one
# worker with `make run`'s defaults: throughput, upload→completed p50/p99, CPU per process and per
# stage. ARGS="--reports 200 --workers 3" to change it.
bench-ingest:
	cargo build --release --bins
	@$(ENV); target/release/fundlens-bench-ingest $(ARGS)

# Postgres down under load, Redis restarted empty (idle and mid-parse), FLUSHALL mid-parse, frozen and
# overdue attempts, SIGKILLed and wedged workers (e2e/tests/), the reaper's rules (worker/tests/),
# slow clients (api/tests/).
fault-tests:
	@$(ENV); cargo test -p fundlens-e2e -p fundlens-worker -p fundlens-api --test faults --test pipeline --test redis_flush_mid_job --test reaper_rules --test slow_clients -- --nocapture

# Every report through the real pipeline, then every `qa` question scored; then every notice,
# statement and portfolio table of lp_docs/ and real/ with LP questions generated from its JSON.
# Prints a table per document. Also part of `make test` (e2e/tests/chat_eval.rs, lp_eval.rs).
eval:
	@$(ENV); cargo test -p fundlens-e2e --test chat_eval -- --nocapture chat_answers_every_question
	@$(ENV); cargo test -p fundlens-e2e --test lp_eval -- --nocapture

# p50/p99 chat latency per intent at concurrency 1 and 32 (not a timed test).
bench-chat:
	@$(ENV); RUST_LOG=warn cargo test -p fundlens-e2e --test chat_eval -- --ignored --nocapture chat_latency_bench

# Embedding speed of candle and ONNX Runtime (ms per text, one at a time and in batches of 32),
# next to the Python reference's numbers.
bench-embed:
	@$(ENV); cargo run --release -p fundlens-shared --example bench_embed

# OCR on scans/: ms per page at each scan's dpi and rows exact, with and without the page
# clean-up, next to the same report read from its text layer.
bench-ocr:
	@$(ENV); cargo run --release -p fundlens-shared --example bench_ocr
