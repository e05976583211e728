#!/usr/bin/env bash
# Trainer benchmark on timemachine (the whole bundled corpus), one thread, written as JSON
# (default: target/bench-trainer.json):
#  - training tokens/s of rnnsweep's trainer for RNN 512, LSTM 256 and GRU 256 (batch 32 x 35 steps, SGD lr 1,
#    clip 1): median of epochs 2-4 (epoch 1 is the warm-up);
#  - the same models in PyTorch on the same machine, in the same run, when python3 can import torch
#    (Debian: apt-get install python3-torch), also on one thread (its BLAS included), and the ratio
#    rnnsweep / PyTorch;
#  - ND4J's single-thread SGEMM rate (jobs/rnnsweep sgemm, 1024 x 1024) and each model's share of it
#    (tokens/s x FLOP per token: 6 x (gates x (28 x h + h x h) + h x 28) for forward and backward);
#  - two trials at once: the same RNN 512 trial twice in one sweep on local[2], their summed tokens/s
#    against one trial alone (goal >= 1.9x);
#  - validation perplexity after 1, 5 and 20 epochs at the seed settings (RNN 512, SGD lr 1, clip 1).
# Usage: jobs/bench-trainer.sh [OUT.json]     (about 15 minutes on 2 cores)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/target/bench-trainer.json}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
corpus="$root/src/main/resources/io/rnnsweep/task/timemachine.txt"
# Debian's python3-torch installs for the system interpreter.
py=/usr/bin/python3
[ -x "$py" ] || py=python3

col() { # col FILE NAME -> values of that CSV column, one per line
  awk -F, -v name="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i; next } { print $c }' "$1"
}
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
median_after_warmup() { col "$1" tokens_per_sec | tail -n +2 | median; }

train() { # train NAME ARGS...
  local name="$1"; shift
  echo "bench-trainer: $name: jobs/rnnsweep train --task timemachine $*" >&2
  OMP_NUM_THREADS=1 "$root/jobs/rnnsweep" train --task timemachine --threads 1 --csv "$work/$name.csv" "$@" \
    >"$work/$name.log"
}
common=(--lr 1 --clip 1 --batch 32 --seq-len 35 --seed 0)
train rnn512 --cell rnn --hidden 512 --epochs 4 "${common[@]}"
train lstm256 --cell lstm --hidden 256 --epochs 4 "${common[@]}"
train gru256 --cell gru --hidden 256 --epochs 4 "${common[@]}"

sgemm="$(OMP_NUM_THREADS=1 "$root/jobs/rnnsweep" sgemm --size 1024 --threads 1 | sed -n 's/.*: \([0-9.]*\) GFLOP\/s/\1/p')"
echo "bench-trainer: ND4J sgemm, 1 thread: $sgemm GFLOP/s" >&2

flop() { awk -v g="$1" -v h="$2" 'BEGIN { printf "%.0f", 6 * (g * (28 * h + h * h) + h * 28) }'; }
share() { awk -v t="$1" -v f="$2" -v p="$3" 'BEGIN { printf "%.3f", t * f / (p * 1e9) }'; }
rnn="$(median_after_warmup "$work/rnn512.csv")"
lstm="$(median_after_warmup "$work/lstm256.csv")"
gru="$(median_after_warmup "$work/gru256.csv")"

torch_json=null
if "$py" -c 'import torch' 2>/dev/null; then
  echo "bench-trainer: PyTorch: python3 jobs/bench_torch.py (rnn:512 lstm:256 gru:256, 4 epochs)" >&2
  # torch.set_num_threads(1) does not reach Debian's torch's BLAS (the system OpenBLAS, its own thread pool):
  # without these, PyTorch's matrix products run on every core.
  torch_json="$(OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 \
    "$py" "$root/jobs/bench_torch.py" "$corpus" 4 rnn:512 lstm:256 gru:256)"
else
  echo "bench-trainer: $py cannot import torch: no PyTorch comparison (apt-get install python3-torch)" >&2
fi
torch_median() { # torch_median KEY
  [ "$torch_json" = null ] && { echo null; return; }
  "$py" -c 'import json,sys; v=json.loads(sys.argv[1])[sys.argv[2]][1:]; v.sort(); print(v[(len(v)-1)//2])' \
    "$torch_json" "$1"
}
ratio() { [ "$2" = null ] && { echo null; return; }; awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
t_rnn="$(torch_median rnn_512)"; t_lstm="$(torch_median lstm_256)"; t_gru="$(torch_median gru_256)"
t_sgemm=null
[ "$torch_json" != null ] && t_sgemm="$("$py" -c 'import json,sys; print(round(json.loads(sys.argv[1])["sgemm_gflops"], 1))' "$torch_json")"

# Two trials at once against one: the same trial (RNN 512, 3 epochs) in one sweep on local[2] / local[1].
two_trials() { # two_trials NAME MASTER SEEDS
  cat >"$work/$1.yaml" <<YAML
name: bench-$1
task: timemachine
objective: {metric: val_perplexity, mode: min}
space: {seed: [$3]}
fixed: {cell: rnn, hidden: 512, lr: 1, clip: 1, epochs: 3}
execution: {max_concurrent: 2, cpus_per_trial: 1}
YAML
  echo "bench-trainer: $1: rnnsweep sweep on $2" >&2
  "$root/jobs/rnnsweep" sweep "$work/$1.yaml" --master "$2" --out "$work/$1" --tracking-uri "$work/mlruns" \
    >"$work/$1.log" 2>&1
}
two_trials one 'local[1]' 0
two_trials two 'local[2]' '0, 1'
# tokens/s of epochs 2-3 of every trial, summed over the trials running together
one_rate="$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) { if ($i == "tokens_per_sec") c = i; if ($i == "epoch") e = i }; next } $e > 1 { s += $c; n++ } END { printf "%.0f", s / n }' "$work/one/trials.csv")"
two_rate="$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) { if ($i == "tokens_per_sec") c = i; if ($i == "epoch") e = i }; next } $e > 1 { s += $c; n++ } END { printf "%.0f", 2 * s / n }' "$work/two/trials.csv")"

train seed20 --cell rnn --hidden 512 --epochs 20 "${common[@]}"
ppl_at() { col "$work/seed20.csv" val_perplexity | sed -n "${1}p"; }

mkdir -p "$(dirname "$out")"
cat >"$out" <<JSON
{
  "task": "timemachine (whole bundled corpus)",
  "threads": 1,
  "batch": 32,
  "seq_len": 35,
  "clip": 1,
  "method": "training tokens/s, median of epochs 2-4 (epoch 1 is warm-up); the same run measures PyTorch",
  "sgemm_gflops_nd4j_1_thread": $sgemm,
  "sgemm_gflops_torch_1_thread": $t_sgemm,
  "rnn_512": {"rnnsweep": $rnn, "pytorch": $t_rnn, "ratio": $(ratio "$rnn" "$t_rnn"),
              "flop_per_token": $(flop 1 512), "share_of_sgemm_peak": $(share "$rnn" "$(flop 1 512)" "$sgemm")},
  "lstm_256": {"rnnsweep": $lstm, "pytorch": $t_lstm, "ratio": $(ratio "$lstm" "$t_lstm"),
               "flop_per_token": $(flop 4 256), "share_of_sgemm_peak": $(share "$lstm" "$(flop 4 256)" "$sgemm")},
  "gru_256": {"rnnsweep": $gru, "pytorch": $t_gru, "ratio": $(ratio "$gru" "$t_gru"),
              "flop_per_token": $(flop 3 256), "share_of_sgemm_peak": $(share "$gru" "$(flop 3 256)" "$sgemm")},
  "two_trials": {"one_trial_tokens_per_sec": $one_rate, "two_trials_tokens_per_sec": $two_rate,
                 "speedup": $(awk -v a="$two_rate" -v b="$one_rate" 'BEGIN { printf "%.3f", a / b }')},
  "val_perplexity_rnn512_sgd_lr1_clip1": {"epoch_1": $(ppl_at 1), "epoch_5": $(ppl_at 5), "epoch_20": $(ppl_at 20)},
  "pytorch_raw": $torch_json,
  "host": "$(hostname)",
  "cpu": "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')",
  "date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
}
JSON
cat "$out"
