"""Metrics and alarms: GET /metrics in the Prometheus text format (parsed with
prometheus_client's parser) after boto3 puts and reads — the per-shard incoming and outgoing
counters move by exactly what was put and read, the put latency histogram counts every put
call, process metrics are there — then GET /v1/alarms and `fluxgate alarms` list the recipe's
two default alarms, and a server with a one-second alarm publishes its transition to ALARM
(and back to OK) to a file subscription."""

import base64
import json
import os
import time
import unittest
import urllib.request

import harness

try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError:  # a missing dependency must fail loudly, not skip
    text_string_to_metric_families = None

STREAM = "metrics-e2e"


def scrape(server):
    """(content type, {sample name: {frozenset(labels): value}}) of GET /metrics."""
    if text_string_to_metric_families is None:
        raise AssertionError("prometheus_client is not installed for this python "
                             "(Debian: python3-prometheus-client)")
    with urllib.request.urlopen(server.http_base + "/metrics", timeout=10) as r:
        ctype = r.headers.get("Content-Type")
        text = r.read().decode()
    samples = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            samples.setdefault(s.name, {})[frozenset(s.labels.items())] = s.value
    return ctype, samples


def value(samples, name, **labels):
    return samples.get(name, {}).get(frozenset(labels.items()), 0.0)


def total(samples, name, **labels):
    """Sum over the series of `name` that carry `labels`."""
    want = set(labels.items())
    return sum(v for k, v in samples.get(name, {}).items() if want <= set(k))


class MetricsEndpoint(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not harness.have_binary():
            raise unittest.SkipTest("metrics are fluxgate's own: needs --binary")
        cls.server = harness.Server()
        cls.server.start()
        cls.client = cls.server.client()
        harness.create_stream(cls.client, STREAM, shards=2)

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def test_counters_move_by_what_was_put_and_read(self):
        ctype, before = scrape(self.server)
        self.assertTrue(ctype.startswith("text/plain; version=0.0.4"), ctype)
        shard_records, shard_bytes = {}, {}
        calls = 0
        batch = [{"Data": f"reading-{i:03d}".encode() * (i + 1), "PartitionKey": f"device-{i}"}
                 for i in range(7)]
        out = self.client.put_records(StreamName=STREAM, Records=batch)
        calls += 1
        self.assertEqual(out["FailedRecordCount"], 0)
        for rec, res in zip(batch, out["Records"]):
            sid = res["ShardId"]
            shard_records[sid] = shard_records.get(sid, 0) + 1
            shard_bytes[sid] = shard_bytes.get(sid, 0) + len(rec["Data"]) + len(rec["PartitionKey"])
        for i in range(3):
            data, key = b"x" * (10 + i), f"single-{i}"
            res = self.client.put_record(StreamName=STREAM, Data=data, PartitionKey=key)
            calls += 1
            sid = res["ShardId"]
            shard_records[sid] = shard_records.get(sid, 0) + 1
            shard_bytes[sid] = shard_bytes.get(sid, 0) + len(data) + len(key)

        # Read every shard from the start: outgoing counts what GetRecords returned.
        read = {}
        for shard in self.client.list_shards(StreamName=STREAM)["Shards"]:
            sid = shard["ShardId"]
            it = self.client.get_shard_iterator(StreamName=STREAM, ShardId=sid,
                                                ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            got = self.client.get_records(ShardIterator=it, Limit=1000)["Records"]
            read[sid] = (len(got), sum(len(r["Data"]) + len(r["PartitionKey"]) for r in got))

        _, after = scrape(self.server)
        for sid in set(shard_records) | set(read):
            labels = {"stream": STREAM, "shard": sid}
            self.assertEqual(value(after, "fluxgate_stream_incoming_records_total", **labels)
                             - value(before, "fluxgate_stream_incoming_records_total", **labels),
                             shard_records.get(sid, 0), sid)
            self.assertEqual(value(after, "fluxgate_stream_incoming_bytes_total", **labels)
                             - value(before, "fluxgate_stream_incoming_bytes_total", **labels),
                             shard_bytes.get(sid, 0), sid)
            self.assertEqual(value(after, "fluxgate_stream_outgoing_records_total", **labels),
                             read[sid][0], sid)
            self.assertEqual(value(after, "fluxgate_stream_outgoing_bytes_total", **labels),
                             read[sid][1], sid)
            self.assertIn(frozenset(labels.items()),
                          after.get("fluxgate_stream_millis_behind_latest", {}))
            self.assertIn(frozenset(labels.items()),
                          after.get("fluxgate_stream_iterator_age_milliseconds", {}))
        # The whole put is the sum over shards (what the default alarm watches).
        self.assertEqual(total(after, "fluxgate_stream_incoming_records_total", stream=STREAM)
                         - total(before, "fluxgate_stream_incoming_records_total", stream=STREAM),
                         10)
        # Every put call is one latency observation; buckets are cumulative up to +Inf.
        self.assertEqual(value(after, "fluxgate_kinesis_put_latency_seconds_count")
                         - value(before, "fluxgate_kinesis_put_latency_seconds_count"), calls)
        self.assertEqual(value(after, "fluxgate_kinesis_put_latency_seconds_bucket", le="+Inf"),
                         value(after, "fluxgate_kinesis_put_latency_seconds_count"))
        self.assertGreater(value(after, "fluxgate_kinesis_put_latency_seconds_sum"), 0)

    def test_process_metrics(self):
        _, s = scrape(self.server)
        self.assertGreater(value(s, "process_resident_memory_bytes"), 1 << 20)
        self.assertGreaterEqual(value(s, "process_virtual_memory_bytes"),
                                value(s, "process_resident_memory_bytes"))
        self.assertGreater(value(s, "process_open_fds"), 3)
        self.assertGreaterEqual(value(s, "process_cpu_seconds_total"), 0)
        self.assertLess(abs(value(s, "process_start_time_seconds") - time.time()), 3600)

    def test_metrics_json(self):
        status, doc = harness.http_json("GET", self.server.http_base + "/v1/metrics")
        self.assertEqual(status, 200)
        names = {m["name"]: m for m in doc["metrics"]}
        self.assertEqual(names["process_open_fds"]["type"], "gauge")
        self.assertEqual(names["fluxgate_kinesis_put_latency_seconds"]["type"], "histogram")

    def test_default_alarms(self):
        status, doc = harness.http_json("GET", self.server.http_base + "/v1/alarms")
        self.assertEqual(status, 200)
        alarms = {a["name"]: a for a in doc["alarms"]}
        self.assertEqual(set(alarms), {"kinesis-records", "processing-errors"})
        rec = alarms["kinesis-records"]
        self.assertEqual((rec["metric"], rec["statistic"], rec["period_seconds"],
                          rec["evaluation_periods"], rec["comparison"], rec["threshold"]),
                         ("fluxgate_stream_incoming_records_total", "Sum", 300, 2,
                          "GreaterThanThreshold", 100))
        err = alarms["processing-errors"]
        self.assertEqual((err["metric"], err["period_seconds"], err["evaluation_periods"],
                          err["threshold"]),
                         ("fluxgate_job_dead_letter_records_total", 300, 1, 5))
        # No 5-minute period has ended yet.
        self.assertEqual(rec["state"], "INSUFFICIENT_DATA")
        self.assertEqual(err["state"], "INSUFFICIENT_DATA")

        p = harness.run_fluxgate("alarms", "--server", self.server.http_base, check=True)
        self.assertIn("kinesis-records", p.stdout)
        self.assertIn("processing-errors", p.stdout)
        self.assertIn("INSUFFICIENT_DATA", p.stdout)
        p = harness.run_fluxgate("alarms", "kinesis-records", "--server", self.server.http_base,
                                 check=True)
        self.assertIn("Sum(fluxgate_stream_incoming_records_total{stream=\"iot-telemetry\"}) > 100",
                      p.stdout)
        p = harness.run_fluxgate("alarms", "nope", "--server", self.server.http_base)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("no alarm named 'nope'", p.stderr)


class AlarmTransitions(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not harness.have_binary():
            raise unittest.SkipTest("alarms are fluxgate's own: needs --binary")
        cls.server = harness.Server(config_text="")
        cls.alerts = os.path.join(cls.server.workdir, "alarm-alerts.jsonl")
        with open(cls.server.config_path, "w") as f:
            f.write(f"""
[[alarms]]
name = "fast-records"
description = "more than 5 records a second"
metric = "fluxgate_stream_incoming_records_total"
labels = {{ stream = "{STREAM}" }}
statistic = "Sum"
period_seconds = 1
evaluation_periods = 1
comparison = "GreaterThanThreshold"
threshold = 5
treat_missing_data = "notBreaching"
topic = "ops"

[[alerts.subscriptions]]
topic = "ops"
kind = "file"
path = "{cls.alerts}"
""")
        cls.server.start()
        cls.client = cls.server.client()
        harness.create_stream(cls.client, STREAM, shards=1)

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def alerts_with(self, state):
        if not os.path.exists(self.alerts):
            return []
        with open(self.alerts) as f:
            docs = [json.loads(line) for line in f if line.strip()]
        return [d for d in docs if d["attributes"].get("new_state") == state]

    def test_transition_to_alarm_is_published(self):
        records = [{"Data": b"r", "PartitionKey": f"k{i}"} for i in range(20)]

        def put_and_check():
            self.client.put_records(StreamName=STREAM, Records=records)
            return self.alerts_with("ALARM")

        alarm = harness.wait_for(put_and_check, 30, "an ALARM alert in the file subscription",
                                 interval=0.2)[0]
        self.assertEqual(alarm["topic"], "ops")
        self.assertEqual(alarm["severity"], "critical")
        self.assertEqual(alarm["rule"], "alarm:fast-records")
        self.assertEqual(alarm["attributes"]["alarm"], "fast-records")
        self.assertIn("Threshold Crossed", alarm["attributes"]["reason"])
        self.assertTrue(any(p is not None and p > 5 for p in alarm["attributes"]["datapoints"]))

        status, doc = harness.http_json("GET", self.server.http_base + "/v1/alarms")
        self.assertEqual(status, 200)
        self.assertEqual([a["name"] for a in doc["alarms"]], ["fast-records"])

        # No more records: the next periods sum to 0 and the alarm returns to OK.
        ok = harness.wait_for(lambda: [d for d in self.alerts_with("OK")
                                       if d["attributes"]["old_state"] == "ALARM"],
                              30, "an ALARM -> OK alert")
        self.assertGreater(ok[-1]["attributes"]["time_ms"], alarm["attributes"]["time_ms"])
        self.assertEqual(ok[-1]["severity"], "info")


if __name__ == "__main__":
    harness.main()
