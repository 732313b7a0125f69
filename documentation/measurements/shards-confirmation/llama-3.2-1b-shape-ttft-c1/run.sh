#!/bin/bash
# c=1 TTFT of the 1B shape, process vs in-process, alternating rounds of 10 requests
out=/tmp/ttft1b; mkdir -p $out; port=8195; cd /work/main
for round in 1 2 3 4; do
  for mode in process in-process; do
    TANDEM_JAVA_OPTS="-Dtandem.shards.mode=$mode" ./tandem serve --model /tmp/llama-1b --port $port > $out/server-$mode.log 2>&1 &
    server=$!
    for _ in $(seq 180); do curl -sf "http://127.0.0.1:$port/q/health/ready" >/dev/null && break; sleep 1; done
    ./tandem bench serve --url http://127.0.0.1:$port --concurrency 1 --requests-per-client 10 --warmup-seconds 5 --prompt-tokens 16 --output-tokens 16 --json $out/$mode-$round.json 2>/dev/null | grep -E "^1 " | sed "s/^/$mode r$round: /"
    kill $server; wait $server 2>/dev/null
  done
done
