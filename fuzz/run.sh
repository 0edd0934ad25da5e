#!/usr/bin/env bash
# Builds the libFuzzer harnesses (clang, -DFLUXGATE_FUZZ=ON, in build-fuzz/) and runs each
# for a bounded time on a copy of its seed corpus. Exits non-zero if any harness finds a
# crash, a sanitizer report, a leak, a timeout or an out-of-memory, and prints the input
# that reproduces it. docs/design/fuzzing.md.
#
#   fuzz/run.sh                        # CI smoke: every harness, 20 s each
#   fuzz/run.sh --seconds 3600 sql     # a long run of one harness
#   fuzz/run.sh --keep --seconds 600   # keep the grown corpora (path printed) for triage
#
# Options: --seconds N (per harness, default 20), --keep (keep the work directories),
# --no-build (use the harnesses already built), names of harnesses (default all).
# Environment: FUZZ_BUILD (default build-fuzz), JOBS (build parallelism, default 2).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${FUZZ_BUILD:-$root/build-fuzz}
jobs=${JOBS:-2}
seconds=20
keep=0
do_build=1
names=()
all=(kinesis_json cbor sigv4 mqtt_codec mqtt_mapper sql json_decoder segment parquet)

while (($#)); do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --seconds=*) seconds=${1#*=}; shift ;;
    --keep) keep=1; shift ;;
    --no-build) do_build=0; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    -*) echo "fuzz/run.sh: unknown option $1" >&2; exit 2 ;;
    *) names+=("$1"); shift ;;
  esac
done
((${#names[@]})) || names=("${all[@]}")
for n in "${names[@]}"; do
  if [[ ! -f "$root/fuzz/${n}_fuzzer.cc" ]]; then
    echo "fuzz/run.sh: no harness '$n' (have: ${all[*]})" >&2
    exit 2
  fi
done

if ((do_build)); then
  if ! command -v clang++ >/dev/null; then
    echo "fuzz/run.sh: clang++ not found; run ./scripts/install-deps.sh --test" >&2
    exit 2
  fi
  # Release code with debug info and asserts on: what ships, with readable stack traces.
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_CXX_FLAGS_RELEASE="-O2 -g" \
    -DFLUXGATE_FUZZ=ON -DFLUXGATE_TESTS=OFF -DFLUXGATE_BENCH=OFF >/dev/null
  targets=()
  for n in "${names[@]}"; do targets+=("${n}_fuzzer"); done
  echo "fuzz: building ${targets[*]} in $build"
  if ! cmake --build "$build" -j "$jobs" --target "${targets[@]}" >"$build/fuzz-build.log" 2>&1; then
    grep -E 'error|FAILED' -A3 "$build/fuzz-build.log" | head -60
    echo "fuzz/run.sh: build failed; full log: $build/fuzz-build.log" >&2
    exit 2
  fi
fi

failed=0
for n in "${names[@]}"; do
  work=$(mktemp -d "${TMPDIR:-/tmp}/fluxgate-fuzz-$n.XXXXXX")
  mkdir -p "$work/corpus" "$work/artifacts"
  cp "$root/fuzz/corpus/$n/"* "$work/corpus/"
  args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536
        -print_final_stats=1 -artifact_prefix="$work/artifacts/")
  [[ -f "$root/fuzz/$n.dict" ]] && args+=(-dict="$root/fuzz/$n.dict")
  printf 'fuzz %-13s %4ss ... ' "$n" "$seconds"
  set +e
  (cd "$work" && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
      UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      "$build/fuzz/${n}_fuzzer" "${args[@]}" corpus) >"$work/log" 2>&1
  rc=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1 || true)
  cov=$(grep -o 'cov: [0-9]*' "$work/log" | tail -1 || true)
  reproducers=$(find "$work/artifacts" -type f | sort)
  if ((rc != 0)) || [[ -n "$reproducers" ]]; then
    failed=1
    echo "FAILED (exit $rc, ${execs:-?} runs, ${cov:-cov: ?})"
    grep -E 'ERROR|SUMMARY|runtime error|invariant|==[0-9]+==' "$work/log" | head -20 | sed 's/^/    /'
    for r in $reproducers; do
      echo "    reproducer: $r"
      echo "    rerun:      $build/fuzz/${n}_fuzzer $r"
    done
    echo "    full log:   $work/log"
  else
    echo "ok (${execs:-?} runs, ${cov:-cov: ?}, corpus $(ls "$work/corpus" | wc -l) files)"
    if ((keep)); then
      echo "    grown corpus: $work/corpus"
    else
      rm -rf "$work"
    fi
  fi
done
exit $failed
