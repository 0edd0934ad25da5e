"""Resharding through boto3: SplitShard, MergeShards, UpdateShardCount, and reading
across the lineage (parents drained to a null NextShardIterator with ChildShards, then
children) with every record exactly once."""

import unittest

import harness
from harness import ClientErrorAssertions

SERVER = None
MAX = 2**128 - 1


def setUpModule():
    global SERVER
    SERVER = harness.shared_server()


def tearDownModule():
    if SERVER:
        SERVER.cleanup()


def rng(shard):
    return (int(shard["HashKeyRange"]["StartingHashKey"]),
            int(shard["HashKeyRange"]["EndingHashKey"]))


def is_closed(shard):
    return "EndingSequenceNumber" in shard["SequenceNumberRange"]


class ReshardingTest(ClientErrorAssertions, unittest.TestCase):
    def setUp(self):
        self.client = SERVER.client()
        self.streams = []

    def tearDown(self):
        for s in self.streams:
            harness.delete_stream_quietly(self.client, s)

    def new_stream(self, shards):
        name = harness.unique_name("reshard")
        self.streams.append(name)
        harness.create_stream(self.client, name, shards)
        return name

    def put_many(self, name, tag, n):
        """PutRecords n records with varied keys; returns {data: (shard_id, seq)}."""
        batch = [{"Data": f"{tag}-{i}".encode(), "PartitionKey": f"{tag}-key-{i}"}
                 for i in range(n)]
        resp = self.client.put_records(StreamName=name, Records=batch)
        self.assertEqual(resp["FailedRecordCount"], 0, resp["Records"][:3])
        return {b["Data"]: (r["ShardId"], r["SequenceNumber"])
                for b, r in zip(batch, resp["Records"])}

    def check_routing(self, name, acked):
        shards = harness.list_all_shards(self.client, name)
        for data, (sid, _) in acked.items():
            pk = data.decode().rsplit("-", 1)[0] + "-key-" + data.decode().rsplit("-", 1)[1]
            want = harness.shard_for_hash(shards, harness.md5_hash_key(pk))
            self.assertEqual(sid, want, f"{pk} routed to {sid}, open shard for its hash is {want}")

    def read_lineage(self, name):
        """Reads every shard (parents first), checks closed shards end with a null
        NextShardIterator and ChildShards; returns ({data: (shard_id, seq)}, shards)."""
        shards = harness.list_all_shards(self.client, name)
        by_id = {s["ShardId"]: s for s in shards}
        got = {}
        for s in shards:
            sid = s["ShardId"]
            recs, last = harness.read_shard(self.client, name, sid, limit=7)
            seqs = [int(r["SequenceNumber"]) for r in recs]
            self.assertEqual(seqs, sorted(seqs), f"{sid} out of order")
            for r in recs:
                self.assertNotIn(r["Data"], got, f"record {r['Data']!r} read twice "
                                 f"({got.get(r['Data'])} and {sid})")
                got[r["Data"]] = (sid, r["SequenceNumber"])
            if is_closed(s):
                self.assertIsNone(last.get("NextShardIterator"),
                                  f"closed shard {sid} drained but NextShardIterator is "
                                  f"{last.get('NextShardIterator')!r}")
                children = last.get("ChildShards")
                self.assertTrue(children, f"closed shard {sid}: no ChildShards at shard end "
                                f"(last GetRecords response keys: {sorted(last)})")
                for c in children:
                    self.assertIn(sid, c["ParentShards"])
                    self.assertIn(c["ShardId"], by_id, "ChildShards names an unknown shard")
                    self.assertEqual(rng(by_id[c["ShardId"]]),
                                     (int(c["HashKeyRange"]["StartingHashKey"]),
                                      int(c["HashKeyRange"]["EndingHashKey"])))
            else:
                self.assertTrue(last.get("NextShardIterator"), f"open shard {sid} lost its iterator")
                self.assertFalse(last.get("ChildShards"), f"open shard {sid} reports ChildShards")
        return got, shards

    def check_open_cover(self, shards, count):
        open_ranges = sorted(rng(s) for s in shards if not is_closed(s))
        self.assertEqual(len(open_ranges), count, f"open shards: {open_ranges}")
        self.assertEqual(open_ranges[0][0], 0)
        self.assertEqual(open_ranges[-1][1], MAX)
        for (a_lo, a_hi), (b_lo, b_hi) in zip(open_ranges, open_ranges[1:]):
            self.assertEqual(a_hi + 1, b_lo, "open shards do not tile the hash space")

    def test_split_shard(self):
        name = self.new_stream(1)
        acked = self.put_many(name, "pre", 30)
        split_at = 2**127
        self.client.split_shard(StreamName=name, ShardToSplit="shardId-000000000000",
                                NewStartingHashKey=str(split_at))
        harness.wait_active(self.client, name)
        shards = harness.list_all_shards(self.client, name)
        by_id = {s["ShardId"]: s for s in shards}
        self.assertEqual(sorted(by_id), ["shardId-000000000000", "shardId-000000000001",
                                         "shardId-000000000002"])
        self.assertTrue(is_closed(by_id["shardId-000000000000"]), "parent not closed")
        self.assertEqual(rng(by_id["shardId-000000000001"]), (0, split_at - 1))
        self.assertEqual(rng(by_id["shardId-000000000002"]), (split_at, MAX))
        for c in ("shardId-000000000001", "shardId-000000000002"):
            self.assertEqual(by_id[c].get("ParentShardId"), "shardId-000000000000")
            self.assertFalse(is_closed(by_id[c]))
        d = self.client.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        self.assertEqual(d["OpenShardCount"], 2)

        post = self.put_many(name, "post", 60)
        for data, (sid, _) in post.items():
            self.assertIn(sid, ("shardId-000000000001", "shardId-000000000002"),
                          "record written to a closed shard")
        self.check_routing(name, post)
        acked.update(post)
        got, _ = self.read_lineage(name)
        self.assertEqual(got, acked)
        for data, (sid, _) in got.items():
            if data.startswith(b"pre-"):
                self.assertEqual(sid, "shardId-000000000000")

    def test_merge_shards(self):
        name = self.new_stream(2)
        acked = self.put_many(name, "pre", 40)
        self.assertEqual({sid for sid, _ in acked.values()},
                         {"shardId-000000000000", "shardId-000000000001"})
        self.client.merge_shards(StreamName=name, ShardToMerge="shardId-000000000000",
                                 AdjacentShardToMerge="shardId-000000000001")
        harness.wait_active(self.client, name)
        shards = harness.list_all_shards(self.client, name)
        by_id = {s["ShardId"]: s for s in shards}
        child = by_id.get("shardId-000000000002")
        self.assertIsNotNone(child, f"no merged child: {sorted(by_id)}")
        self.assertEqual(rng(child), (0, MAX))
        self.assertEqual(child.get("ParentShardId"), "shardId-000000000000")
        self.assertEqual(child.get("AdjacentParentShardId"), "shardId-000000000001")
        self.assertTrue(is_closed(by_id["shardId-000000000000"]))
        self.assertTrue(is_closed(by_id["shardId-000000000001"]))
        post = self.put_many(name, "post", 20)
        self.assertEqual({sid for sid, _ in post.values()}, {"shardId-000000000002"})
        acked.update(post)
        got, _ = self.read_lineage(name)
        self.assertEqual(got, acked)

    def test_update_shard_count(self):
        name = self.new_stream(2)
        acked = self.put_many(name, "pre", 40)
        resp = self.client.update_shard_count(StreamName=name, TargetShardCount=4,
                                              ScalingType="UNIFORM_SCALING")
        self.assertEqual(resp["StreamName"], name)
        self.assertEqual(resp["CurrentShardCount"], 2)
        self.assertEqual(resp["TargetShardCount"], 4)
        harness.wait_active(self.client, name)
        shards = harness.list_all_shards(self.client, name)
        self.check_open_cover(shards, 4)
        open_ranges = sorted(rng(s) for s in shards if not is_closed(s))
        w = 2**128 // 4
        self.assertEqual([lo for lo, _ in open_ranges], [0, w, 2 * w, 3 * w], "not uniform")
        closed = {s["ShardId"] for s in shards if is_closed(s)}
        self.assertTrue({"shardId-000000000000", "shardId-000000000001"} <= closed)
        for s in shards:
            if not is_closed(s) and s["ShardId"] not in ("shardId-000000000000",
                                                         "shardId-000000000001"):
                self.assertIn(s.get("ParentShardId"), closed, f"{s['ShardId']} has no parent")
        self.assertEqual(self.client.describe_stream_summary(StreamName=name)[
            "StreamDescriptionSummary"]["OpenShardCount"], 4)
        mid = self.put_many(name, "mid", 60)
        self.check_routing(name, mid)
        acked.update(mid)

        # And back down to 2.
        resp = self.client.update_shard_count(StreamName=name, TargetShardCount=2,
                                              ScalingType="UNIFORM_SCALING")
        self.assertEqual(resp["CurrentShardCount"], 4)
        harness.wait_active(self.client, name)
        shards = harness.list_all_shards(self.client, name)
        self.check_open_cover(shards, 2)
        post = self.put_many(name, "post", 30)
        self.check_routing(name, post)
        acked.update(post)
        got, _ = self.read_lineage(name)
        self.assertEqual(got, acked)

    def test_resharding_errors(self):
        name = self.new_stream(2)
        shards = harness.list_all_shards(self.client, name)
        lo, hi = rng(shards[1])
        # Split key outside (or at the very start of) the shard's range.
        for key in (str(lo - 1), str(lo), str(hi + 1)):
            self.assertRaisesCode("InvalidArgumentException", self.client.split_shard,
                                  StreamName=name, ShardToSplit=shards[1]["ShardId"],
                                  NewStartingHashKey=key)
        self.assertRaisesCode("ResourceNotFoundException", self.client.split_shard,
                              StreamName=name, ShardToSplit="shardId-000000000099",
                              NewStartingHashKey=str(lo + 10))
        self.assertRaisesCode("ResourceNotFoundException", self.client.merge_shards,
                              StreamName=name, ShardToMerge="shardId-000000000000",
                              AdjacentShardToMerge="shardId-000000000099")
        # Split one, then try to merge a shard with a non-adjacent one.
        self.client.split_shard(StreamName=name, ShardToSplit="shardId-000000000000",
                                NewStartingHashKey=str(2**125))
        harness.wait_active(self.client, name)
        self.assertRaisesCode("InvalidArgumentException", self.client.merge_shards,
                              StreamName=name, ShardToMerge="shardId-000000000002",
                              AdjacentShardToMerge="shardId-000000000001")
        # A closed shard cannot be split again.
        closed_err = None
        try:
            self.client.split_shard(StreamName=name, ShardToSplit="shardId-000000000000",
                                    NewStartingHashKey=str(2**124))
        except Exception as e:
            closed_err = e.response["Error"]["Code"]
        self.assertIn(closed_err, ("InvalidArgumentException", "ResourceInUseException",
                                   "ResourceNotFoundException"),
                      "splitting a closed shard must fail")


if __name__ == "__main__":
    harness.main()
