#!/usr/bin/env bash
# Builds libze_tandem_test_driver.so into OUT_DIR (default: target/native) when a C compiler and
# the Level Zero headers (Debian: libze-dev) are there; otherwise says why and exits 0, and the
# test of the found-a-device path is skipped with that reason.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../../target/native}
headers=${LEVEL_ZERO_INCLUDE:-/usr/include/level_zero}
mkdir -p "$out"
rm -f "$out/ze-test-driver.skipped"
cc=$(command -v cc || command -v gcc || true)
if [[ -z "$cc" || ! -f "$headers/ze_ddi.h" ]]; then
  echo "no C compiler or no Level Zero headers in $headers (install gcc and libze-dev)" | tee "$out/ze-test-driver.skipped" >&2
  exit 0
fi
# Every DDI table getter the headers declare: the loader asks a driver for all of them, and one
# that a driver leaves out can make the loader drop it. Ours fill in only what discovery calls.
for api in ze zet zes; do
  tr '\n' ' ' < "$headers/${api}_ddi.h" | grep -oE "(z[a-z]*Get[A-Za-z]+ProcAddrTable)\( *ze_api_version_t version, *(///<[^/]*)?[a-z_]+_dditable_t\*" \
    | sed -E 's/^([A-Za-z]+)\(.* ([a-z_]+_dditable_t)\*$/TABLE(\1, \2)/'
done > "$out/ze_tables.inc"
sed -E 's/TABLE\([A-Za-z]+, ([a-z_]+)\)/\1/' "$out/ze_tables.inc" \
  | grep -vxE "ze_(global|driver|device)_dditable_t" | sed -E 's/.*/NOTHING_TO_FILL(&)/' > "$out/ze_fill_stubs.inc"
"$cc" -shared -fPIC -O1 -Wall -Werror -I"$headers" -I"$out" -o "$out/libze_tandem_test_driver.so" "$here/ze_test_driver.c"
echo "built $out/libze_tandem_test_driver.so ($(wc -l < "$out/ze_tables.inc") DDI tables)"
