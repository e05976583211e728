#!/usr/bin/env bash
# Spark GPU discovery script (spark.executor.resource.gpu.discoveryScript): prints the executor host's GPUs as
# the JSON Spark expects, with CUDA device indices as addresses, e.g. {"name": "gpu", "addresses": ["0","1"]}.
set -euo pipefail
indices=$(nvidia-smi --query-gpu=index --format=csv,noheader 2>/dev/null | tr -d ' ' | sed 's/.*/"&"/' | paste -sd, -)
echo "{\"name\": \"gpu\", \"addresses\": [${indices}]}"
