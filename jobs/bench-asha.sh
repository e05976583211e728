#!/usr/bin/env bash
# Early-stopping benchmark on Spark local mode, written as JSON (default: target/bench-asha.json): the same space
# of 18 character-LM configurations (timemachine task: hidden 64/128/256 x lr 0.3/1/3 x clip 0.1/1, one-layer
# RNN) run twice with 2 trials at once on local[2]:
#   grid: every configuration trained to the maximum epochs (scheduler fifo);
#   asha: ASHA, rungs at 1, 3 and 9 epochs, reduction factor 3, maximum 27 epochs.
# Reported for each: the best validation perplexity, the epochs trained (the compute) and the wall time
# (the controller's, summary.json wall_seconds). Goal: ASHA within 2% of the grid's best perplexity with at
# most one third of its epochs.
# Corpus: the first $BENCH_CHARS characters (default 60000) of the bundled The Time Machine, so one epoch takes
# seconds; the full corpus works the same way, only slower. Max epochs: $BENCH_MAX_EPOCHS (default 27).
# Usage: jobs/bench-asha.sh [OUT.json]    (about 15-20 minutes on 2 cores)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/target/bench-asha.json}"
chars="${BENCH_CHARS:-60000}"
max_epochs="${BENCH_MAX_EPOCHS:-27}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

head -c "$chars" "$root/src/main/resources/io/rnnsweep/task/timemachine.txt" >"$work/corpus.txt"
spec() { # spec NAME SCHEDULER-LINE
  cat <<YAML
name: $1
task: timemachine
objective: {metric: val_perplexity, mode: min}
space:
  hidden: [64, 128, 256]
  lr: [0.3, 1, 3]
  clip: [0.1, 1]
fixed: {cell: rnn, layers: 1, corpus: $work/corpus.txt}
$2
execution: {max_concurrent: 2, cpus_per_trial: 1}
YAML
}
spec bench-grid "scheduler: {algorithm: fifo, max_epochs: $max_epochs}" >"$work/grid.yaml"
spec bench-asha "scheduler: {algorithm: asha, max_epochs: $max_epochs, grace_epochs: 1, reduction_factor: 3}" \
  >"$work/asha.yaml"

json_number() { sed -n "s/.*\"$2\": \([0-9.eE+-]*\).*/\1/p" "$1" | head -1; }
best() { sed -n 's/.*"objective": \([0-9][0-9.eE+-]*\).*/\1/p' "$1" | head -1; }
best_run() { sed -n 's/.*"run_name": "\([^"]*\)".*/\1/p' "$1" | head -1; }
for s in grid asha; do
  echo "bench-asha: $s: rnnsweep sweep $work/$s.yaml --master local[2]" >&2
  "$root/jobs/rnnsweep" sweep "$work/$s.yaml" --master 'local[2]' --out "$work/$s" --tracking-uri "$work/mlruns" \
    >"$work/$s.log" 2>&1 || { tail -n 30 "$work/$s.log" >&2; exit 1; }
  tail -n 14 "$work/$s.log" >&2
done

g="$work/grid/summary.json"
a="$work/asha/summary.json"
g_best="$(best "$g")"; a_best="$(best "$a")"
g_epochs="$(json_number "$g" epochs_trained)"; a_epochs="$(json_number "$a" epochs_trained)"
g_wall="$(json_number "$g" wall_seconds)"; a_wall="$(json_number "$a" wall_seconds)"
gap="$(awk -v a="$a_best" -v g="$g_best" 'BEGIN { printf "%.4f", (a - g) / g }')"
share="$(awk -v a="$a_epochs" -v g="$g_epochs" 'BEGIN { printf "%.4f", a / g }')"
speedup="$(awk -v a="$a_wall" -v g="$g_wall" 'BEGIN { printf "%.2f", g / a }')"
mkdir -p "$(dirname "$out")"
cat >"$out" <<JSON
{
  "space": "timemachine (first $chars characters), hidden [64,128,256] x lr [0.3,1,3] x clip [0.1,1], rnn, 1 layer: 18 configurations",
  "max_epochs": $max_epochs,
  "machine": "$(nproc) cores, local[2], 2 trials at once",
  "grid": {"best_val_perplexity": $g_best, "best_run": "$(best_run "$g")", "epochs_trained": $g_epochs, "wall_seconds": $g_wall},
  "asha": {"best_val_perplexity": $a_best, "best_run": "$(best_run "$a")", "epochs_trained": $a_epochs, "wall_seconds": $a_wall,
           "rungs": [1, 3, 9], "reduction_factor": 3},
  "asha_perplexity_gap": $gap,
  "asha_epoch_share": $share,
  "wall_speedup": $speedup,
  "goal": "asha_perplexity_gap <= 0.02 and asha_epoch_share <= 0.3333"
}
JSON
cat "$out"
