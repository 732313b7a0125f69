#!/usr/bin/env bash
# The cost of the process split, measured in one run:
#   documentation/bench-shards.sh MODEL_DIR OUT_DIR [PROMPT_TOKENS OUTPUT_TOKENS]
# Starts `tandem serve` in process mode and in in-process mode, alternately for ROUNDS rounds (the
# machine is noisy: ratios are of the medians), runs `tandem bench serve` at concurrency 1 and 16
# against each, and records the resident memory of the server and its shard processes: RSS, and
# PSS (shared pages such as the memory-mapped weights divided among the processes that map them,
# so that the PSS sum counts the weights once).
# Environment: ROUNDS (3), REQUESTS_PER_CLIENT (4), WARMUP_SECONDS (5: the client's warm-up at
# c=16 before each server's measurements), EXTRA_JAVA_OPTS (server options for every variant), PORT,
# VARIANTS ("process in-process"; more variants of a mode as LABEL=OPTIONS, the label starting with
# the mode and its Java options comma-separated, e.g.
# "process process+overlap=-Dtandem.shards.overlap-on-shared-cpu=true in-process"; each is
# compared with in-process).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
model=$1 out=$2 prompt=${3:-32} output=${4:-128} port=${PORT:-8198} rounds=${ROUNDS:-3}
mkdir -p "$out"
memory() { # pid label
  local rss pss
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$1/status")
  pss=$(awk '/^Pss:/ {print $2}' "/proc/$1/smaps_rollup")
  awk -v l="$2" -v p="$1" -v r="$rss" -v s="$pss" 'BEGIN {printf "%-8s pid %-7s RSS %7.1f MiB  PSS %7.1f MiB\n", l, p, r / 1024, s / 1024}'
}
for round in $(seq "$rounds"); do
  for variant in ${VARIANTS:-process in-process}; do
    label=${variant%%=*} mode=${variant%%[+=]*} opts=""
    [[ $variant == *=* ]] && opts=${variant#*=} && opts=${opts//,/ }
    TANDEM_JAVA_OPTS="-Dtandem.shards.mode=$mode $opts ${EXTRA_JAVA_OPTS:-}" "$root/tandem" serve --model "$model" --port "$port" > "$out/server-$label.log" 2>&1 &
    server=$!
    for _ in $(seq 180); do curl -sf "http://127.0.0.1:$port/q/health/ready" >/dev/null && break; sleep 1; done
    "$root/tandem" bench serve --url "http://127.0.0.1:$port" --concurrency 1,16 --requests-per-client ${REQUESTS_PER_CLIENT:-4} --warmup-seconds ${WARMUP_SECONDS:-5} \
      --prompt-tokens "$prompt" --output-tokens "$output" --json "$out/$label-$round.json" 2>/dev/null | grep -vE "^\{" > "$out/$label-$round.txt"
    echo "== round $round, $label"; tail -n 2 "$out/$label-$round.txt"
    { memory "$server" server
      for child in $(pgrep -P "$server" || true); do memory "$child" shard; done; } > "$out/memory-$label.txt"
    awk '{s += $(NF-1)} END {printf "PSS total %.1f MiB\n", s}' "$out/memory-$label.txt" >> "$out/memory-$label.txt"
    kill "$server"; wait "$server" 2>/dev/null || true
  done
done
labels=$(for v in ${VARIANTS:-process in-process}; do echo "${v%%=*}"; done)
for label in $labels; do echo "== memory, $label (last round)"; cat "$out/memory-$label.txt"; done
python3 - "$out" "$rounds" $labels <<'PY' | tee "$out/ratios.txt"
import json, statistics, sys
out, rounds, labels = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
def runs(label):
    by = {}
    for r in range(1, rounds + 1):
        for run in json.load(open(f"{out}/{label}-{r}.json"))["runs"]:
            by.setdefault(run["concurrency"], []).append(run)
    return by
i = runs("in-process")
med = lambda rs, k: statistics.median(r[k] for r in rs)
for label in labels:
    if label == "in-process":
        continue
    p = runs(label)
    for c in sorted(p):
        print(f"{label:<16} c={c:<3} output tok/s median {med(p[c], 'output_throughput'):7.1f}  in-process {med(i[c], 'output_throughput'):7.1f}"
              f"  ratio {med(p[c], 'output_throughput') / med(i[c], 'output_throughput'):.3f}x;"
              f"  TTFT p50 median {med(p[c], 'ttft_p50_ms'):6.1f} ms  in-process {med(i[c], 'ttft_p50_ms'):6.1f} ms"
              f"  ratio {med(p[c], 'ttft_p50_ms') / med(i[c], 'ttft_p50_ms'):.3f}x")
PY
