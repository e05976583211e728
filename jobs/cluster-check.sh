#!/usr/bin/env bash
# Runs a real Spark standalone cluster on 127.0.0.1 from this project's jars (a master and two workers, each a
# separate JVM, and their executors), submits a small sweep through jobs/submit.sh, and checks that every
# trial came back and ran in an executor JVM other than the driver's, spread over both executors.
# Stops the cluster (process groups) on exit. Used by .ci/run; about 1-2 minutes.
#   jobs/cluster-check.sh [WORK_DIR]
set -euo pipefail
# shellcheck source=jobs/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
rnnsweep_ensure_built

work="${1:-$(mktemp -d)}"
mkdir -p "$work"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM -- "-$p" 2>/dev/null || true; done
  sleep 1
  for p in "${pids[@]}"; do kill -KILL -- "-$p" 2>/dev/null || true; done
}
trap cleanup EXIT

say() { echo "cluster-check: $*" >&2; }
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 20000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}
http_get() { # http_get PORT PATH
  exec 3<>"/dev/tcp/127.0.0.1/$1"
  printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&3
  cat <&3
  exec 3<&-
}
wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local limit="$1" what="$2"
  shift 2
  for ((i = 0; i < limit; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  say "timed out after ${limit}s waiting for $what"
  tail -n 30 "$work"/*.log >&2 || true
  exit 1
}

# SPARK_HOME needs only jars/: the Worker puts $SPARK_HOME/jars/* on every executor's classpath.
classpath="$jar:$(cat "$classpath_file")"
export SPARK_HOME="$work/spark-home"
mkdir -p "$SPARK_HOME/jars"
tr ':' '\n' <<<"$classpath" | while read -r entry; do ln -sf "$entry" "$SPARK_HOME/jars/"; done
export SPARK_SCALA_VERSION=2.12 SPARK_LOCAL_IP=127.0.0.1 OMP_NUM_THREADS=1

port="$(free_port)"
ui="$(free_port)"
say "master on spark://127.0.0.1:$port (web UI $ui)"
setsid java @"$root/jobs/jvm.options" -cp "$classpath" org.apache.spark.deploy.master.Master \
  --host 127.0.0.1 --port "$port" --webui-port "$ui" >"$work/master.log" 2>&1 &
pids+=($!)
master_alive() { http_get "$ui" /json/ | grep -q '"status" : "ALIVE"'; }
wait_for 60 "the master to be ALIVE" master_alive

for w in 1 2; do
  setsid java @"$root/jobs/jvm.options" -cp "$classpath" org.apache.spark.deploy.worker.Worker \
    --host 127.0.0.1 --cores 1 --memory 3g --webui-port 0 --work-dir "$work/worker$w" \
    "spark://127.0.0.1:$port" >"$work/worker$w.log" 2>&1 &
  pids+=($!)
done
two_workers() { [ "$(http_get "$ui" /json/ | grep -c '"state" : "ALIVE"')" -ge 2 ]; }
wait_for 60 "two workers to register" two_workers
say "two workers registered"

# submit SPEC OUT MLRUNS LOG: a sweep through jobs/submit.sh on the cluster, as this process (exec: run it in the
# background and $! is the driver JVM's pid).
submit() {
  RNNSWEEP_SHIP=classpath RNNSWEEP_SUBMIT_ARGS="--total-executor-cores 2 --executor-memory 2g \
    --conf spark.driver.host=127.0.0.1 --conf spark.scheduler.minRegisteredResourcesRatio=1.0" \
    exec "$root/jobs/submit.sh" "spark://127.0.0.1:$port" "$1" --out "$2" --tracking-uri "$3" >"$4" 2>&1
}

cat >"$work/spec.yaml" <<'YAML'
name: cluster-check
task: hello
objective: {metric: val_loss, mode: min}
space:
  hidden: [4, 8]
  lr: [0.01, 0.05]
fixed: {epochs: 3}
execution: {max_concurrent: 2, cpus_per_trial: 1, retries: 1}
YAML

say "submitting through jobs/submit.sh"
submit "$work/spec.yaml" "$work/out" "$work/mlruns" "$work/driver.log" &
driver=$!
if ! wait "$driver"; then
  say "the sweep failed"
  tail -n 40 "$work/driver.log" >&2
  exit 1
fi
cat "$work/driver.log"

trials="$work/out/trials.csv"
[ -f "$trials" ] || { say "no $trials"; exit 1; }
pid_col="$(head -1 "$trials" | tr ',' '\n' | grep -n '^pid$' | cut -d: -f1)"
status_col="$(head -1 "$trials" | tr ',' '\n' | grep -n '^status$' | cut -d: -f1)"
rows="$(tail -n +2 "$trials" | wc -l)"
finished="$(tail -n +2 "$trials" | cut -d, -f"$status_col" | grep -c '^FINISHED$' || true)"
executor_pids="$(tail -n +2 "$trials" | cut -d, -f"$pid_col" | sort -u)"
distinct="$(wc -l <<<"$executor_pids")"
say "driver pid $driver; executor pids: $(tr '\n' ' ' <<<"$executor_pids"); $finished of $rows rows FINISHED"
[ "$rows" -eq 12 ] || { say "expected 4 trials x 3 epochs = 12 rows, got $rows"; exit 1; }
[ "$finished" -eq 12 ] || { say "expected every trial FINISHED"; exit 1; }
if grep -qx "$driver" <<<"$executor_pids"; then say "a trial ran in the driver JVM"; exit 1; fi
[ "$distinct" -ge 2 ] || { say "expected trials on both executors, got pids: $executor_pids"; exit 1; }
# The executors logged their trials to the driver's embedded tracking server: four finished child runs,
# each tagged with an executor pid, three points of val_loss each.
child_runs="$(grep -l . "$work"/mlruns/*/*/tags/mlflow.parentRunId 2>/dev/null | wc -l)"
finished_runs="$(grep -lx 'status: 3' "$work"/mlruns/*/*/meta.yaml | wc -l)"
logged_pids="$(for f in "$work"/mlruns/*/*/tags/rnnsweep.pid; do cat "$f"; echo; done | sort -u | tr '\n' ' ')"
points="$(cat "$work"/mlruns/*/*/metrics/val_loss 2>/dev/null | wc -l)"
say "tracking: $child_runs child runs, $finished_runs finished runs (with the parent), pids $logged_pids, $points val_loss points"
[ "$child_runs" -eq 4 ] || { say "expected 4 child runs in $work/mlruns"; exit 1; }
[ "$finished_runs" -eq 5 ] || { say "expected the parent and 4 trial runs FINISHED"; exit 1; }
[ "$points" -eq 12 ] || { say "expected 4 trials x 3 epochs = 12 val_loss points"; exit 1; }
# Each executor stored its trials' learning curves off the trials' threads, before the sweep ended.
curves="$(for f in "$work"/mlruns/*/*/tags/mlflow.parentRunId; do
  [ -s "$(dirname "$(dirname "$f")")/artifacts/learning_curve.png" ] && echo; done | wc -l)"
[ "$curves" -eq 4 ] || { say "expected a learning_curve.png artifact on each of the 4 trial runs, got $curves"; exit 1; }
for pid in $logged_pids; do
  grep -qx "$pid" <<<"$executor_pids" || { say "a run was logged from pid $pid, not an executor"; exit 1; }
done
say "OK: 4 trials ran in $distinct executor JVMs other than the driver's and every result came back, logged to MLflow from the executors"

# Early stopping on the cluster: ASHA trains trials in segments, each a Spark job on whichever executor is free,
# with checkpoints in a folder both executors reach (a shared file: mount here; hdfs:// or s3a:// on a real cluster).
cat >"$work/asha.yaml" <<YAML
name: cluster-asha
task: hello
objective: {metric: val_loss, mode: min}
space:
  hidden: [4, 8, 16]
  lr: [0.01, 0.05]
scheduler: {algorithm: asha, max_epochs: 9, grace_epochs: 1, reduction_factor: 3,
            checkpoint_dir: "file:$work/shared-checkpoints"}
execution: {max_concurrent: 2, cpus_per_trial: 1, retries: 1}
YAML
say "submitting an ASHA sweep through jobs/submit.sh"
if ! (submit "$work/asha.yaml" "$work/asha-out" "$work/mlruns" "$work/asha.log"); then
  say "the ASHA sweep failed"
  tail -n 40 "$work/asha.log" >&2
  exit 1
fi
grep -E '^\[cluster-asha\]' "$work/asha.log" >&2 || true
board="$work/asha-out/leaderboard.csv"
[ -f "$board" ] || { say "no $board"; exit 1; }
# leaderboard.csv: rank,trial,run_name,hidden,lr,val_loss,best_epoch,status,epochs,rung
finished_asha="$(tail -n +2 "$board" | awk -F, '$8 == "FINISHED" && $9 == 9' | wc -l)"
stopped_asha="$(tail -n +2 "$board" | awk -F, '$8 == "KILLED" && $9 < 9' | wc -l)"
resumed="$(tail -n +2 "$board" | awk -F, '$9 > 1' | wc -l)"
kept="$(find "$work/shared-checkpoints" -name 'trial-*.zip' | wc -l)"
say "ASHA: $finished_asha trained to 9 epochs, $stopped_asha stopped early, $resumed resumed from a checkpoint, $kept checkpoints kept"
[ "$finished_asha" -ge 1 ] || { say "expected a trial trained to the end"; exit 1; }
[ $((finished_asha + stopped_asha)) -eq 6 ] || { say "expected every trial finished or stopped early"; exit 1; }
[ "$resumed" -ge 2 ] || { say "expected trials resumed from their checkpoints"; exit 1; }
[ "$kept" -eq "$finished_asha" ] || { say "expected checkpoints of finished trials only"; exit 1; }
say "OK: ASHA sweep on the cluster, segments resumed from checkpoints on a shared folder"

# An executor JVM killed with SIGKILL while it trains: Spark retries its trial on an executor the worker starts
# again; the sweep still ends with one run per trial, every epoch logged once, every trial FINISHED.
cat >"$work/kill.yaml" <<'YAML'
name: cluster-kill
task: hello
objective: {metric: val_loss, mode: min}
space:
  hidden: [4, 8]
  lr: [0.01, 0.05]
fixed: {epochs: 1000}
execution: {max_concurrent: 2, cpus_per_trial: 1, retries: 2}
YAML
say "submitting a sweep whose executor is killed while it trains"
submit "$work/kill.yaml" "$work/kill-out" "$work/kill-mlruns" "$work/kill.log" &
driver=$!
victim=""
training() { # some trial run holds at least 20 epochs of val_loss: the executor JVM that logs it goes in $victim
  local f
  for f in "$work"/kill-mlruns/*/*/metrics/val_loss; do
    if [ -f "$f" ] && [ "$(wc -l <"$f")" -ge 20 ]; then
      victim="$(cat "${f%/metrics/val_loss}/tags/rnnsweep.pid" 2>/dev/null || true)"
      [ -n "$victim" ] && return 0
    fi
  done
  return 1
}
wait_for 180 "a trial to train 20 epochs" training
# The victim is the JVM the training run names (not just any executor: the last sweep's may still be exiting).
say "killing executor JVM $victim with SIGKILL"
kill -KILL "$victim" || { say "executor JVM $victim was gone before it could be killed"; exit 1; }
if ! wait "$driver"; then
  say "the sweep with a killed executor failed"
  tail -n 40 "$work/kill.log" >&2
  exit 1
fi
kill_runs="$(grep -l . "$work"/kill-mlruns/*/*/tags/mlflow.parentRunId 2>/dev/null | wc -l)"
kill_finished="$(grep -lx 'status: 3' "$work"/kill-mlruns/*/*/meta.yaml | wc -l)"
retried="$(grep -lvx '1' "$work"/kill-mlruns/*/*/tags/rnnsweep.attempts 2>/dev/null | wc -l)"
say "killed executor: $kill_runs child runs, $kill_finished finished runs (with the parent), $retried retried"
[ "$kill_runs" -eq 4 ] || { say "expected one run per trial, 4, got $kill_runs"; exit 1; }
[ "$kill_finished" -eq 5 ] || { say "expected the parent and 4 trial runs FINISHED"; exit 1; }
[ "$retried" -ge 1 ] || { say "expected a trial retried after its executor was killed"; exit 1; }
for f in "$work"/kill-mlruns/*/*/metrics/val_loss; do
  steps="$(awk '{ print $3 }' "$f")"
  [ "$(wc -l <<<"$steps")" -eq 1000 ] && [ "$(sort -un <<<"$steps" | wc -l)" -eq 1000 ] \
    || { say "expected every epoch of every trial logged once: $f"; exit 1; }
done
rows="$(tail -n +2 "$work/kill-out/trials.csv" | wc -l)"
[ "$rows" -eq 4000 ] || { say "expected 4 trials x 1000 epochs = 4000 rows in trials.csv, got $rows"; exit 1; }
say "OK: an executor killed with SIGKILL mid-trial: its trial retried, one run per trial, every epoch once"
