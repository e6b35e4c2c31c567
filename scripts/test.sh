#!/usr/bin/env bash
# The whole test suite against the real Postgres (with pgvector) and Redis from scripts/setup.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?run through make test}"
admin="${DATABASE_URL%/*}/postgres"
# Databases left by earlier runs (fresh_database and #[sqlx::test] create one per test).
psql "$admin" -XAtc "select datname from pg_database where datname like 'fl_test_%' or datname like '_sqlx_test_%'" \
  | while read -r db; do psql "$admin" -Xqc "drop database if exists \"$db\" with (force)" >/dev/null; done
redis-cli -u "$REDIS_URL" --scan --pattern 'fltest:*' | xargs -r -n 500 redis-cli -u "$REDIS_URL" del >/dev/null
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
# Headless Chromium and chromedriver for the console's browser tests (e2e/tests/console_browser.rs).
if [[ ! -x /usr/bin/chromium || ! -x /usr/bin/chromedriver ]]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium chromium-driver >/dev/null
fi
# Test binaries run one after another (tests inside one binary run in parallel); the Redis
# FLUSHALL test relies on that to be alone.
cargo test --workspace --no-fail-fast
# The pipeline, handler and many-workers suites again with every upload's PDF in the SeaweedFS
# bucket instead of Postgres.
FILE_STORE=s3 cargo test --no-fail-fast -p fundlens-e2e --test pipeline --test many_workers \
  -p fundlens-api --test http --test security
