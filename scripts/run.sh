#!/usr/bin/env bash
# Runs the API (API_ADDR, default :8000) and one worker in the foreground; Ctrl-C stops both
# gracefully. Expects the environment from scripts/setup.sh (the Makefile provides it).
# The worker is restarted whenever it exits on its own: it exits on purpose (status 70) when a
# PDF parse hangs, since pdfium's process-wide lock leaves it unable to parse anything else.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=target/release
stopping=0
(
  trap 'stopping=1; kill -TERM "$child" 2>/dev/null; wait "$child"; exit 0' INT TERM
  while true; do
    "$bin/fundlens-worker" &
    child=$!
    status=0
    wait "$child" || status=$?
    [ "$stopping" = 1 ] && exit 0
    echo "fundlens-worker exited with status $status; restarting in 1 s" >&2
    sleep 1
  done
) &
worker=$!
"$bin/fundlens-api" &
api=$!
trap 'kill -TERM $api $worker 2>/dev/null; wait $api $worker 2>/dev/null' INT TERM
echo "Fundlens: API on ${API_ADDR:-0.0.0.0:8000}, one worker (supervised by pid $worker). Ctrl-C to stop." >&2
wait -n $api $worker || true
kill -TERM $api $worker 2>/dev/null || true
wait
