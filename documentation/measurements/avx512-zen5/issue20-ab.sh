#!/bin/bash
# issue 20: bench decode of 13f8f1e (before) and HEAD (after), alternated, native path
for i in 1 2 3; do
  for side in before after; do
    dir=/tmp/before; [[ $side == after ]] && dir=/work/main
    for m in /work/main/models/demo-llama-6m; do
      echo "=== $side $m pair $i"
      (cd $dir && ./tandem bench decode --model $m --decode-tokens 128 --batch 16 2>&1 | grep -E "^(kernels|prefill|decode|decode batch)")
    done
  done
done
