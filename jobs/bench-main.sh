#!/usr/bin/env bash
# The README's main command end to end (jobs/rnnsweep sweep conf/hello.yaml: JVM and Spark start, the 12
# trials, the report), this checkout against an earlier commit built beside it, the two run in turns on the same
# machine; written as JSON (default: target/bench-main.json) with each side's median seconds and their ratio.
# Usage: jobs/bench-main.sh BASELINE_COMMIT [RUNS_EACH (default 3)] [OUT.json]    (about 2 minutes)
set -euo pipefail
# shellcheck source=jobs/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
baseline="${1:?usage: jobs/bench-main.sh BASELINE_COMMIT [RUNS_EACH] [OUT.json]}"
runs="${2:-3}"
out="${3:-$root/target/bench-main.json}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

commit="$(git -C "$root" rev-parse --verify "$baseline^{commit}")"
mkdir -p "$work/baseline"
git -C "$root" archive "$commit" | tar -x -C "$work/baseline"
echo "bench-main: building the baseline $commit and this checkout" >&2
"$work/baseline/jobs/rnnsweep" tasks >/dev/null
"$root/jobs/rnnsweep" tasks >/dev/null

run() { # run SIDE ROOT N: prints the seconds the main command took
  local dir="$work/run-$1-$3"
  mkdir -p "$dir"
  local t0 t1
  t0="$(date +%s.%N)"
  (cd "$dir" && "$2/jobs/rnnsweep" sweep "$root/conf/hello.yaml" --out "$dir/out" --tracking-uri "$dir/mlruns" \
    >"$dir/log" 2>&1) || { echo "bench-main: $1 run $3 failed:" >&2; tail -20 "$dir/log" >&2; exit 1; }
  t1="$(date +%s.%N)"
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'
}

current=()
base=()
for ((i = 1; i <= runs; i++)); do
  base+=("$(run baseline "$work/baseline" "$i")")
  current+=("$(run current "$root" "$i")")
  echo "bench-main: run $i: baseline ${base[-1]} s, this checkout ${current[-1]} s" >&2
done

python3 - "$out" "$commit" "$(git -C "$root" rev-parse HEAD)" "$(nproc)" "${base[*]}" "${current[*]}" <<'PY'
import json, os, statistics, sys, datetime
out, commit, head, cores, base, current = sys.argv[1:7]
base = [float(x) for x in base.split()]
current = [float(x) for x in current.split()]
result = {
    "command": "jobs/rnnsweep sweep conf/hello.yaml (end to end: JVM, Spark, 12 trials, report)",
    "baseline": {"commit": commit, "seconds": base, "median_seconds": statistics.median(base)},
    "current": {"commit": head, "working_tree": True, "seconds": current, "median_seconds": statistics.median(current)},
    "speedup": round(statistics.median(base) / statistics.median(current), 3),
    "goal": 1.6,
    "cores": int(cores),
    "date": datetime.datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"),
}
os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
with open(out, "w") as f:
    json.dump(result, f, indent=2)
print(json.dumps(result, indent=2))
PY
