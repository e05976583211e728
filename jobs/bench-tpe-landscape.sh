#!/usr/bin/env bash
# TPE against random search on a recorded landscape, written as JSON (default: target/bench-tpe-landscape.json).
# First maps the search benchmark's landscape (jobs/bench-search.sh: the first $BENCH_CHARS characters of The Time
# Machine, default 20000; hidden {64, 128, 256} x lr loguniform [0.05, 20] x clip {loguniform [0.05, 10] or none};
# one-layer RNN, $BENCH_EPOCHS epochs, default 8) with a random sweep of $BENCH_MAP_TRIALS trials (default 600) on
# local[2], or takes a mapped sweep's output folder as MAP_DIR; then replays searchers against it
# (io.rnnsweep.search.TpeLandscapeBench): random search, TPE as published (Bergstra's good share 0.25, full Scott
# widths) and TPE as rnnsweep tunes it, $BENCH_TRIALS trials each (default 40; TPE starts with $BENCH_STARTUP random
# ones, default 5), two at a time, $BENCH_SEEDS searcher seeds each (default 300). Reported per method: median
# trials to within 2% of the landscape's best, runs that got there, median best, diverged trials per run.
# Usage: jobs/bench-tpe-landscape.sh [OUT.json] [MAP_DIR]    (about 5 minutes on 2 cores with the mapping)
set -euo pipefail
# shellcheck source=jobs/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
out="${1:-$root/target/bench-tpe-landscape.json}"
map="${2:-}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
rnnsweep_ensure_built
if [ -z "$map" ]; then
  head -c "${BENCH_CHARS:-20000}" "$root/src/main/resources/io/rnnsweep/task/timemachine.txt" >"$work/corpus.txt"
  cat >"$work/map.yaml" <<YAML
name: bench-landscape
task: timemachine
objective: {metric: val_perplexity, mode: min}
search: {algorithm: random, trials: ${BENCH_MAP_TRIALS:-600}, seed: 101}
$(rnnsweep_bench_search_space)
fixed: {cell: rnn, layers: 1, epochs: ${BENCH_EPOCHS:-8}, corpus: $work/corpus.txt}
execution: {max_concurrent: 2, cpus_per_trial: 1}
YAML
  echo "bench-tpe-landscape: mapping the landscape with ${BENCH_MAP_TRIALS:-600} random trials ..." >&2
  map="$work/map"
  "$root/jobs/rnnsweep" sweep "$work/map.yaml" --out "$map" --tracking-uri "$work/mlruns" --master 'local[2]' \
    >"$work/map.log" 2>&1 || { echo "the mapping sweep failed:" >&2; tail -20 "$work/map.log" >&2; exit 1; }
fi
rnnsweep_bench_class io.rnnsweep.search.TpeLandscapeBench "$map" "$out" "${BENCH_TRIALS:-40}" "${BENCH_STARTUP:-5}" "${BENCH_SEEDS:-300}"
echo "written: $out"
