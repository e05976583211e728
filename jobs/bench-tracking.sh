#!/usr/bin/env bash
# Tracking benchmark, written as JSON (default: target/bench-tracking.json): a sweep of 40 short trials (hello,
# 15 epochs each) on Spark local[2], tracked through mlflow-client into the embedded store. Each trial's run
# records what tracking cost its attempt: tracking_ms (opening the run, handing each epoch's log-batch to the
# sender thread, draining it, tags, ending it; the learning-curve PNG and the report are drawn and stored off the
# trial's thread, so they are not in it) and
# tracking_ms_per_epoch (one epoch's log-batch round trip). Reports their means over the trials, against the
# trials' mean compute time.
# Then the scale point: BENCH_SCALE_TRIALS (default 2000) trivial trials through the in-process executor, tracked
# in the embedded store as a sweep tracks them (io.rnnsweep.tracking.TrackingScaleBench): the driver-side tracking
# milliseconds per trial for the first hundred trials (JIT warm-up included), the second hundred and the last
# hundred, and the ratio of the last to the second (goal: within 20%).
# Usage: jobs/bench-tracking.sh [OUT.json]    (about three minutes)
set -euo pipefail
# shellcheck source=jobs/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
out="${1:-$root/target/bench-tracking.json}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

{
  echo "name: bench-tracking"
  echo "task: hello"
  echo "objective: {metric: val_loss, mode: min}"
  echo "space:"
  echo "  seed: [$(seq -s, 0 39)]"
  echo "fixed: {epochs: 15}"
} >"$work/spec.yaml"

echo "bench-tracking: rnnsweep sweep (40 trials x 15 epochs) --master local[2] --tracking-uri $work/mlruns" >&2
"$root/jobs/rnnsweep" sweep "$work/spec.yaml" --master 'local[2]' --max-concurrent 2 --out "$work/out" \
  --tracking-uri "$work/mlruns" >"$work/sweep.log" 2>&1 || { cat "$work/sweep.log"; exit 1; }

# Every trial run's last value of a metric file (lines: <millis> <value> <step>), averaged.
mean_metric() {
  find "$work/mlruns" -path "*/metrics/$1" -type f -exec tail -n 1 {} \; \
    | awk '{ s += $2; n++ } END { if (n) printf "%.3f %d", s / n, n; else print "nan 0" }'
}
read -r total_ms runs <<<"$(mean_metric tracking_ms)"
read -r epoch_ms _ <<<"$(mean_metric tracking_ms_per_epoch)"
trial_s="$(sed -n 's/.*"trial_seconds": \([0-9.eE+-]*\).*/\1/p' "$work/out/summary.json" | head -1)"
wall_s="$(sed -n 's/.*"wall_seconds": \([0-9.eE+-]*\).*/\1/p' "$work/out/summary.json" | head -1)"
trial_ms="$(awk -v s="$trial_s" 'BEGIN { printf "%.1f", 1000 * s / 40 }')"
share="$(awk -v t="$total_ms" -v c="$trial_ms" 'BEGIN { printf "%.4f", t / c }')"

echo "bench-tracking: ${BENCH_SCALE_TRIALS:-2000} trivial trials tracked in the embedded store" >&2
rnnsweep_bench_class io.rnnsweep.tracking.TrackingScaleBench "$work/scale.json" "${BENCH_SCALE_TRIALS:-2000}" >&2

mkdir -p "$(dirname "$out")"
cat >"$out" <<JSON
{
  "trials": 40,
  "epochs_per_trial": 15,
  "trial": "hello, 15 epochs, local[2], embedded store over HTTP on loopback",
  "runs_measured": $runs,
  "tracking_ms_per_trial": $total_ms,
  "tracking_ms_per_epoch_record": $epoch_ms,
  "trial_compute_ms_mean": $trial_ms,
  "tracking_share_of_trial": $share,
  "sweep_wall_seconds": $wall_s,
  "scale": $(cat "$work/scale.json"),
  "cores": $(nproc),
  "date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
}
JSON
cat "$out"
