"""`fluxgate query`: batch SQL over the archive the shipped pipeline wrote.

The real server runs the shipped pipeline (only its timings shortened); records go in with
boto3 PutRecords, spanning several 5-minute windows, two days and several locations. Once
the sinks published everything, `fluxgate query` (no server involved) computes the
per-device AVG/MAX/MIN over 5-minute TUMBLE windows from processed_sink, and reads the live
job's own results back from iot_analytics_sink: both must equal each other and a Python
computation over the sent records. "Average value per location for one day" is filtered by
partition columns, which must prune the other day's objects (2026-11-24 is a Tuesday). Bad
SQL, a stream table and an unreadable object must fail with a clear message and a non-zero
exit. A second test reads a Hive tree put into s3rver with boto3, through [store.s3].
"""

import collections
import glob
import gzip
import json
import math
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import S3rver, write_s3_config as write_config  # noqa: E402

BUCKET = "iot-analytics"
STREAM = "iot-telemetry"
JOB = "iot-analytics"

DEVICES = [("sensor-0001", "temperature", "C", "warehouse-a"),
           ("sensor-0002", "vibration", "mm/s", "warehouse-a"),
           ("sensor-0003", "vibration", "mm/s", "plant-b"),
           ("sensor-0004", "pressure", "PSI", "plant-b")]
# Two days (the 24th and the 25th), 30 minutes each: six 5-minute windows per device per day.
DAY_STARTS_MS = [1795514400000, 1795600800000]  # 2026-11-24T10:00Z, 2026-11-25T10:00Z
STEP_MS = 20 * 1000  # one record per device every 20 s
STEPS = 90           # 30 minutes


def make_records():
    records = []
    for d, start in enumerate(DAY_STARTS_MS):
        for i in range(STEPS):
            for k, (dev, sensor, unit, loc) in enumerate(DEVICES):
                ms = start + i * STEP_MS + k * 7  # distinct, strictly increasing per device
                value = round(20 + ((i * 37 + k * 11 + d * 5) % 53) * 0.75 + k * 0.125, 3)
                if i % 17 == 0:
                    value = float(int(value))  # a whole value now and then ("95.0")
                records.append({"device_id": dev, "timestamp": harness.ms_to_iso(ms),
                                "sensor_type": sensor, "value": value, "unit": unit,
                                "location": loc})
    records.sort(key=lambda r: r["timestamp"])
    return records


class QueryTest(unittest.TestCase):
    def setUp(self):
        harness.require_binary(self)
        self.server = None

    def tearDown(self):
        if self.server:
            if self.server.running():
                self.server.stop()
            self.server.cleanup()

    def query(self, sql, *extra, check=True, fmt="json"):
        p = harness.run_fluxgate("query", "--pipeline", self.pipeline_path, "--data-dir",
                                 self.server.data_dir, "--format", fmt, *extra, sql,
                                 timeout=120)
        if check and p.returncode != 0:
            raise AssertionError(f"fluxgate query failed ({p.returncode}): {sql}\n"
                                 f"stderr: {p.stderr}")
        return p

    def query_rows(self, sql, *extra):
        p = self.query(sql, *extra)
        return [json.loads(line) for line in p.stdout.splitlines() if line.strip()]

    def run_pipeline(self, records):
        text = harness.pipeline_with_timings(checkpoint="1 s", idle="1 s", rollover="1 s")
        self.server = harness.Server()
        self.pipeline_path = os.path.join(self.server.workdir, "iot-analytics-fast.sql")
        with open(self.pipeline_path, "w", encoding="utf-8") as f:
            f.write(text)
        self.server.extra_args += ["--pipeline", self.pipeline_path]
        self.server.start()
        client = self.server.client(max_attempts=5)
        harness.wait_for(
            lambda: (harness.job_status(self.server, JOB) or {}).get("state") == "RUNNING", 30,
            lambda: f"job RUNNING: {harness.job_brief(harness.job_status(self.server, JOB))}")
        harness.wait_active(client, STREAM)
        lines = [json.dumps(r).encode() for r in records]
        for i in range(0, len(lines), 250):
            chunk = lines[i:i + 250]
            resp = client.put_records(StreamName=STREAM, Records=[
                {"Data": d, "PartitionKey": json.loads(d)["device_id"]} for d in chunk])
            self.assertEqual(resp.get("FailedRecordCount", 0), 0, "PutRecords failures")
        want_windows = len(harness.expected_windows(records))

        def published():
            processed = len(harness.published_lines(self.server.data_dir, BUCKET,
                                                    "processed-data"))
            windows = len(harness.published_lines(self.server.data_dir, BUCKET,
                                                  "analytics-results"))
            return processed, windows

        harness.wait_for(lambda: published() == (len(records), want_windows), 120,
                         lambda: f"{len(records)} processed rows and {want_windows} windows "
                                 f"published; have {published()}", interval=0.5)
        # Stop the server: `fluxgate query` needs none, and reads what was published.
        self.server.stop()

    def test_query_matches_live_results_and_an_independent_computation(self):
        records = make_records()
        self.run_pipeline(records)
        expected = harness.expected_windows(records)

        # 1. The analytics recomputed in batch from processed_sink.
        batch = self.query_rows(
            "SELECT device_id, sensor_type, location, AVG(`value`) AS avg_value, "
            "MAX(`value`) AS max_value, MIN(`value`) AS min_value, COUNT(*) AS n, "
            "TUMBLE_START(`timestamp`, INTERVAL '5' MINUTE) AS window_start, "
            "TUMBLE_END(`timestamp`, INTERVAL '5' MINUTE) AS window_end "
            "FROM processed_sink "
            "GROUP BY device_id, sensor_type, location, TUMBLE(`timestamp`, INTERVAL '5' MINUTE)")
        # 2. The live job's own results, read back through the same command.
        live = self.query_rows(
            "SELECT device_id, sensor_type, location, avg_value, max_value, min_value, "
            "window_start, window_end, `year`, `month`, `day`, `hour` FROM iot_analytics_sink")

        def keyed(rows, label):
            out = {}
            for r in rows:
                k = (r["device_id"], r["sensor_type"], r["location"], r["window_start"])
                self.assertNotIn(k, out, f"{label}: window twice: {r}")
                out[k] = r
            return out

        by_batch, by_live = keyed(batch, "batch"), keyed(live, "live")
        by_expected = {(d, s, l, harness.flink_timestamp(w)): (w, v)
                       for (d, s, l, w), v in expected.items()}
        self.assertEqual(len(by_expected), len(DEVICES) * 2 * 6, "test data: windows")
        self.assertEqual(sorted(by_batch), sorted(by_expected), "batch windows")
        self.assertEqual(sorted(by_live), sorted(by_expected), "live windows")
        for k, (ws, (avg, mx, mn, n)) in by_expected.items():
            b, lv = by_batch[k], by_live[k]
            for label, row in (("batch", b), ("live", lv)):
                self.assertTrue(math.isclose(row["avg_value"], avg, rel_tol=1e-12),
                                f"{label} avg of {k}: {row['avg_value']!r} != {avg!r}")
                self.assertEqual((row["max_value"], row["min_value"]), (mx, mn),
                                 f"{label} max/min of {k}")
                self.assertEqual(row["window_end"], harness.flink_timestamp(ws + harness.WINDOW_MS),
                                 f"{label} window_end of {k}")
            self.assertEqual(b["n"], n, f"batch count of {k}")
            self.assertTrue(math.isclose(b["avg_value"], lv["avg_value"], rel_tol=1e-12),
                            f"batch and live avg of {k}: {b['avg_value']!r} vs "
                            f"{lv['avg_value']!r}")
            # Partition columns come back from the directory names.
            self.assertEqual((lv["year"], lv["month"], lv["day"], lv["hour"]),
                             (k[3][0:4], k[3][5:7], k[3][8:10], k[3][11:13]), f"partition of {k}")

        # 3. "Average value per location for one day", by partition columns: only that
        # day's objects are read.
        p = self.query(
            "SELECT location, AVG(`value`) AS avg_value, COUNT(*) AS n FROM processed_sink "
            "WHERE `year` = '2026' AND `month` = '11' AND `day` = '24' AND sensor_type = "
            "'vibration' GROUP BY location", "--stats")
        rows = {r["location"]: r for r in
                (json.loads(line) for line in p.stdout.splitlines() if line.strip())}
        want = collections.defaultdict(list)
        for r in records:
            if r["timestamp"].startswith("2026-11-24") and r["sensor_type"] == "vibration":
                want[r["location"]].append(float(r["value"]))
        self.assertEqual(sorted(rows), sorted(want), "locations")
        for loc, values in want.items():
            self.assertEqual(rows[loc]["n"], len(values), f"count at {loc}")
            self.assertTrue(math.isclose(rows[loc]["avg_value"], math.fsum(values) / len(values),
                                         rel_tol=1e-12), f"avg at {loc}: {rows[loc]}")
        self.assertIn("pruned", p.stderr)
        listed = int(p.stderr.split(" objects listed")[0].rsplit(" ", 1)[-1])
        read = int(p.stderr.split(" read (")[0].rsplit(" ", 1)[-1])
        self.assertGreater(listed, read, f"partition filter pruned nothing: {p.stderr}")
        self.assertGreater(read, 0, p.stderr)

        # 4. The table format and CSV print the same rows.
        table = self.query("SELECT location, COUNT(*) AS n FROM processed_sink GROUP BY "
                           "location", fmt="table").stdout
        self.assertIn("location", table.splitlines()[0])
        self.assertIn("(2 rows)", table)
        csv = self.query("SELECT location, COUNT(*) AS n FROM processed_sink GROUP BY location",
                         fmt="csv").stdout.splitlines()
        self.assertEqual(csv[0], "location,n")
        counts = collections.Counter(r["location"] for r in records)
        self.assertEqual(sorted(csv[1:]), sorted(f"{k},{v}" for k, v in counts.items()))

        # 5. The raw archive (zstd-compressed lines) holds every record sent, byte for byte.
        raw = self.query_rows("SELECT data FROM raw_archive")
        self.assertEqual(collections.Counter(r["data"] for r in raw),
                         collections.Counter(json.dumps(r) for r in records), "raw archive")

        # 6. --limit.
        limited = self.query_rows("SELECT device_id FROM processed_sink", "--limit", "5")
        self.assertEqual(len(limited), 5)

        # 7. Errors: bad SQL, a stream table, an unreadable object — clear and non-zero.
        bad = self.query("SELECT vaule FROM processed_sink", check=False)
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn("vaule", bad.stderr)
        stream = self.query("SELECT * FROM iot_source", check=False)
        self.assertNotEqual(stream.returncode, 0)
        self.assertIn("fluxgate query reads only", stream.stderr)
        victim = sorted(glob.glob(os.path.join(self.server.data_dir, "objects", BUCKET,
                                               "processed-data", "**", "part-*"),
                                  recursive=True))[0]
        with open(victim, "ab") as f:
            f.write(b'{"device_id": "x", "value": "not a number"}\n')
        broken = self.query("SELECT COUNT(*) FROM processed_sink", check=False)
        self.assertNotEqual(broken.returncode, 0)
        self.assertIn(os.path.basename(victim), broken.stderr)


class QueryS3Test(unittest.TestCase):
    """`fluxgate query --config` with [store.s3]: s3:// tables are read from S3 (s3rver)."""

    def setUp(self):
        harness.require_binary(self)
        self.s3 = S3rver()
        self.workdir = self.s3.dir

    def tearDown(self):
        self.s3.stop()

    def test_reads_a_hive_tree_from_s3_with_partition_pruning(self):
        s3 = self.s3.client()
        s3.create_bucket(Bucket="fg-query")
        rows = {  # key -> rows
            "archive/day=24/hour=10/part-a-0-0.json": [("d1", 1.5), ("d2", 4.0)],
            "archive/day=24/hour=11/part-a-0-1.json.gz": [("d1", 2.5)],
            "archive/day=25/hour=10/part-a-0-2.json": [("d1", 100.0)],
        }
        for key, values in rows.items():
            body = "".join(json.dumps({"device_id": d, "value": v}) + "\n" for d, v in values)
            data = gzip.compress(body.encode()) if key.endswith(".gz") else body.encode()
            s3.put_object(Bucket="fg-query", Key=key, Body=data)
        s3.put_object(Bucket="fg-query", Key="archive/day=24/hour=10/_SUCCESS", Body=b"")
        config = os.path.join(self.workdir, "fluxgate.toml")
        write_config(config, self.s3.endpoint, sse="")
        ddl = ("CREATE TABLE archive (device_id STRING, `value` DOUBLE, `day` STRING, "
               "`hour` STRING) PARTITIONED BY (`day`, `hour`) WITH ('connector' = 's3', "
               "'path' = 's3://fg-query/archive/', 'format' = 'json');")
        p = harness.run_fluxgate(
            "query", "--no-pipeline", "--config", config, "--data-dir",
            os.path.join(self.workdir, "empty-data"), "--format", "json", "--stats",
            ddl + "SELECT device_id, COUNT(*) AS n, SUM(`value`) AS total FROM archive "
            "WHERE `day` = '24' GROUP BY device_id", timeout=120)
        self.assertEqual(p.returncode, 0, f"stderr: {p.stderr}\ns3rver: {self.s3.log_text()}")
        got = sorted((r["device_id"], r["n"], r["total"])
                     for r in map(json.loads, p.stdout.splitlines()))
        self.assertEqual(got, [("d1", 2, 4.0), ("d2", 1, 4.0)])
        self.assertIn("3 objects listed, 1 pruned, 2 read", p.stderr)

        # A table whose bucket does not exist: a clear error naming the path, exit 1.
        missing = harness.run_fluxgate(
            "query", "--no-pipeline", "--config", config, "--format", "json",
            ddl.replace("s3://fg-query/", "s3://no-such-bucket/") + "SELECT * FROM archive",
            timeout=120)
        self.assertNotEqual(missing.returncode, 0)
        self.assertIn("s3://no-such-bucket/archive/", missing.stderr)


if __name__ == "__main__":
    harness.main()
