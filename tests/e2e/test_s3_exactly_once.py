"""Exactly-once file sinks on S3: fluxgate with [store.s3] pointing at s3rver (127.0.0.1,
free port, temp dir), a pipeline writing Parquet, zstd JSON Lines and gzip raw lines to
s3:// paths, kill -9 while files are staged as multipart uploads, restart, finish; then
every object is listed and read back with boto3 (Parquet through DuckDB on downloaded
copies) and must hold each record put exactly once.

s3rver does not implement ListMultipartUploads, so the uploads a killed run left behind
cannot be listed (or aborted by recovery: the S3 store logs that and goes on); they are
never completed, so readers never see them — which is what this test checks.

    /usr/bin/python3 tests/e2e/test_s3_exactly_once.py --binary build/fluxgate
"""

import collections
import json
import os
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import S3rver, S3_KEY as KEY  # noqa: E402

BUCKET = "fg-eo"
STREAM = "eo-telemetry"
JOB = "s3-eo"
N = 6000

PIPELINE = f"""
SET 'pipeline.name' = '{JOB}';
SET 'execution.checkpointing.interval' = '1 s';
CREATE TABLE src (device_id STRING, ts TIMESTAMP(3), v BIGINT)
  WITH ('connector' = 'kinesis', 'stream' = '{STREAM}', 'format' = 'json', 'shards' = '2',
        'scan.stream.initpos' = 'TRIM_HORIZON');
CREATE TABLE raw_src (data STRING)
  WITH ('connector' = 'kinesis', 'stream' = '{STREAM}', 'format' = 'raw',
        'scan.stream.initpos' = 'TRIM_HORIZON');
CREATE TABLE pq (device_id STRING, ts TIMESTAMP(3), v BIGINT, `hour` STRING)
  PARTITIONED BY (`hour`)
  WITH ('connector' = 's3', 'path' = 's3://{BUCKET}/pq/', 'format' = 'parquet');
CREATE TABLE js (device_id STRING, ts TIMESTAMP(3), v BIGINT, `hour` STRING)
  PARTITIONED BY (`hour`)
  WITH ('connector' = 's3', 'path' = 's3://{BUCKET}/js/', 'format' = 'json',
        'compression' = 'zstd', 'sink.rolling-policy.rollover-interval' = '1 h');
CREATE TABLE raw (data STRING)
  WITH ('connector' = 's3', 'path' = 's3://{BUCKET}/raw/', 'format' = 'raw',
        'compression' = 'gzip', 'sink.rolling-policy.rollover-interval' = '3 s');
EXECUTE STATEMENT SET BEGIN
  INSERT INTO pq SELECT device_id, ts, v, DATE_FORMAT(ts, 'HH') FROM src;
  INSERT INTO js SELECT device_id, ts, v, DATE_FORMAT(ts, 'HH') FROM src;
  INSERT INTO raw SELECT data FROM raw_src;
END;
"""


def record(i):
    ms = 1795600800000 + i * 997  # from 2026-11-25 10:00 UTC over ~100 minutes: two hours
    return json.dumps({"device_id": f"d{i % 13}", "ts": harness.ms_to_iso(ms), "v": i},
                      separators=(",", ":")).encode()


class S3ExactlyOnceTest(unittest.TestCase):
    def setUp(self):
        harness.require_binary(self)
        self.s3 = S3rver()
        self.s3.client().create_bucket(Bucket=BUCKET)
        config = ("[kinesis]\ncreate_delay_ms = 50\n"
                  "[store.s3]\n"
                  f'endpoint = "{self.s3.endpoint}"\n'
                  'region = "us-east-1"\n'
                  f'access_key_id = "{KEY}"\n'
                  f'secret_access_key = "{KEY}"\n'
                  "path_style = true\n")
        self.server = harness.Server(config_text=config)
        path = os.path.join(self.server.workdir, "s3-eo.sql")
        with open(path, "w", encoding="utf-8") as f:
            f.write(PIPELINE)
        self.server.extra_args += ["--pipeline", path]
        self.server.start()

    def tearDown(self):
        if self.server.running():
            self.server.stop()
        self.server.cleanup()
        self.s3.stop()

    def put(self, client, lo, hi):
        for start in range(lo, hi, 250):
            pending = [{"Data": record(i), "PartitionKey": f"k{i % 7}"}
                       for i in range(start, min(hi, start + 250))]
            while pending:
                resp = client.put_records(StreamName=STREAM, Records=pending)
                pending = [req for req, res in zip(pending, resp["Records"])
                           if "SequenceNumber" not in res]
                if pending:
                    time.sleep(0.05)

    def keys(self, prefix):
        s3 = self.s3.client()
        out, token = [], None
        while True:
            kw = {"Bucket": BUCKET, "Prefix": prefix}
            if token:
                kw["ContinuationToken"] = token
            resp = s3.list_objects_v2(**kw)
            out += [o["Key"] for o in resp.get("Contents", [])]
            if not resp.get("IsTruncated"):
                return out
            token = resp["NextContinuationToken"]

    def lines(self, prefix):
        """Every line of every line object under prefix (decompressed by suffix)."""
        out = []
        s3 = self.s3.client()
        for key in self.keys(prefix):
            data = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
            text = harness.decompress(key, data)
            self.assertTrue(text.endswith(b"\n"), key)
            out += text.split(b"\n")[:-1]
        return out

    def parquet_values(self, prefix):
        s3 = self.s3.client()
        tmp = tempfile.mkdtemp(prefix="fg-s3-pq-", dir=self.server.workdir)
        paths = []
        for n, key in enumerate(self.keys(prefix)):
            self.assertTrue(key.endswith(".parquet"), key)
            path = os.path.join(tmp, f"{n}.parquet")
            with open(path, "wb") as f:
                f.write(s3.get_object(Bucket=BUCKET, Key=key)["Body"].read())
            paths.append(path)
        rows = harness.parquet_rows(paths)
        return [json.loads(r)["v"] for p in paths for r in rows[p]]

    def job_committed(self):
        return (harness.job_status(self.server, JOB) or {}).get("last_checkpoint_id", 0)

    def test_kill9_while_uploads_are_staged(self):
        with harness.dump_output_on_failure(self.server):
            self._run()

    def _run(self):
        harness.wait_for(
            lambda: (harness.job_status(self.server, JOB) or {}).get("state") == "RUNNING", 30,
            lambda: f"job RUNNING: {harness.job_brief(harness.job_status(self.server, JOB))}")
        client = self.server.client(max_attempts=5)
        harness.wait_active(client, STREAM)
        self.put(client, 0, N // 2)
        # Wait until Parquet files are published (so checkpoints committed while the js
        # files, with a 1 h rollover, stay open: staged as multipart uploads, persisted at
        # every checkpoint), then kill mid-stream.
        harness.wait_for(lambda: self.keys("pq/"), 60, lambda: "published Parquet files")
        cp = self.job_committed()
        harness.wait_for(lambda: self.job_committed() >= cp + 1, 30, lambda: "a checkpoint")
        self.assertEqual(self.keys("js/"), [], "js files must still be staged at the kill")
        self.server.kill9()
        self.server.start()
        harness.wait_for(
            lambda: (harness.job_status(self.server, JOB) or {}).get("state") == "RUNNING", 30,
            lambda: f"job RUNNING after restart: "
                    f"{harness.job_brief(harness.job_status(self.server, JOB))}")
        client = self.server.client(max_attempts=5)
        self.put(client, N // 2, N)
        # Both scans (src and raw_src) read the second half at least (records_in counts
        # from the restart: what the restored checkpoint already covered is not re-read).
        harness.wait_for(lambda: (harness.job_status(self.server, JOB) or {})
                         .get("records_in", 0) >= N, 90,
                         lambda: f"records_in >= {N}: "
                                 f"{harness.job_brief(harness.job_status(self.server, JOB))}")
        cp = self.job_committed()
        harness.wait_for(lambda: self.job_committed() >= cp + 2, 30, lambda: "two checkpoints")
        self.server.stop()  # graceful: the last open files are published

        want = collections.Counter(record(i) for i in range(N))
        raw = collections.Counter(self.lines("raw/"))
        self.assertEqual(sorted((raw - want).items())[:3], [], "raw lines beyond what was put")
        self.assertEqual(sorted((want - raw).items())[:3], [], "put records missing from raw")
        for key in self.keys("raw/"):
            self.assertTrue(key.endswith(".json.gz"), key)

        js = collections.Counter(json.loads(line)["v"] for line in self.lines("js/"))
        self.assertEqual([v for v, c in js.items() if c > 1][:5], [], "js duplicates")
        self.assertEqual(sorted(set(range(N)) - set(js))[:5], [], "js missing")
        self.assertEqual(len(js), N)

        pq = collections.Counter(self.parquet_values("pq/"))
        self.assertEqual([v for v, c in pq.items() if c > 1][:5], [], "parquet duplicates")
        self.assertEqual(sorted(set(range(N)) - set(pq))[:5], [], "parquet missing")
        self.assertEqual(sum(pq.values()), N)

        for key in self.keys("pq/") + self.keys("js/"):
            self.assertRegex(key, r"^(pq|js)/hour=1[01]/part-", key)


if __name__ == "__main__":
    harness.main()
