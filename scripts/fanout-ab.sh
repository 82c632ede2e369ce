#!/usr/bin/env bash
# The virtual fan-out cells by hand, with more JVMs than the bench gives them: 200,000 tasks of a
# 10 ms sleep at a cap of 10,000, one fresh JVM per run (-Xms2g -Xmx2g, as the bench), Corral's
# virtual pool against virtual threads gated by a Semaphore, the kinds interleaved and their order
# reversed every other round. One run of a kind spreads by 30% or more on a busy machine, so the
# bench's three rounds cannot tell 1.10x from 1.00x; this can. Prints every run, then the median
# wall and heap per blocked task of each kind and the median of the within-round ratios to the
# Semaphore, and the same for a second memory probe at the end of each JVM (SleepFanOut
# --warm-probe: once the JIT has compiled the frames a blocked task sits in), the CPU of the JIT's
# compiler threads and the process's over the three fan-outs (two warm-ups and the timed one), and
# the compilers' in the timed one.
#   scripts/fanout-ab.sh [jvms=16] [busy=2] [queue=1024] [repeat=0] [base-benchmarks.jar]
# busy: spinning processes beside it (BusyLoop; 0 for an idle machine). repeat: fan-outs more after
# the timed one in each JVM (SleepFanOut --repeat), whose median shows the warm engine apart from
# the JIT's warm-up (docs/bench/blocking-submission.md, session 21). With a fifth argument (the
# benchmarks.jar of an earlier commit) "base" runs too: the old engine's virtual pool.
# Build first: ./build -q -pl corral-bench -am package -DskipTests
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/jdk.sh
. scripts/ab.sh
corral_find_jdk
jvms=${1:-16}
busy=${2:-2}
queue=${3:-1024}
repeat=${4:-0}
base_jar=${5:-}
work=$(ab_snapshot)
variants=(corral vthread-semaphore)
if [ -n "$base_jar" ]; then
  cp "$base_jar" "$work/base.jar"
  variants=(corral base vthread-semaphore)
fi
spinners=()
stop_spinners() {
  for p in "${spinners[@]}"; do kill "$p" 2>/dev/null || true; done
}
trap stop_spinners EXIT
for i in $(seq 1 "$busy"); do
  java -cp "$work/new.jar" dev.corral.bench.BusyLoop --max-seconds 7200 < /dev/zero > /dev/null 2>&1 &
  spinners+=($!)
done
[ "$busy" -gt 0 ] && sleep 2   # the spinners' own start (class loading, JIT) is not what we share the cores with
ab_load before "busy $busy, queue $queue"
field() { # $1 = a key of the run's RESULT line; nan where it has none (a base jar older than the key)
  local v
  v=$(echo "$result" | tr ' ' '\n' | sed -n "s/^$1=//p")
  echo "${v:-nan}"
}
for r in $(seq 1 "$jvms"); do
  for v in $(ab_order "$r" "${variants[@]}"); do
    case "$v" in
      corral) jar="$work/new.jar"; kind=corral-virtual ;;
      base) jar="$work/base.jar"; kind=corral-virtual ;;
      *) jar="$work/new.jar"; kind="$v" ;;
    esac
    args=(--kinds "$kind" --tasks 200000 --cap 10000 --sleep-ms 10 --queue-capacity "$queue" --warm-probe 1)
    [ "$repeat" -gt 0 ] && args+=(--repeat "$repeat")
    result=$(java -Xms2g -Xmx2g -cp "$jar" dev.corral.bench.SleepFanOut "${args[@]}" | grep '^RESULT')
    echo "round $r $v $(field secondsPer200k) $(field heapKbPerTask) $(field warmHeapKbPerTask) $(field jitCpuMs) $(field timedJitCpuMs) $(field cpuSeconds) $([ "$repeat" -gt 0 ] && field repeatMedianSecondsPer200k)"
  done
done | tee "$work/runs.txt"
python3 - "$work/runs.txt" <<'PY'
import sys, statistics
sys.path.insert(0, "scripts")
from ab_runs import read_runs, variants, within_round_ratio
runs = read_runs(sys.argv[1])
ref = "vthread-semaphore"
print("\n| kind | JVMs | wall s (median) | ratio (median within round) | heap KB per blocked task, cold probe | warm probe | JIT CPU ms, 3 fan-outs | JIT CPU ms, timed | process CPU s, 3 fan-outs | warm wall s (median of repeats) |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for v in variants(runs):
    rows = [runs[r][v] for r in sorted(runs) if v in runs[r]]
    wall = statistics.median(x[0] for x in rows)
    heap = statistics.median(x[1] for x in rows)
    warm_heap = statistics.median(x[2] for x in rows)
    jit = statistics.median(x[3] for x in rows)
    jit_timed = statistics.median(x[4] for x in rows)
    cpu = statistics.median(x[5] for x in rows)
    warm = [x[6] for x in rows if len(x) > 6]
    ratio = "1" if v == ref else "%.3f" % within_round_ratio(runs, v, ref)
    print("| %s | %d | %.3f | %s | %.3f | %.3f | %.0f | %.0f | %.3f | %s |" % (v, len(rows), wall, ratio, heap, warm_heap,
          jit, jit_timed, cpu, "%.3f" % statistics.median(warm) if warm else "-"))
PY
ab_load after
