#!/usr/bin/env bash
# The bf16 C kernels of an older commit against this checkout's, in one run, on the native
# (AVX-512 where the CPU has it) and the AVX2 width:
#   documentation/bench-kernels-ab.sh [OLD_COMMIT (default HEAD~1)]
# Builds the old commit's src-native/kernels in a temporary worktree; prints time and GFLOP/s per
# shape and the ratio old time / new time (above 1: the new kernels are faster).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
old=${1:-HEAD~1}
work=$(mktemp -d)
trap 'git -C "$root" worktree remove --force "$work/old" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git -C "$root" worktree add --detach "$work/old" "$old" >/dev/null 2>&1
bash "$work/old/src-native/kernels/build.sh" "$work/old-lib" >/dev/null
bash "$root/src-native/kernels/build.sh" "$work/new-lib" >/dev/null
cc -O2 -o "$work/bf16_ab" "$root/src-native/bench/bf16_ab.c" -ldl
for lanes in 16 8; do
  echo "== $lanes floats per vector ($([[ $lanes == 16 ]] && echo AVX-512 || echo AVX2)), one thread; old = $(git -C "$root" rev-parse --short "$old"), new = this checkout"
  "$work/bf16_ab" "$work/old-lib/libtandem_kernels.so" "$work/new-lib/libtandem_kernels.so" "$lanes"
done
