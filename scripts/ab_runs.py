"""Read by the A/B scripts' summaries (listener-ab.sh, fanout-ab.sh): their runs file, one line a
run, "round R VARIANT value...", and the median of a variant's within-round ratios to a reference."""
import collections
import statistics


def read_runs(path, columns=None):
    """{round: {variant: [values]}}: the first `columns` values after the variant (all if None)."""
    runs = collections.defaultdict(dict)
    for line in open(path):
        p = line.split()
        values = p[3:] if columns is None else p[3:3 + columns]
        runs[int(p[1])][p[2]] = [float(x) for x in values]
    return runs


def variants(runs):
    """The variants in the order the first round ran them."""
    return list(next(iter(runs.values())).keys())


def within_round_ratio(runs, variant, ref, column=0):
    """Median over the rounds that ran both of variant / ref at `column`; None if no round did."""
    ratios = [runs[r][variant][column] / runs[r][ref][column]
              for r in sorted(runs) if variant in runs[r] and ref in runs[r]]
    return statistics.median(ratios) if ratios else None
