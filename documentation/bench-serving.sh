#!/usr/bin/env bash
# Reruns the serving measurements of documentation/serving.md for one model:
#   documentation/bench-serving.sh MODEL_DIR OUT_DIR [PROMPT_TOKENS OUTPUT_TOKENS]
# Starts `tandem serve` on the model, runs `tandem bench serve` at concurrency 1, 4, 16, the
# shared-prefix TTFT (cold vs cached), and `tandem generate` against HTTP at concurrency 1 on the
# same prompt ids; stops the server. JSON and text results land in OUT_DIR.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
model=$1 out=$2 prompt=${3:-32} output=${4:-96} port=${PORT:-8199}
mkdir -p "$out"
"$root/tandem" serve --model "$model" --port "$port" > "$out/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 120); do curl -sf "http://127.0.0.1:$port/q/health/ready" >/dev/null && break; sleep 1; done
bench() { "$root/tandem" bench serve --url "http://127.0.0.1:$port" "$@" 2>/dev/null; }
bench --concurrency 1,4,16 --requests-per-client ${REQUESTS_PER_CLIENT:-2} --prompt-tokens "$prompt" --output-tokens "$output" \
  --json "$out/concurrency.json" > "$out/concurrency.txt"; grep -vE "^\{" "$out/concurrency.txt"
bench --concurrency 1 --requests-per-client 1 --prompt-tokens 8 --output-tokens 4 --shared-prefix-tokens 512 \
  --prefix-trials 3 --json "$out/prefix.json" | grep "^shared" | tee "$out/prefix.txt"
ids=$(python3 -c "import random; random.seed(3); print(','.join(str(random.randint(100,3999)) for _ in range($prompt)))")
bench --concurrency 1 --requests-per-client 2 --prompt-ids "$ids" --output-tokens "$output" --json "$out/http-c1.json" \
  | grep -E '^1 ' | tee "$out/http-c1.txt"
"$root/tandem" generate --model "$model" --prompt-ids "$ids" --max-tokens "$output" --ignore-eos --temperature 0 \
  2>&1 >/dev/null | grep generated | tee "$out/generate.txt"
