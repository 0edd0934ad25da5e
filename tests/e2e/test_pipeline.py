"""The shipped iot-analytics pipeline end to end: simulator records in through boto3
PutRecords, and out of the job as raw archive, processed records, 5-minute analytics,
alerts (file and webhook subscriptions) and dead letters — each compared with what an
independent Python computation over the sent records says it must be.

Records come from `fluxgate simulate --seed` (deterministic values, devices, anomalies and
bounded disorder). The simulator paces --rate in wall time even with a virtual clock, so
records are generated at --rate 0 (1 ms apart) and their timestamps spread out here,
keeping each record's out-of-order shift, to cover many windows and two hours.
"""

import collections
import http.server
import json
import math
import os
import re
import threading
import unittest

import harness

BUCKET = "iot-analytics"
STREAM = "iot-telemetry"
JOB = "iot-analytics"
TS_RE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,3})?$")

# Records the JSON table cannot take; the raw archive must still keep them byte for byte.
MALFORMED = [
    b"not json at all",
    b'{"device_id":"sensor-0001","timestamp":"2026-11-25T10:00:01.000000Z",'
    b'"sensor_type":"temperature","value":"hot","unit":"C","location":"warehouse-a"}',
    b'{"device_id":"sensor-0002","timestamp":',
    b"\xff\xfe binary \x00 garbage",
]


def put_all(client, entries, batch=500):
    """PutRecords in batches of `batch` (partition key = device id, or the record itself for
    malformed ones). entries: list of bytes. Returns [(bytes, shard id, sequence number)]."""
    acked = []
    for i in range(0, len(entries), batch):
        chunk = entries[i:i + batch]
        pending = [{"Data": d, "PartitionKey": _partition_key(d)} for d in chunk]
        for _ in range(20):
            resp = client.put_records(StreamName=STREAM, Records=pending)
            retry = []
            for req, res in zip(pending, resp["Records"]):
                if "SequenceNumber" in res:
                    acked.append((req["Data"], res["ShardId"], res["SequenceNumber"]))
                else:
                    retry.append(req)
            pending = retry
            if not pending:
                break
        if pending:
            raise AssertionError(f"{len(pending)} records not accepted after 20 tries")
    return acked


def _partition_key(data):
    try:
        return json.loads(data)["device_id"]
    except (ValueError, KeyError, TypeError):
        return "malformed-" + data[:20].hex()


def expected_alerts(records):
    """(message, severity, time, device_id, value) of every record the Lambda's rules flag."""
    out = []
    for r in records:
        st, v = r["sensor_type"], float(r["value"])
        if not ((st == "temperature" and v > 80) or (st == "pressure" and v > 100) or
                (st == "vibration" and v > 50)):
            continue
        critical = ((st == "temperature" and v > 100) or (st == "pressure" and v > 130) or
                    (st == "vibration" and v > 80))
        ms = harness.iso_to_ms(r["timestamp"])
        out.append((f"ALERT: Anomaly detected in {st} sensor {r['device_id']}. "
                    f"Value: {str(v)} {r['unit']}",
                    "critical" if critical else "warning",
                    harness.ms_to_iso(ms)[:-4] + "Z",  # ...T10:00:00.051Z
                    r["device_id"], v))
    return out


class WebhookReceiver:
    """A loopback HTTP server that records every POST (headers and JSON body), answers 200."""

    def __init__(self):
        self.lock = threading.Lock()
        self.received = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.received.append(({k.lower(): v for k, v in self.headers.items()},
                                              self.path, body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/hook?token=e2e-secret"

    def count(self):
        with self.lock:
            return len(self.received)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class PipelineTestBase(unittest.TestCase):
    def setUp(self):
        harness.require_binary(self)
        self.receiver = WebhookReceiver()
        self.server = None

    def tearDown(self):
        self.receiver.close()
        if self.server:
            if self.server.running():
                self.server.stop()
            self.server.cleanup()

    def make_server(self, pipeline_text=None):
        """A server running the given pipeline text (None: the shipped file), with a webhook
        and a file subscription to 'iot-alerts'."""
        self.server = harness.Server(default_pipeline=pipeline_text is None)
        self.alerts_path = os.path.join(self.server.workdir, "alerts.jsonl")
        with open(os.path.join(self.server.workdir, "fluxgate.toml"), "w") as f:
            f.write("[kinesis]\ncreate_delay_ms = 50\n\n"
                    "[alerts]\ninitial_backoff_ms = 50\n\n"
                    f'[[alerts.subscriptions]]\ntopic = "iot-alerts"\nkind = "webhook"\n'
                    f'url = "{self.receiver.url}"\n\n'
                    f'[[alerts.subscriptions]]\ntopic = "iot-alerts"\nkind = "file"\n'
                    f'path = "{self.alerts_path}"\n')
        self.server.config_path = os.path.join(self.server.workdir, "fluxgate.toml")
        if pipeline_text is not None:
            path = os.path.join(self.server.workdir, "iot-analytics-fast.sql")
            with open(path, "w", encoding="utf-8") as f:
                f.write(pipeline_text)
            self.server.extra_args += ["--pipeline", path]
        self.server.start()
        self.client = self.server.client(max_attempts=5)
        harness.wait_for(
            lambda: (harness.job_status(self.server, JOB) or {}).get("state") == "RUNNING", 30,
            lambda: f"job RUNNING: {harness.job_brief(harness.job_status(self.server, JOB))}")
        harness.wait_active(self.client, STREAM)
        return self.server

    # -- reading the job's output

    def analytics_rows(self):
        rows = []
        for path, line in harness.published_lines(self.server.data_dir, BUCKET,
                                                  "analytics-results"):
            rows.append((path, json.loads(line)))
        return rows

    def wait_for_output(self, records, n_in, timeout):
        """Waits until the job read n_in records (both scans) and the processed and analytics
        files hold at least what the records produce."""
        want_windows = len(harness.expected_windows(records))

        def state():
            job = harness.job_status(self.server, JOB)
            processed = len(harness.published_lines(self.server.data_dir, BUCKET,
                                                    "processed-data"))
            windows = len(self.analytics_rows())
            return job, processed, windows

        def done():
            job, processed, windows = state()
            return (job["records_in"] >= n_in and processed >= len(records) and
                    windows >= want_windows)

        def describe():
            job, processed, windows = state()
            return (f"records_in >= {n_in}, {len(records)} processed rows, {want_windows} "
                    f"windows; have {processed} processed rows, {windows} windows, job "
                    f"{harness.job_brief(job)}")

        harness.wait_for(done, timeout, describe, interval=0.5)

    # -- checks

    def check_analytics(self, records):
        expected = harness.expected_windows(records)
        rows = self.analytics_rows()
        seen = {}
        for path, row in rows:
            self.assertEqual(sorted(row), sorted(["device_id", "sensor_type", "location",
                                                  "avg_value", "max_value", "min_value",
                                                  "window_start", "window_end"]),
                             f"analytics row columns (partition columns only in the path): {row}")
            ws = row["window_start"]
            key_text = (row["device_id"], row["sensor_type"], row["location"], ws)
            self.assertNotIn(key_text, seen, f"window published twice: {row} and "
                             f"{seen.get(key_text)}")
            seen[key_text] = row
        by_text = {(d, s, l, harness.flink_timestamp(w)): (w, v)
                   for (d, s, l, w), v in expected.items()}
        missing = sorted(set(by_text) - set(seen))
        extra = sorted(set(seen) - set(by_text))
        self.assertEqual((missing[:5], extra[:5]), ([], []),
                         f"{len(missing)} windows missing, {len(extra)} unexpected "
                         f"(of {len(by_text)} expected)")
        for path, row in rows:
            key = (row["device_id"], row["sensor_type"], row["location"], row["window_start"])
            ws, (avg, mx, mn, n) = by_text[key]
            self.assertEqual(row["window_end"], harness.flink_timestamp(ws + harness.WINDOW_MS),
                             f"window_end of {row}")
            self.assertTrue(math.isclose(row["avg_value"], avg, rel_tol=1e-12, abs_tol=0),
                            f"avg of {key} over {n} values: got {row['avg_value']!r}, "
                            f"expected {avg!r}")
            self.assertEqual((row["max_value"], row["min_value"]), (mx, mn),
                             f"max/min of {key} over {n} values")
            p = harness.partition_of(path)
            ws_text = harness.flink_timestamp(ws)
            self.assertEqual((p.get("year"), p.get("month"), p.get("day"), p.get("hour")),
                             (ws_text[0:4], ws_text[5:7], ws_text[8:10], ws_text[11:13]),
                             f"partition of window {key}: {path}")
        return len(rows)

    def check_processed(self, records):
        lines = harness.published_lines(self.server.data_dir, BUCKET, "processed-data")
        got = collections.Counter()
        whole_seen = 0
        for path, line in lines:
            row = json.loads(line)
            self.assertRegex(row.get("processed_at") or "", TS_RE,
                             f"processed_at missing or malformed: {line}")
            self.assertEqual(sorted(row), sorted(["device_id", "timestamp", "sensor_type",
                                                  "value", "unit", "location",
                                                  "processed_at"]), line)
            p = harness.partition_of(path)
            ts = row["timestamp"]
            self.assertEqual((p.get("year"), p.get("month"), p.get("day"), p.get("hour")),
                             (ts[0:4], ts[5:7], ts[8:10], ts[11:13]), f"partition of {line}")
            if float(row["value"]).is_integer():
                whole_seen += 1
                self.assertRegex(line, r'"value":-?\d+\.0[,}]',
                                 f"a whole DOUBLE is written as Flink does ('95.0'): {line}")
            got[(row["device_id"], ts, row["sensor_type"], row["value"], row["unit"],
                 row["location"])] += 1
        want = collections.Counter(
            (r["device_id"], harness.flink_timestamp(harness.iso_to_ms(r["timestamp"])),
             r["sensor_type"], float(r["value"]), r["unit"], r["location"]) for r in records)
        self.assertEqual(sum(got.values()), len(records), "processed rows")
        self.assertEqual(sorted((got - want).items())[:5], [], "processed rows nobody sent")
        self.assertEqual(sorted((want - got).items())[:5], [], "sent records not processed")
        self.assertGreater(whole_seen, 0, "no whole value seen (test data problem)")

    def check_raw(self, sent_bytes):
        got = collections.Counter()
        for path in harness.published_files(self.server.data_dir, BUCKET, "raw-data"):
            with open(path, "rb") as f:
                data = harness.decompress(path, f.read())
            self.assertTrue(data.endswith(b"\n"), path)
            got.update(data.split(b"\n")[:-1])
            self.assertEqual(sorted(harness.partition_of(path)), ["day", "hour", "month",
                                                                 "year"], path)
        want = collections.Counter(sent_bytes)
        self.assertEqual(sorted((got - want).items())[:5], [], "raw lines nobody sent")
        self.assertEqual(sorted((want - got).items())[:5], [], "sent records not archived")

    def check_alerts(self, records):
        want = collections.Counter(expected_alerts(records))
        self.assertGreater(len(want), 10, "test data has too few anomalies")

        def key(doc):
            a = doc["attributes"]
            return (doc["message"], doc["severity"], doc["time"], a["device_id"], a["value"])

        def check_docs(label, docs):
            got = collections.Counter(key(d) for d in docs)
            self.assertEqual(sorted((got - want).items())[:5], [],
                             f"{label}: alerts that no rule raises (or repeats)")
            self.assertEqual(sorted((want - got).items())[:5], [], f"{label}: alerts missing")
            ids = collections.Counter(d["id"] for d in docs)
            self.assertEqual([i for i, c in ids.items() if c > 1][:5], [],
                             f"{label}: alert ids repeated")
            for d in docs:
                self.assertEqual(d["topic"], "iot-alerts")
                self.assertEqual(d["subject"], "IoT Sensor Anomaly Alert")  # the recipe's
                self.assertRegex(d["id"], r"^[0-9a-f]{32}$")
            return set(ids)

        with open(self.alerts_path, encoding="utf-8") as f:
            file_docs = [json.loads(line) for line in f.read().splitlines()]
        file_ids = check_docs("file subscription", file_docs)
        with self.receiver.lock:
            received = list(self.receiver.received)
        hook_docs = []
        for headers, path, body in received:
            self.assertEqual(path, "/hook?token=e2e-secret")
            doc = json.loads(body)
            self.assertEqual(headers.get("x-fluxgate-alert-id"), doc["id"])
            self.assertEqual(headers.get("x-fluxgate-topic"), "iot-alerts")
            hook_docs.append(doc)
        hook_ids = check_docs("webhook subscription", hook_docs)
        self.assertEqual(file_ids, hook_ids, "file and webhook got different alerts")
        return sum(want.values())


class ShippedPipelineFastTimingsTest(PipelineTestBase):
    """20,000 records through the shipped SQL with 1 s checkpoints, idle timeout and rollover."""

    COUNT = 20000

    def test_every_output_matches_an_independent_computation(self):
        # The shipped pipeline, only its timings shortened: checkpoint every 1 s, shards
        # idle after 1 s, part files rolled after 1 s. Every statement and query is as shipped.
        text = harness.pipeline_with_timings(checkpoint="1 s", idle="1 s", rollover="1 s")
        server = self.make_server(text)
        with harness.dump_output_on_failure(server):
            self._run(server)

    def _run(self, server):
        records = harness.simulate_records(server.workdir, self.COUNT, seed=7, devices=40,
                                           spacing_ms=200)
        dicts = [r for r, _ in records]
        sent = [line for _, line in records]
        half = len(sent) // 2
        entries = sent[:half] + MALFORMED + sent[half:]

        # With a 1 s idle timeout a sender that stalls for a second would let the watermark
        # jump to the wall clock and make every later record late. So the job is paused
        # while the records are loaded, and resumed from its checkpoint (offset 0): it then
        # reads them back to back, as it would after an outage.
        status, doc = harness.http_json("POST", f"{server.http_base}/v1/jobs/{JOB}/stop")
        self.assertEqual(status, 200, doc)
        self.assertEqual(doc["state"], "STOPPED", harness.job_brief(doc))
        acked = put_all(self.client, entries)
        self.assertEqual(len(acked), len(entries))
        status, doc = harness.http_json("POST", f"{server.http_base}/v1/jobs/{JOB}/restart")
        self.assertEqual(status, 200, doc)

        self.wait_for_output(dicts, 2 * len(entries), timeout=120)
        job = harness.job_status(server, JOB)
        self.assertEqual(job["state"], "RUNNING", harness.job_brief(job))
        self.assertEqual(job["late_records"], 0, harness.job_brief(job))
        self.assertEqual(job["dead_letters"], len(MALFORMED), harness.job_brief(job))
        self.assertEqual(job["records_in"], 2 * len(entries), harness.job_brief(job))
        harness.wait_for(lambda: self.receiver.count() >= len(expected_alerts(dicts)), 30,
                         lambda: f"{len(expected_alerts(dicts))} webhook alerts, "
                         f"have {self.receiver.count()}")

        # A graceful stop publishes what is open and drains the alert queues; nothing may
        # change in the output after that beyond what is checked below.
        self.assertEqual(server.stop(), 0)
        n_rows = self.check_analytics(dicts)
        self.assertGreater(n_rows, 40 * 12, "too few windows for a meaningful comparison")
        self.check_processed(dicts)
        self.check_raw(sent + MALFORMED)
        n_alerts = self.check_alerts(dicts)
        self.check_dead_letters(acked)
        if harness.OPTIONS.verbose:
            print(f"\n  {len(sent)} records, {n_rows} windows, {n_alerts} alerts, "
                  f"{len(MALFORMED)} dead letters checked")

    def check_dead_letters(self, acked):
        path = os.path.join(self.server.data_dir, "jobs", JOB, "dead-letters.jsonl")
        with open(path, "rb") as f:
            docs = [json.loads(line) for line in f.read().splitlines()]
        where = {d: (sid, seq) for d, sid, seq in acked if d in MALFORMED}
        self.assertEqual(len(docs), len(MALFORMED), docs)
        got = {}
        for d in docs:
            self.assertEqual(d.get("stream"), STREAM, d)
            self.assertTrue(d.get("reason"), f"dead letter without a reason: {d}")
            got[(d["shard"], d["sequence_number"])] = d
        want = {(int(sid.rsplit("-", 1)[1]), seq): data for data, (sid, seq) in where.items()}
        self.assertEqual(sorted(got), sorted(want), "dead letters' shard and sequence number")
        for k, data in want.items():
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                continue  # how invalid UTF-8 is shown is not specified
            self.assertEqual(got[k].get("data"), text, got[k])


class QuietPlantTest(PipelineTestBase):
    """With a 1 s idle timeout, the last window closes and is published with no more input."""

    def test_last_window_closes_without_further_input(self):
        text = harness.pipeline_with_timings(checkpoint="1 s", idle="1 s", rollover="1 s")
        server = self.make_server(text)
        with harness.dump_output_on_failure(server):
            records = harness.simulate_records(server.workdir, 400, seed=11, devices=8,
                                               spacing_ms=500)
            dicts = [r for r, _ in records]
            newest = max(harness.iso_to_ms(r["timestamp"]) for r in dicts)
            last_window = newest - newest % harness.WINDOW_MS
            # The event-time watermark (newest - 5 s) cannot close the last window: only
            # idleness can.
            self.assertLess(newest - 5000, last_window + harness.WINDOW_MS)
            # Loaded while the job is paused (as in the test above), so that a loaded machine
            # delaying one shard's records by more than the 1 s idle timeout cannot make
            # them late; resumed, the job reads both shards in one step.
            status, doc = harness.http_json("POST", f"{server.http_base}/v1/jobs/{JOB}/stop")
            self.assertEqual(status, 200, doc)
            acked = put_all(self.client, [line for _, line in records])  # one call
            self.assertEqual(len(acked), len(records))
            status, doc = harness.http_json("POST", f"{server.http_base}/v1/jobs/{JOB}/restart")
            self.assertEqual(status, 200, doc)
            self.wait_for_output(dicts, 2 * len(records), timeout=60)
            self.assertEqual(harness.job_status(server, JOB)["late_records"], 0)
            last = [row for _, row in self.analytics_rows()
                    if row["window_start"] == harness.flink_timestamp(last_window)]
            self.assertEqual(len(last), 8, "every device's last window")
            self.check_analytics(dicts)
            self.check_processed(dicts)


class ShippedPipelineFileTest(PipelineTestBase):
    """The shipped file itself (10 s checkpoints and idle timeout, 1 min rollover), records
    sent while it runs: every window is published without any stop."""

    def test_shipped_file_publishes_every_window(self):
        server = self.make_server(None)
        with harness.dump_output_on_failure(server):
            job = harness.job_status(server, JOB)
            self.assertIn("'table.exec.source.idle-timeout' = '10 s'", job["script"])
            records = harness.simulate_records(server.workdir, 4000, seed=23, devices=20,
                                               spacing_ms=400)
            dicts = [r for r, _ in records]
            put_all(self.client, [line for _, line in records])
            self.wait_for_output(dicts, 2 * len(records), timeout=170)
            job = harness.job_status(server, JOB)
            self.assertEqual(job["late_records"], 0, harness.job_brief(job))
            self.check_analytics(dicts)
            self.check_processed(dicts)
            harness.wait_for(lambda: self.receiver.count() >= len(expected_alerts(dicts)), 30,
                             "webhook alerts")
            self.assertEqual(server.stop(), 0)
            self.check_analytics(dicts)
            self.check_raw([line for _, line in records])
            self.check_alerts(dicts)


if __name__ == "__main__":
    harness.main()
