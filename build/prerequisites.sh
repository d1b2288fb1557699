# Sourced by build.sh: installs what GenoSynth needs on a bare Debian machine (as root), or says exactly what to
# install. Every CI run and every new machine starts bare, so nothing here may assume an earlier session.

genosynth_missing_packages() {
  local missing=()
  command -v plink1.9 >/dev/null 2>&1 || missing+=(plink1.9)
  [ -x /usr/lib/plink2/plink2-avx2 ] || command -v plink2 >/dev/null 2>&1 || missing+=(plink2)
  command -v bcftools >/dev/null 2>&1 || missing+=(bcftools)
  command -v bgzip >/dev/null 2>&1 || missing+=(tabix)
  # Headless Chromium opens the HTML report in the browser test.
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  # OpenBLAS is the engine's optional GEMM backend (benchmarked against; never required).
  ls /usr/lib/x86_64-linux-gnu/libopenblas.so.0 >/dev/null 2>&1 || ls /usr/lib/*/libopenblas.so.0 >/dev/null 2>&1 || missing+=(libopenblas0-openmp)
  echo "${missing[@]:-}"
}

genosynth_ensure_prerequisites() {
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "error: the .NET SDK (10.0) is required: https://dotnet.microsoft.com/download" >&2
    return 2
  fi
  local missing
  missing=$(genosynth_missing_packages)
  if [ -n "$missing" ]; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
      echo "installing: $missing"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq >/dev/null
      # shellcheck disable=SC2086
      apt-get install -y -qq --no-install-recommends $missing >/dev/null
    else
      echo "error: missing packages: $missing" >&2
      echo "       install them with: sudo apt-get install $missing" >&2
      return 2
    fi
  fi
  # OpenBLAS picks slow kernels on this CPU family unless told; only valid where AVX-512 exists.
  if grep -q avx512f /proc/cpuinfo 2>/dev/null; then export OPENBLAS_CORETYPE=SkylakeX; fi
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
}

# The shared 1000 Genomes data are never committed: find them beside this repository, or beside the repository
# this one was cloned from (a clone in a temporary directory), and hand them to the tests (GENOSYNTH_DATA) and to
# the specs' mirror search (GENOSYNTH_MIRRORS). Without them, specs fall back to downloading from their urls.
genosynth_locate_data() {
  [ -n "${GENOSYNTH_DATA:-}" ] && [ -f "$GENOSYNTH_DATA/SOURCES.md" ] && { export GENOSYNTH_MIRRORS=${GENOSYNTH_MIRRORS:-$GENOSYNTH_DATA}; return 0; }
  local origin candidate
  origin=$(git config --get remote.origin.url 2>/dev/null || true)
  for candidate in "../shared/data" "${origin:+$origin/../shared/data}"; do
    if [ -n "$candidate" ] && [ -f "$candidate/SOURCES.md" ]; then
      GENOSYNTH_DATA=$(cd "$candidate" && pwd)
      export GENOSYNTH_DATA
      export GENOSYNTH_MIRRORS=${GENOSYNTH_MIRRORS:-$GENOSYNTH_DATA}
      return 0
    fi
  done
  echo "note: shared data not found beside the repository (set GENOSYNTH_DATA); inputs will be downloaded from their urls" >&2
}
