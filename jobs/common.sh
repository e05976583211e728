# Shared by jobs/rnnsweep and jobs/submit.sh (sourced, not run): where the build lives, and building it when
# the jar is missing or older than the sources.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/target/rnnsweep.jar"
classpath_file="$root/target/classpath.txt"

rnnsweep_stale() {
  [ ! -f "$jar" ] || [ ! -f "$classpath_file" ] && return 0
  [ -n "$(find "$root/src/main" "$root/pom.xml" -newer "$jar" -print -quit)" ]
}

# Maven: $MVN, else the mvn on the PATH, else the project's wrapper (./mvnw fetches Maven on first use).
rnnsweep_mvn() {
  if [ -n "${MVN:-}" ]; then
    echo "$MVN"
  elif command -v mvn >/dev/null 2>&1; then
    echo mvn
  else
    echo "$root/mvnw"
  fi
}

rnnsweep_ensure_built() {
  if rnnsweep_stale; then
    echo "rnnsweep: building $jar (sources changed or jar missing) ..." >&2
    (cd "$root" && "$(rnnsweep_mvn)" -q -B -DskipTests package) >&2
    touch "$jar"
  fi
}

# The JVM flags of jobs/jvm.options on one line (for spark.*.extraJavaOptions).
rnnsweep_jvm_flags() {
  grep -v '^\s*#' "$root/jobs/jvm.options" | tr '\n' ' '
}

# The BLAS request for the JVM, from RNNSWEEP_BLAS: "auto" (the default) takes the system's OpenBLAS when
# the JVM finds one it can load (Debian: apt-get install libopenblas0-pthread), "system" asks for it and warns
# where there is none, "bundled" keeps the OpenBLAS 0.3.19 that comes with ND4J. The JVM decides and links the
# library for JavaCPP itself (io.rnnsweep.train.BlasChoice), with a JavaCPP cache of its own
# (RNNSWEEP_BLAS_CACHE, default ~/.javacpp/cache-system-blas); RNNSWEEP_BLAS_PATH (folders, colon-separated)
# replaces the dynamic linker's folders it looks in. Prints the JVM flags; exits 2 on any other value.
rnnsweep_blas_flags() {
  case "${RNNSWEEP_BLAS:-auto}" in
    auto|system|bundled) ;;
    *)
      echo "rnnsweep: RNNSWEEP_BLAS must be auto, system or bundled, got '${RNNSWEEP_BLAS}'" >&2
      return 2 ;;
  esac
  local flags="-Drnnsweep.blas=${RNNSWEEP_BLAS:-auto}"
  [ -n "${RNNSWEEP_BLAS_CACHE:-}" ] && flags="$flags -Drnnsweep.blas.cache=$RNNSWEEP_BLAS_CACHE"
  [ -n "${RNNSWEEP_BLAS_PATH+set}" ] && flags="$flags -Drnnsweep.blas.path=$RNNSWEEP_BLAS_PATH"
  echo "$flags"
}
