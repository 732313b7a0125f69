#!/usr/bin/env bash
# Fills bench-out/amx (ignored) for src-native/bench/amx_run.sh on a machine with AMX and a C
# compiler but no JDK or Maven (the device machine's host): a jlinked JDK 25 runtime, this build's
# main and test classes with the JUnit console launcher, and the kernel sources of BASE (default
# cb05cf8, the last commit before issue 25's kernels) as the "today" to compare with. All of it
# stays under 64 MiB with the tracked tree. Run after `JAVA_HOME=$(bin/find-jdk) ./mvnw test-compile`; then, there:
# bash src-native/bench/amx_run.sh (results in $OUT).
#   src-native/bench/amx_prepare.sh [BASE]
set -euo pipefail
cd "$(dirname "$0")/../.."
base=${1:-cb05cf8}
java_home=$(bin/find-jdk)
out=bench-out/amx work=$(mktemp -d)
rm -rf "$out" && mkdir -p "$out/old"
git archive "$base" src-native/kernels | tar x -C "$out/old" --strip-components=2
"$java_home/bin/jlink" --add-modules java.base,java.logging,java.management,java.naming,java.sql,java.xml,jdk.unsupported,jdk.incubator.vector,jdk.management \
  --strip-debug --no-man-pages --no-header-files --compress=zip-9 --output "$work/jrt" 2>/dev/null
junit=6.0.3
launcher=org/junit/platform/junit-platform-console-standalone/$junit/junit-platform-console-standalone-$junit.jar
[[ -f ~/.m2/repository/$launcher ]] || JAVA_HOME=$java_home ./mvnw -B -q dependency:get -Dartifact=org.junit.platform:junit-platform-console-standalone:$junit
mkdir -p "$work/jt"
cp -r target/classes target/test-classes "$work/jt/" && rm -rf "$work/jt/test-classes/tokenizers"
cp ~/.m2/repository/$launcher "$work/jt/junit-console.jar"
tar cf - -C "$work" jrt | xz -6 -T2 > "$out/jrt.tar.xz"
tar cf - -C "$work" jt | xz -6 -T2 > "$out/jt.tar.xz"
rm -rf "$work"
du -sh "$out"
