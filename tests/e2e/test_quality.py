"""Data quality ([[quality.streams]]): a declared schema checked on ingest — boto3 PutRecords
and PutRecord in reject mode (bad records fail with the reason naming the field), and in
dead-letter mode (bad records land in the dead-letter stream with the reason, the producer
sees success) — then the profiles over GET /v1/quality/...: counts, invalid fields per
device, duplicates, out-of-order records, values out of range, a stale device (and its
alert in a file subscription), and the `fluxgate quality` CLI table."""

import datetime
import json
import os
import time
import unittest

import botocore.exceptions

import harness

SERVER = None
ALERTS = None
SCHEMA = ("device_id STRING NOT NULL, timestamp TIMESTAMP(3) NOT NULL, "
          "sensor_type STRING NOT NULL, value DOUBLE NOT NULL, unit STRING")


def setUpModule():
    global SERVER, ALERTS
    if not harness.have_binary():
        raise unittest.SkipTest("[quality] is fluxgate's own: needs --binary")
    SERVER = harness.Server(config_text="")  # written below, once the workdir is known
    ALERTS = os.path.join(SERVER.workdir, "quality-alerts.jsonl")
    config = f"""
[quality]
poll_interval_ms = 50

[[quality.streams]]
stream = "dq-reject"
schema = "{SCHEMA}"
on_invalid = "reject"
stale_after = "2s"
late_after = "30s"
alert_topic = "data-quality"
[quality.streams.ranges]
temperature = [-40, 125]

[[quality.streams]]
stream = "dq-dead"
schema = "{SCHEMA}"
on_invalid = "dead-letter"
stale_after = "1h"

[[quality.streams]]
stream = "dq-http"
schema = "{SCHEMA}"
on_invalid = "reject"

[[alerts.subscriptions]]
topic = "data-quality"
kind = "file"
path = "{ALERTS}"
"""
    with open(SERVER.config_path, "w") as f:
        f.write(config)
    SERVER.start()


def tearDownModule():
    if SERVER:
        SERVER.cleanup()


def iso(ms):
    return datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def rec(device, ts_ms, value, sensor="temperature", **extra):
    r = {"device_id": device, "timestamp": iso(ts_ms), "sensor_type": sensor, "value": value,
         "unit": "C"}
    r.update(extra)
    return r


def entries(records):
    return [{"Data": json.dumps(r).encode() if not isinstance(r, bytes) else r,
             "PartitionKey": (r.get("device_id") if isinstance(r, dict) else None) or "pk"}
            for r in records]


def quality(path=""):
    status, doc = harness.http_json("GET", f"{SERVER.http_base}/v1/quality{path}")
    if status != 200:
        raise AssertionError(f"GET /v1/quality{path}: HTTP {status}: {doc}")
    return doc


def post_ndjson(stream, lines):
    status, _, raw = harness.http_request(
        "POST", f"{SERVER.http_base}/v1/streams/{stream}/records", "\n".join(lines) + "\n",
        {"Content-Type": "application/x-ndjson"})
    return status, json.loads(raw)


class QualityTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.client = SERVER.client()
        for s in ("dq-reject", "dq-dead", "dq-http"):
            harness.create_stream(cls.client, s, shards=1)
        cls.now = int(time.time() * 1000)

    def test_1_reject_mode(self):
        now = self.now
        good = [rec("good-1", now, 20.0), rec("good-1", now + 1000, 30.0),
                rec("good-2", now, 21.0)]
        bad = [{"device_id": "bad-1", "timestamp": iso(now), "value": 1.0},      # no sensor_type
               rec("bad-1", now + 1, "hot")]                                       # value a string
        resp = self.client.put_records(StreamName="dq-reject", Records=entries(good + bad))
        self.assertEqual(resp["FailedRecordCount"], 2, resp)
        results = resp["Records"]
        for r in results[:3]:
            self.assertIn("SequenceNumber", r)
        self.assertEqual(results[3]["ErrorCode"], "InvalidArgumentException")
        self.assertIn("'sensor_type'", results[3]["ErrorMessage"])
        self.assertEqual(results[4]["ErrorCode"], "InvalidArgumentException")
        self.assertIn("'value'", results[4]["ErrorMessage"])

        # PutRecord: a 400 ValidationException naming the field.
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.client.put_record(StreamName="dq-reject", PartitionKey="bad-1",
                                   Data=json.dumps({"device_id": "bad-1"}).encode())
        err = cm.exception.response["Error"]
        self.assertEqual(err["Code"], "ValidationException")
        self.assertIn("'timestamp'", err["Message"])

        # A duplicate, an out-of-order record and a value outside the physical range.
        more = [rec("good-1", now + 1000, 30.0), rec("good-1", now + 500, 25.0),
                rec("good-2", now + 1, 500.0)]
        resp = self.client.put_records(StreamName="dq-reject", Records=entries(more))
        self.assertEqual(resp["FailedRecordCount"], 0, resp)

        s = harness.wait_for(
            lambda: (lambda d: d if d["records"] >= 6 else None)(quality("/dq-reject")),
            30, "the profiler to read 6 records")
        self.assertEqual(s["records"], 6)
        self.assertEqual(s["invalid"], 0)
        self.assertEqual(s["rejected"], 3)
        self.assertEqual(s["duplicates"], 1)
        self.assertEqual(s["out_of_order"], 1)
        self.assertEqual(s["late"], 0)
        self.assertEqual(s["out_of_range"], 1)
        self.assertEqual(s["devices"], 3)  # good-1, good-2 and bad-1 (rejected only)
        self.assertEqual(s["problems"].get("missing"), 2)
        self.assertEqual(s["problems"].get("type"), 1)

        g1 = quality("/dq-reject/devices/good-1")
        self.assertEqual(g1["count"], 4)
        self.assertEqual(g1["min"], 20.0)
        self.assertEqual(g1["max"], 30.0)
        self.assertAlmostEqual(g1["mean"], 26.25)
        self.assertEqual(g1["duplicates"], 1)
        self.assertEqual(g1["out_of_order"], 1)
        b1 = quality("/dq-reject/devices/bad-1")
        self.assertEqual(b1["count"], 0)
        self.assertEqual(b1["invalid"], 3)
        self.assertEqual(b1["fields"]["sensor_type"]["invalid"], 2)  # missing in two records
        self.assertEqual(b1["fields"]["value"]["invalid"], 2)  # a string, then missing

        devices = quality("/dq-reject/devices?sort=count&limit=2")
        self.assertEqual(devices["total"], 3)
        self.assertEqual([d["device_id"] for d in devices["devices"]], ["good-1", "good-2"])
        status, _ = harness.http_json("GET", f"{SERVER.http_base}/v1/quality/nope")
        self.assertEqual(status, 404)
        status, _ = harness.http_json("GET",
                                      f"{SERVER.http_base}/v1/quality/dq-reject/devices?sort=x")
        self.assertEqual(status, 400)

    def test_2_dead_letter_mode(self):
        now = self.now
        good = [rec("dl-good", now, 1.0)]
        bad = [rec("dl-bad", now, None)]  # value null in a NOT NULL column
        resp = self.client.put_records(StreamName="dq-dead", Records=entries(good + bad))
        self.assertEqual(resp["FailedRecordCount"], 0, resp)
        shard = harness.list_all_shards(self.client, "dq-dead-dead-letters")[0]["ShardId"]
        letters = harness.wait_for(
            lambda: harness.read_shard(self.client, "dq-dead-dead-letters", shard)[0],
            30, "a dead letter")
        self.assertEqual(len(letters), 1)
        doc = json.loads(letters[0]["Data"])
        self.assertEqual(doc["reason"], "field 'value': must not be null")
        self.assertEqual(doc["field"], "value")
        self.assertEqual(doc["stream"], "dq-dead")
        self.assertEqual(doc["partition_key"], "dl-bad")
        self.assertEqual(json.loads(doc["data"]), bad[0])
        main, _ = harness.read_shard(
            self.client, "dq-dead", harness.list_all_shards(self.client, "dq-dead")[0]["ShardId"])
        self.assertEqual([json.loads(r["Data"])["device_id"] for r in main], ["dl-good"])
        s = harness.wait_for(
            lambda: (lambda d: d if d["records"] >= 1 else None)(quality("/dq-dead")),
            30, "the profiler")
        self.assertEqual(s["dead_lettered"], 1)
        self.assertEqual(s["dead_letter_stream"], "dq-dead-dead-letters")

    def test_3_stale_device_alerts(self):
        # dq-reject's devices sent nothing for stale_after = 2s.
        s = harness.wait_for(
            lambda: (lambda d: d if d["stale_devices"] >= 2 else None)(quality("/dq-reject")),
            30, "good-1 and good-2 to turn stale")
        self.assertIn("good-1", s["stale_device_ids"])
        self.assertNotIn("bad-1", s["stale_device_ids"])  # never had an accepted record
        stale = quality("/dq-reject/devices?stale=true")
        self.assertEqual(sorted(d["device_id"] for d in stale["devices"]), ["good-1", "good-2"])

        def alert_lines():
            if not os.path.exists(ALERTS):
                return None
            with open(ALERTS) as f:
                lines = [json.loads(x) for x in f if x.strip()]
            return lines if len(lines) >= 2 else None
        lines = harness.wait_for(alert_lines, 30, "two stale alerts in the file")
        self.assertEqual({l["attributes"]["device_id"] for l in lines[:2]}, {"good-1", "good-2"})
        self.assertEqual(lines[0]["topic"], "data-quality")
        self.assertEqual(lines[0]["attributes"]["state"], "stale")

        # The summary over every stream, and the CLI table.
        doc = quality()
        self.assertEqual(sorted(x["stream"] for x in doc["streams"]), ["dq-dead", "dq-http", "dq-reject"])
        p = harness.run_fluxgate("quality", "--server", SERVER.http_base, check=True)
        self.assertIn("dq-reject", p.stdout)
        self.assertIn("STALE", p.stdout)
        p = harness.run_fluxgate("quality", "dq-reject", "--server", SERVER.http_base, check=True)
        self.assertIn("good-1", p.stdout)
        p = harness.run_fluxgate("quality", "dq-reject", "--device", "bad-1", "--server",
                                 SERVER.http_base, check=True)
        self.assertIn("sensor_type", p.stdout)



    def test_4_http_ingest_applies_the_schema(self):
        # POST /v1/streams/{stream}/records goes through the same rules: the bad line gets
        # its reason (not retryable), the good one is stored.
        lines = [json.dumps(rec("http-1", self.now, 20.0)),
                 json.dumps({"device_id": "http-1", "timestamp": iso(self.now)})]
        status, doc = post_ndjson("dq-http", lines)
        self.assertEqual(status, 200, doc)
        self.assertEqual((doc["accepted"], doc["failed"]), (1, 1), doc)
        self.assertIn("sequence_number", doc["results"][0])
        self.assertEqual(doc["results"][1]["error"], "InvalidRecord", doc)
        self.assertIn("'sensor_type'", doc["results"][1]["message"])
        self.assertNotIn("retryable", doc["results"][1])
        status, doc = post_ndjson("dq-http", lines[1:])
        self.assertEqual(status, 400, doc)

if __name__ == "__main__":
    harness.main()
