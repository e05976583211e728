# Shared by jobs/rnnsweep and jobs/submit.sh (sourced, not run): where the build lives, and building it when
# the jar is missing or older than the sources.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/target/rnnsweep.jar"
classpath_file="$root/target/classpath.txt"

rnnsweep_stale() {
  [ ! -f "$jar" ] || [ ! -f "$classpath_file" ] && return 0
  [ -n "$(find "$root/src/main" "$root/pom.xml" -newer "$jar" -print -quit)" ]
}

rnnsweep_ensure_built() {
  if rnnsweep_stale; then
    echo "rnnsweep: building $jar (sources changed or jar missing) ..." >&2
    (cd "$root" && "${MVN:-mvn}" -q -B -DskipTests package) >&2
    touch "$jar"
  fi
}

# The JVM flags of jobs/jvm.options on one line (for spark.*.extraJavaOptions).
rnnsweep_jvm_flags() {
  grep -v '^\s*#' "$root/jobs/jvm.options" | tr '\n' ' '
}
