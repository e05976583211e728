#!/usr/bin/env bash
# Submits a sweep to a Spark cluster (standalone, YARN, Kubernetes) in client deploy mode: the driver runs
# here and fans the trials out over the cluster's executors.
#
#   jobs/submit.sh MASTER SPEC [sweep options]     e.g. jobs/submit.sh spark://10.0.0.5:7077 conf/timemachine-grid.yaml
#
# MASTER: spark://HOST:PORT | yarn | k8s://https://HOST:PORT | local[N]. Sweep options (--out, --max-concurrent)
# pass through to `rnnsweep sweep`. The spec is validated first: a bad spec exits 2 before anything is submitted.
# When the spec asks for gpus_per_trial > 0, conf/spark-gpu.conf is applied and jobs/get-gpus.sh shipped.
#
# Environment:
#   SPARK_HOME          use $SPARK_HOME/bin/spark-submit (else Spark's SparkSubmit from this project's classpath)
#   RNNSWEEP_SHIP       how executors get DL4J/ND4J: "jars" (default: --jars, everything but Spark, Scala and
#                       Hadoop, which the cluster has) or "classpath" (spark.executor.extraClassPath = this
#                       machine's paths; for executors on this host or on hosts with the same ~/.m2)
#   RNNSWEEP_SUBMIT_ARGS extra spark-submit arguments (e.g. "--executor-memory 8g --total-executor-cores 4")
#   RNNSWEEP_BLAS       auto | system | bundled (see jobs/common.sh): the BLAS the driver and every executor
#                       load, each from its own host (libopenblas.so.0 for auto and system)
set -euo pipefail
# shellcheck source=jobs/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

if [ $# -lt 2 ]; then
  sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
master="$1"
spec="$2"
shift 2
blas_flags="$(rnnsweep_blas_flags)" || exit 2
rnnsweep_ensure_built

summary="$("$root/jobs/rnnsweep" validate "$spec")" # exits 2 with the offending field on a bad spec
cpus="$(sed -n 's/.*execution: .*, \([0-9]*\) cpu and \([0-9]*\) gpu per trial.*/\1/p' <<<"$summary")"
gpus="$(sed -n 's/.*execution: .*, \([0-9]*\) cpu and \([0-9]*\) gpu per trial.*/\2/p' <<<"$summary")"
name="$(sed -n 's/^sweep \([^:]*\):.*/\1/p' <<<"$summary")"

classpath="$(cat "$classpath_file")"
flags="$(rnnsweep_jvm_flags)"
# The driver (where local[N] trials train) and every executor take the BLAS RNNSWEEP_BLAS asks for, each
# deciding on its own host (auto: the host's libopenblas.so.0 where it has one).
executor_flags="$flags $blas_flags"
args=(--master "$master" --deploy-mode client --name "rnnsweep $name" --class io.rnnsweep.cli.Main
  --conf "spark.driver.extraJavaOptions=$flags $blas_flags" --conf "spark.executor.extraJavaOptions=$executor_flags"
  --conf "spark.task.cpus=$cpus" --conf "spark.executorEnv.OMP_NUM_THREADS=$cpus")

case "${RNNSWEEP_SHIP:-jars}" in
  classpath) args+=(--conf "spark.executor.extraClassPath=$jar:$classpath") ;;
  jars)
    jars="$(tr ':' '\n' <<<"$classpath" | grep -vE '/org/apache/spark/|/org/scala-lang/|/org/apache/hadoop/' | paste -sd, -)"
    args+=(--jars "$jars") ;;
  *) echo "submit.sh: RNNSWEEP_SHIP must be jars or classpath, got '${RNNSWEEP_SHIP}'" >&2; exit 2 ;;
esac

if [ "${gpus:-0}" -gt 0 ]; then
  args+=(--properties-file "$root/conf/spark-gpu.conf" --files "$root/jobs/get-gpus.sh"
    --conf "spark.executor.resource.gpu.discoveryScript=./get-gpus.sh"
    --conf "spark.executor.resource.gpu.amount=$gpus" --conf "spark.task.resource.gpu.amount=$gpus"
    --conf "spark.task.cpus=$cpus" --conf "spark.executorEnv.OMP_NUM_THREADS=$cpus")
fi

# shellcheck disable=SC2206
extra=(${RNNSWEEP_SUBMIT_ARGS:-})
if [ -x "${SPARK_HOME:-/nonexistent}/bin/spark-submit" ]; then
  exec "$SPARK_HOME/bin/spark-submit" "${args[@]}" "${extra[@]}" "$jar" sweep "$spec" "$@"
fi
# No Spark distribution: run Spark's SparkSubmit from the project's own classpath (the driver runs in it).
export OMP_NUM_THREADS="$cpus"
# shellcheck disable=SC2086
exec "${JAVA:-java}" @"$root/jobs/jvm.options" $blas_flags -cp "$jar:$classpath" org.apache.spark.deploy.SparkSubmit \
  "${args[@]}" "${extra[@]}" "$jar" sweep "$spec" "$@"
