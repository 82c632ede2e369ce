#!/usr/bin/env bash
# Builds the benchmark jar (when missing or older than the sources) and runs Corral's benchmark
# suite against the JDK's executors, in the caller's current directory.
#   scripts/bench.sh --help           the options; runs nothing
#   scripts/bench.sh --quick          about 5 minutes on 2 cores; prints one markdown table
#   scripts/bench.sh                  the full suite (3 rounds, about 15-25 minutes)
#   scripts/bench.sh --only tiny,request --rounds 5 --out /tmp/bench.md
#   scripts/bench.sh jmh <JMH args>   plain JMH, e.g.: scripts/bench.sh jmh TinyTaskThroughput -p executor=corral,tpe-lbq -t 2
# The table goes to stdout and to --out (default: corral-bench.md in the current directory; pass
# --out docs/bench/latest.md from the repository root to refresh the tracked report).
# Unknown options are refused before anything runs. The jar is copied before running, so a rebuild
# during a long run cannot change what is measured.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
. "$root/scripts/jdk.sh"
corral_find_jdk
jar="$root/corral-bench/target/benchmarks.jar"
if [ -z "${CORRAL_BENCH_NO_BUILD:-}" ] && { [ ! -f "$jar" ] || [ -n "$(find "$root"/corral-core/src "$root"/corral-bench/src "$root"/pom.xml "$root"/corral-core/pom.xml "$root"/corral-bench/pom.xml -newer "$jar" -type f 2>/dev/null | head -n1)" ]; }; then
  echo "bench: building the benchmark jar (first run or sources changed)..." >&2
  "$root/build" -q -pl corral-bench -am -DskipTests package >&2
fi
copy="$(mktemp -d)/benchmarks.jar"
cp "$jar" "$copy"
if [ "${1:-}" = jmh ]; then
  shift
  exec "$JAVA_HOME/bin/java" -jar "$copy" "$@"
fi
exec "$JAVA_HOME/bin/java" -cp "$copy" dev.corral.bench.BenchMain "$@"
