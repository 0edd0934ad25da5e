"""Managing jobs with the fluxgate CLI against a running server (docs/operations.md,
"Managing jobs"): `fluxgate sql FILE` submits, `fluxgate jobs list|stop|restart|remove`
control, `fluxgate sql --print` shows a query's rows, jobs survive a server restart and
resume from their checkpoint, and bad SQL is refused with its line and column."""

import json
import os
import re
import subprocess
import time
import unittest

import harness

STREAM = "cli-readings"
PIPELINE = """-- A small pipeline for the CLI tests: readings above 50 go to s3://cli-test/hot/.
SET 'execution.checkpointing.interval' = '1 s';
CREATE TABLE readings (
    device_id STRING,
    `value` DOUBLE,
    ts TIMESTAMP(3)
) WITH ('connector' = 'kinesis', 'stream' = 'cli-readings', 'format' = 'json',
        'shards' = '1');
CREATE TABLE hot (device_id STRING, `value` DOUBLE) WITH (
    'connector' = 's3', 'path' = 's3://cli-test/hot/', 'format' = 'json',
    'sink.rolling-policy.rollover-interval' = '1 s');
INSERT INTO hot SELECT device_id, `value` FROM readings WHERE `value` > 50;
"""
JOB = "cli-hot"  # the file's name without extension: the script sets no pipeline.name


def readings(tag, n):
    """n deterministic readings; every fifth pair of them (values 55.0, 60.0) is hot."""
    out = []
    for i in range(n):
        v = 40.0 + (i % 5) * 5
        out.append({"device_id": f"{tag}-{i}", "value": v, "ts": "2026-11-25 10:00:00"})
    return out


def hot(rows):
    return [(r["device_id"], r["value"]) for r in rows if r["value"] > 50]


class JobsCliTest(unittest.TestCase):
    def setUp(self):
        harness.require_binary(self)
        self.server = harness.Server(config_text="[kinesis]\ncreate_delay_ms = 50\n")
        self.server.start()
        self.url = self.server.http_base
        self.pipeline_path = os.path.join(self.server.workdir, JOB + ".sql")
        with open(self.pipeline_path, "w", encoding="utf-8") as f:
            f.write(PIPELINE)

    def tearDown(self):
        if self.server.running():
            self.server.stop()
        self.server.cleanup()

    # -- helpers

    def cli(self, *args, ok=True, timeout=60):
        p = harness.run_fluxgate(*args, "--server", self.url, timeout=timeout)
        if ok:
            self.assertEqual(p.returncode, 0, f"fluxgate {' '.join(map(str, args))}: "
                             f"rc={p.returncode}\nstdout: {p.stdout}\nstderr: {p.stderr}")
        return p

    def listed(self):
        """`fluxgate jobs list` as {name: row dict keyed by the header's column names}."""
        out = self.cli("jobs", "list").stdout.splitlines()
        if out and out[0].startswith("no jobs"):
            return {}
        self.assertTrue(out and out[0].startswith("NAME"), f"no header: {out}")
        header = out[0]
        # Columns are separated by two or more spaces; names like "RECORDS IN" hold one.
        names = re.split(r"\s{2,}", header.strip())
        rows = {}
        for line in out[1:]:
            cells = re.split(r"\s{2,}", line.strip())
            self.assertEqual(len(cells), len(names), f"row {line!r} vs header {header!r}")
            rows[cells[0]] = dict(zip(names, cells))
        return rows

    def put(self, rows):
        client = self.server.client(max_attempts=5)
        resp = client.put_records(StreamName=STREAM, Records=[
            {"Data": json.dumps(r).encode(), "PartitionKey": r["device_id"]} for r in rows])
        self.assertEqual(resp["FailedRecordCount"], 0)

    def sink_rows(self):
        out = []
        for _, line in harness.published_lines(self.server.data_dir, "cli-test", "hot"):
            r = json.loads(line)
            out.append((r["device_id"], r["value"]))
        return out

    def wait_state(self, state, timeout=30):
        """Waits until `jobs list` shows the job in `state`; returns its row."""
        return harness.wait_for(
            lambda: (lambda row: row if row.get("STATE") == state else None)(
                self.listed().get(JOB) or {}), timeout,
            lambda: f"{JOB} {state} in `jobs list`: {self.listed()}")

    def wait_sink(self, want, timeout=30):
        harness.wait_for(lambda: len(self.sink_rows()) >= len(want), timeout,
                         lambda: f"{len(want)} rows in s3://cli-test/hot/, have "
                         f"{len(self.sink_rows())}")
        self.assertEqual(sorted(self.sink_rows()), sorted(want))

    def checkpoint_id(self):
        return harness.job_status(self.server, JOB)["last_checkpoint_id"]

    # -- tests

    def test_submit_list_stop_restart_and_resume(self):
        with harness.dump_output_on_failure(self.server):
            self._lifecycle()

    def _lifecycle(self):
        p = self.cli("sql", self.pipeline_path)
        self.assertIn(f"job {JOB}: started", p.stdout)
        self.assertEqual(self.wait_state("RUNNING")["PARALLELISM"], "1")
        harness.wait_active(self.server.client(), STREAM)
        # Submitting the same SQL again changes nothing.
        self.assertIn(f"job {JOB}: unchanged", self.cli("sql", self.pipeline_path).stdout)
        # Different SQL under a running job's name is refused (HTTP 409) and changes nothing.
        changed = os.path.join(self.server.workdir, "changed", JOB + ".sql")
        os.makedirs(os.path.dirname(changed))
        with open(changed, "w", encoding="utf-8") as f:
            f.write(PIPELINE.replace("`value` > 50", "`value` > 70"))
        p = self.cli("sql", changed, ok=False)
        self.assertNotEqual(p.returncode, 0, p.stdout)
        self.assertIn(JOB, p.stderr)
        self.assertEqual(harness.job_status(self.server, JOB)["script"], PIPELINE)

        first = readings("a", 20)
        self.put(first)
        self.wait_sink(hot(first))
        row = self.listed()[JOB]
        self.assertEqual((row["RECORDS IN"], row["RECORDS OUT"]), ("20", str(len(hot(first)))))

        # Stop: a final checkpoint, then STOPPED. Records sent meanwhile wait in the log.
        p = self.cli("jobs", "stop", JOB)
        self.assertIn("STOPPED", p.stdout)
        self.assertEqual(self.listed()[JOB]["STATE"], "STOPPED")
        stopped_at = self.checkpoint_id()
        self.assertGreater(stopped_at, 0, "stop takes a final checkpoint")
        second = readings("b", 20)
        self.put(second)

        # A stopped job stays stopped across a server restart.
        self.assertEqual(self.server.stop(), 0)
        self.server.start()
        self.assertEqual(self.listed()[JOB]["STATE"], "STOPPED")
        time.sleep(1.5)  # it would have read `second` by now if it were running
        self.assertEqual(sorted(self.sink_rows()), sorted(hot(first)))

        # Restart resumes from the checkpoint: `second` (sent while stopped) is read, and
        # nothing of `first` is repeated. A fresh start would read from LATEST and skip it.
        p = self.cli("jobs", "restart", JOB)
        self.assertIn("RUNNING", p.stdout)
        self.wait_state("RUNNING")
        self.wait_sink(hot(first) + hot(second))
        harness.wait_for(lambda: self.checkpoint_id() > stopped_at, 30,
                         f"a checkpoint after #{stopped_at}")

        # A server restart (SIGTERM) resumes the running job from its last checkpoint.
        before = self.checkpoint_id()
        self.assertEqual(self.server.stop(), 0)
        self.server.start()
        self.wait_state("RUNNING")
        harness.wait_for(lambda: self.checkpoint_id() > before, 30,
                         f"checkpoint numbering continuing after #{before}")
        third = readings("c", 20)
        self.put(third)
        self.wait_sink(hot(first) + hot(second) + hot(third))
        doc = harness.job_status(self.server, JOB)
        self.assertEqual((doc["state"], doc["desired"]), ("RUNNING", "running"))
        self.assertEqual(doc["script"], PIPELINE)

        # Remove: gone from the list and from disk.
        self.cli("jobs", "remove", JOB)
        self.assertNotIn(JOB, self.listed())
        self.assertFalse(os.path.exists(os.path.join(self.server.data_dir, "jobs", JOB)))

    def test_print_shows_rows_of_data_sent(self):
        with harness.dump_output_on_failure(self.server):
            self.cli("sql", self.pipeline_path)  # defines `readings` for the query
            self.wait_state("RUNNING")
            harness.wait_active(self.server.client(), STREAM)
            query = "SELECT device_id, `value` FROM readings WHERE `value` > 50"
            proc = subprocess.Popen([harness.OPTIONS.binary, "sql", "--print", query,
                                     "--limit", "4", "--timeout", "60", "--server", self.url],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            sent = []
            try:
                # The query reads from the stream's end when it starts: keep sending until
                # it has printed its 4 rows and exited.
                for batch in range(60):
                    if proc.poll() is not None:
                        break
                    rows = readings(f"q{batch}", 10)
                    self.put(rows)
                    sent += rows
                    time.sleep(0.5)
                out, err = proc.communicate(timeout=30)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.communicate()
            self.assertEqual(proc.returncode, 0, f"stdout: {out}\nstderr: {err}")
            printed = out.splitlines()
            self.assertEqual(len(printed), 4, f"--limit 4: {out!r} (stderr {err!r})")
            expected_text = [f"+I[{d}, {v}]" for d, v in hot(sent)]
            # The rows are consecutive hot readings, in the order they were sent.
            self.assertIn(printed[0], expected_text, f"{printed} from {expected_text[:6]}...")
            at = expected_text.index(printed[0])
            self.assertEqual(printed, expected_text[at:at + 4])

    def test_bad_sql_is_refused_with_line_and_column(self):
        with harness.dump_output_on_failure(self.server):
            bad = os.path.join(self.server.workdir, "bad.sql")
            with open(bad, "w", encoding="utf-8") as f:
                f.write(PIPELINE.replace("WHERE `value` > 50", "WHERE `value` > > 50"))
            lines = PIPELINE.splitlines()
            line_no = next(i for i, l in enumerate(lines) if l.startswith("INSERT")) + 1
            column = lines[line_no - 1].index("> 50") + 3  # the second '>', 1-based
            p = self.cli("sql", bad, ok=False)
            self.assertNotEqual(p.returncode, 0, p.stdout)
            self.assertIn(f"line {line_no}, column {column}", p.stderr)

            # A binder error (unknown column) also names its place.
            unknown = os.path.join(self.server.workdir, "unknown.sql")
            with open(unknown, "w", encoding="utf-8") as f:
                f.write(PIPELINE.replace("SELECT device_id, `value` FROM",
                                         "SELECT device_id, temperature FROM"))
            p = self.cli("sql", unknown, ok=False)
            self.assertNotEqual(p.returncode, 0, p.stdout)
            column = lines[line_no - 1].index("`value` FROM") + 1
            self.assertIn(f"line {line_no}, column {column}", p.stderr)
            self.assertIn("temperature", p.stderr)
            self.assertEqual(self.listed(), {}, "a refused file starts no job")


if __name__ == "__main__":
    harness.main()
