#!/usr/bin/env bash
# Search benchmark, written as JSON (default: target/bench-search.json): random search against TPE at the same
# budget of trials on the character LM over a reduced corpus (the first $BENCH_CHARS characters of The Time
# Machine, default 20000), space hidden {64, 128, 256} x lr loguniform [0.05, 20] x clip {loguniform [0.05, 10] or
# none}, one-layer RNN, $BENCH_EPOCHS epochs (default 8), $BENCH_TRIALS trials per sweep (default 40; TPE starts
# with $BENCH_STARTUP random ones, default 5), each method with searcher seeds 0..$BENCH_SEEDS-1 (default 5), without
# a scheduler and under ASHA (grace 1, reduction factor 3), 2 trials at once on local[2].
# Reported per method: the median best validation perplexity; the trials and epochs (in trial order) each run
# needed to get within 2% of the best value any run found (medians; runs that never did count as the budget + 1,
# and how many runs got there says how censored a median is); and for TPE + ASHA the epochs it needed to reach
# random search's final best, as a share of random search's epochs (median over seeds; a seed that never reached it
# counts as an infinite share), with how many seeds reached it and how many within a quarter.
# Usage: jobs/bench-search.sh [OUT.json]    (about 12 minutes on 2 cores with the defaults)
set -euo pipefail
# shellcheck source=jobs/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
out="${1:-$root/target/bench-search.json}"
chars="${BENCH_CHARS:-20000}"
epochs="${BENCH_EPOCHS:-8}"
trials="${BENCH_TRIALS:-40}"
startup="${BENCH_STARTUP:-5}"
seeds="${BENCH_SEEDS:-5}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
rnnsweep_ensure_built

head -c "$chars" "$root/src/main/resources/io/rnnsweep/task/timemachine.txt" >"$work/corpus.txt"
for method in random tpe; do
  for scheduler in fifo asha; do
    for seed in $(seq 0 $((seeds - 1))); do
      name="bench-$method-$scheduler-$seed"
      search="{algorithm: $method, trials: $trials, seed: $seed}"
      if [ "$method" = tpe ]; then
        search="{algorithm: tpe, trials: $trials, seed: $seed, startup_trials: $startup}"
      fi
      sched="scheduler: {algorithm: fifo}"
      if [ "$scheduler" = asha ]; then
        sched="scheduler: {algorithm: asha, max_epochs: $epochs, grace_epochs: 1, reduction_factor: 3}"
      fi
      cat >"$work/$name.yaml" <<YAML
name: $name
task: timemachine
objective: {metric: val_perplexity, mode: min}
search: $search
$(rnnsweep_bench_search_space)
fixed: {cell: rnn, layers: 1, epochs: $epochs, corpus: $work/corpus.txt}
$sched
execution: {max_concurrent: 2, cpus_per_trial: 1}
YAML
      echo "bench-search: $name ..." >&2
      "$root/jobs/rnnsweep" sweep "$work/$name.yaml" --out "$work/out/$name" --tracking-uri "$work/mlruns" \
        --master 'local[2]' >"$work/$name.log" 2>&1 || { echo "$name failed:" >&2; tail -20 "$work/$name.log" >&2; exit 1; }
    done
  done
done

/usr/bin/python3 - "$work/out" "$out" "$chars" "$epochs" "$trials" "$startup" "$seeds" <<'PY'
import csv, json, math, os, statistics, sys
root, out = sys.argv[1], sys.argv[2]
chars, epochs, trials, startup, seeds = map(int, sys.argv[3:8])

def load(name):
    """Per trial, in index order: (best val_perplexity or None, epochs trained)."""
    rows = {}
    with open(os.path.join(root, name, "trials.csv")) as f:
        for r in csv.DictReader(f):
            t = int(r["trial"])
            best, n = rows.get(t, (None, 0))
            if r["epoch"]:
                n += 1
                v = float(r["val_perplexity"]) if r["val_perplexity"] else None
                if v is not None and v == v and (best is None or v < best):
                    best = v
            rows[t] = (best, n)
    return [rows[t] for t in sorted(rows)]

runs = {}
for method in ("random", "tpe"):
    for scheduler in ("fifo", "asha"):
        runs[(method, scheduler)] = [load(f"bench-{method}-{scheduler}-{s}") for s in range(seeds)]
best_any = min(v for rs in runs.values() for r in rs for v, _ in r if v is not None)

def reach(run, target):
    """Trials and epochs (in trial order) until a trial's best is at or below target; None when never."""
    spent = 0
    for k, (v, n) in enumerate(run):
        spent += n
        if v is not None and v <= target:
            return k + 1, spent
    return None, None

def final(run):
    return min(v for v, _ in run if v is not None)

result = {"corpus_chars": chars, "epochs": epochs, "trials": trials, "tpe_startup_trials": startup,
          "seeds": seeds, "space": "hidden {64,128,256} x lr loguniform [0.05, 20] x clip {loguniform [0.05, 10] or none}",
          "best_val_perplexity_any_run": best_any, "methods": {}}
for (method, scheduler), rs in runs.items():
    t2 = [reach(r, 1.02 * best_any) for r in rs]
    result["methods"][f"{method}+{scheduler}"] = {
        "best_val_perplexity": [final(r) for r in rs],
        "median_best_val_perplexity": statistics.median(final(r) for r in rs),
        "trials_to_2pct": [t for t, _ in t2],
        "runs_within_2pct": f"{sum(t is not None for t, _ in t2)} of {len(t2)}",
        "median_trials_to_2pct": statistics.median(t if t is not None else trials + 1 for t, _ in t2),
        "epochs_to_2pct": [e for _, e in t2],
        "median_epochs_to_2pct": statistics.median(e if e is not None else sum(n for _, n in r) + 1
                                                    for (_, e), r in zip(t2, rs)),
        "epochs_trained": [sum(n for _, n in r) for r in rs],
    }
# TPE + ASHA against random search's final best, seed by seed.
pairs = []
for r_random, r_tpe in zip(runs[("random", "fifo")], runs[("tpe", "asha")]):
    _, e = reach(r_tpe, final(r_random))
    pairs.append({"random_final_best": final(r_random), "random_epochs": sum(n for _, n in r_random),
                  "tpe_asha_epochs_to_reach_it": e})
result["tpe_asha_vs_random_final_best"] = pairs
# A seed where TPE + ASHA never reached random search's final best counts as an infinite share.
shares = [p["tpe_asha_epochs_to_reach_it"] / p["random_epochs"] if p["tpe_asha_epochs_to_reach_it"] else math.inf
          for p in pairs]
median_share = statistics.median(shares)
result["tpe_asha_epoch_share_median"] = median_share if median_share != math.inf else None
result["tpe_asha_reached_random_final_best"] = f"{sum(s != math.inf for s in shares)} of {len(pairs)} seeds"
result["tpe_asha_within_a_quarter"] = f"{sum(s <= 0.25 for s in shares)} of {len(pairs)} seeds"
m = result["methods"]
result["tpe_over_random_trials_to_2pct"] = m["tpe+fifo"]["median_trials_to_2pct"] / m["random+fifo"]["median_trials_to_2pct"]
with open(out, "w") as f:
    json.dump(result, f, indent=2)
print(json.dumps(result, indent=2))
PY
