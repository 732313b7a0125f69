#!/bin/bash
# tandem bench decode of an older build (BEFORE, default /tmp/before) and this checkout, alternated, int8 and int4
# 1B-shape checkpoints (tandem synth --shape llama-3.2-1b, then tandem bake --weights int8|int4 into /tmp/l1b-q8, /tmp/l1b-q4),
# AVX-VNNI and plain AVX2 (-Dtandem.kernels.vnni=false; an older build needs that flag patched in).
for round in $(seq "${ROUNDS:-2}"); do
  for m in q8 q4; do
    for path in vnni avx2; do
      opt=""; [ $path = avx2 ] && opt="-Dtandem.kernels.vnni=false"
      for side in before after; do
        dir=${BEFORE:-/tmp/before}; [ $side = after ] && dir=$(cd "$(dirname "$0")/.." && pwd)
        out=$(cd $dir && TANDEM_JAVA_OPTS="$opt" ./tandem bench decode --model /tmp/l1b-$m --prompt-tokens 128 --decode-tokens 16 --rounds 1 --batch 16 2>&1)
        p=$(echo "$out" | awk '/^prefill/{print $2}'); d=$(echo "$out" | awk '/^decode  /{print $2}'); b=$(echo "$out" | awk '/^decode batch 16/{print $4}'); bw=$(echo "$out" | awk '/^read bandwidth/{print $3}')
        echo "round $round $m $path $side prefill $p decode $d batch16 $b bandwidth $bw"
      done
    done
  done
done
