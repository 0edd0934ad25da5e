#!/usr/bin/env bash
# bench/run-pipeline.sh: the shipped pipeline (pipelines/iot-analytics.sql) replayed from
# the log, against DuckDB computing the same 5-minute aggregates from the same records and
# against simdjson's raw parse of them, on this machine, in a few minutes.
#
#   1. builds fluxgate-bench-pipeline (CMake, $BENCH_BUILD, default build/) if needed;
#   2. installs DuckDB (@duckdb/node-api, `npm ci` in bench/pipeline) on first use;
#   3. fluxgate-bench-pipeline: N simulator records (seed 42) written to an NDJSON file in
#      a temp dir, appended to a fresh log (durability none, not timed), replayed from
#      TRIM_HORIZON through the analytics INSERT alone and through all four INSERTs, with
#      1 and 2 worker threads; each run's output is checked; simdjson's one-thread parse
#      rate of the same file;
#   4. duckdb_bench.mjs on the same file with threads = 1 and 2; its result (rows, Σ MAX,
#      Σ MIN) is checked against what the records say;
#   5. prints the ratios per core: fluxgate ÷ DuckDB and fluxgate ÷ simdjson, and the
#      issue's targets. Nothing is recorded: copy the figures into bench/README.md with
#      the machine line.
#
# Usage: bench/run-pipeline.sh [--quick] [--records N] [--repeat K] [--skip-duckdb]
#                              [--sinks auto|print|real] [--keep]
#   --quick: 500,000 records, one run each (~30 s); default 2,000,000, best of 3 (1-2 min).
# Knobs (environment): BENCH_BUILD (build dir, default build/), BENCH_BIN, THREADS ("1,2"),
#   BENCH_DATA_DIR (parent of the temp dir; the NDJSON file and the log take ~1 GB for
#   2,000,000 records).
# Exit status: 0 when every run completed with the right output, 1 otherwise (a figure
# below a target is reported, not an error).
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PIPE_DIR="$ROOT/bench/pipeline"
PY=/usr/bin/python3
[[ -x "$PY" ]] || PY=python3
BENCH_BUILD="${BENCH_BUILD:-$ROOT/build}"
BENCH_BIN="${BENCH_BIN:-$BENCH_BUILD/fluxgate-bench-pipeline}"
THREADS="${THREADS:-1,2}"

RECORDS=2000000
REPEAT=3
RUN_DUCKDB=1
SINKS=auto
KEEP=0
while (($# > 0)); do
  case "$1" in
    --quick) RECORDS=500000; REPEAT=1 ;;
    --records) RECORDS="$2"; shift ;;
    --repeat) REPEAT="$2"; shift ;;
    --skip-duckdb) RUN_DUCKDB=0 ;;
    --sinks) SINKS="$2"; shift ;;
    --keep) KEEP=1 ;;
    -h|--help) sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run-pipeline: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

WORK="$(mktemp -d "${BENCH_DATA_DIR:-${TMPDIR:-/tmp}}/fluxgate-bench-pipeline.XXXXXX")"
cleanup() {
  if [[ "$KEEP" == 1 ]]; then
    echo "== kept $WORK" >&2
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
log() { printf '== %s\n' "$*" >&2; }
ERRORS=()
error() { printf 'ERROR: %s\n' "$*" >&2; ERRORS+=("$*"); }

# --- Build and install --------------------------------------------------------------

if [[ "$BENCH_BIN" == "$BENCH_BUILD/fluxgate-bench-pipeline" ]]; then
  log "building fluxgate-bench-pipeline in $BENCH_BUILD"
  if ! { cmake -S "$ROOT" -B "$BENCH_BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release \
           >"$WORK/configure.log" 2>&1 &&
         cmake --build "$BENCH_BUILD" --target fluxgate-bench-pipeline -j 2 \
           >"$WORK/build.log" 2>&1; }; then
    tail -n 40 "$WORK/configure.log" "$WORK/build.log" >&2
    echo "ERROR: cannot build fluxgate-bench-pipeline" >&2
    exit 1
  fi
fi
[[ -x "$BENCH_BIN" ]] || { echo "ERROR: no benchmark at $BENCH_BIN" >&2; exit 1; }

if [[ "$RUN_DUCKDB" == 1 && ! -d "$PIPE_DIR/node_modules/@duckdb/node-api" ]]; then
  log "installing DuckDB (npm ci in bench/pipeline)"
  if ! (cd "$PIPE_DIR" && npm ci --no-audit --no-fund >"$WORK/npm.log" 2>&1); then
    cat "$WORK/npm.log" >&2
    error "npm ci in bench/pipeline failed; skipping DuckDB"
    RUN_DUCKDB=0
  fi
fi

# --- Runs ---------------------------------------------------------------------------

NDJSON="$WORK/records.ndjson"
log "fluxgate: $RECORDS records, threads $THREADS, best of $REPEAT"
"$BENCH_BIN" --records "$RECORDS" --threads "$THREADS" --repeat "$REPEAT" --sinks "$SINKS" \
  --ndjson "$NDJSON" --work-dir "$WORK" --json >"$WORK/fluxgate.out" 2>"$WORK/fluxgate.err"
rc=$?
grep -v '^{' "$WORK/fluxgate.out"
grep -v ' warning \[' "$WORK/fluxgate.err" >&2
grep '^{' "$WORK/fluxgate.out" >"$WORK/fluxgate.json"
if [[ $rc -ne 0 ]]; then
  error "fluxgate-bench-pipeline exited $rc (problems above)"
fi
if [[ ! -s "$WORK/fluxgate.json" ]]; then
  error "fluxgate-bench-pipeline printed no results"
  printf '  - %s\n' "${ERRORS[@]}"
  exit 1
fi

if [[ "$RUN_DUCKDB" == 1 ]]; then
  echo
  log "DuckDB: same file, threads $THREADS, best of $REPEAT"
  if node "$PIPE_DIR/duckdb_bench.mjs" "$NDJSON" --threads "$THREADS" --repeat "$REPEAT" \
       --json >"$WORK/duckdb.out" 2>&1; then
    grep -v '^{' "$WORK/duckdb.out"
    grep '^{' "$WORK/duckdb.out" >"$WORK/duckdb.json"
  else
    cat "$WORK/duckdb.out" >&2
    error "duckdb_bench.mjs failed"
  fi
fi

# --- Ratios -------------------------------------------------------------------------

echo
"$PY" - "$WORK/fluxgate.json" "$WORK/duckdb.json" <<'EOF'
import json, os, sys
fx = json.load(open(sys.argv[1]))
dk = json.load(open(sys.argv[2])) if os.path.exists(sys.argv[2]) else None
simd = fx["simdjson_records_per_s"]
bad = 0
print(f"Per core ({fx['records']:,} records; {fx['cpu_model']}, {fx['cores']} cores, "
      f"Linux {fx['kernel']}, load average {fx['load_average_1m']:.2f} at start)")
if dk:
    for r in dk["runs"]:
        same = (r["rows"] == fx["expected_groups"]
                and abs(r["sum_of_max"] - fx["expected_sum_of_max"]) < 1e-6 * max(1, fx["expected_sum_of_max"])
                and abs(r["sum_of_min"] - fx["expected_sum_of_min"]) < 1e-6 * max(1, fx["expected_sum_of_min"]))
        if not same:
            bad += 1
            print(f"  DuckDB threads={r['threads']}: result differs from the records "
                  f"({r['rows']} rows, expected {fx['expected_groups']})")
duck = {r["threads"]: r for r in dk["runs"]} if dk else {}
print("(÷ DuckDB: DuckDB computes the analytics INSERT's aggregates only, so the full "
      "pipeline's ratio is shown for scale, not as a like-for-like comparison)")
print(f"{'fluxgate run':<24} {'records/s/core':>15} {'÷ DuckDB/core':>14} {'÷ simdjson':>11}")
for r in fx["runs"]:
    if r["seconds"] <= 0:
        continue
    pc = r["records_per_s_per_core"]
    d = duck.get(r["threads"])
    vs_duck = f"{pc / d['records_per_s_per_core']:.2f}×" if d else "-"
    print(f"{r['variant'] + ' ' + str(r['threads']) + ' thread(s)':<24} {pc:>15,.0f} "
          f"{vs_duck:>14} {pc / simd:>10.2f}×")
for t, d in sorted(duck.items()):
    print(f"{'DuckDB ' + str(t) + ' thread(s)':<24} {d['records_per_s_per_core']:>15,.0f}")
print(f"{'simdjson parse, 1 thread':<24} {simd:>15,.0f}")
print()
best = max((r for r in fx["runs"] if r["variant"] == "analytics" and r["seconds"] > 0),
           key=lambda r: r["records_per_s_per_core"], default=None)
full = max((r for r in fx["runs"] if r["variant"] == "full" and r["seconds"] > 0),
           key=lambda r: r["records_per_s_per_core"], default=None)
def verdict(ok):
    return "PASS" if ok else "FAIL"
for name, r in (("analytics", best), ("full pipeline", full)):
    if not r:
        continue
    pc = r["records_per_s_per_core"]
    print(f"{name} ({r['threads']} thread(s)): ≥ 1,000,000 records/s per core: {pc:,.0f} → "
          f"{verdict(pc >= 1e6)}; goal 2,000,000 → {verdict(pc >= 2e6)}; "
          f"goal ½ simdjson ({simd / 2:,.0f}) → {verdict(pc >= simd / 2)}")
    if duck and name == "analytics":
        d = duck.get(r["threads"])
        if d:
            print(f"  vs DuckDB at {r['threads']} thread(s), same aggregates from the same file: "
                  f"{pc / d['records_per_s_per_core']:.2f}× → "
                  f"{verdict(pc > d['records_per_s_per_core'])}")
sys.exit(1 if bad else 0)
EOF
[[ $? -eq 0 ]] || error "DuckDB's result differs from the expected aggregates"

if ((${#ERRORS[@]} > 0)); then
  echo
  echo "Errors (${#ERRORS[@]}):"
  printf '  - %s\n' "${ERRORS[@]}"
  exit 1
fi
exit 0
