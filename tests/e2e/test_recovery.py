"""Recovery from damaged segment files: a torn tail, a flipped byte in the last frame,
garbage after the last frame, and deleted index files. After each, the server must start,
say what it repaired, serve every record before the damage unchanged, and keep issuing
increasing sequence numbers.

Segment files are found by globbing DATA/streams/**/*.seg (docs/formats/log.md): a
16-byte header ("FGSG", version, base offset), then frames u32 crc32c | u32 payload_len |
payload (u64 offset, i64 arrival_ms, u16 key_len, key, data).
"""

import os
import re
import struct
import unittest

import harness

CONFIG = """
[log]
segment_bytes = 65536
index_interval_bytes = 64

[kinesis]
create_delay_ms = 50
"""

REPAIR_WORDS = re.compile(r"truncat|torn|repair|corrupt|recover", re.I)
REBUILD_WORDS = re.compile(r"rebuil|index", re.I)
SHARD = "shardId-000000000000"


def walk_frames(path):
    """[(start, size, offset)] of the complete frames at the start of the file."""
    with open(path, "rb") as f:
        buf = f.read()
    # 16-byte segment header: magic "FGSG", u32 version, u64 base offset.
    frames, pos = [], 16 if buf[:4] == b"FGSG" else 0
    while pos + 8 <= len(buf):
        (payload_len,) = struct.unpack_from("<I", buf, pos + 4)
        size = 8 + payload_len
        if payload_len < 18 or pos + size > len(buf):
            break
        (offset,) = struct.unpack_from("<Q", buf, pos + 8)
        frames.append((pos, size, offset))
        pos += size
    return frames


class RecoveryTest(unittest.TestCase):
    def setUp(self):
        harness.require_binary(self)
        self.server = harness.Server(durability="fsync", config_text=CONFIG)
        self.server.start()
        self.client = self.server.client()
        self.stream = harness.unique_name("recovery")
        harness.create_stream(self.client, self.stream, 1)

    def tearDown(self):
        if getattr(self, "server", None):
            if self.server.running():
                self.server.stop()
            self.server.cleanup()

    def populate(self, batches=10, per_batch=40, size=300):
        for b in range(batches):
            recs = [{"Data": b"b%03d-i%03d|" % (b, i) + os.urandom(size), "PartitionKey": "k"}
                    for i in range(per_batch)]
            resp = self.client.put_records(StreamName=self.stream, Records=recs)
            self.assertEqual(resp["FailedRecordCount"], 0)
        return self.read_all()

    def read_all(self, client=None):
        recs, _ = harness.read_shard(client or self.server.client(), self.stream, SHARD,
                                     limit=500)
        return [(r["SequenceNumber"], r["Data"]) for r in recs]

    def stop_cleanly(self):
        rc = self.server.stop()
        self.assertEqual(rc, 0, "SIGTERM did not exit 0\n" + self.server.output()[-3000:])

    def newest_segment(self):
        segs = harness.segment_files(self.server.data_dir)
        self.assertTrue(segs, f"no *.seg files under {self.server.data_dir}/streams: "
                        f"{sorted(os.listdir(self.server.data_dir))}")
        # Names are the base offset: the numerically largest is the active one.
        return max(segs, key=lambda p: (os.path.dirname(p), os.path.basename(p)))

    def clean_restart_baseline(self):
        """Restarts once without damage; returns that run's output (what a healthy
        startup logs), so the repair message can be told apart from routine lines."""
        self.server.start()
        out = self.server.run_output()
        self.stop_cleanly()
        return out

    def assertLoggedRepair(self, baseline, out, words, what):
        def norm(line):
            line = re.sub(r"\b0\b", "ZERO", line)
            return re.sub(r"\d+", "#", line).strip()

        routine = {norm(l) for l in baseline.splitlines() if words.search(l)}
        news = [l for l in out.splitlines() if words.search(l) and norm(l) not in routine]
        self.assertTrue(news, f"{what}: the server did not log what it repaired "
                        f"(no new line matching {words.pattern!r}).\nHealthy restart logged:\n"
                        f"{baseline[-1500:]}\nDamaged restart logged:\n{out[-3000:]}")

    def restart_and_check(self, expected_before, words, what, baseline):
        self.server.start()
        out = self.server.run_output()
        self.assertLoggedRepair(baseline, out, words, what)
        client = self.server.client()
        after = self.read_all(client)
        self.assertEqual(len(after), len(expected_before),
                         f"{what}: {len(expected_before)} records expected, {len(after)} read")
        self.assertEqual(after, expected_before, f"{what}: records changed")
        # Writes continue with increasing sequence numbers.
        top = max((int(s) for s, _ in after), default=-1)
        new = [client.put_record(StreamName=self.stream, Data=b"after-%d" % i,
                                 PartitionKey="k")["SequenceNumber"] for i in range(3)]
        self.assertGreater(int(new[0]), top, f"{what}: sequence number went backwards")
        self.assertEqual([int(x) for x in new], sorted(int(x) for x in new))
        final = self.read_all(client)
        self.assertEqual(final, expected_before + [(s, b"after-%d" % i)
                                                   for i, s in enumerate(new)])
        # And it all survives one more clean restart.
        self.stop_cleanly()
        self.server.start()
        self.assertEqual(self.read_all(), final, f"{what}: lost after a second restart")

    def test_torn_tail(self):
        with harness.dump_output_on_failure(self.server):
            before = self.populate()
            self.stop_cleanly()
            baseline = self.clean_restart_baseline()
            seg = self.newest_segment()
            frames = walk_frames(seg)
            self.assertTrue(frames, f"no frames in {seg}")
            start, size, offset = frames[-1]
            with open(seg, "r+b") as f:
                f.truncate(start + size // 2)
            self.restart_and_check(before[:-1], REPAIR_WORDS, "torn tail", baseline)

    def test_flipped_byte_in_last_frame(self):
        with harness.dump_output_on_failure(self.server):
            before = self.populate()
            self.stop_cleanly()
            baseline = self.clean_restart_baseline()
            seg = self.newest_segment()
            start, size, offset = walk_frames(seg)[-1]
            with open(seg, "r+b") as f:
                f.seek(start + size - 5)  # inside the record's data
                b = f.read(1)
                f.seek(start + size - 5)
                f.write(bytes([b[0] ^ 0x5A]))
            self.restart_and_check(before[:-1], REPAIR_WORDS, "flipped byte", baseline)

    def test_garbage_after_last_frame(self):
        with harness.dump_output_on_failure(self.server):
            before = self.populate(batches=3)
            self.stop_cleanly()
            baseline = self.clean_restart_baseline()
            seg = self.newest_segment()
            with open(seg, "ab") as f:
                f.write(b"\x00" * 4096 + b"\xde\xad\xbe\xef" * 16)
            self.restart_and_check(before, REPAIR_WORDS, "garbage tail", baseline)

    def test_deleted_index_files(self):
        with harness.dump_output_on_failure(self.server):
            before = self.populate(batches=12, per_batch=40, size=400)  # ~200 KB: 3+ segments
            self.stop_cleanly()
            baseline = self.clean_restart_baseline()
            segs = harness.segment_files(self.server.data_dir)
            self.assertGreaterEqual(len(segs), 3, f"segment_bytes=65536 should roll: {segs}")
            idx = harness.index_files(self.server.data_dir)
            self.assertTrue(idx, "sealed segments left no .idx files")
            for p in idx:
                os.remove(p)
            self.restart_and_check(before, REBUILD_WORDS, "deleted indexes", baseline)
            # Seeking by sequence number across segment boundaries still works.
            client = self.server.client()
            for k in (0, len(before) // 3, len(before) // 2, len(before) - 1):
                recs, _ = harness.read_shard(client, self.stream, SHARD, "AT_SEQUENCE_NUMBER",
                                             StartingSequenceNumber=before[k][0], limit=500)
                self.assertEqual([(r["SequenceNumber"], r["Data"]) for r in recs][
                    :len(before) - k], before[k:], f"AT_SEQUENCE_NUMBER #{k}")


if __name__ == "__main__":
    harness.main()
