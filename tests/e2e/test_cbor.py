"""The Kinesis CBOR protocol (application/x-amz-cbor-1.1, the AWS Java SDK's default):
SigV4-signed CBOR requests for the control and data plane, replies decoded with Debian's
python3-cbor2, blobs as byte strings, timestamps as tag 1 + epoch milliseconds (what the
Java SDK sends and reads), errors as CBOR maps, and records crossing between CBOR and JSON
(boto3) clients."""

import io
import time
import unittest

from cbor2 import CBORTag, dumps
from cbor2 import decoder as cbor_pydecoder

import harness

CBOR = "application/x-amz-cbor-1.1"
TARGET = "Kinesis_20131202."

# The SDKs put epoch MILLISECONDS under tag 1, while cbor2 reads tag 1 as RFC 8949 epoch
# seconds (and fails on a year past 9999). This test process keeps tag 1 raw in the
# pure-Python decoder, so replies show exactly what is on the wire: CBORTag(1, millis).
cbor_pydecoder.semantic_decoders.pop(1, None)

SERVER = None


def setUpModule():
    global SERVER
    SERVER = harness.shared_server()


def tearDownModule():
    if SERVER:
        SERVER.cleanup()


def cbor_loads(data):
    return cbor_pydecoder.CBORDecoder(io.BytesIO(data)).decode()


def call(op, payload=None, raw=None):
    """One signed CBOR request; returns (status, headers, decoded reply or None)."""
    body = raw if raw is not None else dumps(payload if payload is not None else {})
    status, headers, data, _ = harness.raw_request(SERVER.endpoint, TARGET + op, body,
                                                   content_type=CBOR)
    return status, headers, (cbor_loads(data) if data else None)


def ok(op, payload=None):
    status, headers, reply = call(op, payload)
    if status != 200:
        raise AssertionError(f"{op}: HTTP {status}: {reply}")
    if not headers.get("content-type", "").startswith(CBOR):
        raise AssertionError(f"{op}: content type {headers.get('content-type')}")
    return reply


def assert_epoch_millis(testcase, value, what):
    # (The pure-Python decoder has its own CBORTag class; compare by shape.)
    testcase.assertEqual(getattr(value, "tag", None), 1, f"{what}: not a tagged time: {value!r}")
    testcase.assertIsInstance(value.value, int, f"{what}: milliseconds must be an integer")
    now_ms = int(time.time() * 1000)
    testcase.assertLess(abs(now_ms - value.value), 3_600_000, f"{what}: {value.value} ms")


class CborTest(harness.TempStreams, unittest.TestCase):
    stream_prefix = "cbor"

    def server(self):
        return SERVER

    def new_stream(self, shards=2):
        """Created through CBOR CreateStream (not boto3) and polled until ACTIVE."""
        name = harness.unique_name("cbor")
        self.streams.append(name)
        status, headers, reply = call("CreateStream", {"StreamName": name, "ShardCount": shards})
        self.assertEqual(status, 200, reply)
        self.assertTrue(headers.get("content-type", "").startswith(CBOR), headers)
        deadline = time.monotonic() + 30
        while True:
            summary = ok("DescribeStreamSummary", {"StreamName": name})
            if summary["StreamDescriptionSummary"]["StreamStatus"] == "ACTIVE":
                break
            self.assertLess(time.monotonic(), deadline, "stream never became ACTIVE")
            time.sleep(0.2)
        assert_epoch_millis(self, summary["StreamDescriptionSummary"]["StreamCreationTimestamp"],
                            "StreamCreationTimestamp")
        return name

    def read_all(self, name):
        """Every record of every shard through CBOR GetRecords, by shard id."""
        out = {}
        shards = ok("ListShards", {"StreamName": name})["Shards"]
        for shard in shards:
            it = ok("GetShardIterator", {"StreamName": name, "ShardId": shard["ShardId"],
                                         "ShardIteratorType": "TRIM_HORIZON"})["ShardIterator"]
            got = ok("GetRecords", {"ShardIterator": it, "Limit": 1000})
            out[shard["ShardId"]] = got["Records"]
        return out

    def test_data_plane_round_trip_with_binary_data(self):
        name = self.new_stream(shards=2)
        payloads = [bytes(range(256)), b"\x00", "ключ 🙂".encode(), b"{\"json\": true}"]
        single = ok("PutRecord", {"StreamName": name, "Data": payloads[0],
                                  "PartitionKey": "pk-0"})
        self.assertTrue(single["ShardId"].startswith("shardId-"), single)
        self.assertTrue(single["SequenceNumber"].isdigit(), single)
        put = ok("PutRecords", {"StreamName": name, "Records": [
            {"Data": p, "PartitionKey": f"pk-{i}"} for i, p in enumerate(payloads[1:], 1)]})
        self.assertEqual(put["FailedRecordCount"], 0, put)
        self.assertEqual(len(put["Records"]), len(payloads) - 1)
        acked = {single["SequenceNumber"]: payloads[0]}
        for p, r in zip(payloads[1:], put["Records"]):
            acked[r["SequenceNumber"]] = p

        shards = ok("ListShards", {"StreamName": name})
        self.assertEqual(len(shards["Shards"]), 2)
        described = ok("DescribeStream", {"StreamName": name})["StreamDescription"]
        self.assertEqual(described["StreamName"], name)
        self.assertEqual(len(described["Shards"]), 2)
        assert_epoch_millis(self, described["StreamCreationTimestamp"], "StreamCreationTimestamp")

        seen = {}
        for shard_id, records in self.read_all(name).items():
            for rec in records:
                self.assertIsInstance(rec["Data"], bytes, "Data must be a CBOR byte string")
                assert_epoch_millis(self, rec["ApproximateArrivalTimestamp"],
                                    "ApproximateArrivalTimestamp")
                seen[rec["SequenceNumber"]] = rec["Data"]
        self.assertEqual(seen, acked)

    def test_at_timestamp_with_tagged_epoch_millis(self):
        name = self.new_stream(shards=1)
        before_ms = int(time.time() * 1000) - 1000
        ok("PutRecord", {"StreamName": name, "Data": b"late", "PartitionKey": "k"})
        shard = ok("ListShards", {"StreamName": name})["Shards"][0]["ShardId"]
        # As the Java SDK sends it: tag 1 around integer milliseconds.
        it = ok("GetShardIterator", {"StreamName": name, "ShardId": shard,
                                     "ShardIteratorType": "AT_TIMESTAMP",
                                     "Timestamp": CBORTag(1, before_ms)})["ShardIterator"]
        got = ok("GetRecords", {"ShardIterator": it})
        self.assertEqual([r["Data"] for r in got["Records"]], [b"late"])
        # A timestamp after the record: nothing to read.
        it = ok("GetShardIterator", {"StreamName": name, "ShardId": shard,
                                     "ShardIteratorType": "AT_TIMESTAMP",
                                     "Timestamp": CBORTag(1, int(time.time() * 1000))})
        got = ok("GetRecords", {"ShardIterator": it["ShardIterator"]})
        self.assertEqual(got["Records"], [])

    def test_cbor_and_json_clients_see_the_same_records(self):
        name = self.new_stream(shards=1)
        ok("PutRecord", {"StreamName": name, "Data": b"\xffcbor", "PartitionKey": "a"})
        self.client.put_record(StreamName=name, Data=b"\xfejson", PartitionKey="b")
        shard = self.client.list_shards(StreamName=name)["Shards"][0]["ShardId"]
        via_json, _ = harness.read_shard(self.client, name, shard)
        self.assertEqual([r["Data"] for r in via_json], [b"\xffcbor", b"\xfejson"])
        via_cbor = self.read_all(name)[shard]
        self.assertEqual([r["Data"] for r in via_cbor], [b"\xffcbor", b"\xfejson"])
        self.assertEqual([r["SequenceNumber"] for r in via_cbor],
                         [r["SequenceNumber"] for r in via_json])
        # Same instant in both protocols: JSON seconds with a fraction, CBOR milliseconds.
        for c, j in zip(via_cbor, via_json):
            self.assertEqual(c["ApproximateArrivalTimestamp"].value,
                             round(j["ApproximateArrivalTimestamp"].timestamp() * 1000))

    def test_errors_are_cbor_maps(self):
        status, headers, reply = call("DescribeStream", {"StreamName": "no-such-stream-cbor"})
        self.assertEqual(status, 400)
        self.assertTrue(headers.get("content-type", "").startswith(CBOR), headers)
        self.assertIsInstance(reply, dict)
        self.assertEqual(reply.get("__type"), "ResourceNotFoundException", reply)
        self.assertIn("no-such-stream-cbor", reply.get("message", ""))

        status, _, reply = call("ListStreams", raw=b"\xa1\x61")  # truncated map
        self.assertEqual(status, 400)
        self.assertEqual(reply.get("__type"), "SerializationException", reply)

        status, _, reply = call("PutRecord", {"StreamName": 5, "Data": b"x", "PartitionKey": "k"})
        self.assertEqual(status, 400)
        self.assertEqual(reply.get("__type"), "SerializationException", reply)

        status, _, reply = call("NoSuchOperation", {})
        self.assertEqual(status, 400)
        self.assertEqual(reply.get("__type"), "UnknownOperationException", reply)


if __name__ == "__main__":
    harness.main()
