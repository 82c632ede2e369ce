#!/usr/bin/env bash
# Corral's Redis queue beside BullMQ and redis-benchmark's raw XADD, on one redis-server on loopback
# started for the run, in the same run (issue 11). Writes corral-redis-bench.md in the current
# directory (or --out FILE): machine, date, load. --help prints the options and runs nothing.
#   scripts/redis-bench.sh                          100,000 tasks per scenario
#   scripts/redis-bench.sh --count 20000            quicker
#   scripts/redis-bench.sh --warmup 0               cold processes only (default warm-up: 20000 tasks)
#   scripts/redis-bench.sh --corral-workers 16 --bullmq-concurrency 64 --out /tmp/redis.md
#   scripts/redis-bench.sh --corral-virtual         Corral workers' pools on virtual threads
#   scripts/redis-bench.sh --no-bullmq              Corral and XADD only
# Needs redis-server and redis-benchmark on the PATH (Debian: apt-get install redis-server redis-tools)
# and, for BullMQ, node and npm: BullMQ is installed into corral-bench/bullmq/node_modules from the
# committed package-lock.json (npm ci), never into the product.
set -euo pipefail
for a in "$@"; do
  case "$a" in -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
done
caller="$PWD"
cd "$(dirname "$0")/.."
. scripts/jdk.sh
corral_find_jdk
command -v redis-server >/dev/null && command -v redis-benchmark >/dev/null \
  || { echo "redis-server and redis-benchmark must be on the PATH" >&2; exit 1; }
if [[ " $* " != *" --no-bullmq "* ]]; then
  command -v node >/dev/null || { echo "node is needed for BullMQ (or pass --no-bullmq)" >&2; exit 1; }
  if [ ! -d corral-bench/bullmq/node_modules/bullmq ]; then
    (cd corral-bench/bullmq && npm ci --no-audit --no-fund) >&2
  fi
fi
if [ -z "${CORRAL_BENCH_NO_BUILD:-}" ]; then
  ./build -q -pl corral-bench -am -DskipTests package
fi
jar="$(mktemp -d)/benchmarks.jar"
cp corral-bench/target/benchmarks.jar "$jar"
args=("$@")
[[ " $* " == *" --out "* ]] || args+=(--out "$caller/corral-redis-bench.md")
exec "$JAVA_HOME/bin/java" -cp "$jar" dev.corral.bench.redis.RedisBench "${args[@]}"
