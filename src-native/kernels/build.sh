#!/usr/bin/env bash
# Builds libtandem_kernels.so into OUT_DIR (default: target/native). Without a C compiler it says
# so and exits 0: Tandem then runs its Java kernels (NativeKernels reports which it uses).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../../target/native}
mkdir -p "$out"
cc=$(command -v cc || command -v gcc || true)
if [[ -z "$cc" ]]; then
  echo "no C compiler: the Java kernels will be used" | tee "$out/tandem_kernels.skipped" >&2
  exit 0
fi
rm -f "$out/tandem_kernels.skipped"
# -ffp-contract=off: no product and sum fused unless the source says so, as in Java; the bf16
# kernels must give the Java kernels' bits (bf16_rows.c).
"$cc" -shared -fPIC -O3 -ffp-contract=off -Wall -Werror -o "$out/libtandem_kernels.so" "$here/tandem_kernels.c" "$here/bf16_rows.c" "$here/bf16_tiles.c" "$here/compute_peak.c" -lm
echo "built $out/libtandem_kernels.so"
