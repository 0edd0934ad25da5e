#!/usr/bin/env bash
# bench/run-mqtt.sh: MQTT QoS 1 ingest benchmark — publishers -> Mosquitto -> fluxgate's
# [[ingest.mqtt]] -> the durable log, on this machine.
#
#   1. uses build/fluxgate and build/fluxgate-bench-mqtt (BUILD_DIR to change; builds the
#      two targets with ninja if missing);
#   2. starts /usr/sbin/mosquitto on a free 127.0.0.1 port (no persistence: the bench
#      measures flow, not broker durability) with unlimited queues for fluxgate's session;
#   3. starts fluxgate on free ports with a fresh data dir and one [[ingest.mqtt]] entry
#      (stream mqtt-bench, partition key topic[2]), --durability fsync (DURABILITY=none
#      for the no-fsync figure);
#   4. runs the load generator: N publishers keep a window of QoS 1 messages in flight
#      each; it counts records arriving in the log through the Kinesis API;
#   5. stops fluxgate (SIGTERM) and prints its receive -> durable -> PUBACK latency line,
#      then stops mosquitto. Everything started is stopped by PID, also on error.
#
# Usage: bench/run-mqtt.sh [--keep]
# Knobs (environment): MESSAGES (300000), PUBLISHERS (4), WINDOW (1000), PAYLOAD_BYTES
#   (150), DEVICES (1000), SHARDS (4), MAX_INFLIGHT (fluxgate's, 16384), DURABILITY
#   (fsync), BUILD_DIR (build), FLUXGATE_BIN, BENCH_BIN.
# Exit status: 0 when every message was acked and counted in the log, 1 otherwise.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
FLUXGATE_BIN="${FLUXGATE_BIN:-$BUILD_DIR/fluxgate}"
BENCH_BIN="${BENCH_BIN:-$BUILD_DIR/fluxgate-bench-mqtt}"
MOSQUITTO="${MOSQUITTO:-/usr/sbin/mosquitto}"
MESSAGES="${MESSAGES:-300000}"
PUBLISHERS="${PUBLISHERS:-4}"
WINDOW="${WINDOW:-1000}"
PAYLOAD_BYTES="${PAYLOAD_BYTES:-150}"
DEVICES="${DEVICES:-1000}"
SHARDS="${SHARDS:-4}"
MAX_INFLIGHT="${MAX_INFLIGHT:-16384}"
DURABILITY="${DURABILITY:-fsync}"
KEEP=0
for arg in "$@"; do
  case "$arg" in
    --keep) KEEP=1 ;;
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run-mqtt: unknown argument $arg (see --help)" >&2; exit 2 ;;
  esac
done

[[ -x "$MOSQUITTO" ]] || { echo "run-mqtt: $MOSQUITTO not found (apt-get install mosquitto)" >&2; exit 2; }
if [[ ! -x "$FLUXGATE_BIN" || ! -x "$BENCH_BIN" ]]; then
  echo "== building fluxgate and fluxgate-bench-mqtt in $BUILD_DIR" >&2
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null || exit 2
  ninja -C "$BUILD_DIR" -j2 fluxgate fluxgate-bench-mqtt >/dev/null || exit 2
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/fluxgate-bench-mqtt.XXXXXX")"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null
    fi
  done
  if [[ $KEEP == 1 ]]; then echo "== kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT INT TERM

free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_port() {
  for _ in $(seq 1 200); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.05
  done
  return 1
}

MQTT_PORT="$(free_port)"
KINESIS_PORT="$(free_port)"
HTTP_PORT="$(free_port)"

cat >"$WORK/mosquitto.conf" <<EOF
listener $MQTT_PORT 127.0.0.1
allow_anonymous true
persistence false
max_inflight_messages 0
max_queued_messages 0
log_dest file $WORK/mosquitto.log
EOF
"$MOSQUITTO" -c "$WORK/mosquitto.conf" >/dev/null 2>&1 &
PIDS+=($!)
MOSQUITTO_PID=$!
wait_port "$MQTT_PORT" || { echo "run-mqtt: mosquitto did not start" >&2; cat "$WORK/mosquitto.log" >&2; exit 1; }

cat >"$WORK/fluxgate.toml" <<EOF
[[ingest.mqtt]]
broker = "mqtt://127.0.0.1:$MQTT_PORT"
topics = ["bench/#"]
stream = "mqtt-bench"
partition_key = "topic[2]"
client_id = "fluxgate-bench"
max_inflight = $MAX_INFLIGHT
shards = $SHARDS
EOF
"$FLUXGATE_BIN" serve --config "$WORK/fluxgate.toml" --data-dir "$WORK/data" \
  --kinesis-listen "127.0.0.1:$KINESIS_PORT" --http-listen "127.0.0.1:$HTTP_PORT" \
  --durability "$DURABILITY" --no-default-pipeline >"$WORK/fluxgate.out" 2>"$WORK/fluxgate.err" &
FLUXGATE_PID=$!
PIDS+=($FLUXGATE_PID)
wait_port "$KINESIS_PORT" || { echo "run-mqtt: fluxgate did not start" >&2; cat "$WORK/fluxgate.err" >&2; exit 1; }
for _ in $(seq 1 100); do grep -q "connected as client" "$WORK/fluxgate.err" && break; sleep 0.1; done
grep -q "connected as client" "$WORK/fluxgate.err" || { echo "run-mqtt: fluxgate did not connect to mosquitto" >&2; cat "$WORK/fluxgate.err" >&2; exit 1; }

echo "== MQTT QoS 1 -> mosquitto $(dpkg-query -W -f='${Version}' mosquitto 2>/dev/null) -> fluxgate ($DURABILITY) -> log"
"$BENCH_BIN" --broker "127.0.0.1:$MQTT_PORT" --endpoint "http://127.0.0.1:$KINESIS_PORT" \
  --stream mqtt-bench --publishers "$PUBLISHERS" --messages "$MESSAGES" --window "$WINDOW" \
  --payload-bytes "$PAYLOAD_BYTES" --devices "$DEVICES"
RC=$?

echo "== CPU seconds: fluxgate $(awk '{print ($14+$15)/100}' /proc/$FLUXGATE_PID/stat), mosquitto $(awk '{print ($14+$15)/100}' /proc/$MOSQUITTO_PID/stat)"
kill -TERM "$FLUXGATE_PID"
wait "$FLUXGATE_PID" 2>/dev/null
echo "== fluxgate (receive -> durable -> PUBACK):"
grep -o "mqtt 'mqtt-bench'.*stopped.*" "$WORK/fluxgate.err" || tail -5 "$WORK/fluxgate.err"
exit $RC
