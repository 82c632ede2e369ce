# Sourced by the A/B scripts (listener-ab.sh, fanout-ab.sh): how they run variants against each
# other on a noisy machine, in one place (their summaries read the runs with scripts/ab_runs.py).

ab_snapshot() { # prints a fresh work folder holding new.jar, a copy of the benchmarks jar just built
  local work
  work=$(mktemp -d)
  cp corral-bench/target/benchmarks.jar "$work/new.jar"   # later builds must not change it mid-run
  echo "$work"
}

ab_order() { # $1 = round, then the variants: prints them one a line, reversed every other round
  local round=$1
  shift
  if [ $((round % 2)) -eq 0 ]; then
    printf '%s\n' "$@" | tac
  else
    printf '%s\n' "$@"
  fi
}

ab_load() { # $1 = before|after, the rest added to the line: the load average and the time (and the JDK, before)
  local when=$1
  shift
  local line="load $when: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%FT%TZ)"
  [ "$when" = before ] && line="$line; $(java -version 2>&1 | head -1)"
  echo "$line${*:+; $*}"
}
