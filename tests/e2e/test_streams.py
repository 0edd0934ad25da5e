"""Stream control plane through boto3: create/describe/list/delete, shards, tags,
retention, stream modes and limits."""

import datetime
import json
import re
import unittest

import harness
from harness import ClientErrorAssertions

SERVER = None


def setUpModule():
    global SERVER
    SERVER = harness.shared_server()


def tearDownModule():
    if SERVER:
        SERVER.cleanup()


def expected_ranges(n):
    w = 2**128 // n
    ranges = [(i * w, (i + 1) * w - 1) for i in range(n)]
    ranges[-1] = (ranges[-1][0], 2**128 - 1)
    return ranges


class StreamsTest(ClientErrorAssertions, unittest.TestCase):
    def setUp(self):
        self.client = SERVER.client()
        self.streams = []

    def tearDown(self):
        for s in self.streams:
            harness.delete_stream_quietly(self.client, s)

    def new_stream(self, shards=1, wait=True, prefix="streams"):
        name = harness.unique_name(prefix)
        self.streams.append(name)
        if wait:
            harness.create_stream(self.client, name, shards)
        return name

    def test_create_wait_with_client_waiter_and_describe(self):
        name = harness.unique_name("streams")
        self.streams.append(name)
        resp = self.client.create_stream(StreamName=name, ShardCount=3)
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 200)
        # The client's own waiter, default configuration (polls every 10 s): used once.
        self.client.get_waiter("stream_exists").wait(StreamName=name)

        d = self.client.describe_stream(StreamName=name)["StreamDescription"]
        self.assertEqual(d["StreamName"], name)
        self.assertRegex(d["StreamARN"], r"^arn:aws:kinesis:us-east-1:\d{12}:stream/" +
                         re.escape(name) + "$")
        self.assertEqual(d["StreamStatus"], "ACTIVE")
        self.assertFalse(d["HasMoreShards"])
        self.assertEqual(d["RetentionPeriodHours"], 24)
        self.assertIsInstance(d["StreamCreationTimestamp"], datetime.datetime)
        age = datetime.datetime.now(datetime.timezone.utc) - d["StreamCreationTimestamp"]
        self.assertLess(abs(age.total_seconds()), 3600, "creation timestamp is not 'now'")
        self.assertIn("EnhancedMonitoring", d)
        self.assertEqual(d.get("EncryptionType", "NONE"), "NONE")
        self.assertEqual([s["ShardId"] for s in d["Shards"]],
                         ["shardId-000000000000", "shardId-000000000001", "shardId-000000000002"])
        for shard, (lo, hi) in zip(d["Shards"], expected_ranges(3)):
            self.assertEqual(int(shard["HashKeyRange"]["StartingHashKey"]), lo, shard)
            self.assertEqual(int(shard["HashKeyRange"]["EndingHashKey"]), hi, shard)
            self.assertRegex(shard["SequenceNumberRange"]["StartingSequenceNumber"],
                             r"^(0|[1-9]\d{0,128})$")
            self.assertNotIn("EndingSequenceNumber", shard["SequenceNumberRange"])
            self.assertNotIn("ParentShardId", shard)

        s = self.client.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        self.assertEqual(s["StreamName"], name)
        self.assertEqual(s["StreamARN"], d["StreamARN"])
        self.assertEqual(s["StreamStatus"], "ACTIVE")
        self.assertEqual(s["OpenShardCount"], 3)
        self.assertEqual(s["RetentionPeriodHours"], 24)
        self.assertIn("EnhancedMonitoring", s)
        self.assertEqual(s.get("StreamModeDetails", {"StreamMode": "PROVISIONED"})["StreamMode"],
                         "PROVISIONED")

    def test_describe_stream_shard_paging(self):
        name = self.new_stream(shards=3)
        d = self.client.describe_stream(StreamName=name, Limit=2)["StreamDescription"]
        self.assertEqual(len(d["Shards"]), 2)
        self.assertTrue(d["HasMoreShards"])
        d2 = self.client.describe_stream(StreamName=name, Limit=2,
                                         ExclusiveStartShardId=d["Shards"][-1]["ShardId"])
        d2 = d2["StreamDescription"]
        self.assertEqual([s["ShardId"] for s in d2["Shards"]], ["shardId-000000000002"])
        self.assertFalse(d2["HasMoreShards"])

    def test_list_streams_with_paginator(self):
        names = sorted(self.new_stream(shards=1, prefix="liststreams") for _ in range(3))
        first = self.client.list_streams(Limit=1)
        self.assertEqual(len(first["StreamNames"]), 1)
        self.assertTrue(first["HasMoreStreams"])
        # Newer botocore/CLI paginators follow NextToken (Debian's botocore 1.29 predates it
        # and pages with ExclusiveStartStreamName), so check the raw reply for it.
        _, _, body, raw = harness.raw_request(SERVER.endpoint, "Kinesis_20131202.ListStreams",
                                              '{"Limit": 1}')
        self.assertTrue(raw["HasMoreStreams"], body)
        self.assertIn("NextToken", raw, "HasMoreStreams is true but no NextToken")
        _, _, body, raw2 = harness.raw_request(SERVER.endpoint, "Kinesis_20131202.ListStreams",
                                               json.dumps({"NextToken": raw["NextToken"],
                                                           "Limit": 1}))
        self.assertEqual(len(raw2.get("StreamNames", [])), 1, body)
        self.assertGreater(raw2["StreamNames"][0], raw["StreamNames"][0],
                           "NextToken did not continue after the first page")
        pages = list(self.client.get_paginator("list_streams").paginate(
            PaginationConfig={"PageSize": 1}))
        self.assertGreaterEqual(len(pages), 3)
        seen = [n for p in pages for n in p["StreamNames"]]
        self.assertEqual(len(seen), len(set(seen)), f"duplicates across pages: {seen}")
        for n in names:
            self.assertIn(n, seen)
        self.assertEqual(seen, sorted(seen), "ListStreams is not in name order")
        # The single-call listing (default Limit) has everything too.
        everything = self.client.list_streams()["StreamNames"]
        for n in names:
            self.assertIn(n, everything)

    def test_list_shards_pagination_and_filters(self):
        name = self.new_stream(shards=5)
        ids = [f"shardId-00000000000{i}" for i in range(5)]

        page = self.client.list_shards(StreamName=name, MaxResults=2)
        self.assertEqual([s["ShardId"] for s in page["Shards"]], ids[:2])
        self.assertIn("NextToken", page)
        got = [s["ShardId"] for s in page["Shards"]]
        token = page["NextToken"]
        while token:  # AWS style: NextToken alone
            page = self.client.list_shards(NextToken=token, MaxResults=2)
            got += [s["ShardId"] for s in page["Shards"]]
            token = page.get("NextToken")
        self.assertEqual(got, ids)

        # botocore's paginator re-sends StreamName with NextToken; that must work too.
        pages = list(self.client.get_paginator("list_shards").paginate(
            StreamName=name, PaginationConfig={"PageSize": 2}))
        self.assertEqual([s["ShardId"] for p in pages for s in p["Shards"]], ids)
        self.assertGreaterEqual(len(pages), 3)

        after = self.client.list_shards(StreamName=name, ExclusiveStartShardId=ids[2])
        self.assertEqual([s["ShardId"] for s in after["Shards"]], ids[3:])

        f = self.client.list_shards(StreamName=name,
                                    ShardFilter={"Type": "AFTER_SHARD_ID", "ShardId": ids[1]})
        self.assertEqual([s["ShardId"] for s in f["Shards"]], ids[2:])
        for ftype in ("AT_TRIM_HORIZON", "FROM_TRIM_HORIZON", "AT_LATEST"):
            f = self.client.list_shards(StreamName=name, ShardFilter={"Type": ftype})
            self.assertEqual([s["ShardId"] for s in f["Shards"]], ids, ftype)
        for s, (lo, hi) in zip(f["Shards"], expected_ranges(5)):
            self.assertEqual(int(s["HashKeyRange"]["StartingHashKey"]), lo)
            self.assertEqual(int(s["HashKeyRange"]["EndingHashKey"]), hi)

    def test_on_demand_stream(self):
        name = harness.unique_name("ondemand")
        self.streams.append(name)
        self.client.create_stream(StreamName=name, StreamModeDetails={"StreamMode": "ON_DEMAND"})
        harness.wait_active(self.client, name)
        s = self.client.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        self.assertEqual(s["StreamModeDetails"]["StreamMode"], "ON_DEMAND")
        self.assertGreaterEqual(s["OpenShardCount"], 1)
        shards = harness.list_all_shards(self.client, name)
        self.assertEqual(len(shards), s["OpenShardCount"])
        self.assertEqual(int(shards[0]["HashKeyRange"]["StartingHashKey"]), 0)
        self.assertEqual(int(shards[-1]["HashKeyRange"]["EndingHashKey"]), 2**128 - 1)
        r = self.client.put_record(StreamName=name, Data=b"x", PartitionKey="k")
        self.assertIn(r["ShardId"], [sh["ShardId"] for sh in shards])

    def test_delete_and_wait_not_exists(self):
        name = self.new_stream(shards=2)
        self.client.put_record(StreamName=name, Data=b"bye", PartitionKey="k")
        self.client.delete_stream(StreamName=name)
        self.client.get_waiter("stream_not_exists").wait(
            StreamName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
        self.assertRaisesCode("ResourceNotFoundException", self.client.describe_stream,
                              StreamName=name)
        self.assertRaisesCode("ResourceNotFoundException", self.client.describe_stream_summary,
                              StreamName=name)
        self.assertNotIn(name, self.client.list_streams()["StreamNames"])
        # The name can be reused and the new stream starts empty.
        harness.create_stream(self.client, name, 1)
        recs, _ = harness.read_shard(self.client, name, "shardId-000000000000")
        self.assertEqual(recs, [])

    def test_tags(self):
        name = self.new_stream(shards=1)
        self.assertEqual(self.client.list_tags_for_stream(StreamName=name)["Tags"], [])
        self.client.add_tags_to_stream(StreamName=name, Tags={"b": "2", "a": "1", "c": ""})
        t = self.client.list_tags_for_stream(StreamName=name)
        self.assertEqual(sorted((x["Key"], x.get("Value", "")) for x in t["Tags"]),
                         [("a", "1"), ("b", "2"), ("c", "")])
        self.assertFalse(t["HasMoreTags"])
        self.client.add_tags_to_stream(StreamName=name, Tags={"a": "one"})  # overwrite
        self.client.remove_tags_from_stream(StreamName=name, TagKeys=["b", "not-there"])
        t = self.client.list_tags_for_stream(StreamName=name)
        self.assertEqual(sorted((x["Key"], x.get("Value", "")) for x in t["Tags"]),
                         [("a", "one"), ("c", "")])
        page = self.client.list_tags_for_stream(StreamName=name, Limit=1)
        self.assertEqual(len(page["Tags"]), 1)
        self.assertTrue(page["HasMoreTags"])
        rest = self.client.list_tags_for_stream(StreamName=name,
                                                ExclusiveStartTagKey=page["Tags"][0]["Key"])
        self.assertEqual(len(rest["Tags"]), 1)
        self.assertNotEqual(rest["Tags"][0]["Key"], page["Tags"][0]["Key"])
        self.assertRaisesCode("ResourceNotFoundException", self.client.add_tags_to_stream,
                              StreamName=harness.unique_name("missing"), Tags={"a": "b"})

    def test_retention(self):
        name = self.new_stream(shards=1)

        def retention():
            return self.client.describe_stream_summary(StreamName=name)[
                "StreamDescriptionSummary"]["RetentionPeriodHours"]

        self.client.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=72)
        harness.wait_active(self.client, name)
        self.assertEqual(retention(), 72)
        self.client.decrease_stream_retention_period(StreamName=name, RetentionPeriodHours=48)
        harness.wait_active(self.client, name)
        self.assertEqual(retention(), 48)
        # Increase must increase, decrease must decrease.
        self.assertRaisesCode("InvalidArgumentException",
                              self.client.increase_stream_retention_period,
                              StreamName=name, RetentionPeriodHours=24)
        self.assertRaisesCode("InvalidArgumentException",
                              self.client.decrease_stream_retention_period,
                              StreamName=name, RetentionPeriodHours=100)
        # Range is 24..8760 hours.
        self.assertRaisesCode("InvalidArgumentException",
                              self.client.increase_stream_retention_period,
                              StreamName=name, RetentionPeriodHours=8761)
        self.assertRaisesCode("InvalidArgumentException",
                              self.client.decrease_stream_retention_period,
                              StreamName=name, RetentionPeriodHours=23)
        self.assertEqual(retention(), 48)
        self.client.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=8760)
        harness.wait_active(self.client, name)
        self.assertEqual(retention(), 8760)

    def test_describe_limits(self):
        self.new_stream(shards=2)
        lim = self.client.describe_limits()
        for k in ("ShardLimit", "OpenShardCount", "OnDemandStreamCount",
                  "OnDemandStreamCountLimit"):
            self.assertIn(k, lim)
            self.assertIsInstance(lim[k], int, k)
        self.assertGreaterEqual(lim["OpenShardCount"], 2)
        self.assertGreaterEqual(lim["ShardLimit"], lim["OpenShardCount"])


if __name__ == "__main__":
    harness.main()
