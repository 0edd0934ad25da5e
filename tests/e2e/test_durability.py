"""Crash durability: writers put records continuously, the server is killed with SIGKILL
mid-write (several times), and after each restart every acknowledged record is there
exactly once, in order, with its original shard and sequence number."""

import os
import random
import threading
import time
import unittest

import harness

SHARDS = 4
WRITERS = 4
BATCH = 25
ROUNDS = 3
MIN_ACKED_PER_ROUND = 300


class Writer(threading.Thread):
    """Calls PutRecords in a loop until stopped; remembers what the server acknowledged."""

    def __init__(self, endpoint, stream, round_no, writer_no, acked, attempted, lock, stop):
        super().__init__(daemon=True)
        self.client = harness.kinesis_client(endpoint, max_attempts=1, read_timeout=15)
        self.stream, self.round_no, self.writer_no = stream, round_no, writer_no
        self.acked, self.attempted, self.lock, self.stop = acked, attempted, lock, stop
        self.errors = 0

    def run(self):
        rnd = random.Random(f"{self.round_no}-{self.writer_no}")
        for batch_no in range(100000):
            if self.stop.is_set():
                return
            batch = []
            for i in range(BATCH):
                data = (f"r{self.round_no}-w{self.writer_no}-b{batch_no}-i{i}|".encode() +
                        rnd.randbytes(rnd.randint(0, 200)))
                batch.append({"Data": data, "PartitionKey": f"pk-{rnd.random()}"})
            with self.lock:
                self.attempted.update(b["Data"] for b in batch)
            try:
                resp = self.client.put_records(StreamName=self.stream, Records=batch)
            except Exception:
                self.errors += 1
                time.sleep(0.05)  # the server is gone (killed); keep trying until stopped
                continue
            with self.lock:
                for req, res in zip(batch, resp["Records"]):
                    if "SequenceNumber" in res:
                        self.acked[req["Data"]] = (res["ShardId"], res["SequenceNumber"])


class DurabilityTest(unittest.TestCase):
    durability = "fsync"

    def setUp(self):
        harness.require_binary(self)
        self.server = harness.Server(durability=self.durability,
                                     config_text="[kinesis]\ncreate_delay_ms = 50\n")
        self.server.start()

    def tearDown(self):
        if getattr(self, "server", None):
            if self.server.running():
                self.server.stop()
            self.server.cleanup()

    def read_everything(self, stream):
        client = self.server.client(max_attempts=5)
        shards = harness.list_all_shards(client, stream)
        self.assertEqual(len(shards), SHARDS)
        found = {}
        per_shard_max = {}
        for s in shards:
            sid = s["ShardId"]
            recs, _ = harness.read_shard(client, stream, sid, limit=1000)
            seqs = [int(r["SequenceNumber"]) for r in recs]
            self.assertEqual(seqs, sorted(seqs), f"{sid}: records not in sequence order")
            self.assertEqual(len(seqs), len(set(seqs)), f"{sid}: duplicate sequence numbers")
            for r in recs:
                self.assertNotIn(r["Data"], found,
                                 f"record {r['Data'][:40]!r} present twice: "
                                 f"{found.get(r['Data'])} and {(sid, r['SequenceNumber'])}")
                found[r["Data"]] = (sid, r["SequenceNumber"])
            per_shard_max[sid] = max(seqs) if seqs else -1
        return found, per_shard_max

    def test_kill_9_mid_write(self):
        with harness.dump_output_on_failure(self.server):
            self._kill_9_mid_write()

    def _kill_9_mid_write(self):
        client = self.server.client()
        stream = harness.unique_name("durable")
        harness.create_stream(client, stream, SHARDS)
        lock = threading.Lock()
        acked, attempted = {}, set()

        for round_no in range(ROUNDS):
            stop = threading.Event()
            writers = [Writer(self.server.endpoint, stream, round_no, w, acked, attempted,
                              lock, stop) for w in range(WRITERS)]
            with lock:
                before = len(acked)
            for w in writers:
                w.start()
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                with lock:
                    if len(acked) - before >= MIN_ACKED_PER_ROUND:
                        break
                time.sleep(0.02)
            self.server.kill9()  # writers are still sending
            stop.set()
            for w in writers:
                w.join(timeout=30)
                self.assertFalse(w.is_alive(), "writer thread hung")
            with lock:
                got_this_round = len(acked) - before
            self.assertGreaterEqual(got_this_round, MIN_ACKED_PER_ROUND,
                                    f"round {round_no}: only {got_this_round} records "
                                    "acknowledged before the kill")

            self.server.start()
            found, per_shard_max = self.read_everything(stream)
            missing = [d for d in acked if d not in found]
            self.assertEqual(missing[:5], [], f"round {round_no}: {len(missing)} of "
                             f"{len(acked)} acknowledged records lost after kill -9")
            moved = [(d[:40], acked[d], found[d]) for d in acked if found[d] != acked[d]]
            self.assertEqual(moved[:5], [], f"round {round_no}: {len(moved)} records came back "
                             "with a different shard or sequence number")
            strangers = [d for d in found if d not in attempted]
            self.assertEqual(strangers[:5], [], "records nobody wrote")

            # New puts after the restart get higher sequence numbers in every shard.
            shards = harness.list_all_shards(client, stream)
            for s in shards:
                r = client.put_record(StreamName=stream, Data=f"after-{round_no}-{s['ShardId']}"
                                      .encode(), PartitionKey="x",
                                      ExplicitHashKey=s["HashKeyRange"]["StartingHashKey"])
                self.assertEqual(r["ShardId"], s["ShardId"])
                self.assertGreater(int(r["SequenceNumber"]), per_shard_max[s["ShardId"]],
                                   f"{s['ShardId']}: sequence number after restart is not "
                                   "higher than the ones before")
                acked[f"after-{round_no}-{s['ShardId']}".encode()] = (r["ShardId"],
                                                                      r["SequenceNumber"])
                attempted.add(f"after-{round_no}-{s['ShardId']}".encode())

        # A clean stop keeps everything too.
        self.assertEqual(self.server.stop(), 0)
        self.server.start()
        found, _ = self.read_everything(stream)
        self.assertEqual({d: found.get(d) for d in acked}, acked)


class NoFsyncProcessCrashTest(DurabilityTest):
    """docs/configuration.md: with durability "none" acknowledged records may be lost on
    power failure or a kernel crash, but not on a process crash. kill -9 is the latter."""
    durability = "none"


class IteratorAcrossRestartTest(unittest.TestCase):
    """A consumer's shard iterator stays valid across a server restart (the HMAC key lives
    in the data directory), as AWS's iterators survive service-side restarts."""

    def setUp(self):
        harness.require_binary(self)
        self.server = harness.Server(config_text="[kinesis]\ncreate_delay_ms = 50\n")
        self.server.start()

    def tearDown(self):
        if self.server.running():
            self.server.stop()
        self.server.cleanup()

    def test_old_iterator_reads_after_restart(self):
        client = self.server.client()
        stream = harness.unique_name("iter")
        harness.create_stream(client, stream, 1)
        for i in range(5):
            client.put_record(StreamName=stream, Data=f"rec-{i}".encode(), PartitionKey="k")
        it = client.get_shard_iterator(StreamName=stream, ShardId="shardId-000000000000",
                                       ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        self.assertEqual(self.server.stop(), 0)
        self.server.start()
        client = self.server.client()
        got = client.get_records(ShardIterator=it)
        self.assertEqual([r["Data"] for r in got["Records"]],
                         [f"rec-{i}".encode() for i in range(5)])


if __name__ == "__main__":
    harness.main()
