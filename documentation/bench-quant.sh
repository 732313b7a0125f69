#!/usr/bin/env bash
# INT8/INT4 against bf16 on one checkpoint, measured in one run:
#   documentation/bench-quant.sh BF16_MODEL_DIR OUT_DIR
# Bakes int8 and int4 versions (beside OUT_DIR, unless they exist), then for each format runs
# `tandem bench decode` (memory bandwidth, prefill of a 128-token prompt, decode at concurrency 1
# against the bandwidth bound for that format's bytes) and `tandem bench serve` at concurrency 1
# and 16 (aggregate output tokens/s) against `tandem serve`. HUGE_PAGES=1 puts the weights in
# transparent huge pages (and measures the roofline on huge pages).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
model=$1 out=$2 port=${PORT:-8195}
huge=() serve_opts=""
if [[ -n "${HUGE_PAGES:-}" ]]; then huge=(--huge-pages); serve_opts="-Dtandem.engine.huge-pages=true"; fi
mkdir -p "$out"
name=$(basename "$model")
for bits in 8 4; do
  baked="$out/$name-int$bits"
  [[ -d "$baked" ]] || "$root/tandem" bake --model "$model" --out "$baked" --weights int$bits 2>&1 | tail -n 1
done
for m in "$model" "$out/$name-int8" "$out/$name-int4"; do
  label=$(basename "$m")
  echo "== $label"
  "$root/tandem" bench decode --model "$m" --prompt-tokens 128 --decode-tokens 32 "${huge[@]}" 2>/dev/null | tee "$out/decode-$label.txt"
  TANDEM_JAVA_OPTS="$serve_opts" "$root/tandem" serve --model "$m" --port "$port" > "$out/server-$label.log" 2>&1 &
  server=$!
  for _ in $(seq 180); do curl -sf "http://127.0.0.1:$port/q/health/ready" >/dev/null && break; sleep 1; done
  "$root/tandem" bench serve --url "http://127.0.0.1:$port" --concurrency 1,16 --requests-per-client 1 --prompt-tokens 32 \
    --output-tokens ${OUTPUT_TOKENS:-32} --json "$out/serve-$label.json" 2>/dev/null | grep -vE "^\{" | tee "$out/serve-$label.txt"
  kill "$server"; wait "$server" 2>/dev/null || true
done
