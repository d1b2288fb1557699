#!/usr/bin/env bash
# GenoSynth build entry point.
#   ./build.sh <Target> [--spec workflows/NAME.yaml] [--force] [--manifest FILE]
# Targets: Fetch QC Rank Encode Train Sample Evaluate Report (each runs the ones before it, cached stages are
# skipped), Test, Benchmarks, Bench, Audit, Clean. Default target: Evaluate; default spec: workflows/1kg-805-haplotypes.yaml.
set -euo pipefail
cd "$(dirname "$0")"

usage() { sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; }

target=Evaluate
if [ $# -gt 0 ] && [[ "$1" != --* ]]; then target=$1; shift; fi
spec=""; force=""; manifest=""
while [ $# -gt 0 ]; do
  case "$1" in
    --spec) spec=${2:?--spec needs a file}; shift 2 ;;
    --spec=*) spec=${1#--spec=}; shift ;;
    --force) force=yes; shift ;;
    --manifest) manifest=${2:?--manifest needs a file}; shift 2 ;;
    --manifest=*) manifest=${1#--manifest=}; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "error: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
done

# shellcheck source=build/prerequisites.sh
source build/prerequisites.sh
genosynth_ensure_prerequisites
genosynth_locate_data

lower=$(echo "$target" | tr '[:upper:]' '[:lower:]')
props=(-p:Spec="${spec:-workflows/1kg-805-haplotypes.yaml}")
[ -n "$force" ] && props+=(-p:ForceStage="$lower")
[ -n "$manifest" ] && props+=(-p:Manifest="$manifest")

if [ "$target" = "Test" ]; then
  status=0
  dotnet msbuild build/Pipeline.proj -nologo -nr:false -v:m -t:Test "${props[@]}" || status=$?
  trx=$(ls .artifacts/test-results/*.trx 2>/dev/null | head -n 1 || true)
  if [ -n "$trx" ]; then
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
    passed=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
    failed=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
    echo "${passed:-0} passed, ${failed:-0} failed"
  else
    echo "0 passed, 1 failed"
    [ $status -eq 0 ] && status=1
  fi
  exit $status
fi

exec dotnet msbuild build/Pipeline.proj -nologo -nr:false -v:m -t:"$target" "${props[@]}"
