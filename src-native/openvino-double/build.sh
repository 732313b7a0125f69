#!/usr/bin/env bash
# Builds the OpenVINO C API contract double as OUT_DIR/openvino-double/libopenvino_c.so (default
# OUT_DIR: target/native). Without a C compiler it says so and exits 0; the contract tests are
# then skipped with that reason.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../../target/native}/openvino-double
mkdir -p "$out"
rm -f "$out/skipped"
cc=$(command -v cc || command -v gcc || true)
if [[ -z "$cc" ]]; then
  echo "no C compiler: the OpenVINO contract double is not built" | tee "$out/skipped" >&2
  exit 0
fi
"$cc" -shared -fPIC -O1 -g -Wall -Werror -fvisibility=hidden -o "$out/libopenvino_c.so" \
  "$here/ov_double.c" "$here/ir.c" "$here/model.c" "$here/compile.c" "$here/toy_model.c" -lm
echo "built $out/libopenvino_c.so"
