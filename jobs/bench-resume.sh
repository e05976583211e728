#!/usr/bin/env bash
# Kill-and-resume benchmark, written as JSON (default: target/bench-resume.json): a reduced timemachine-asha sweep
# (the first $BENCH_CHARS characters of The Time Machine, default 30000; hidden 32/64/128 x lr 0.5/1/2, one-layer RNN;
# ASHA rungs 1, 3, 9 epochs, reduction factor 3; 2 trials at once on local[2]) runs once uninterrupted, then once
# with its driver JVM killed with SIGKILL once half the uninterrupted sweep's epochs are logged and a trial waits at
# a rung, then resumed with
# `sweep --resume`. Trials store their checkpoint after every epoch (execution.checkpoint_every: 1, the default).
# Reported: the epochs each run trained (the interrupted one: those logged before the kill plus those the resume
# trained), the epochs trained before the kill that the resume did not keep (goal: at most one per trial running
# at the kill), the seconds the resume took from its start to its first training epoch, both best validation
# perplexities; and what checkpointing every epoch costs: the trials' seconds of the uninterrupted sweep against
# the same sweep with checkpoint_every: 0 (checkpoints at rungs only), run next to it.
# Usage: jobs/bench-resume.sh [OUT.json]    (about 6 minutes on 2 cores)
set -euo pipefail
# shellcheck source=jobs/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
out="${1:-$root/target/bench-resume.json}"
chars="${BENCH_CHARS:-30000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
rnnsweep_ensure_built

head -c "$chars" "$root/src/main/resources/io/rnnsweep/task/timemachine.txt" >"$work/corpus.txt"
cat >"$work/spec.yaml" <<YAML
name: bench-resume
task: timemachine
objective: {metric: val_perplexity, mode: min}
space:
  hidden: [32, 64, 128]
  lr: [0.5, 1, 2]
fixed: {cell: rnn, layers: 1, corpus: $work/corpus.txt}
scheduler: {algorithm: asha, max_epochs: 9, grace_epochs: 1, reduction_factor: 3}
execution: {max_concurrent: 2, cpus_per_trial: 1}
YAML
sed 's/cpus_per_trial: 1}/cpus_per_trial: 1, checkpoint_every: 0}/' "$work/spec.yaml" >"$work/rungs-only.yaml"

# What a store holds of the sweep's trials: epochs logged, and epochs a resume keeps (an ended trial's all, a
# paused one's up to its rung); and the first epoch logged after a given time (ms), less its own seconds.
store_py='
import json, os, sys
root, since = sys.argv[1], int(sys.argv[2])
logged = kept = ended = paused = 0
first = None
for exp in os.listdir(root):
    d = os.path.join(root, exp)
    if not os.path.isdir(d) or exp in (".trash", "models"):
        continue
    for run in os.listdir(d):
        r = os.path.join(d, run)
        tags = os.path.join(r, "tags")
        if not os.path.exists(os.path.join(tags, "mlflow.parentRunId")):
            continue
        tag = lambda k: open(os.path.join(tags, k)).read() if os.path.exists(os.path.join(tags, k)) else ""
        lines = open(os.path.join(r, "metrics", "val_perplexity")).read().split() \
            if os.path.exists(os.path.join(r, "metrics", "val_perplexity")) else []
        points = [(int(lines[i]), int(lines[i + 2])) for i in range(0, len(lines), 3)]
        secs = open(os.path.join(r, "metrics", "epoch_seconds")).read().split() \
            if os.path.exists(os.path.join(r, "metrics", "epoch_seconds")) else []
        seconds = {int(secs[i + 2]): float(secs[i + 1]) for i in range(0, len(secs), 3)}
        epochs = len([p for p in points if p[1] >= 1])
        logged += epochs
        status = tag("rnnsweep.status")
        if status in ("FINISHED", "DIVERGED", "FAILED", "KILLED"):
            kept += epochs
            ended += 1
        else:
            # An unfinished trial continues from its latest checkpoint: at a rung, or stored on the way.
            kept += min(epochs, max(int(tag("rnnsweep.rung") or 0), int(tag("rnnsweep.checkpoint_epoch") or 0)))
            paused += status in ("PAUSED", "PROMOTED")
        for ts, step in points:
            if ts > since and step >= 1:
                start = ts - seconds.get(step, 0) * 1000
                first = start if first is None else min(first, start)
print(json.dumps({"logged": logged, "kept": kept, "ended": ended, "paused": paused,
                  "first_start_ms": None if first is None else int(first)}))
'
json_number() { sed -n "s/.*\"$2\": \([0-9.eE+-]*\).*/\1/p" "$1" | head -1; }

echo "bench-resume: the uninterrupted sweep ..." >&2
"$root/jobs/rnnsweep" sweep "$work/spec.yaml" --out "$work/whole" --tracking-uri "$work/ml-whole" \
  --master 'local[2]' >"$work/whole.log" 2>&1
whole_epochs="$(json_number "$work/whole/summary.json" epochs_trained)"
whole_best="$(sed -n 's/^1,[^,]*,[^,]*,[^,]*,[^,]*,\([^,]*\),.*/\1/p' "$work/whole/leaderboard.csv")"
whole_trial_seconds="$(json_number "$work/whole/summary.json" trial_seconds)"
echo "bench-resume: the same sweep storing checkpoints at rungs only ..." >&2
"$root/jobs/rnnsweep" sweep "$work/rungs-only.yaml" --out "$work/rungs" --tracking-uri "$work/ml-rungs" \
  --master 'local[2]' >"$work/rungs.log" 2>&1
rungs_trial_seconds="$(json_number "$work/rungs/summary.json" trial_seconds)"

echo "bench-resume: the sweep killed with SIGKILL mid-way ..." >&2
setsid "$root/jobs/rnnsweep" sweep "$work/spec.yaml" --out "$work/cut" --tracking-uri "$work/ml-cut" \
  --master 'local[2]' >"$work/cut.log" 2>&1 &
driver=$!
for _ in $(seq 1 3000); do
  if [ -d "$work/ml-cut" ]; then
    state="$(/usr/bin/python3 -c "$store_py" "$work/ml-cut" 0)"
    logged="$(json_number <(echo "$state") logged)"
    paused="$(json_number <(echo "$state") paused)"
    if [ "${logged:-0}" -ge $((whole_epochs / 2)) ] && [ "${paused:-0}" -ge 1 ]; then
      break
    fi
  fi
  kill -0 "$driver" 2>/dev/null || { echo "the sweep ended before the kill" >&2; cat "$work/cut.log" >&2; exit 1; }
  sleep 0.1
done
kill -9 -- "-$driver"
wait "$driver" 2>/dev/null || true
at_kill="$(/usr/bin/python3 -c "$store_py" "$work/ml-cut" 0)"
logged="$(json_number <(echo "$at_kill") logged)"
kept="$(json_number <(echo "$at_kill") kept)"

echo "bench-resume: the resume ..." >&2
t0="$(date +%s%3N)"
"$root/jobs/rnnsweep" sweep "$work/spec.yaml" --resume --tracking-uri "$work/ml-cut" --master 'local[2]' \
  >"$work/resume.log" 2>&1 || { echo "the resume failed:" >&2; cat "$work/resume.log" >&2; exit 1; }
after="$(/usr/bin/python3 -c "$store_py" "$work/ml-cut" "$t0")"
first="$(json_number <(echo "$after") first_start_ms)"
resumed_total="$(json_number "$work/cut/summary.json" epochs_trained)"
resumed_best="$(sed -n 's/^1,[^,]*,[^,]*,[^,]*,[^,]*,\([^,]*\),.*/\1/p' "$work/cut/leaderboard.csv")"
trained_by_resume=$((resumed_total - kept))
cat >"$out" <<JSON
{
  "corpus_chars": $chars,
  "space": "hidden 32/64/128 x lr 0.5/1/2, asha rungs 1/3/9, 2 at once on local[2]",
  "uninterrupted_epochs": $whole_epochs,
  "uninterrupted_best_val_perplexity": ${whole_best:-null},
  "epochs_logged_before_kill": $logged,
  "epochs_kept_by_resume": $kept,
  "epochs_logged_before_kill_not_kept": $((logged - kept)),
  "epochs_trained_by_resume": $trained_by_resume,
  "interrupted_total_epochs": $((logged + trained_by_resume)),
  "resumed_best_val_perplexity": ${resumed_best:-null},
  "resume_seconds_to_first_epoch": $([ -n "$first" ] && awk -v f="$first" -v t="$t0" 'BEGIN { printf "%.1f", (f - t) / 1000 }' || echo null),
  "trial_seconds_checkpoint_every_epoch": $whole_trial_seconds,
  "trial_seconds_checkpoint_at_rungs_only": $rungs_trial_seconds,
  "checkpoint_every_epoch_cost_ratio": $(awk -v a="$whole_trial_seconds" -v b="$rungs_trial_seconds" 'BEGIN { printf "%.3f", a / b }'),
  "resume_console": "$(grep '^resuming' "$work/resume.log" | head -1)"
}
JSON
cat "$out"
