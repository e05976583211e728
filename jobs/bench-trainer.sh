#!/usr/bin/env bash
# Trainer benchmark on timemachine (the whole bundled corpus), one thread, written as JSON
# (default: target/bench-trainer.json):
#  - training tokens/s of rnnsweep's trainer for RNN 512, LSTM 256 and GRU 256 (batch 32 x 35 steps, SGD lr 1,
#    clip 1): each run's median of epochs 2-4 (epoch 1 is the warm-up);
#  - the same models in PyTorch on the same machine, in the same run, when python3 can import torch
#    (Debian: apt-get install python3-torch), also on one thread (its BLAS included), and the ratio
#    rnnsweep / PyTorch;
#  - which BLAS each side called: rnnsweep's as jobs/rnnsweep chose it (RNNSWEEP_BLAS, default auto: the
#    system's OpenBLAS where there is one, the one PyTorch from Debian calls too), PyTorch's as it mapped it;
#  - ND4J's single-thread SGEMM rate (jobs/rnnsweep sgemm, 1024 x 1024) and each model's share of it
#    (tokens/s x FLOP per token: 6 x (gates x (28 x h + h x h) + h x 28) for forward and backward);
#  - two trials at once: RNN 512 trials two at a time in one sweep on local[2], their summed tokens/s against
#    one trial alone on local[1] right before (goal >= 1.9x), in rounds too: the median speedup, for the
#    second wave of trials (a JVM warmed up by the first, as in every later wave of a sweep) and for the first
#    (a fresh JVM, whose JIT compilation has a spare core only when a trial runs alone); for reference, in the same
#    round, the same pair in PyTorch and ND4J's SGEMM alone and twice at once (how far this machine lets two
#    BLAS-bound processes scale);
#  - validation perplexity after 1, 5 and 20 epochs at the seed settings (RNN 512, SGD lr 1, clip 1).
# A shared VM's speed drifts by 20% and more from minute to minute, so the comparison runs in rounds
# (BENCH_ROUNDS, default 3): each round measures the SGEMM rate, then every model in rnnsweep and right after
# in PyTorch. Per model: the median over rounds of each side, and the median of the per-round ratios.
# Usage: jobs/bench-trainer.sh [OUT.json]     (about 20 minutes on 2 cores)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/target/bench-trainer.json}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
corpus="$root/src/main/resources/io/rnnsweep/task/timemachine.txt"
# Debian's python3-torch installs for the system interpreter.
py=/usr/bin/python3
[ -x "$py" ] || py=python3

train() { # train NAME ARGS...
  local name="$1"; shift
  echo "bench-trainer: $name: jobs/rnnsweep train --task timemachine $*" >&2
  OMP_NUM_THREADS=1 "$root/jobs/rnnsweep" train --task timemachine --threads 1 --csv "$work/$name.csv" "$@" \
    >"$work/$name.log"
}
pytorch() { # pytorch EPOCHS SPEC OUT.json: jobs/bench_torch.py on one thread
  # torch.set_num_threads(1) does not reach Debian's torch's BLAS (the system OpenBLAS, its own thread pool):
  # without these, PyTorch's matrix products run on every core.
  OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 \
    "$py" "$root/jobs/bench_torch.py" "$corpus" "$1" "$2" >"$3"
}
common=(--lr 1 --clip 1 --batch 32 --seq-len 35 --seed 0)
models=(rnn:512 lstm:256 gru:256)
rounds="${BENCH_ROUNDS:-3}"
torch=no
if "$py" -c 'import torch' 2>/dev/null; then
  torch=yes
else
  echo "bench-trainer: $py cannot import torch: no PyTorch comparison (apt-get install python3-torch)" >&2
fi
sgemm() { # sgemm REPEATS OUT: ND4J's single-thread SGEMM rate, 1024 x 1024, in GFLOP/s
  OMP_NUM_THREADS=1 "$root/jobs/rnnsweep" sgemm --size 1024 --threads 1 --repeats "$1" \
    | sed -n 's/.*: \([0-9.]*\) GFLOP\/s/\1/p' >"$2"
}
alone_then_two() { # alone_then_two NAME EXT COMMAND ARGS...: COMMAND ARGS OUT once alone, then twice at once
  # (OUT: NAME-one-ROUND.EXT, then NAME-two-ROUND-a.EXT and NAME-two-ROUND-b.EXT in the work folder)
  local name="$1" ext="$2"; shift 2
  "$@" "$work/$name-one-$round.$ext"
  "$@" "$work/$name-two-$round-a.$ext" & local first=$!
  "$@" "$work/$name-two-$round-b.$ext" & local second=$!
  wait "$first"
  wait "$second"
}
for round in $(seq 1 "$rounds"); do
  sgemm 20 "$work/sgemm-$round.txt"
  echo "bench-trainer: round $round: ND4J sgemm, 1 thread: $(cat "$work/sgemm-$round.txt") GFLOP/s" >&2
  for spec in "${models[@]}"; do
    kind="${spec%%:*}"; hidden="${spec##*:}"
    train "$kind$hidden-$round" --cell "$kind" --hidden "$hidden" --epochs 4 "${common[@]}"
    if [ "$torch" = yes ]; then
      echo "bench-trainer: round $round: PyTorch $spec: python3 jobs/bench_torch.py" >&2
      pytorch 4 "$spec" "$work/torch-$kind$hidden-$round.json"
    fi
  done
done

# Two trials at once against one: the same trial (RNN 512, 5 epochs) in one sweep on local[2] / local[1], in two
# waves. A sweep starts its trials in index order as slots free up: on local[1] trial 0, then trial 1; on local[2]
# trials 0 and 1 together, then trials 2 and 3. The first wave runs in a fresh JVM, still compiling (a trial alone
# leaves that work to the idle core); the second in a JVM warmed by the first, as every later wave of a sweep does.
two_trials() { # two_trials NAME MASTER SEEDS
  cat >"$work/$1.yaml" <<YAML
name: bench-$1
task: timemachine
objective: {metric: val_perplexity, mode: min}
space: {seed: [$3]}
fixed: {cell: rnn, hidden: 512, lr: 1, clip: 1, epochs: 5}
execution: {max_concurrent: 2, cpus_per_trial: 1}
YAML
  echo "bench-trainer: $1: rnnsweep sweep on $2" >&2
  "$root/jobs/rnnsweep" sweep "$work/$1.yaml" --master "$2" --out "$work/$1" --tracking-uri "$work/mlruns" \
    >"$work/$1.log" 2>&1
}
rate() { # rate FILE TRIAL...: the summed tokens/s of the trials, each its mean over epochs 2-4 (epoch 5: slack for
  # a partner that started a moment later, so that no measured epoch runs alone)
  local file="$1"; shift
  awk -F, -v list=" $* " 'FNR == 1 {
      for (i = 1; i <= NF; i++) { if ($i == "tokens_per_sec") c = i; if ($i == "epoch") e = i
        if ($i == "trial") t = i }
      next }
    index(list, " " $t " ") && $e >= 2 && $e <= 4 { s[$t] += $c; n[$t]++ }
    END { for (k in s) sum += s[k] / n[k]; printf "%.0f", sum }' "$file"
}
: >"$work/two-trials.txt"
# Per round: one trial alone, then two together (first and second wave), the SGEMM pair and PyTorch's pair.
for round in $(seq 1 "$rounds"); do
  two_trials "one-$round" 'local[1]' '0, 1'
  two_trials "two-$round" 'local[2]' '0, 1, 2, 3'
  echo "$(rate "$work/one-$round/trials.csv" 0) $(rate "$work/two-$round/trials.csv" 0 1)" \
    "$(rate "$work/one-$round/trials.csv" 1) $(rate "$work/two-$round/trials.csv" 2 3)" >>"$work/two-trials.txt"
  # How far this machine lets two BLAS-bound processes scale: SGEMM alone, then twice at once. 600 multiplies
  # (about 15 s) each, so that the two JVMs' different start-up times shift the overlap by a few percent at most.
  echo "bench-trainer: round $round: ND4J sgemm, one process, then two at once" >&2
  alone_then_two sgemm txt sgemm 600
  if [ "$torch" = yes ]; then
    echo "bench-trainer: round $round: PyTorch rnn:512, one process, then two at once" >&2
    alone_then_two torch json pytorch 5 rnn:512
  fi
done

train seed20 --cell rnn --hidden 512 --epochs 20 "${common[@]}"

mkdir -p "$(dirname "$out")"
"$py" - "$work" "$out" "$rounds" "$(hostname)" \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')" "${models[@]}" <<'PY'
import csv, json, os, statistics, sys, time

work, out, rounds, host, cpu = sys.argv[1:6]
rounds = int(rounds)
models = [m.split(":") for m in sys.argv[6:]]


def after_warmup(values):
    return statistics.median(values[1:])


def ours(name):
    with open(os.path.join(work, name + ".csv")) as f:
        return after_warmup([float(r["tokens_per_sec"]) for r in csv.DictReader(f)])


def theirs(name):
    path = os.path.join(work, "torch-" + name + ".json")
    if not os.path.exists(path):
        return None, None
    with open(path) as f:
        raw = json.load(f)
    torch_blas.add(raw.get("blas"))
    return after_warmup(torch_epochs(raw)), raw["sgemm_gflops"]


def torch_epochs(raw):
    """The per-epoch training tokens/s in a jobs/bench_torch.py result."""
    return next(v for v in raw.values() if isinstance(v, list))


def number(name):
    """The number a step wrote to NAME.txt."""
    with open(os.path.join(work, name + ".txt")) as f:
        return float(f.read())


def alone_then_two(name, read):
    """Per round, (one alone, the sum of two at once) as jobs/bench-trainer.sh's alone_then_two wrote them."""
    return [(read(f"{name}-one-{r}"), read(f"{name}-two-{r}-a") + read(f"{name}-two-{r}-b"))
            for r in range(1, rounds + 1)]


def speedups(pairs):
    """The median speedup of (one, two) pairs, and every round."""
    return {"speedup": round(statistics.median(p[1] / p[0] for p in pairs), 3),
            "rounds": [{"one": round(p[0], 1), "two": round(p[1], 1), "speedup": round(p[1] / p[0], 3)}
                       for p in pairs]}


torch_blas = set()
sgemm = [number(f"sgemm-{r}") for r in range(1, rounds + 1)]
peak = statistics.median(sgemm)
result = {
    "task": "timemachine (whole bundled corpus)",
    "threads": 1, "batch": 32, "seq_len": 35, "clip": 1, "rounds": rounds,
    "method": "each round: ND4J SGEMM, then per model rnnsweep and right after PyTorch (both one thread); "
              "a run's tokens/s is the median of its epochs 2-4; per model the median over rounds, the ratio "
              "the median of the per-round ratios",
    "sgemm_gflops_nd4j_1_thread": round(peak, 1),
    "sgemm_gflops_nd4j_rounds": sgemm,
}
torch_sgemm = []
for kind, hidden in models:
    gates = {"rnn": 1, "lstm": 4, "gru": 3}[kind]
    h = int(hidden)
    flop = 6 * (gates * (28 * h + h * h) + h * 28)
    mine, torch, ratios = [], [], []
    for r in range(1, rounds + 1):
        name = f"{kind}{hidden}-{r}"
        a = ours(name)
        b, s = theirs(name)
        mine.append(round(a, 1))
        if b is not None:
            torch.append(round(b, 1))
            ratios.append(round(a / b, 3))
            torch_sgemm.append(s)
    entry = {"rnnsweep": round(statistics.median(mine), 1), "rnnsweep_rounds": mine,
             "flop_per_token": flop,
             "share_of_sgemm_peak": round(statistics.median(mine) * flop / (peak * 1e9), 3)}
    if torch:
        entry.update({"pytorch": round(statistics.median(torch), 1), "pytorch_rounds": torch,
                      "ratio": round(statistics.median(ratios), 3), "ratios": ratios})
    result[f"{kind}_{hidden}"] = entry
result["sgemm_gflops_torch_1_thread"] = round(statistics.median(torch_sgemm), 1) if torch_sgemm else None
with open(os.path.join(work, f"{models[0][0]}{models[0][1]}-1.log")) as f:
    mine = next((line.split(":", 1)[1].strip() for line in f if line.startswith("blas:")), None)
result["blas"] = {"rnnsweep": mine, "pytorch": sorted(b for b in torch_blas if b)}
pairs = [tuple(float(v) for v in line.split()) for line in open(os.path.join(work, "two-trials.txt"))]
warm = [(p[2], p[3]) for p in pairs]
result["two_trials"] = {
    "method": "one sweep of RNN 512 trials (5 epochs) on local[1] against one on local[2]; a trial's tokens/s is "
              "its mean over epochs 2-4; second wave: trial 1 alone against trials 2 and 3 together, in a JVM the "
              "first wave warmed up (as every wave of a sweep after its first); first wave: trial 0 against trials "
              "0 and 1, in a fresh JVM",
    "one_trial_tokens_per_sec": statistics.median(p[0] for p in warm),
    "two_trials_tokens_per_sec": statistics.median(p[1] for p in warm),
    **speedups(warm),
    "first_wave_fresh_jvm": speedups([(p[0], p[1]) for p in pairs]),
    "sgemm_reference": {"method": "ND4J SGEMM 1024 x 1024, one thread, 600 multiplies: one process alone, then two "
                                  "at once, right after the trials; GFLOP/s",
                        **speedups(alone_then_two("sgemm", number))}}


def torch_rate(name):
    """Mean training tokens/s of epochs 2-5 of a PyTorch run."""
    with open(os.path.join(work, name + ".json")) as f:
        return statistics.mean(torch_epochs(json.load(f))[1:])


if os.path.exists(os.path.join(work, "torch-one-1.json")):
    result["two_trials"]["pytorch_reference"] = {
        "method": "the same RNN 512 in jobs/bench_torch.py: one process alone, then two at once, epochs 2-5 of 5",
        **speedups(alone_then_two("torch", torch_rate))}
with open(os.path.join(work, "seed20.csv")) as f:
    ppl = [float(r["val_perplexity"]) for r in csv.DictReader(f)]
result["val_perplexity_rnn512_sgd_lr1_clip1"] = {"epoch_1": ppl[0], "epoch_5": ppl[4], "epoch_20": ppl[19]}
result.update({"host": host, "cpu": cpu, "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
with open(out, "w") as f:
    json.dump(result, f, indent=2)
    f.write("\n")
PY
cat "$out"
