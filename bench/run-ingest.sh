#!/usr/bin/env bash
# bench/run-ingest.sh: PutRecords ingest benchmark of fluxgate against the two Kinesis
# emulators, on this machine, in a few minutes.
#
#   1. builds the load generator (bench/, standalone) and uses build/fluxgate (building it
#      with CMake if it is missing);
#   2. measures the generator's own ceiling against its canned responder
#      (`fluxgate-bench-ingest --canned-server`, a server that does no work);
#   3. starts fluxgate with --durability fsync, runs the load; restarts it with
#      --durability none on a fresh data dir, runs the load again;
#   4. runs the same load against kinesalite and kinesis-local (from bench/peers,
#      `npm ci` on first use), each bound to 127.0.0.1;
#   5. stops everything it started (by PID, also on error or Ctrl-C) and prints a table
#      with records/s, p50/p99 and the ratio of fluxgate to each emulator.
#
# Usage: bench/run-ingest.sh [--skip-fluxgate] [--skip-emulators] [--skip-calibration]
#                            [--quick] [--keep]
# Knobs (environment): DURATION (s, default 15), WARMUP (3), SHARDS (4), BATCH (500),
#   RECORD_BYTES (150), FSYNC_CONNECTIONS (32), NONE_CONNECTIONS (16),
#   CANNED_CONNECTIONS (16), KINESALITE_CONNECTIONS (2),
#   KINESIS_LOCAL_CONNECTIONS (2), KINESIS_LOCAL_DURATION (30), FLUXGATE_BIN,
#   BENCH_BIN, BENCH_DATA_DIR (parent of the fluxgate data dirs; default a temp dir on the
#   disk /tmp is on). Each target gets the concurrency at which it does best (see
#   bench/README.md): the emulators are single-threaded and only queue more calls when
#   given more connections.
# Exit status: 0 when every run completed without failed records, 1 otherwise.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PEERS="$ROOT/bench/peers"
PY=/usr/bin/python3
[[ -x "$PY" ]] || PY=python3

DURATION="${DURATION:-15}"
WARMUP="${WARMUP:-3}"
SHARDS="${SHARDS:-4}"
BATCH="${BATCH:-500}"
RECORD_BYTES="${RECORD_BYTES:-150}"
FSYNC_CONNECTIONS="${FSYNC_CONNECTIONS:-32}"
NONE_CONNECTIONS="${NONE_CONNECTIONS:-16}"
CANNED_CONNECTIONS="${CANNED_CONNECTIONS:-16}"
KINESALITE_CONNECTIONS="${KINESALITE_CONNECTIONS:-2}"
KINESIS_LOCAL_CONNECTIONS="${KINESIS_LOCAL_CONNECTIONS:-2}"
KINESIS_LOCAL_DURATION="${KINESIS_LOCAL_DURATION:-30}"
KINESIS_LOCAL_WARMUP="${KINESIS_LOCAL_WARMUP:-5}"
FLUXGATE_BIN="${FLUXGATE_BIN:-$ROOT/build/fluxgate}"
BENCH_BUILD="$ROOT/build"
BENCH_BIN="${BENCH_BIN:-$BENCH_BUILD/fluxgate-bench-ingest}"

RUN_FLUXGATE=1
RUN_EMULATORS=1
RUN_CALIBRATION=1
KEEP=0
for arg in "$@"; do
  case "$arg" in
    --skip-fluxgate) RUN_FLUXGATE=0 ;;
    --skip-emulators) RUN_EMULATORS=0 ;;
    --skip-calibration) RUN_CALIBRATION=0 ;;
    --quick) DURATION=5; WARMUP=2; KINESIS_LOCAL_DURATION=15; KINESIS_LOCAL_WARMUP=3 ;;
    --keep) KEEP=1 ;;
    -h|--help) sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run-ingest: unknown argument $arg (see --help)" >&2; exit 2 ;;
  esac
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/fluxgate-bench-ingest.XXXXXX")"
DATA_PARENT="${BENCH_DATA_DIR:-$WORK}"
PIDS=()
ERRORS=()

log() { printf '== %s\n' "$*" >&2; }
error() { printf 'ERROR: %s\n' "$*" >&2; ERRORS+=("$*"); }

stop_pid() {
  local pid="$1"
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
    sleep 0.1
  done
  log "pid $pid ignored SIGTERM for 5 s; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  return 0
}

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  PIDS=()
  if [[ "$KEEP" == 1 ]]; then
    log "kept logs and data in $WORK"
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

forget_pid() {
  local keep=() pid
  for pid in "${PIDS[@]}"; do [[ "$pid" != "$1" ]] && keep+=("$pid"); done
  PIDS=("${keep[@]}")
}

free_port() {
  "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_port PORT PID NAME LOGFILE TIMEOUT_S: waits until PORT accepts connections.
wait_port() {
  local port="$1" pid="$2" name="$3" logfile="$4" timeout="$5"
  local deadline=$((SECONDS + timeout))
  while ((SECONDS < deadline)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      error "$name exited before listening on 127.0.0.1:$port; last lines of $logfile:"
      tail -n 20 "$logfile" >&2
      return 1
    fi
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  error "$name did not listen on 127.0.0.1:$port within ${timeout}s; last lines of $logfile:"
  tail -n 20 "$logfile" >&2
  return 1
}

# run_load NAME ENDPOINT SERVER_PID CONNECTIONS DURATION WARMUP: runs the generator and
# keeps its JSON line in $WORK/NAME.json.
run_load() {
  local name="$1" endpoint="$2" pid="$3" connections="$4" duration="$5" warmup="$6"
  log "load: $name ($connections connections, ${warmup}s warm-up, ${duration}s measured)"
  local out="$WORK/$name.out"
  "$BENCH_BIN" --endpoint "$endpoint" --label "$name" --stream "bench-$name" \
    --shards "$SHARDS" --batch "$BATCH" --record-bytes "$RECORD_BYTES" \
    --connections "$connections" --duration "$duration" --warmup "$warmup" \
    --server-pid "$pid" --json >"$out" 2>&1
  local rc=$?
  grep -v '^{' "$out" >&2
  if ! grep '^{' "$out" >"$WORK/$name.json" || [[ $rc -ne 0 ]]; then
    error "$name: load generator failed (exit $rc); see output above"
    rm -f "$WORK/$name.json"
    return 1
  fi
  local failed
  failed="$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["failed_records"])' \
    "$WORK/$name.json")"
  [[ "$failed" == 0 ]] || error "$name: $failed records failed (details above)"
  return 0
}

# --- Build -------------------------------------------------------------------------------

if [[ "$BENCH_BIN" == "$BENCH_BUILD/fluxgate-bench-ingest" ]]; then
  log "building the load generator in $BENCH_BUILD"
  if ! { cmake -S "$ROOT" -B "$BENCH_BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release \
           >"$WORK/bench-configure.log" 2>&1 &&
         cmake --build "$BENCH_BUILD" --target fluxgate-bench-ingest -j 2 \
           >"$WORK/bench-build.log" 2>&1; }; then
    cat "$WORK/bench-configure.log" "$WORK/bench-build.log" >&2
    echo "ERROR: cannot build the load generator" >&2
    exit 1
  fi
fi
[[ -x "$BENCH_BIN" ]] || { echo "ERROR: no load generator at $BENCH_BIN" >&2; exit 1; }

if [[ "$RUN_FLUXGATE" == 1 && ! -x "$FLUXGATE_BIN" && "$FLUXGATE_BIN" == "$ROOT/build/fluxgate" ]]; then
  log "building fluxgate in $ROOT/build"
  if ! { cmake -S "$ROOT" -B "$ROOT/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
           >"$WORK/fluxgate-configure.log" 2>&1 &&
         cmake --build "$ROOT/build" --target fluxgate -j 2 >"$WORK/fluxgate-build.log" 2>&1; }; then
    tail -n 30 "$WORK/fluxgate-configure.log" "$WORK/fluxgate-build.log" >&2
    error "cannot build fluxgate; skipping the fluxgate runs"
  fi
fi
if [[ "$RUN_FLUXGATE" == 1 ]] && ! "$FLUXGATE_BIN" serve --help >/dev/null 2>&1; then
  error "no working fluxgate at $FLUXGATE_BIN ('fluxgate serve --help' fails); skipping the fluxgate runs"
  RUN_FLUXGATE=0
fi
if [[ "$RUN_FLUXGATE" == 1 ]]; then
  # Run a private copy, so that a rebuild of build/ during the benchmark cannot mix two
  # server versions into one table.
  log "fluxgate: $FLUXGATE_BIN ($(date -u -r "$FLUXGATE_BIN" '+built %F %T UTC'), sha256 $(sha256sum "$FLUXGATE_BIN" | cut -c1-12))"
  cp "$FLUXGATE_BIN" "$WORK/fluxgate"
  FLUXGATE_BIN="$WORK/fluxgate"
fi

if [[ "$RUN_EMULATORS" == 1 ]] &&
   { [[ ! -d "$PEERS/node_modules/kinesalite" ]] || [[ ! -d "$PEERS/node_modules/kinesis-local" ]]; }; then
  log "installing the emulators (npm ci in bench/peers)"
  if ! (cd "$PEERS" && npm ci --no-audit --no-fund >"$WORK/npm.log" 2>&1); then
    cat "$WORK/npm.log" >&2
    error "npm ci in bench/peers failed; skipping the emulator runs"
    RUN_EMULATORS=0
  fi
fi

# --- Runs --------------------------------------------------------------------------------

read -r LOAD1 _ </proc/loadavg
log "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores, Linux $(uname -r), load average $LOAD1"
if "$PY" -c "import sys; sys.exit(0 if float('$LOAD1') > 0.5 * $(nproc) else 1)"; then
  log "WARNING: the machine is busy (load $LOAD1); the figures will be skewed"
fi

RUNS=()
if [[ "$RUN_CALIBRATION" == 1 ]]; then
  port="$(free_port)"
  logfile="$WORK/canned.log"
  log "starting the canned responder (the generator's ceiling)"
  "$BENCH_BIN" --canned-server "$port" >"$logfile" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  if wait_port "$port" "$pid" canned "$logfile" 10; then
    run_load canned "http://127.0.0.1:$port" "$pid" "$CANNED_CONNECTIONS" \
      "$((DURATION < 5 ? DURATION : 5))" 1 && RUNS+=(canned)
  fi
  stop_pid "$pid"
  forget_pid "$pid"
fi

if [[ "$RUN_FLUXGATE" == 1 ]]; then
  for durability in fsync none; do
    name="fluxgate-$durability"
    data="$DATA_PARENT/data-$durability"
    rm -rf "$data" && mkdir -p "$data"
    kport="$(free_port)"
    hport="$(free_port)"
    logfile="$WORK/$name.log"
    log "starting fluxgate --durability $durability (data dir $data on $(df --output=source,fstype "$data" | tail -1 | tr -s ' '))"
    "$FLUXGATE_BIN" serve --data-dir "$data" --kinesis-listen "127.0.0.1:$kport" \
      --http-listen "127.0.0.1:$hport" --durability "$durability" >"$logfile" 2>&1 &
    pid=$!
    PIDS+=("$pid")
    if wait_port "$kport" "$pid" "$name" "$logfile" 30; then
      connections="$FSYNC_CONNECTIONS"
      [[ "$durability" == none ]] && connections="$NONE_CONNECTIONS"
      run_load "$name" "http://127.0.0.1:$kport" "$pid" "$connections" "$DURATION" \
        "$WARMUP" && RUNS+=("$name")
      kill -0 "$pid" 2>/dev/null || { error "$name died during the run; last lines of $logfile:"; tail -n 20 "$logfile" >&2; }
    fi
    stop_pid "$pid"
    forget_pid "$pid"
    rm -rf "$data"
  done
fi

if [[ "$RUN_EMULATORS" == 1 ]]; then
  port="$(free_port)"
  logfile="$WORK/kinesalite.log"
  log "starting kinesalite"
  node "$PEERS/start-kinesalite.js" "$port" >"$logfile" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  if wait_port "$port" "$pid" kinesalite "$logfile" 30; then
    run_load kinesalite "http://127.0.0.1:$port" "$pid" "$KINESALITE_CONNECTIONS" "$DURATION" \
      "$WARMUP" && RUNS+=(kinesalite)
  fi
  stop_pid "$pid"
  forget_pid "$pid"

  port="$(free_port)"
  tls_port="$(free_port)"
  logfile="$WORK/kinesis-local.log"
  log "starting kinesis-local"
  node "$PEERS/start-kinesis-local.js" "$port" "$tls_port" >"$logfile" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  if wait_port "$port" "$pid" kinesis-local "$logfile" 60; then
    run_load kinesis-local "http://127.0.0.1:$port" "$pid" "$KINESIS_LOCAL_CONNECTIONS" \
      "$KINESIS_LOCAL_DURATION" "$KINESIS_LOCAL_WARMUP" && RUNS+=(kinesis-local)
  fi
  stop_pid "$pid"
  forget_pid "$pid"
fi

# --- Table -------------------------------------------------------------------------------

echo
"$PY" - "$WORK" "${RUNS[@]}" <<'EOF'
import json, sys
work, names = sys.argv[1], sys.argv[2:]
runs = {n: json.load(open(f"{work}/{n}.json")) for n in names}
if not runs:
    print("no run completed")
    sys.exit(0)
first = next(iter(runs.values()))
print(f"PutRecords ingest: {first['batch']} records × {first['record_bytes']} B per call, "
      f"{first['shards']} shards; {first['cpu_model']}, {first['cores']} cores, "
      f"Linux {first['kernel']}")
flux = [n for n in ("fluxgate-fsync", "fluxgate-none") if n in runs]
emus = [n for n in ("kinesalite", "kinesis-local") if n in runs]
head = (f"{'target':<16} {'conns':>5} {'records/s':>11} {'MB/s':>7} {'p50 ms':>9} "
        f"{'p99 ms':>9} {'failed':>7} {'server CPU':>10}")
for f in flux:
    head += f" {f + ' ÷':>17}"
print(head)
for n, r in runs.items():
    cpu = f"{r['server_cpu_pct']:.0f}%" if r['server_cpu_pct'] >= 0 else "-"
    line = (f"{n:<16} {r['connections']:>5} {r['records_per_s']:>11,.0f} {r['mb_per_s']:>7.1f} "
            f"{r['p50_ms']:>9.2f} {r['p99_ms']:>9.2f} {r['failed_records']:>7} {cpu:>10}")
    for f in flux:
        if n in emus and r['records_per_s'] > 0:
            line += f" {runs[f]['records_per_s'] / r['records_per_s']:>16.1f}×"
        else:
            line += f" {'':>17}"
    print(line)
if "fluxgate-fsync" in runs:
    fs = runs["fluxgate-fsync"]["records_per_s"]
    print()
    print(f"target ≥ 300,000 records/s with fsync group commit: {fs:,.0f} → "
          f"{'PASS' if fs >= 300_000 else 'FAIL'} (goal 1,000,000)")
    if emus:
        best = max(emus, key=lambda n: runs[n]["records_per_s"])
        ratio = fs / runs[best]["records_per_s"] if runs[best]["records_per_s"] > 0 else 0
        print(f"target ≥ 20× the faster emulator ({best}): {ratio:,.1f}× → "
              f"{'PASS' if ratio >= 20 else 'FAIL'}")
EOF

if ((${#ERRORS[@]} > 0)); then
  echo
  echo "Errors (${#ERRORS[@]}):"
  printf '  - %s\n' "${ERRORS[@]}"
  exit 1
fi
exit 0
