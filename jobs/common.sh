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

# The BLAS library the JVM loads, from RNNSWEEP_BLAS: "auto" (the default) takes the system's OpenBLAS when
# this machine has one (Debian: apt-get install libopenblas0-pthread), "system" asks for it on any machine
# (JavaCPP falls back to the bundled one where there is none), "bundled" keeps the OpenBLAS 0.3.19 that comes
# with ND4J. Prints the JVM flags; exits 2 on any other value. The system library gets a JavaCPP cache of its
# own (RNNSWEEP_BLAS_CACHE, default ~/.javacpp/cache-system-blas): JavaCPP links it into its cache in place of
# the bundled one, and in the shared cache that would stick for later runs that did not ask for it.
rnnsweep_blas_flags() {
  case "${RNNSWEEP_BLAS:-auto}" in
    auto) rnnsweep_has_system_blas || return 0 ;;
    system) ;;
    bundled) return 0 ;;
    *)
      echo "rnnsweep: RNNSWEEP_BLAS must be auto, system or bundled, got '${RNNSWEEP_BLAS}'" >&2
      return 2 ;;
  esac
  echo "-Dorg.bytedeco.openblas.load=openblas" \
    "-Dorg.bytedeco.javacpp.cachedir=${RNNSWEEP_BLAS_CACHE:-$HOME/.javacpp/cache-system-blas}"
}

# Whether the dynamic linker knows a libopenblas.so.0 (where JavaCPP looks for it too).
rnnsweep_has_system_blas() {
  local known
  known="$( (/sbin/ldconfig -p || ldconfig -p) 2>/dev/null || true)"
  [[ "$known" == *"libopenblas.so.0 "* ]]
}
