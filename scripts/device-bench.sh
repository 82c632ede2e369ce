#!/usr/bin/env bash
# The many-core measurements issue 2 asks for, as one script that fits a lent device's budget
# (about 7 minutes of benchmarking on 16 cores). The device has no Java: build a runtime here first
#   ./build -q -pl corral-bench -am -DskipTests package
#   jlink --add-modules java.base,java.logging,java.management,jdk.management,jdk.unsupported,java.xml,jdk.jfr,java.naming,jdk.crypto.ec \
#         --strip-debug --no-header-files --no-man-pages --compress=zip-6 --output .jdk
# then run, carrying .jdk and corral-bench/target/benchmarks.jar:
#   bash scripts/device-bench.sh            (writes under $OUT, or /tmp/device-bench without it)
# What it measures, each against ThreadPoolExecutor in the same run:
#   1. the quick suite's tiny-task and hand-off scenarios (BenchMain --only tiny,handoff);
#   2. submission scaling: tiny tasks with 8 workers and 1, 4 and 8 producers (a queue of 131,072, so
#      eight batches of 10,000 never wait for room), Corral (striped by
#      default), Corral with one queue stripe, TPE(LBQ) and ForkJoinPool.
set -euo pipefail
cd "$(dirname "$0")/.."
java=.jdk/bin/java
[ -x "$java" ] || java="${JAVA_HOME:-/nonexistent}/bin/java"
[ -x "$java" ] || { echo "device-bench: no runtime at .jdk/bin/java (build it with jlink, see the header) nor \$JAVA_HOME" >&2; exit 1; }
jar=corral-bench/target/benchmarks.jar
[ -f "$jar" ] || { echo "device-bench: $jar missing; build it first (see the header)" >&2; exit 1; }
out="${OUT:-/tmp/device-bench}"
mkdir -p "$out"
nproc > "$out/cores.txt"
"$java" -cp "$jar" dev.corral.bench.BenchMain --quick --only tiny,handoff --out "$out/suite.md" 2>&1 | tail -40
for t in 1 4 8; do
  "$java" -jar "$jar" TinyTaskThroughput -p executor=corral,corral-1stripe,tpe-lbq,fjp -p workers=8 -p queueCapacity=131072 -t "$t" \
      -wi 2 -w 500ms -i 3 -r 700ms -f 1 -rf csv -rff "$out/producers-$t.csv" 2>&1 | grep -E '^TinyTask' | sed "s/^/producers=$t /"
done | tee "$out/producers.txt"
