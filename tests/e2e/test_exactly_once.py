"""Exactly-once output under kill -9: a sender puts simulator records continuously while
the server running the iot-analytics pipeline is killed with SIGKILL three times at
seeded random moments and restarted each time.

Ingest is at-least-once: a PutRecords call the kill interrupts is retried with the same
records, and those the log had already stored appear in it twice. So the reference is the
log itself, read back with GetRecords at the end — the job's output must match it exactly:
raw archive lines == the log's records, processed rows == the log's records, analytics ==
an independent computation over the log's records, each window once. And every record the
server acknowledged must be in the log.
"""

import collections
import json
import os
import random
import threading
import time
import unittest

import harness

BUCKET = "iot-analytics"
STREAM = "iot-telemetry"
JOB = "iot-analytics"
KILLS = 3
SEED = 2026
RECORDS = 100_000  # the sender goes round them, later in time, until told to stop
SPACING_MS = 10
BATCH = 500


class Sender(threading.Thread):
    """Puts records in order, BATCH at a time, retrying each batch's unacknowledged
    records (same bytes, same partition key) until all are acknowledged; stops between
    batches when asked. Never gives a record up, so everything it attempted is acked.

    Records never run out: pass k over the simulator's records shifts their timestamps by
    k times the span they cover, so every record stays unique and time keeps going forward.
    """

    def __init__(self, endpoint, records, spacing_ms):
        super().__init__(daemon=True)
        self.client = harness.kinesis_client(endpoint, max_attempts=1, read_timeout=10)
        self.records = records
        self.period_ms = len(records) * spacing_ms
        self.stop_event = threading.Event()
        self.lock = threading.Lock()
        self.sent = []  # every record attempted, in order: (record dict, bytes)
        self.acked = []  # (data, shard id, sequence number)
        self.in_flight = False  # inside a PutRecords call
        self.failed_calls = 0
        self.error = None

    def acked_count(self):
        with self.lock:
            return len(self.acked)

    def record(self, i):
        r, line = self.records[i % len(self.records)]
        k = i // len(self.records)
        if k == 0:
            return r, line
        r = dict(r, timestamp=harness.ms_to_iso(harness.iso_to_ms(r["timestamp"]) +
                                                 k * self.period_ms))
        return r, json.dumps(r, ensure_ascii=False, separators=(",", ":")).encode()

    def run(self):
        try:
            i = 0
            while not self.stop_event.is_set():
                batch = [self.record(j) for j in range(i, i + BATCH)]
                i += BATCH
                self.sent += batch
                pending = [{"Data": line, "PartitionKey": r["device_id"]} for r, line in batch]
                while pending:
                    self.in_flight = True
                    try:
                        resp = self.client.put_records(StreamName=STREAM, Records=pending)
                    except Exception:  # the server is down (killed) or restarting
                        self.failed_calls += 1
                        time.sleep(0.1)
                        continue
                    finally:
                        self.in_flight = False
                    retry = []
                    with self.lock:
                        for req, res in zip(pending, resp["Records"]):
                            if "SequenceNumber" in res:
                                self.acked.append((req["Data"], res["ShardId"],
                                                   res["SequenceNumber"]))
                            else:
                                retry.append(req)
                    pending = retry
                    if pending:
                        time.sleep(0.05)
        except BaseException as e:  # reported by the test
            self.error = e


class ExactlyOnceUnderKill9Test(unittest.TestCase):
    def setUp(self):
        harness.require_binary(self)
        # The shipped pipeline with 1 s checkpoints and 1 s rollover (many commits and part
        # files for a kill to land between); the idle timeout stays at the shipped 10 s, so
        # the restarts (about a second) never make a shard idle and the watermark never
        # jumps to the wall clock while records still arrive.
        text = harness.pipeline_with_timings(checkpoint="1 s", rollover="1 s")
        self.server = harness.Server(config_text="[kinesis]\ncreate_delay_ms = 50\n")
        path = os.path.join(self.server.workdir, "iot-analytics-exactly-once.sql")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        self.server.extra_args += ["--pipeline", path]
        self.server.start()

    def tearDown(self):
        if self.server.running():
            self.server.stop()
        self.server.cleanup()

    def test_output_matches_the_log_after_three_kill_9s(self):
        with harness.dump_output_on_failure(self.server):
            self._run()

    def wait_job_running(self):
        harness.wait_for(
            lambda: (harness.job_status(self.server, JOB) or {}).get("state") == "RUNNING",
            30, lambda: f"job RUNNING: {harness.job_brief(harness.job_status(self.server, JOB))}")

    def _run(self):
        server = self.server
        client = server.client(max_attempts=5)
        self.wait_job_running()
        harness.wait_active(client, STREAM)
        records = harness.simulate_records(server.workdir, RECORDS, seed=SEED, devices=30,
                                           spacing_ms=SPACING_MS)
        sender = Sender(server.endpoint, records, SPACING_MS)
        sender.start()
        rnd = random.Random(SEED)
        checkpoints_seen = []
        try:
            for kill_no in range(KILLS):
                # Let some records and at least one checkpoint through, then kill at a random
                # moment while the sender is mid-stream.
                before = sender.acked_count()
                harness.wait_for(lambda: sender.acked_count() >= before + 2000 or sender.error,
                                 60, f"kill {kill_no}: 2000 more records acknowledged")
                harness.wait_for(lambda: (harness.job_status(server, JOB) or {}).get(
                    "last_checkpoint_id", 0) >= 1, 30, f"kill {kill_no}: a checkpoint")
                time.sleep(rnd.uniform(0.2, 2.5))
                # Kill while a PutRecords call is under way.
                harness.wait_for(lambda: sender.in_flight or sender.error, 10,
                                 "a PutRecords call in flight", interval=0.001)
                self.assertIsNone(sender.error)
                checkpoints_seen.append(harness.job_status(server, JOB)["last_checkpoint_id"])
                server.kill9()
                time.sleep(rnd.uniform(0.0, 0.5))
                server.start()
                self.wait_job_running()
            # One more stretch of records after the last restart, then stop sending.
            before = sender.acked_count()
            harness.wait_for(lambda: sender.acked_count() >= before + 2000 or sender.error,
                             60, "records after the last restart")
        finally:
            sender.stop_event.set()
            sender.join(timeout=60)
        self.assertFalse(sender.is_alive(), "sender thread hung")
        self.assertIsNone(sender.error)
        sent = sender.sent

        # The reference: the log. Every acknowledged record is in it; nothing else is.
        log = []
        for shard in harness.list_all_shards(client, STREAM):
            recs, _ = harness.read_shard(client, STREAM, shard["ShardId"], limit=10000,
                                         max_calls=10000)
            log += [r["Data"] for r in recs]
        log_counts = collections.Counter(log)
        sent_lines = {line for _, line in sent}
        self.assertEqual([d[:60] for d, _, _ in sender.acked if d not in log_counts][:5], [],
                         "acknowledged records missing from the log")
        self.assertEqual([d[:60] for d in log_counts if d not in sent_lines][:5], [],
                         "records in the log that nobody sent")
        self.assertEqual(len(log_counts), len(sent_lines), "distinct records in the log")
        log_records = [json.loads(d) for d in log]
        last_ts = max(harness.iso_to_ms(r["timestamp"]) for r in log_records)
        last_window_end = last_ts - last_ts % harness.WINDOW_MS + harness.WINDOW_MS

        # Once the sender is quiet the shards go idle (10 s) and the watermark follows the
        # wall clock, closing every window; then a graceful stop publishes what is open.
        def caught_up():
            job = harness.job_status(server, JOB)
            return (job["state"] == "RUNNING" and job["watermark_ms"] is not None and
                    job["watermark_ms"] >= last_window_end)

        harness.wait_for(caught_up, 90, lambda: f"watermark past {last_window_end}: "
                         f"{harness.job_brief(harness.job_status(server, JOB))}", interval=0.5)
        job = harness.job_status(server, JOB)
        self.assertEqual((job["late_records"], job["dead_letters"]), (0, 0),
                         harness.job_brief(job))
        self.assertEqual(server.stop(), 0)
        job_dir = os.path.join(server.data_dir, "jobs", JOB)
        for side in ("late-records.jsonl", "dead-letters.jsonl"):
            p = os.path.join(job_dir, side)
            self.assertFalse(os.path.exists(p) and os.path.getsize(p) > 0,
                             f"{side} is not empty")

        self.check_raw(log_counts)
        self.check_processed(log_records)
        self.check_analytics(log_records)
        if harness.OPTIONS.verbose:
            print(f"\n  {len(sent)} records sent, {len(log)} in the log "
                  f"({len(log) - len(log_counts)} stored twice), {sender.failed_calls} failed "
                  f"calls, checkpoints before the kills {checkpoints_seen}")

    def check_raw(self, log_counts):
        got = collections.Counter()
        for path in harness.published_files(self.server.data_dir, BUCKET, "raw-data"):
            with open(path, "rb") as f:
                data = harness.decompress(path, f.read())
            self.assertTrue(data.endswith(b"\n"), path)
            got.update(data.split(b"\n")[:-1])
        self.assertEqual(sorted((got - log_counts).items())[:3], [],
                         "raw archive lines beyond the log's records (duplicates?)")
        self.assertEqual(sorted((log_counts - got).items())[:3], [],
                         "log records missing from the raw archive")

    def check_processed(self, log_records):
        want = collections.Counter(
            (r["device_id"], harness.flink_timestamp(harness.iso_to_ms(r["timestamp"])),
             r["sensor_type"], float(r["value"]), r["unit"], r["location"])
            for r in log_records)
        got = collections.Counter()
        for _, line in harness.published_lines(self.server.data_dir, BUCKET, "processed-data"):
            row = json.loads(line)
            self.assertTrue(row.get("processed_at"), line)
            got[(row["device_id"], row["timestamp"], row["sensor_type"], row["value"],
                 row["unit"], row["location"])] += 1
        self.assertEqual(sorted((got - want).items())[:3], [],
                         "processed rows beyond the log's records (duplicates?)")
        self.assertEqual(sorted((want - got).items())[:3], [],
                         "log records missing from processed-data")

    def check_analytics(self, log_records):
        expected = {(d, s, l, harness.flink_timestamp(w)): v
                    for (d, s, l, w), v in harness.expected_windows(log_records).items()}
        seen = collections.Counter()
        rows = {}
        for _, line in harness.published_lines(self.server.data_dir, BUCKET,
                                               "analytics-results"):
            row = json.loads(line)
            key = (row["device_id"], row["sensor_type"], row["location"], row["window_start"])
            seen[key] += 1
            rows[key] = row
        self.assertEqual([k for k, c in seen.items() if c > 1][:5], [],
                         "windows published more than once")
        self.assertEqual(sorted(set(expected) - set(rows))[:5], [], "windows missing")
        self.assertEqual(sorted(set(rows) - set(expected))[:5], [], "unexpected windows")
        bad = []
        for key, (avg, mx, mn, n) in expected.items():
            row = rows[key]
            if not (abs(row["avg_value"] - avg) <= 1e-12 * abs(avg) and
                    row["max_value"] == mx and row["min_value"] == mn):
                bad.append((key, n, (row["avg_value"], row["max_value"], row["min_value"]),
                            (avg, mx, mn)))
        self.assertEqual(bad[:3], [], f"{len(bad)} of {len(expected)} windows differ from the "
                         "computation over the log (key, count, got, expected)")


if __name__ == "__main__":
    harness.main()
