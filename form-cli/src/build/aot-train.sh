#!/usr/bin/env bash
# Builds the JDK 25 AOT cache of the form CLI by a training run (dev.form.cli.AotTraining) on exactly the
# launcher jar that bin/form runs (the JVM also takes the cache when the service-libs jar follows it). A JDK without AOT caches (before 25) or a failed training run only
# leaves the cache out: the CLI works without it, just starts slower.
set -u
java_home=$1 jar=$2 out=$3
java="$java_home/bin/java"
rm -f "$out" "$out.jdk"
version=$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
if [ "${version%%.*}" -lt 25 ] 2>/dev/null; then
  echo "aot-train: JDK $version has no AOT cache; skipped"
  exit 0
fi
# Same options as bin/form: the cache is only used when they match.
root=$(cd "$(dirname "$0")/../../.." && pwd)
opts=(--enable-native-access=ALL-UNNAMED -Dfile.encoding=UTF-8 -Dstdout.encoding=UTF-8 -Dstderr.encoding=UTF-8
      "@$root/bin/lib/cli.jvm-options")
if ! "$java" "${opts[@]}" -XX:AOTCacheOutput="$out" -Xlog:aot=error,cds=error -cp "$jar" \
    dev.form.cli.AotTraining >"$out.log" 2>&1; then
  echo "aot-train: training run failed (see $out.log); the CLI runs without an AOT cache"
  rm -f "$out"
else
  # bin/form uses the cache only with the JVM that made it.
  readlink -f "$java" >"$out.jdk"
fi
exit 0
