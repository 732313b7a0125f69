#!/usr/bin/env bash
# Builds the image's base as a `docker save` tarball, from what this machine has, with no registry:
# a JDK 25 runtime made by jlink, the C libraries it needs, a non-root user (tandem, 10001), the
# embedded demo model and the native kernels. Jib (through Quarkus) puts the application's layers
# on it (quarkus.jib.base-jvm-image=tar://...).
#   deploy/image/build-base.sh JAVA_HOME PROJECT_DIR OUT_TAR
set -euo pipefail
java_home=$1 project=$2 out=$3
work=$(dirname "$out")/base
rm -rf "$work" && mkdir -p "$work/rootfs"
root=$work/rootfs
# The modules Tandem and Quarkus use; no java.desktop (it would pull in X11).
"$java_home/bin/jlink" --add-modules java.base,java.logging,java.management,java.naming,java.net.http,java.sql,java.xml,java.instrument,java.security.jgss,java.compiler,java.scripting,jdk.unsupported,jdk.incubator.vector,jdk.management,jdk.zipfs,jdk.naming.dns,jdk.jfr,jdk.jcmd \
  --strip-debug --no-man-pages --no-header-files --compress=zip-6 --output "$root/opt/java" 2>/dev/null
# The C libraries of the JVM, the tokenizer's native library and the kernels, with the loader.
mkdir -p "$root/lib64" "$root/lib/x86_64-linux-gnu" "$root/etc" "$root/tmp" "$root/home/tandem" "$root/opt/tandem/native" "$root/dev/shm" "$root/models"
for lib in libc.so.6 libm.so.6 libdl.so.2 libpthread.so.0 librt.so.1 libgcc_s.so.1 libstdc++.so.6 libz.so.1 libze_loader.so.1; do
  if [[ -e /lib/x86_64-linux-gnu/$lib ]]; then
    cp -L "/lib/x86_64-linux-gnu/$lib" "$root/lib/x86_64-linux-gnu/"
  elif [[ $lib != libze_loader.so.1 ]]; then
    echo "build-base: /lib/x86_64-linux-gnu/$lib not found" >&2; exit 1
  fi
done
cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"
printf 'root:x:0:0:root:/root:/sbin/nologin\ntandem:x:10001:10001:Tandem:/home/tandem:/sbin/nologin\n' > "$root/etc/passwd"
printf 'root:x:0:\ntandem:x:10001:\n' > "$root/etc/group"
cp -r "$project/models" "$root/opt/tandem/models"
if [[ -e "$project/target/native/libtandem_kernels.so" ]]; then
  cp "$project/target/native/libtandem_kernels.so" "$root/opt/tandem/native/"
fi
chmod 1777 "$root/tmp"
# One layer, reproducible: sorted, fixed times, root-owned except the user's home.
layer=$work/layer.tar
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$root" --exclude=./home/tandem -cf "$layer" .
tar --sort=name --mtime=@0 --owner=10001 --group=10001 --numeric-owner -C "$root" -rf "$layer" ./home/tandem
diff_id=sha256:$(sha256sum "$layer" | cut -d' ' -f1)
cat > "$work/config.json" <<JSON
{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z",
 "config":{"Env":["PATH=/opt/java/bin:/usr/bin:/bin","JAVA_HOME=/opt/java","LANG=C.UTF-8","HOME=/home/tandem"],
           "User":"10001:10001","WorkingDir":"/opt/tandem"},
 "rootfs":{"type":"layers","diff_ids":["$diff_id"]},
 "history":[{"created":"1970-01-01T00:00:00Z","created_by":"deploy/image/build-base.sh: jlink JDK 25 runtime, C libraries, user tandem, demo model, kernels"}]}
JSON
echo '[{"Config":"config.json","RepoTags":["tandem/tandem-base:local"],"Layers":["layer.tar"]}]' > "$work/manifest.json"
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$work" -cf "$out" manifest.json config.json layer.tar
rm -rf "$root"
echo "built $out (base: $(du -h "$out" | cut -f1))"
