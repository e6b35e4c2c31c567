#!/usr/bin/env bash
# Runs the API (API_ADDR, default :8000) and one worker in the foreground; Ctrl-C stops both
# gracefully. Expects the environment from scripts/setup.sh (the Makefile provides it).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=target/release
"$bin/fundlens-worker" &
worker=$!
"$bin/fundlens-api" &
api=$!
trap 'kill -TERM $api $worker 2>/dev/null; wait $api $worker 2>/dev/null' INT TERM
echo "Fundlens: API on ${API_ADDR:-0.0.0.0:8000}, one worker (pid $worker). Ctrl-C to stop." >&2
wait -n $api $worker || true
kill -TERM $api $worker 2>/dev/null || true
wait
