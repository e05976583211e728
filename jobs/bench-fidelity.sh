#!/usr/bin/env bash
# Learning-curve fidelity benchmark, written as JSON (default: target/bench-fidelity.json): the character LM on the
# whole bundled The Time Machine at the seeds' settings (SGD lr 1, clip 1, batch 32 x 35 steps, the last 10% held
# out), trained by rnnsweep (`jobs/rnnsweep train --task timemachine`) and by the seeds' PyTorch code
# (jobs/bench_torch.py --curve: d2l's sequential loop, Debian's python3-torch) from each seed, side by side (the
# two of one model and seed at once, one thread each). Reported per model and seed: validation perplexity after
# epochs 1, 5 and the last, and training perplexity after the last; per model: each side's mean and range at
# those epochs, the ratio of the means, and whether every rnnsweep seed lies inside PyTorch's band (its seeds'
# range) at each of them.
# Environment: BENCH_MODELS (default "rnn:512 lstm:256 gru:256"), BENCH_SEEDS (default "0 1 2"), BENCH_EPOCHS
# (default 20).
# Usage: jobs/bench-fidelity.sh [OUT.json]     (RNN 512 alone, 3 seeds, 20 epochs: about 40 minutes on 2 cores)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/target/bench-fidelity.json}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
corpus="$root/src/main/resources/io/rnnsweep/task/timemachine.txt"
py=/usr/bin/python3 # Debian's python3-torch installs for the system interpreter
if ! "$py" -c 'import torch' 2>/dev/null; then
  echo "bench-fidelity: $py cannot import torch (apt-get install python3-torch)" >&2
  exit 2
fi
read -r -a models <<<"${BENCH_MODELS:-rnn:512 lstm:256 gru:256}"
read -r -a seeds <<<"${BENCH_SEEDS:-0 1 2}"
epochs="${BENCH_EPOCHS:-20}"
"$root/jobs/rnnsweep" tasks >/dev/null # builds the jar once, before the timed pairs

for spec in "${models[@]}"; do
  kind="${spec%%:*}"; hidden="${spec##*:}"
  for seed in "${seeds[@]}"; do
    echo "bench-fidelity: $spec seed $seed: rnnsweep and PyTorch, $epochs epochs, side by side" >&2
    OMP_NUM_THREADS=1 "$root/jobs/rnnsweep" train --task timemachine --threads 1 --cell "$kind" --hidden "$hidden" \
      --lr 1 --clip 1 --batch 32 --seq-len 35 --epochs "$epochs" --seed "$seed" \
      --csv "$work/rnnsweep-$kind$hidden-$seed.csv" >"$work/rnnsweep-$kind$hidden-$seed.log" 2>&1 &
    ours=$!
    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 \
      "$py" "$root/jobs/bench_torch.py" --curve "$seed" "$corpus" "$epochs" "$spec" \
      >"$work/torch-$kind$hidden-$seed.json" &
    theirs=$!
    wait "$ours"
    wait "$theirs"
  done
done

mkdir -p "$(dirname "$out")"
"$py" - "$work" "$out" "$epochs" "${models[@]}" -- "${seeds[@]}" <<'PY'
import csv, json, os, statistics, sys, time
work, out, epochs = sys.argv[1], sys.argv[2], int(sys.argv[3])
rest = sys.argv[4:]
models, seeds = rest[:rest.index("--")], rest[rest.index("--") + 1:]
marks = sorted({1, min(5, epochs), epochs})
result = {"settings": "timemachine, SGD lr 1, clip 1, batch 32 x 35, last 10% held out, one thread each",
          "epochs": epochs, "models": {}}
for spec in models:
    kind, hidden = spec.split(":")
    curves = {"rnnsweep": {}, "pytorch": {}}
    train = {"rnnsweep": {}, "pytorch": {}}
    for seed in seeds:
        with open(os.path.join(work, f"rnnsweep-{kind}{hidden}-{seed}.csv")) as f:
            rows = list(csv.DictReader(f))
            curves["rnnsweep"][seed] = [float(r["val_perplexity"]) for r in rows]
            train["rnnsweep"][seed] = float(rows[-1]["train_perplexity"])
        with open(os.path.join(work, f"torch-{kind}{hidden}-{seed}.json")) as f:
            run = json.load(f)
            curves["pytorch"][seed] = run["val_perplexity"]
            train["pytorch"][seed] = run["train_perplexity"][-1]
    model = {"val_perplexity": {side: {seed: {f"epoch_{e}": c[e - 1] for e in marks} for seed, c in by.items()}
                                for side, by in curves.items()},
             f"train_perplexity_epoch_{epochs}": train,
             f"train_perplexity_epoch_{epochs}_mean_ratio": statistics.mean(train["rnnsweep"].values())
                 / statistics.mean(train["pytorch"].values())}
    for e in marks:
        ours = [c[e - 1] for c in curves["rnnsweep"].values()]
        theirs = [c[e - 1] for c in curves["pytorch"].values()]
        model[f"epoch_{e}"] = {"rnnsweep_mean": statistics.mean(ours), "rnnsweep_range": [min(ours), max(ours)],
                               "pytorch_mean": statistics.mean(theirs), "pytorch_range": [min(theirs), max(theirs)],
                               "mean_ratio": statistics.mean(ours) / statistics.mean(theirs),
                               "every_rnnsweep_seed_in_pytorch_band":
                                   all(min(theirs) <= v <= max(theirs) for v in ours)}
    result["models"][spec] = model
result["date"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
with open(out, "w") as f:
    json.dump(result, f, indent=2)
    f.write("\n")
PY
cat "$out"
