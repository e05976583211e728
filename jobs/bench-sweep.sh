#!/usr/bin/env bash
# Sweep benchmark on Spark local mode, written as JSON (default: target/bench-sweep.json):
#  (a) parallel efficiency: 8 equal trials (sine, 5 epochs, 1 CPU each) on local[2] with 2 at once, against the
#      same 8 trials one after another on local[1]: efficiency = sequential / (2 x parallel) (goal >= 0.95);
#  (b) orchestration overhead per trial: 50 trivial trials (hello, 1 epoch) one at a time on local[1]:
#      (sweep wall - sum of trial compute) / 50 (goal <= 50 ms).
# Wall times are the controller's (summary.json wall_seconds: from the first trial submitted to the last one
# back), so JVM and Spark start-up are not counted.
# Usage: jobs/bench-sweep.sh [OUT.json]    (about 3 minutes)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/target/bench-sweep.json}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cat >"$work/equal.yaml" <<'YAML'
name: bench-equal
task: sine
objective: {metric: test_mse, mode: min}
space:
  seed: [0, 1, 2, 3, 4, 5, 6, 7]
fixed: {epochs: 5}
execution: {cpus_per_trial: 1}
YAML
{
  echo "name: bench-trivial"
  echo "task: hello"
  echo "objective: {metric: val_loss, mode: min}"
  echo "space:"
  echo "  seed: [$(seq -s, 0 49)]"
  echo "fixed: {epochs: 1}"
} >"$work/trivial.yaml"

json_number() { sed -n "s/.*\"$2\": \([0-9.eE+-]*\).*/\1/p" "$1" | head -1; }
sweep() { # sweep NAME SPEC MASTER CONCURRENCY
  echo "bench-sweep: $1: rnnsweep sweep $2 --master $3 --max-concurrent $4" >&2
  "$root/jobs/rnnsweep" sweep "$2" --master "$3" --max-concurrent "$4" --out "$work/$1" \
    --tracking-uri "$work/mlruns" >"$work/$1.log" 2>&1
}

sweep sequential "$work/equal.yaml" 'local[1]' 1
sweep parallel "$work/equal.yaml" 'local[2]' 2
sweep trivial "$work/trivial.yaml" 'local[1]' 1

seq_wall="$(json_number "$work/sequential/summary.json" wall_seconds)"
par_wall="$(json_number "$work/parallel/summary.json" wall_seconds)"
triv_wall="$(json_number "$work/trivial/summary.json" wall_seconds)"
triv_compute="$(json_number "$work/trivial/summary.json" trial_seconds)"
efficiency="$(awk -v s="$seq_wall" -v p="$par_wall" 'BEGIN { printf "%.4f", s / (2 * p) }')"
overhead_ms="$(awk -v w="$triv_wall" -v c="$triv_compute" 'BEGIN { printf "%.1f", 1000 * (w - c) / 50 }')"

mkdir -p "$(dirname "$out")"
cat >"$out" <<JSON
{
  "parallel_efficiency": {
    "trials": 8,
    "trial": "sine, 5 epochs, 1 CPU",
    "sequential_local1_seconds": $seq_wall,
    "parallel_local2_seconds": $par_wall,
    "efficiency": $efficiency,
    "goal": 0.95
  },
  "orchestration_overhead": {
    "trials": 50,
    "trial": "hello, 1 epoch",
    "wall_seconds": $triv_wall,
    "trial_compute_seconds": $triv_compute,
    "overhead_ms_per_trial": $overhead_ms,
    "goal_ms": 50
  },
  "cores": $(nproc),
  "date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
}
JSON
cat "$out"
