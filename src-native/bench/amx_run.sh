#!/bin/bash
# On a machine with AMX (bench-out/amx filled by src-native/bench/amx_prepare.sh): the kernel tests
# native and forced to AVX2, the bf16 batch-invariance check on every path, and the kernels of the
# base commit against this one (bf16_ab with AMX, AVX-512, AVX2; int_ab at levels 3, 2, 1), into $OUT.
set -u
B=bench-out/amx
OUT=${OUT:?set OUT to a results folder}
( lscpu | grep -E 'Model name|^CPU\(s\)'; grep -o -w 'amx_tile\|amx_int8\|amx_bf16\|avx512f\|avx512_vnni\|avx512_bf16\|avx_vnni' /proc/cpuinfo | sort | uniq -c; git log --oneline -1 2>/dev/null ) > $OUT/machine.txt
bash $B/old/build.sh $B/oldlib >/dev/null && bash src-native/kernels/build.sh $B/newlib >/dev/null || exit 1
O=$B/oldlib/libtandem_kernels.so N=$B/newlib/libtandem_kernels.so
# The kernel tests (dev.tandem.kernels, QuantizedKernelsTest) of this commit's build, native path then forced AVX2.
tar xJf $B/jrt.tar.xz -C /tmp && tar xJf $B/jt.tar.xz -C /tmp && mkdir -p target/native && cp $N target/native/ || exit 1
for k in native avx2; do
  /tmp/jrt/bin/java --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx6g -Dtandem.home=$PWD -Dtandem.kernels=$k \
    -jar /tmp/jt/junit-console.jar execute --class-path /tmp/jt/classes:/tmp/jt/test-classes \
    --select-package dev.tandem.kernels --select-class dev.tandem.quant.QuantizedKernelsTest --details=tree --disable-banner --disable-ansi-colors > $OUT/java-tests-$k.txt 2>&1
  echo "java tests $k: rc=$?"; tail -15 $OUT/java-tests-$k.txt
done
cc -O2 -o /tmp/bf16_chk src-native/bench/bf16_invariance.c -ldl && cc -O2 -o /tmp/bf16_ab src-native/bench/bf16_ab.c -ldl && cc -O2 -o /tmp/int_ab src-native/bench/int_ab.c -ldl -lm || exit 1
/tmp/bf16_chk $N 2>&1 | tee $OUT/bf16-invariance.txt
{ echo "== AMX"; /tmp/bf16_ab $O $N 16 amx; echo "== AVX-512"; /tmp/bf16_ab $O $N 16; echo "== AVX2"; /tmp/bf16_ab $O $N 8; } 2>&1 | tee $OUT/bf16-ab.txt
for L in 3 2 1; do echo "== level $L"; /tmp/int_ab $O $N $L; done 2>&1 | tee $OUT/int-ab.txt
