#!/bin/bash
# in-process mode (and process mode) of the previous commit's build against this one, alternately
out=/tmp/bprev; mkdir -p $out; port=8196
for round in 1 2 3; do
  for tree in old new; do
    root=/work/main; [ $tree = old ] && root=/tmp/wt-old
    for mode in ${MODES:-in-process}; do
      TANDEM_JAVA_OPTS="-Dtandem.shards.mode=$mode" $root/tandem serve --model /work/main/models/demo-llama-6m --port $port > $out/server-$tree-$mode.log 2>&1 &
      server=$!
      for _ in $(seq 120); do curl -sf "http://127.0.0.1:$port/q/health/ready" >/dev/null && break; sleep 1; done
      /work/main/tandem bench serve --url http://127.0.0.1:$port --concurrency 1,16 --requests-per-client 16 --warmup-seconds 15 --prompt-tokens 32 --output-tokens 128 --json $out/$tree-$mode-$round.json 2>/dev/null | grep -E "^1 |^16 " | sed "s/^/$tree $mode r$round: /"
      kill $server; wait $server 2>/dev/null
    done
  done
done
