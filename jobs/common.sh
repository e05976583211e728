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

# Runs a benchmark class of the test sources (rnnsweep_bench_class CLASS ARGS...): builds the jar and the test
# classes when needed, then runs CLASS's main with the project's JVM flags.
rnnsweep_bench_class() {
  rnnsweep_ensure_built
  (cd "$root" && "$(rnnsweep_mvn)" -q -B -o test-compile 2>/dev/null || "$(rnnsweep_mvn)" -q -B test-compile) >&2
  "${JAVA:-java}" @"$root/jobs/jvm.options" -cp "$root/target/test-classes:$root/target/classes:$(cat "$classpath_file")" \
    "$@"
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

# A class-data-sharing archive (JDK 17's dynamic AppCDS) of the classes the README's main command loads: made
# once per build (and per JDK) by running that command on a scratch folder (about 20 s), it takes about 1 s off
# every later command's start (JVM, Spark, ND4J, tracking and report classes come pre-parsed and pre-verified).
# RNNSWEEP_CDS=off leaves it out. Prints the JVM flags that use it; none when it cannot be made here.
cds_archive="$root/target/rnnsweep.jsa"
rnnsweep_cds_flags() { # rnnsweep_cds_flags BLAS_FLAGS
  [ "${RNNSWEEP_CDS:-on}" = off ] && return 0
  # JDK 17 crashes (SIGSEGV in KlassFactory::check_shared_class_file_load_hook) loading a dynamic archive's classes
  # under a class-file load hook: Flight Recorder or a Java agent in RNNSWEEP_JAVA_OPTS starts without the archive.
  case " ${RNNSWEEP_JAVA_OPTS:-} " in
    *FlightRecord*|*-javaagent:*|*-agentlib:*|*-agentpath:*) return 0 ;;
  esac
  local java stamp
  java="$(command -v "${JAVA:-java}")" || return 0
  java="$(readlink -f "$java")"
  stamp="$(stat -c %Y:%s "$jar") $(md5sum <"$classpath_file" | cut -c1-32) $java $(stat -c %Y "$java")"
  if [ "$(cat "$cds_archive.stamp" 2>/dev/null)" != "$stamp" ]; then
    [ "$(cat "$cds_archive.failed" 2>/dev/null)" = "$stamp" ] && return 0
    local scratch
    scratch="$(mktemp -d "$root/target/cds.XXXXXX")"
    echo "rnnsweep: preparing a class archive for faster starts (once per build, about 20 s) ..." >&2
    # shellcheck disable=SC2086
    if (cd "$scratch" && OMP_NUM_THREADS=1 "$java" @"$root/jobs/jvm.options" $1 \
          -XX:ArchiveClassesAtExit="$scratch/classes.jsa" -cp "$jar:$(cat "$classpath_file")" io.rnnsweep.cli.Main \
          sweep "$root/conf/hello.yaml" --out "$scratch/out" --tracking-uri "$scratch/mlruns" >"$scratch/log" 2>&1) \
        && [ -s "$scratch/classes.jsa" ]; then
      # Renamed into place within target/ (one filesystem): a command starting meanwhile reads a whole archive.
      mv -f "$scratch/classes.jsa" "$cds_archive" && echo "$stamp" >"$cds_archive.stamp"
    else
      echo "rnnsweep: no class archive on this JDK (see RNNSWEEP_CDS in jobs/common.sh); commands start without" >&2
      echo "$stamp" >"$cds_archive.failed"
    fi
    rm -rf "$scratch"
    [ "$(cat "$cds_archive.stamp" 2>/dev/null)" = "$stamp" ] || return 0
  fi
  # An archive the JVM cannot map after all (another JDK build) only costs the speed-up: no warning for it.
  echo "-XX:SharedArchiveFile=$cds_archive -Xlog:cds=off -Xlog:cds+dynamic=off"
}

# The search benchmarks' space (jobs/bench-search.sh and the landscape jobs/bench-tpe-landscape.sh maps, whose replay
# reads it back from the map's spec.yaml): a spec's space: section.
rnnsweep_bench_search_space() {
  cat <<'YAML'
space:
  hidden: [64, 128, 256]
  lr: {loguniform: [0.05, 20]}
  clip: {loguniform: [0.05, 10], or: [none]}
YAML
}
