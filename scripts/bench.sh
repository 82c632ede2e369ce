#!/usr/bin/env bash
# Builds the benchmark jar and runs Corral's benchmark suite against the JDK's executors.
#   scripts/bench.sh --quick          about 5 minutes on 2 cores; prints one markdown table
#   scripts/bench.sh                  the full suite (3 rounds, about 15-20 minutes)
#   scripts/bench.sh --only tiny,request --rounds 5 --out /tmp/bench.md
#   scripts/bench.sh jmh <JMH args>   plain JMH, e.g.: scripts/bench.sh jmh TinyTaskThroughput -p executor=corral,tpe-lbq -t 2
# The table goes to stdout and to docs/bench/latest.md (with the machine and the date).
# The jar is copied before running, so a rebuild during a long run cannot change what is measured.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/jdk.sh
corral_find_jdk
if [ -z "${CORRAL_BENCH_NO_BUILD:-}" ]; then
  ./build -q -pl corral-bench -am -DskipTests package
fi
jar="$(mktemp -d)/benchmarks.jar"
cp corral-bench/target/benchmarks.jar "$jar"
if [ "${1:-}" = jmh ]; then
  shift
  exec "$JAVA_HOME/bin/java" -jar "$jar" "$@"
fi
exec "$JAVA_HOME/bin/java" -cp "$jar" dev.corral.bench.BenchMain "$@"
