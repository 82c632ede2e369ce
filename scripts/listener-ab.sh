#!/usr/bin/env bash
# What observing a pool costs it, A/B alternated: tiny-task throughput (JMH, one JVM per run) of
# a pool with no listener, with PoolMetrics bound to a Prometheus registry, and the other
# ListenerCost variants, round after round (the order reversed every other round), so that a noisy
# machine's drift spreads over all of them; prints every run and the median of the within-round
# ratios to "none".
#   scripts/listener-ab.sh [rounds=5] [variants="none metrics noop-sampled metrics-every"] [base-benchmarks.jar]
# With a third argument (the benchmarks.jar of an earlier commit), "base" also runs: the old
# engine's TinyTaskThroughput (corral, 2 workers) against this one's, to show what the hooks cost
# a pool that has no listener. Build first: ./build -q -pl corral-bench -am package -DskipTests
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/jdk.sh
. scripts/ab.sh
corral_find_jdk
rounds=${1:-5}
variants=(${2:-none metrics noop-sampled metrics-every})
base_jar=${3:-}
work=$(ab_snapshot)
if [ -n "$base_jar" ]; then
  cp "$base_jar" "$work/base.jar"
  variants=(base tiny "${variants[@]}")
fi
jmh=(-f 1 -wi 3 -w 1s -i 5 -r 1s -p workers=2 -p queueCapacity=65536 -p tokens=10 -rf csv)
score() { # $1 = csv file: the score of its one row
  python3 -c 'import csv,sys; r=list(csv.DictReader(open(sys.argv[1]))); print(r[0]["Score"])' "$1"
}
ab_load before
for r in $(seq 1 "$rounds"); do
  for v in $(ab_order "$r" "${variants[@]}"); do
    out="$work/r$r-$v.csv"
    case "$v" in
      base) java -jar "$work/base.jar" 'TinyTaskThroughput.tinyTasks' -p executor=corral "${jmh[@]}" -rff "$out" >/dev/null ;;
      tiny) java -jar "$work/new.jar" 'TinyTaskThroughput.tinyTasks' -p executor=corral "${jmh[@]}" -rff "$out" >/dev/null ;;
      *) java -jar "$work/new.jar" 'ListenerCost.tinyTasks' -p listener="$v" "${jmh[@]}" -rff "$out" >/dev/null ;;
    esac
    echo "round $r $v $(score "$out") tasks/s load $(cut -d' ' -f1 /proc/loadavg)"
  done
done | tee "$work/runs.txt"
python3 - "$work/runs.txt" <<'PY'
import sys, statistics
sys.path.insert(0, "scripts")
from ab_runs import read_runs, variants, within_round_ratio
runs = read_runs(sys.argv[1], columns=1)
print("\n| variant | median M tasks/s | median ratio (within round) | per round (M tasks/s) |")
print("|---|---:|---:|---|")
for v in variants(runs):
    vals = [runs[r][v][0] for r in sorted(runs)]
    ref = "base" if v == "tiny" else "none"
    r = within_round_ratio(runs, v, ref)
    ratio = "%.3f vs %s" % (r, ref) if r is not None and v != ref else "1"
    print("| %s | %.2f | %s | %s |" % (v, statistics.median(vals) / 1e6, ratio, ", ".join("%.2f" % (x / 1e6) for x in vals)))
PY
ab_load after
