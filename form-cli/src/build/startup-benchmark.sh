#!/usr/bin/env bash
# Start-up of the form CLI, measured with hyperfine against a real service backed by the Cloud Hypervisor
# simulator, beside a JDK hello world started with the same JVM options in the same run:
#   1. `form --help` and a signed `form manage add disk` round trip (key from FORM_PRIVATE_KEY) through bin/form,
#      the same add with the README's config file in place (every command reads it), the same two run as plain
#      java (no launcher script), and hello world;
#   2. the JVM options bin/form uses (bin/lib/cli.jvm-options), one at a time, on the signed add (why they are there);
#   3. the launcher's own staleness check, which the runs above skip (FORM_NO_BUILD=1);
#   4. separately, unlocking a standard scrypt keystore (its KDF costs by design).
# The service is warmed first with 30 unmeasured add/remove rounds, as a service in use would be.
# Usage: form-cli/src/build/startup-benchmark.sh [RUNS]   (needs hyperfine: apt-get install -y hyperfine)
set -euo pipefail
runs=${1:-30}
root=$(cd "$(dirname "$0")/../../.." && pwd)
build_dir=${FORM_BUILD_DIR:-target}
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
java="$JAVA_HOME/bin/java"
command -v hyperfine >/dev/null || { echo "hyperfine is missing: apt-get install -y hyperfine" >&2; exit 1; }
form="$root/bin/form"
out="$root/form-cli/$build_dir"
work=$(mktemp -d)
serve_pid=
cleanup() {
  if [ -n "$serve_pid" ]; then
    # The service leaves VMs running when it stops: delete the simulated one first.
    "$form" manage delete -n web --purge >/dev/null 2>&1 || true
    kill "$serve_pid" 2>/dev/null || true
    wait "$serve_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

"$form" --version >/dev/null   # builds the CLI (and its AOT cache) if needed
jar="$out/form-cli-0.1.0-SNAPSHOT-launcher.jar"
libs="$out/form-cli-0.1.0-SNAPSHOT-service-libs.jar"
# From here on the build is fixed: a source edited during the run must not rebuild (and replace) the jar
# under the running service. The launcher's staleness check is measured on its own in part 4.
export FORM_NO_BUILD=1
testkit_jar="$root/form-testkit/$build_dir/form-testkit-0.1.0-SNAPSHOT.jar"
if [ ! -f "$testkit_jar" ]; then
  (cd "$root" && mvn -q -B -Dform.buildDir="$build_dir" -Dmaven.test.skip=true -pl form-testkit -am package)
fi
cat >"$work/cloud-hypervisor" <<EOS
#!/bin/sh
exec "$java" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xmx96m -cp "$testkit_jar:$jar:$libs" dev.form.testkit.chsim.CloudHypervisorSimulatorMain "\$@"
EOS
chmod +x "$work/cloud-hypervisor"

# A public test key (the development mnemonic's first account): the admin of this throw-away service.
export FORM_PRIVATE_KEY=0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80
admin=0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266
"$form" vmm serve --data-dir "$work/vmm" --listen 127.0.0.1:0 --admin "$admin" --hypervisor cloud-hypervisor \
  --cloud-hypervisor-bin "$work/cloud-hypervisor" >"$work/serve.out" 2>"$work/serve.err" &
serve_pid=$!
for _ in $(seq 600); do grep -q "listening on port" "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's/.*listening on port \([0-9]*\).*/\1/p' "$work/serve.out")
[ -n "$port" ] || { echo "the service did not start:" >&2; cat "$work/serve.err" >&2; exit 1; }
export FORM_HOST="http://127.0.0.1:$port"
echo "not a kernel: the simulator does not boot it" >"$work/vmm/volumes/vmlinuz"
"$form" manage create --name web --kernel "$work/vmm/volumes/vmlinuz" --memory 256M --autostart >/dev/null

# A running service has served requests before: warm it (and the simulator) with unmeasured add/remove rounds,
# so that the figures below are the CLI's start-up and not the service's first requests.
for _ in $(seq 30); do
  "$form" manage add disk -n web --path bench.raw --size 1M --disk-id bench >/dev/null
  "$form" manage remove -n web bench --wait >/dev/null
done

# A user's home as the README leaves it: a config file naming the service and a keystore.
mkdir -p "$work/home/.config/form"
printf '{"hosts": ["127.0.0.1"], "vmm_port": 3002, "keystore_path": "~/.config/form/keystore.json"}\n' \
  >"$work/home/.config/form/config.json"
mkdir -p "$work/hello"
printf 'public class Hello { public static void main(String[] a) { System.out.println("hello"); } }\n' >"$work/hello/Hello.java"
"$JAVA_HOME/bin/javac" -d "$work/hello" "$work/hello/Hello.java"

base="--enable-native-access=ALL-UNNAMED -Dfile.encoding=UTF-8 -Dstdout.encoding=UTF-8 -Dstderr.encoding=UTF-8"
opts="$base @$root/bin/lib/cli.jvm-options"
cp="$jar"
aot=""
[ -f "$out/form.aot" ] && aot="-XX:AOTCache=$out/form.aot -Xlog:aot=off -Xlog:cds=off"
add="manage add disk -n web --path bench.raw --size 1M --disk-id bench"
unadd="sh -c '$form manage remove -n web bench --wait >/dev/null 2>&1 || true'"

echo "== 1. hello world vs form (same JVM options; $runs runs each; service on port $port)"
hyperfine -N --warmup 3 --runs "$runs" --export-markdown "$work/startup.md" --export-json "$work/startup.json" \
  -n "java Hello (same options)" --prepare true "$java $opts -cp $work/hello Hello" \
  -n "bin/form --help" --prepare true "$form --help" \
  -n "bin/form manage list (signed GET)" --prepare true "$form manage list" \
  -n "bin/form $add" --prepare "$unadd" "$form $add" \
  -n "bin/form $add, with a config file" --prepare "$unadd" "env HOME=$work/home $form $add" \
  -n "java (no launcher) --help" --prepare true "$java $opts $aot -cp $cp dev.form.cli.Main --help" \
  -n "java (no launcher) $add" --prepare "$unadd" "$java $opts $aot -cp $cp dev.form.cli.Main $add"
cat "$work/startup.md"
if command -v python3 >/dev/null; then
  python3 - "$work/startup.json" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
base = results[0]["median"]
print("medians (ms), and above hello world:")
for r in results:
    print(f"  {r['command']}: {r['median'] * 1000:.1f}  (+{(r['median'] - base) * 1000:.1f})")
PY
fi

echo "== 2. which JVM options help: form $add"
c1="-XX:TieredStopAtLevel=1" serial="-XX:+UseSerialGC" native="-Djdk.reflect.useNativeAccessorOnly=true"
hyperfine -N --warmup 2 --runs 10 --export-markdown "$work/options.md" --prepare "$unadd" \
  -n "no options" "$java $base -cp $cp dev.form.cli.Main $add" \
  -n "C1 only" "$java $base $c1 -cp $cp dev.form.cli.Main $add" \
  -n "C1 + SerialGC" "$java $base $c1 $serial -cp $cp dev.form.cli.Main $add" \
  -n "C1 + SerialGC + native reflection" "$java $base $c1 $serial $native -cp $cp dev.form.cli.Main $add" \
  -n "C1 + SerialGC + native reflection + AOT cache" "$java $opts $aot -cp $cp dev.form.cli.Main $add"
cat "$work/options.md"

echo "== 3. the launcher's staleness check (find over the sources, newer than the jar), skipped above"
hyperfine -N --warmup 2 --runs "$runs" \
  -n "staleness check" "find $root/pom.xml $root/form-core/pom.xml $root/form-hypervisor/pom.xml $root/form-queue/pom.xml $root/form-vmm/pom.xml $root/form-cli/pom.xml $root/form-core/src/main $root/form-hypervisor/src/main $root/form-queue/src/main $root/form-vmm/src/main $root/form-cli/src/main -newer $jar -print -quit"

echo "== 4. unlocking a standard scrypt keystore (n=262144, r=8, p=1), separately"
printf 'benchmark\n' >"$work/pw"
FORM_KEYSTORE_PASSWORD=benchmark "$form" wallet import --out "$work/key.json" >/dev/null
hyperfine -N --warmup 1 --runs 5 \
  -n "form wallet address --keyfile (standard scrypt)" "$form wallet address --keyfile $work/key.json --password-file $work/pw" \
  -n "form wallet address (FORM_PRIVATE_KEY)" "$form wallet address"
