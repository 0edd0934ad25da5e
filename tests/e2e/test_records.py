"""Data plane through boto3: PutRecord/PutRecords routing and results, every iterator
type, per-shard order, binary round trip, GetRecords Limit and iterator chaining."""

import datetime
import os
import time
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


class RecordsTest(ClientErrorAssertions, unittest.TestCase):
    def setUp(self):
        self.client = SERVER.client()
        self.streams = []

    def tearDown(self):
        for s in self.streams:
            harness.delete_stream_quietly(self.client, s)

    def new_stream(self, shards=1):
        name = harness.unique_name("records")
        self.streams.append(name)
        harness.create_stream(self.client, name, shards)
        return name

    def shards(self, name):
        return harness.list_all_shards(self.client, name)

    def check_order(self, records, what):
        seqs = [int(r["SequenceNumber"]) for r in records]
        self.assertEqual(seqs, sorted(seqs), f"{what}: records not in sequence-number order")
        self.assertEqual(len(seqs), len(set(seqs)), f"{what}: duplicate sequence numbers")

    # ------------------------------------------------------------------ writes / routing

    def test_put_record_md5_routing_and_readback(self):
        name = self.new_stream(shards=4)
        shards = self.shards(name)
        self.assertEqual(len(shards), 4)
        keys = [f"device-{i}" for i in range(60)] + ["ключ-🙂", "pk", " ", "a" * 256]
        acked = {}
        for i, pk in enumerate(keys):
            data = f"payload-{i}".encode()
            r = self.client.put_record(StreamName=name, Data=data, PartitionKey=pk)
            want = harness.shard_for_hash(shards, harness.md5_hash_key(pk))
            self.assertEqual(r["ShardId"], want,
                             f"PutRecord pk={pk!r}: md5={harness.md5_hash_key(pk)} should go "
                             f"to {want}, server chose {r['ShardId']}")
            self.assertRegex(r["SequenceNumber"], r"^(0|[1-9]\d{0,128})$")
            acked[r["SequenceNumber"]] = (r["ShardId"], pk, data)
        self.assertEqual(len(acked), len(keys), "sequence numbers are not unique per stream")

        seen = {}
        for shard in shards:
            sid = shard["ShardId"]
            lo = int(shard["HashKeyRange"]["StartingHashKey"])
            hi = int(shard["HashKeyRange"]["EndingHashKey"])
            recs, last = harness.read_shard(self.client, name, sid)
            self.check_order(recs, sid)
            self.assertIn("MillisBehindLatest", last)
            for rec in recs:
                h = harness.md5_hash_key(rec["PartitionKey"])
                self.assertTrue(lo <= h <= hi, f"record pk={rec['PartitionKey']!r} hash {h} "
                                f"read from {sid} [{lo},{hi}]")
                self.assertIsInstance(rec["ApproximateArrivalTimestamp"], datetime.datetime)
                seen[rec["SequenceNumber"]] = (sid, rec["PartitionKey"], rec["Data"])
        self.assertEqual(seen, acked)

    def test_put_record_sequence_increases_per_shard(self):
        name = self.new_stream(shards=1)
        last = None
        seqs = []
        for i in range(20):
            kw = {"SequenceNumberForOrdering": last} if last else {}
            r = self.client.put_record(StreamName=name, Data=b"%d" % i, PartitionKey="same", **kw)
            if last:
                self.assertGreater(int(r["SequenceNumber"]), int(last))
            last = r["SequenceNumber"]
            seqs.append(last)
        recs, _ = harness.read_shard(self.client, name, "shardId-000000000000")
        self.assertEqual([r["SequenceNumber"] for r in recs], seqs)
        self.assertEqual([r["Data"] for r in recs], [b"%d" % i for i in range(20)])

    def test_explicit_hash_key_routing(self):
        name = self.new_stream(shards=4)
        shards = self.shards(name)
        for shard in shards:
            for key in (shard["HashKeyRange"]["StartingHashKey"],
                        shard["HashKeyRange"]["EndingHashKey"],
                        str((int(shard["HashKeyRange"]["StartingHashKey"]) +
                             int(shard["HashKeyRange"]["EndingHashKey"])) // 2)):
                # The partition key hashes elsewhere; ExplicitHashKey must win.
                r = self.client.put_record(StreamName=name, Data=key.encode(),
                                           PartitionKey="pk", ExplicitHashKey=key)
                self.assertEqual(r["ShardId"], shard["ShardId"], f"ExplicitHashKey={key}")
        batch = [{"Data": b"ehk-%d" % i, "PartitionKey": "pk",
                  "ExplicitHashKey": s["HashKeyRange"]["EndingHashKey"]}
                 for i, s in enumerate(shards)]
        resp = self.client.put_records(StreamName=name, Records=batch)
        self.assertEqual(resp["FailedRecordCount"], 0)
        self.assertEqual([r["ShardId"] for r in resp["Records"]], [s["ShardId"] for s in shards])
        # Records keep their partition key (not the explicit hash key).
        recs, _ = harness.read_shard(self.client, name, shards[-1]["ShardId"])
        self.assertTrue(recs)
        self.assertTrue(all(r["PartitionKey"] == "pk" for r in recs))
        self.assertIn(str(2**128 - 1).encode(), [r["Data"] for r in recs])

    def test_put_records_batches(self):
        name = self.new_stream(shards=3)
        shards = self.shards(name)
        all_acked = {}
        for batch_no, size in enumerate((1, 17, 500)):
            batch = [{"Data": os.urandom(8) + b"|%d|%d" % (batch_no, i),
                      "PartitionKey": f"k{batch_no}-{i}"} for i in range(size)]
            resp = self.client.put_records(StreamName=name, Records=batch)
            self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 200)
            self.assertIn("FailedRecordCount", resp, "FailedRecordCount missing (send 0)")
            self.assertEqual(resp["FailedRecordCount"], 0)
            self.assertEqual(len(resp["Records"]), size)
            for req, res in zip(batch, resp["Records"]):
                self.assertNotIn("ErrorCode", res)
                want = harness.shard_for_hash(shards, harness.md5_hash_key(req["PartitionKey"]))
                self.assertEqual(res["ShardId"], want,
                                 f"result entry order/routing wrong for {req['PartitionKey']}")
                all_acked[res["SequenceNumber"]] = (res["ShardId"], req["Data"])
        self.assertEqual(len(all_acked), 518, "sequence numbers not unique")
        seen = {}
        for s in shards:
            recs, _ = harness.read_shard(self.client, name, s["ShardId"])
            self.check_order(recs, s["ShardId"])
            for r in recs:
                seen[r["SequenceNumber"]] = (s["ShardId"], r["Data"])
        self.assertEqual(seen, all_acked)

    def test_binary_data_round_trip(self):
        name = self.new_stream(shards=1)
        payloads = [b"\x00\xff", bytes(range(256)), b"\x00" * 100, b"\xff" * 3,
                    "ünïcødé".encode("utf-8"), os.urandom(65536), b"x"]
        seqs = []
        for p in payloads:
            seqs.append(self.client.put_record(StreamName=name, Data=p,
                                               PartitionKey="bin")["SequenceNumber"])
        resp = self.client.put_records(StreamName=name,
                                       Records=[{"Data": p, "PartitionKey": "bin"}
                                                for p in payloads])
        self.assertEqual(resp["FailedRecordCount"], 0)
        recs, _ = harness.read_shard(self.client, name, "shardId-000000000000")
        self.assertEqual([r["Data"] for r in recs[:len(payloads)]], payloads)
        self.assertEqual(sorted(r["Data"] for r in recs[len(payloads):]), sorted(payloads))
        self.assertEqual([r["SequenceNumber"] for r in recs[:len(payloads)]], seqs)

    def test_large_record_round_trip(self):
        name = self.new_stream(shards=1)
        big = os.urandom(1024 * 1024 - 64)  # just under the 1 MiB record limit
        r = self.client.put_record(StreamName=name, Data=big, PartitionKey="big")
        recs, _ = harness.read_shard(self.client, name, "shardId-000000000000")
        self.assertEqual(len(recs), 1)
        self.assertEqual(recs[0]["SequenceNumber"], r["SequenceNumber"])
        self.assertEqual(recs[0]["Data"], big)

    def test_empty_data_round_trip(self):
        name = self.new_stream(shards=1)
        r = self.client.put_record(StreamName=name, Data=b"", PartitionKey="empty")
        recs, _ = harness.read_shard(self.client, name, "shardId-000000000000")
        self.assertEqual([(x["SequenceNumber"], x["Data"]) for x in recs],
                         [(r["SequenceNumber"], b"")])

    # ------------------------------------------------------------------ iterators

    def test_every_iterator_type(self):
        name = self.new_stream(shards=1)
        sid = "shardId-000000000000"
        first = [self.client.put_record(StreamName=name, Data=b"a%d" % i,
                                        PartitionKey="p")["SequenceNumber"] for i in range(5)]
        time.sleep(1.5)  # let the server's clock pass a whole second (timestamps are seconds)
        second = self.client.put_records(StreamName=name, Records=[
            {"Data": b"b%d" % i, "PartitionKey": "p"} for i in range(5)])["Records"]
        second = [r["SequenceNumber"] for r in second]
        all_seqs = first + second

        recs, _ = harness.read_shard(self.client, name, sid, "TRIM_HORIZON")
        self.assertEqual([r["SequenceNumber"] for r in recs], all_seqs)
        self.assertEqual([r["Data"] for r in recs],
                         [b"a%d" % i for i in range(5)] + [b"b%d" % i for i in range(5)])
        arrivals = [r["ApproximateArrivalTimestamp"] for r in recs]
        self.assertEqual(arrivals, sorted(arrivals), "arrival timestamps go backwards")

        for k in (0, 3, 7, 9):
            recs, _ = harness.read_shard(self.client, name, sid, "AT_SEQUENCE_NUMBER",
                                         StartingSequenceNumber=all_seqs[k])
            self.assertEqual([r["SequenceNumber"] for r in recs], all_seqs[k:],
                             f"AT_SEQUENCE_NUMBER {k}")
            recs, _ = harness.read_shard(self.client, name, sid, "AFTER_SEQUENCE_NUMBER",
                                         StartingSequenceNumber=all_seqs[k])
            self.assertEqual([r["SequenceNumber"] for r in recs], all_seqs[k + 1:],
                             f"AFTER_SEQUENCE_NUMBER {k}")

        # AT_TIMESTAMP: botocore sends whole seconds. A time before the stream -> everything.
        recs, _ = harness.read_shard(
            self.client, name, sid, "AT_TIMESTAMP",
            Timestamp=datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=1))
        self.assertEqual([r["SequenceNumber"] for r in recs], all_seqs)
        # The floor of the first "b" record's arrival second lies after every "a" record.
        b_first = arrivals[5].timestamp()
        a_last = arrivals[4].timestamp()
        cut = int(b_first)
        if cut > a_last:
            recs, _ = harness.read_shard(self.client, name, sid, "AT_TIMESTAMP", Timestamp=cut)
            self.assertEqual([r["SequenceNumber"] for r in recs], second,
                             f"AT_TIMESTAMP {cut} (a_last={a_last}, b_first={b_first})")
        # A float timestamp (what Java sends) works as well.
        recs, _ = harness.read_shard(self.client, name, sid, "AT_TIMESTAMP",
                                     Timestamp=arrivals[0].timestamp() - 0.5)
        self.assertEqual([r["SequenceNumber"] for r in recs], all_seqs)

        # LATEST: only what arrives after the iterator was taken.
        latest = self.client.get_shard_iterator(StreamName=name, ShardId=sid,
                                                ShardIteratorType="LATEST")["ShardIterator"]
        empty = self.client.get_records(ShardIterator=latest)
        self.assertEqual(empty["Records"], [])
        self.assertEqual(empty["MillisBehindLatest"], 0)
        later = [self.client.put_record(StreamName=name, Data=b"c%d" % i,
                                        PartitionKey="p")["SequenceNumber"] for i in range(3)]
        got = []
        it = empty["NextShardIterator"]
        for _ in range(20):
            resp = self.client.get_records(ShardIterator=it)
            got += resp["Records"]
            it = resp["NextShardIterator"]
            if len(got) >= 3:
                break
        self.assertEqual([r["SequenceNumber"] for r in got], later)
        # A LATEST iterator taken now starts after everything: nothing old comes back.
        recs, _ = harness.read_shard(self.client, name, sid, "LATEST")
        self.assertEqual(recs, [])

    def test_get_records_limit_and_chaining(self):
        name = self.new_stream(shards=1)
        sid = "shardId-000000000000"
        resp = self.client.put_records(StreamName=name, Records=[
            {"Data": b"r%02d" % i, "PartitionKey": "p"} for i in range(25)])
        self.assertEqual(resp["FailedRecordCount"], 0)
        it = self.client.get_shard_iterator(StreamName=name, ShardId=sid,
                                            ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        sizes, data = [], []
        for _ in range(50):
            r = self.client.get_records(ShardIterator=it, Limit=10)
            self.assertIn("MillisBehindLatest", r)
            self.assertGreaterEqual(r["MillisBehindLatest"], 0)
            self.assertLessEqual(len(r["Records"]), 10, "Limit not honoured")
            self.assertIn("NextShardIterator", r, "open shard must return NextShardIterator")
            sizes.append(len(r["Records"]))
            data += [x["Data"] for x in r["Records"]]
            it = r["NextShardIterator"]
            if len(data) >= 25:
                break
        self.assertEqual(sizes[0], 10)
        self.assertEqual(data, [b"r%02d" % i for i in range(25)])
        tail = self.client.get_records(ShardIterator=it, Limit=10)
        self.assertEqual(tail["Records"], [])
        self.assertEqual(tail["MillisBehindLatest"], 0)
        # An iterator can be used again (iterators are not single-use in Kinesis).
        again = self.client.get_records(ShardIterator=it)
        self.assertEqual(again["Records"], [])
        r = self.client.get_records(ShardIterator=self.client.get_shard_iterator(
            StreamName=name, ShardId=sid, ShardIteratorType="TRIM_HORIZON")["ShardIterator"],
            Limit=1)
        self.assertEqual([x["Data"] for x in r["Records"]], [b"r00"])


if __name__ == "__main__":
    harness.main()
