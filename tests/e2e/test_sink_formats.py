"""File sink formats end to end: one fluxgate job writes the same rows as gzip JSON Lines,
zstd raw lines and Snappy Parquet into Hive-partitioned directories; the standard tools
read them back — zcat and `zstd -dc` (the files are concatenations of one gzip member /
zstd frame per checkpoint), and DuckDB (tests/e2e/node/parquet_duckdb.mjs) over the whole
tree with hive_partitioning — and every reader sees each row exactly once. Also the
server's [lifecycle] task: expiry of an old partition and compaction of a closed one.

    /usr/bin/python3 tests/e2e/test_sink_formats.py --binary build/fluxgate
"""

import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

STREAM = "formats-in"
JOB = "formats"
N = 3000
T0 = 1795600800000  # 2026-11-25 10:00 UTC


def record(i):
    return json.dumps({"device_id": f"d{i % 5}", "ts": harness.ms_to_iso(T0 + i * 2000),
                       "v": i + 0.5}, separators=(",", ":"))


duckdb = harness.duckdb


class SinkFormatsTest(unittest.TestCase):
    def setUp(self):
        harness.require_binary(self)
        self.server = harness.Server(config_text="[kinesis]\ncreate_delay_ms = 50\n")
        self.out = os.path.join(self.server.workdir, "out")
        sql = f"""
SET 'pipeline.name' = '{JOB}';
SET 'execution.checkpointing.interval' = '1 s';
CREATE TABLE src (device_id STRING, ts TIMESTAMP(3), v DOUBLE)
  WITH ('connector' = 'kinesis', 'stream' = '{STREAM}', 'format' = 'json', 'shards' = '2',
        'scan.stream.initpos' = 'TRIM_HORIZON');
CREATE TABLE raw_src (data STRING)
  WITH ('connector' = 'kinesis', 'stream' = '{STREAM}', 'format' = 'raw',
        'scan.stream.initpos' = 'TRIM_HORIZON');
CREATE TABLE gz (device_id STRING, ts TIMESTAMP(3), v DOUBLE, `hour` STRING)
  PARTITIONED BY (`hour`) WITH ('connector' = 'filesystem', 'path' = '{self.out}/gz',
  'format' = 'json', 'compression' = 'gzip', 'sink.rolling-policy.rollover-interval' = '1 h');
CREATE TABLE zst (data STRING) WITH ('connector' = 'filesystem', 'path' = '{self.out}/zst',
  'format' = 'raw', 'compression' = 'zstd', 'sink.rolling-policy.rollover-interval' = '1 h');
CREATE TABLE pq (device_id STRING, ts TIMESTAMP(3), v DOUBLE, `hour` STRING)
  PARTITIONED BY (`hour`) WITH ('connector' = 'filesystem', 'path' = '{self.out}/pq',
  'format' = 'parquet', 'parquet.compression' = 'snappy');
EXECUTE STATEMENT SET BEGIN
  INSERT INTO gz SELECT device_id, ts, v, DATE_FORMAT(ts, 'HH') FROM src;
  INSERT INTO zst SELECT data FROM raw_src;
  INSERT INTO pq SELECT device_id, ts, v, DATE_FORMAT(ts, 'HH') FROM src;
END;
"""
        path = os.path.join(self.server.workdir, "formats.sql")
        with open(path, "w", encoding="utf-8") as f:
            f.write(sql)
        self.server.extra_args += ["--pipeline", path]
        self.server.start()

    def tearDown(self):
        if self.server.running():
            self.server.stop()
        self.server.cleanup()

    def files(self, sub, pattern):
        return sorted(glob.glob(os.path.join(self.out, sub, "**", pattern), recursive=True))

    def test_every_reader_sees_every_row_once(self):
        with harness.dump_output_on_failure(self.server):
            self._run()

    def _run(self):
        harness.wait_for(
            lambda: (harness.job_status(self.server, JOB) or {}).get("state") == "RUNNING", 30,
            lambda: "job RUNNING")
        client = self.server.client(max_attempts=5)
        harness.wait_active(client, STREAM)
        for half in (range(0, N // 2), range(N // 2, N)):  # checkpoints in between
            recs = [{"Data": record(i).encode(), "PartitionKey": f"k{i}"} for i in half]
            for j in range(0, len(recs), 500):
                resp = client.put_records(StreamName=STREAM, Records=recs[j:j + 500])
                self.assertEqual(resp["FailedRecordCount"], 0)
            cp = (harness.job_status(self.server, JOB) or {}).get("last_checkpoint_id", 0)
            harness.wait_for(lambda: (harness.job_status(self.server, JOB) or {})
                             .get("last_checkpoint_id", 0) >= cp + 2, 30,
                             lambda: "two more checkpoints")
        self.server.stop()  # publishes the open files

        want = sorted(record(i) for i in range(N))
        # gzip: zcat reads the concatenated members; one open file per hour and task, so
        # several members per file (one per checkpoint that found it written to).
        gz = self.files("gz", "part-*.json.gz")
        self.assertEqual(sorted({os.path.basename(os.path.dirname(p)) for p in gz}),
                         ["hour=10", "hour=11"])
        lines, members = [], 0
        for p in gz:
            text = subprocess.run(["zcat", p], stdout=subprocess.PIPE, check=True).stdout
            lines += text.decode().splitlines()
            with open(p, "rb") as f:
                members += f.read().count(b"\x1f\x8b\x08")
        self.assertGreater(members, len(gz), "every file is a single gzip member")
        got = sorted(json.loads(x)["v"] for x in lines)
        self.assertEqual(got, [i + 0.5 for i in range(N)])

        # zstd raw: the records exactly as sent.
        zst = self.files("zst", "part-*.json.zst")
        self.assertTrue(zst, "no zstd part files")
        raw = b"".join(subprocess.run(["zstd", "-dcq", p], stdout=subprocess.PIPE,
                                      check=True).stdout for p in zst)
        self.assertEqual(sorted(raw.decode().splitlines()), want)

        # Parquet: DuckDB over the Hive tree; also DuckDB over the compressed JSON Lines.
        pq = self.files("pq", "part-*.parquet")
        self.assertGreaterEqual(len(pq), 4, "files roll at every checkpoint")
        tree = os.path.join(self.out, "pq", "**", "*.parquet")
        gz_tree = os.path.join(self.out, "gz", "**", "*.json.gz")
        res = duckdb([
            f"SELECT count(*), count(DISTINCT v), sum(v), min(ts)::VARCHAR, max(ts)::VARCHAR "
            f"FROM read_parquet('{tree}', hive_partitioning = true)",
            f"SELECT hour, count(*) FROM read_parquet('{tree}', hive_partitioning = true) "
            f"GROUP BY hour ORDER BY hour",
            f"SELECT count(*), sum(v) FROM read_json_auto('{gz_tree}')",
            f"SELECT name, type FROM parquet_schema('{pq[0]}') WHERE name <> 'schema' "
            f"ORDER BY name",
        ])
        count, distinct, total, first, last = res[0]["rows"][0]
        self.assertEqual((int(count), int(distinct)), (N, N))
        self.assertEqual(float(total), sum(i + 0.5 for i in range(N)))
        self.assertEqual(first, "2026-11-25 10:00:00")
        per_hour = {h: int(c) for h, c in res[1]["rows"]}
        self.assertEqual(per_hour, {"10": 1800, "11": N - 1800})
        self.assertEqual((int(res[2]["rows"][0][0]), float(res[2]["rows"][0][1])),
                         (N, sum(i + 0.5 for i in range(N))), "DuckDB over the .json.gz tree")
        self.assertEqual(res[3]["rows"], [["device_id", "BYTE_ARRAY"], ["ts", "INT64"],
                                          ["v", "DOUBLE"]],
                         "partition column not in the file; typed columns")


class LifecycleTest(unittest.TestCase):
    """[[lifecycle.rules]] in the server: a pass at start expires an old partition of one
    prefix and compacts a closed partition of another (gzip members concatenate)."""

    def setUp(self):
        harness.require_binary(self)
        self.root = tempfile.mkdtemp(prefix="fg-lifecycle-")
        self.old = os.path.join(self.root, "raw", "year=2020", "month=01", "day=01", "hour=00")
        self.keep = os.path.join(self.root, "raw", "year=2999", "month=01", "day=01", "hour=00")
        self.small = os.path.join(self.root, "pq", "year=2021", "month=06", "day=30", "hour=23")
        import gzip
        for d in (self.old, self.keep, self.small):
            os.makedirs(d)
        for d in (self.old, self.keep):
            with open(os.path.join(d, "part-u-0-0.json"), "w") as f:
                f.write('{"n":1}\n')
        self.want = b""
        for i in range(5):
            text = "".join(f'{{"n":{i * 10 + j}}}\n' for j in range(10)).encode()
            self.want += text
            with open(os.path.join(self.small, f"part-u-0-{i}.json.gz"), "wb") as f:
                f.write(gzip.compress(text))
        config = ("[lifecycle]\ninterval_seconds = 3600\n"
                  f'[[lifecycle.rules]]\npath = "{self.root}/raw"\nexpire_after_days = 30\n'
                  f'[[lifecycle.rules]]\npath = "file://{self.root}/pq"\ncompact = true\n'
                  "compact_min_files = 3\n")
        self.server = harness.Server(config_text=config)
        self.server.start()

    def tearDown(self):
        if self.server.running():
            self.server.stop()
        self.server.cleanup()
        shutil.rmtree(self.root, ignore_errors=True)

    def test_expiry_and_compaction_at_start(self):
        import gzip
        with harness.dump_output_on_failure(self.server):
            harness.wait_for(lambda: not os.path.exists(os.path.join(self.old,
                                                                     "part-u-0-0.json")),
                             30, lambda: "the 2020 partition expired")
            harness.wait_for(lambda: len(os.listdir(self.small)) == 1, 30,
                             lambda: f"one compacted file: {os.listdir(self.small)}")
            self.assertTrue(os.path.exists(os.path.join(self.keep, "part-u-0-0.json")))
            name = os.listdir(self.small)[0]
            self.assertRegex(name, r"^compacted-[0-9a-f]{16}\.json\.gz$")
            with open(os.path.join(self.small, name), "rb") as f:
                self.assertEqual(gzip.decompress(f.read()), self.want)


if __name__ == "__main__":
    harness.main()
