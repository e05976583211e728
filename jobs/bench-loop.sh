#!/usr/bin/env bash
# The sweep driver loop's own cost, written as JSON (default: target/bench-loop.json): TRIALS (default 2000)
# trivial trials of a random search through the in-process executor, two at a time, under FIFO and under ASHA
# (rungs 1, 3, 9): milliseconds per trial of the whole loop (searcher, scheduler, callbacks, console progress,
# the result), median of three rounds after a warm-up. Goal: at most 1 ms per trial, so the driver never limits
# a sweep.
# Usage: jobs/bench-loop.sh [OUT.json] [TRIALS]    (about a minute, the build included)
set -euo pipefail
# shellcheck source=jobs/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
out="${1:-$root/target/bench-loop.json}"
rnnsweep_bench_class io.rnnsweep.execution.LoopBench "$out" "${2:-2000}"
echo "written: $out"
