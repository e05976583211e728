#!/usr/bin/env bash
# Trainer benchmark on timemachine, one thread, written as JSON (default: target/bench-trainer.json):
#  - training tokens/s of RNN 512 and LSTM 256 (batch 32 x 35 steps, clip 1): median of epochs 2-4
#    (epoch 1 is the warm-up);
#  - validation perplexity after 1, 5 and 20 epochs at the seed settings (RNN 512, SGD lr 1, clip 1).
# Usage: jobs/bench-trainer.sh [OUT.json]     (about 10 minutes on one core)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/target/bench-trainer.json}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

col() { # col FILE NAME -> values of that CSV column, one per line
  awk -F, -v name="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i; next } { print $c }' "$1"
}
median_after_warmup() { col "$1" tokens_per_sec | tail -n +2 | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

run() { # run NAME ARGS...
  local name="$1"; shift
  echo "bench-trainer: $name: jobs/rnnsweep train --task timemachine $*" >&2
  "$root/jobs/rnnsweep" train --task timemachine --threads 1 --csv "$work/$name.csv" "$@" >"$work/$name.log"
}

run rnn512 --cell rnn --hidden 512 --lr 1 --clip 1 --batch 32 --seq-len 35 --epochs 4 --seed 0
run lstm256 --cell lstm --hidden 256 --lr 1 --clip 1 --batch 32 --seq-len 35 --epochs 4 --seed 0
run seed20 --cell rnn --hidden 512 --lr 1 --clip 1 --batch 32 --seq-len 35 --epochs 20 --seed 0

ppl_at() { col "$work/seed20.csv" val_perplexity | sed -n "${1}p"; }
mkdir -p "$(dirname "$out")"
cat >"$out" <<JSON
{
  "task": "timemachine",
  "threads": 1,
  "batch": 32,
  "seq_len": 35,
  "clip": 1,
  "tokens_per_sec": {
    "rnn_512": $(median_after_warmup "$work/rnn512.csv"),
    "lstm_256": $(median_after_warmup "$work/lstm256.csv")
  },
  "tokens_per_sec_method": "median of epochs 2-4 (epoch 1 is warm-up), training time only",
  "val_perplexity_rnn512_sgd_lr1_clip1": {
    "epoch_1": $(ppl_at 1),
    "epoch_5": $(ppl_at 5),
    "epoch_20": $(ppl_at 20)
  },
  "reference_pytorch_1_13_one_thread": {
    "tokens_per_sec": {"rnn_512": 34000, "lstm_256": 31000},
    "val_perplexity": {"epoch_1": 9.5, "epoch_5": 8.1, "epoch_20": 6.1}
  },
  "host": "$(hostname)",
  "cpu": "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')",
  "date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
}
JSON
cat "$out"
