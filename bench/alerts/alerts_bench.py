#!/usr/bin/python3
"""Alert latency benchmark (bench/README.md, "Alert latency benchmark").

Measures the time from the PutRecords acknowledgement of a record that carries an anomaly
to the moment a webhook receiver has the alert, while a background load of plain records
(default 50,000 records/s) flows through the same stream and job.

    bench/alerts/alerts_bench.py --binary build/fluxgate [--rate 50000] [--probes 300]

It starts `fluxgate serve` (fsync durability, a fresh data dir, free loopback ports) with a
one-job pipeline: a Kinesis source and an 'alert' sink that fires for value > 1000; a
webhook subscription points at a receiver in this process. A separate process sends the
background load (PutRecords of 500 records, values that never alert) at a fixed rate. This
process sends one anomalous record every --interval seconds with PutRecords (one record)
and notes the time the acknowledgement arrived; the receiver notes when the alert for that
record arrived. Both times come from this process's monotonic clock. It prints the machine,
the inputs, the achieved load, and p50 / p90 / p99 / max of the latency, and exits 1 if
p99 is above --max-p99-ms (default 100, the issue's upper bound).
"""

import argparse
import http.client
import http.server
import json
import multiprocessing
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def machine():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = "?"
    try:
        with open("/proc/meminfo") as f:
            mem = f"{int(f.readline().split()[1]) // 1024} MiB"
    except (OSError, ValueError):
        pass
    load = os.getloadavg()
    return (f"{platform.node()}: {cpu}, {os.cpu_count()} cpus, {mem}, Linux "
            f"{platform.release()}, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


def put_records_body(stream, records):
    import base64
    return json.dumps({"StreamName": stream, "Records": [
        {"Data": base64.b64encode(json.dumps(r).encode()).decode(),
         "PartitionKey": r["device_id"]} for r in records]})


HEADERS = {"Content-Type": "application/x-amz-json-1.1",
           "X-Amz-Target": "Kinesis_20131202.PutRecords",
           # Unsigned: the bench server has no [auth]; a fixed header keeps botocore out.
           "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDBENCH/20260101/us-east-1/"
                            "kinesis/aws4_request, SignedHeaders=host, Signature=00"}


def load_process(port, stream, rate, stop_at, result):
    """Background load: PutRecords of 500 plain records at `rate` records/s until stop_at."""
    batch = 500
    now_ms = int(time.time() * 1000)
    bodies = []
    for b in range(16):
        recs = [{"device_id": f"bg-{(b * batch + i) % 10000:05d}",
                 "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(now_ms / 1000)),
                 "sensor_type": "temperature", "value": 20.0 + (i % 50) / 10, "unit": "C",
                 "location": "plant-a"} for i in range(batch)]
        bodies.append(put_records_body(stream, recs).encode())
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    sent = failed = calls = 0
    start = time.monotonic()
    next_at = start
    period = batch / rate
    while time.monotonic() < stop_at:
        now = time.monotonic()
        if now < next_at:
            time.sleep(next_at - now)
        next_at += period
        conn.request("POST", "/", body=bodies[calls % len(bodies)], headers=HEADERS)
        resp = conn.getresponse()
        doc = json.loads(resp.read())
        calls += 1
        sent += batch
        failed += doc.get("FailedRecordCount", batch) if resp.status == 200 else batch
    elapsed = time.monotonic() - start
    result.put({"records": sent, "failed": failed, "seconds": elapsed})


class Receiver:
    def __init__(self):
        self.port = free_port()
        self.got = {}  # device_id -> monotonic time of arrival
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                t = time.monotonic()
                device = json.loads(body)["attributes"].get("device_id", "")
                with outer.lock:
                    outer.got.setdefault(device, t)
                self.send_response(200)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, int(round(p / 100 * (len(sorted_values) - 1)))))
    return sorted_values[k]


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default="build/fluxgate")
    ap.add_argument("--rate", type=int, default=50000, help="background records/s")
    ap.add_argument("--probes", type=int, default=300, help="anomalous records to time")
    ap.add_argument("--interval", type=float, default=0.05, help="seconds between probes")
    ap.add_argument("--shards", type=int, default=4)
    ap.add_argument("--warmup", type=float, default=3.0)
    ap.add_argument("--max-p99-ms", type=float, default=100.0)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="fluxgate-bench-alerts-")
    rx = Receiver()
    kport, hport = free_port(), free_port()
    stream = "bench-alerts"
    with open(os.path.join(work, "alerts.sql"), "w") as f:
        f.write(f"""
SET 'pipeline.name' = 'bench-alerts';
CREATE TABLE src (device_id STRING, `timestamp` TIMESTAMP(3), sensor_type STRING,
  `value` DOUBLE, unit STRING, location STRING)
WITH ('connector' = 'kinesis', 'stream' = '{stream}', 'format' = 'json',
      'shards' = '{args.shards}');
CREATE TABLE alerts (device_id STRING, `value` DOUBLE, `timestamp` TIMESTAMP(3))
WITH ('connector' = 'alert', 'topic' = 'bench', 'message.template' = '{{device_id}} {{value}}');
INSERT INTO alerts SELECT device_id, `value`, `timestamp` FROM src WHERE `value` > 1000;
""")
    with open(os.path.join(work, "fluxgate.toml"), "w") as f:
        f.write(f"""
[kinesis]
create_delay_ms = 50

[[alerts.subscriptions]]
topic = "bench"
kind = "webhook"
url = "http://127.0.0.1:{rx.port}/hook"
""")
    cmd = [os.path.abspath(args.binary), "serve", "--data-dir", os.path.join(work, "data"),
           "--kinesis-listen", f"127.0.0.1:{kport}", "--http-listen", f"127.0.0.1:{hport}",
           "--durability", "fsync", "--config", os.path.join(work, "fluxgate.toml"),
           "--pipeline", os.path.join(work, "alerts.sql")]
    log = open(os.path.join(work, "server.log"), "wb")
    server = subprocess.Popen(cmd, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                c = http.client.HTTPConnection("127.0.0.1", hport, timeout=1)
                c.request("GET", "/v1/jobs/bench-alerts")
                r = c.getresponse()
                doc = json.loads(r.read() or b"{}")
                if r.status == 200 and doc.get("state") == "RUNNING":
                    break
            except (OSError, ValueError):
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit(f"fluxgate did not start its job; see {work}/server.log")
            time.sleep(0.1)
        time.sleep(0.5)  # the stream becomes ACTIVE after create_delay_ms

        run_seconds = args.warmup + args.probes * args.interval + 2
        stop_at = time.monotonic() + run_seconds
        result = multiprocessing.Queue()
        loader = multiprocessing.Process(target=load_process,
                                         args=(kport, stream, args.rate, stop_at, result))
        loader.start()
        time.sleep(args.warmup)

        conn = http.client.HTTPConnection("127.0.0.1", kport, timeout=30)
        acks = {}
        for i in range(args.probes):
            device = f"probe-{i:05d}"
            body = put_records_body(stream, [{
                "device_id": device,
                "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
                "sensor_type": "temperature", "value": 5000.0 + i, "unit": "C",
                "location": "plant-a"}])
            conn.request("POST", "/", body=body, headers=HEADERS)
            resp = conn.getresponse()
            doc = json.loads(resp.read())
            acks[device] = time.monotonic()
            if resp.status != 200 or doc.get("FailedRecordCount"):
                raise SystemExit(f"probe {device} not accepted: {resp.status} {doc}")
            time.sleep(args.interval)
        load = result.get(timeout=run_seconds + 60)
        loader.join()
        wait_until = time.monotonic() + 10
        while time.monotonic() < wait_until:
            with rx.lock:
                if all(d in rx.got for d in acks):
                    break
            time.sleep(0.05)
        with rx.lock:
            lat = sorted((rx.got[d] - t) * 1000 for d, t in acks.items() if d in rx.got)
        missing = len(acks) - len(lat)
        achieved = load["records"] / load["seconds"]
        print(f"machine: {machine()}")
        print(f"fluxgate: {' '.join(cmd[1:2])} --durability fsync, {args.shards} shards, "
              f"one job (kinesis source -> alert sink), one webhook subscription")
        print(f"background load: target {args.rate} records/s, achieved {achieved:,.0f} "
              f"records/s ({load['records']} records, {load['failed']} failed, "
              f"{load['seconds']:.1f} s, PutRecords of 500)")
        print(f"probes: {args.probes} anomalous records, one every {args.interval * 1000:.0f} ms"
              f" ({missing} without an alert after 10 s)")
        print(f"PutRecords ack -> webhook received: p50 {percentile(lat, 50):.1f} ms, "
              f"p90 {percentile(lat, 90):.1f} ms, p99 {percentile(lat, 99):.1f} ms, "
              f"max {lat[-1] if lat else float('nan'):.1f} ms")
        print(json.dumps({"bench": "alerts", "rate_target": args.rate,
                          "rate_achieved": round(achieved), "probes": args.probes,
                          "missing": missing, "p50_ms": round(percentile(lat, 50), 2),
                          "p90_ms": round(percentile(lat, 90), 2),
                          "p99_ms": round(percentile(lat, 99), 2),
                          "max_ms": round(lat[-1], 2) if lat else None}))
        ok = missing == 0 and percentile(lat, 99) <= args.max_p99_ms
        return 0 if ok else 1
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
