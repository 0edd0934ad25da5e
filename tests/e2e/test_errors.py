"""Error behaviour: each failure surfaces in boto3 as the exception class real AWS gives,
with HTTP 400, plus protocol errors (unknown operation, malformed JSON) over raw HTTP."""

import datetime
import json
import os
import time
import unittest

import harness
from harness import ClientErrorAssertions

SERVER = None
STREAM = None


def setUpModule():
    global SERVER, STREAM
    SERVER = harness.shared_server()
    STREAM = harness.unique_name("errors")
    harness.create_stream(SERVER.client(), STREAM, 2)


def tearDownModule():
    if SERVER:
        harness.delete_stream_quietly(SERVER.client(), STREAM)
        SERVER.cleanup()


class ErrorsTest(ClientErrorAssertions, unittest.TestCase):
    def setUp(self):
        # No client-side validation and no retries: we want the server's answer, once.
        self.client = SERVER.client(validate=False, max_attempts=1)
        self.missing = harness.unique_name("missing")

    def iterator(self, itype="TRIM_HORIZON", **kw):
        return self.client.get_shard_iterator(StreamName=STREAM, ShardId="shardId-000000000000",
                                              ShardIteratorType=itype, **kw)["ShardIterator"]

    def test_resource_not_found(self):
        e = self.assertRaisesCode("ResourceNotFoundException", self.client.describe_stream,
                                  StreamName=self.missing)
        self.assertEqual(e.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.assertIn(self.missing, e.response["Error"]["Message"])
        for fn, kw in ((self.client.describe_stream_summary, {}),
                       (self.client.delete_stream, {}),
                       (self.client.list_shards, {}),
                       (self.client.list_tags_for_stream, {}),
                       (self.client.put_record, {"Data": b"x", "PartitionKey": "k"}),
                       (self.client.put_records, {"Records": [{"Data": b"x",
                                                               "PartitionKey": "k"}]}),
                       (self.client.get_shard_iterator, {"ShardId": "shardId-000000000000",
                                                         "ShardIteratorType": "LATEST"}),
                       (self.client.increase_stream_retention_period,
                        {"RetentionPeriodHours": 48})):
            with self.subTest(op=fn.__name__):
                self.assertRaisesCode("ResourceNotFoundException", fn, StreamName=self.missing,
                                      **kw)
        # An unknown shard of an existing stream.
        self.assertRaisesCode("ResourceNotFoundException", self.client.get_shard_iterator,
                              StreamName=STREAM, ShardId="shardId-000000000077",
                              ShardIteratorType="TRIM_HORIZON")

    def test_resource_in_use(self):
        self.assertRaisesCode("ResourceInUseException", self.client.create_stream,
                              StreamName=STREAM, ShardCount=1)

    def test_validation_errors(self):
        e = self.assertRaisesCode("ValidationException", self.client.describe_stream,
                                  StreamName="bad name!")
        self.assertIn("1 validation error detected", e.response["Error"]["Message"])
        self.assertEqual(e.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.assertRaisesCode("ValidationException", self.client.create_stream,
                              StreamName="x" * 129, ShardCount=1)
        self.assertRaisesCode("ValidationException", self.client.create_stream,
                              StreamName=harness.unique_name("zero"), ShardCount=0)
        self.assertRaisesCode("ValidationException", self.client.put_record, StreamName=STREAM,
                              Data=b"x", PartitionKey="k" * 257)
        self.assertRaisesCode("ValidationException", self.client.put_record, StreamName=STREAM,
                              Data=b"x", PartitionKey="")
        self.assertRaisesCode("ValidationException", self.client.put_records,
                              StreamName=STREAM, Records=[])
        self.assertRaisesCode("ValidationException", self.client.put_records,
                              StreamName=STREAM,
                              Records=[{"Data": b"x", "PartitionKey": "k"}] * 501)
        self.assertRaisesCode("ValidationException", self.client.put_records,
                              StreamName=STREAM,
                              Records=[{"Data": b"x", "PartitionKey": "k" * 257}])
        self.assertRaisesCode("ValidationException", self.client.put_record, StreamName=STREAM,
                              Data=b"x", PartitionKey="k", ExplicitHashKey="12ab")
        it = self.iterator()
        self.assertRaisesCode("ValidationException", self.client.get_records,
                              ShardIterator=it, Limit=10001)
        self.assertRaisesCode("ValidationException", self.client.get_records,
                              ShardIterator=it, Limit=0)
        self.assertRaisesCode("ValidationException", self.client.get_shard_iterator,
                              StreamName=STREAM, ShardId="shardId-000000000000",
                              ShardIteratorType="SOMEWHERE")
        self.assertRaisesCode("ValidationException", self.client.get_shard_iterator,
                              StreamName=STREAM, ShardId="shardId-000000000000",
                              ShardIteratorType="AT_SEQUENCE_NUMBER",
                              StartingSequenceNumber="not-a-number")

    def test_record_too_large(self):
        big = b"\x00" * (1024 * 1024 + 1)
        e = self.assertRaisesCode("ValidationException", self.client.put_record,
                                  StreamName=STREAM, Data=big, PartitionKey="k")
        self.assertIn("1048576", e.response["Error"]["Message"])
        self.assertRaisesCode("ValidationException", self.client.put_records,
                              StreamName=STREAM, Records=[{"Data": big, "PartitionKey": "k"}])

    def test_put_records_total_over_5_mib(self):
        # 6 records of 880,000 bytes = 5,280,000 > 5 MiB (5,242,880); each under 1 MiB.
        recs = [{"Data": os.urandom(880_000), "PartitionKey": f"k{i}"} for i in range(6)]
        self.assertRaisesCode("InvalidArgumentException", self.client.put_records,
                              StreamName=STREAM, Records=recs)
        # Just under the limit is accepted.
        recs = [{"Data": os.urandom(860_000), "PartitionKey": f"k{i}"} for i in range(6)]
        resp = self.client.put_records(StreamName=STREAM, Records=recs)
        self.assertEqual(resp["FailedRecordCount"], 0)

    def test_invalid_arguments(self):
        # A sequence number that is well-formed but not one this shard issued.
        self.assertRaisesCode("InvalidArgumentException", self.client.get_shard_iterator,
                              StreamName=STREAM, ShardId="shardId-000000000000",
                              ShardIteratorType="AT_SEQUENCE_NUMBER",
                              StartingSequenceNumber="1234567890")
        # A sequence number of shard 1 used on shard 0.
        seq1 = self.client.put_record(StreamName=STREAM, Data=b"x", PartitionKey="k",
                                      ExplicitHashKey=str(2**128 - 1))
        self.assertEqual(seq1["ShardId"], "shardId-000000000001")
        self.assertRaisesCode("InvalidArgumentException", self.client.get_shard_iterator,
                              StreamName=STREAM, ShardId="shardId-000000000000",
                              ShardIteratorType="AT_SEQUENCE_NUMBER",
                              StartingSequenceNumber=seq1["SequenceNumber"])
        for itype in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"):
            with self.subTest(missing_seq=itype):
                self.assertRaisesCode("InvalidArgumentException", self.client.get_shard_iterator,
                                      StreamName=STREAM, ShardId="shardId-000000000000",
                                      ShardIteratorType=itype)
        self.assertRaisesCode("InvalidArgumentException", self.client.get_shard_iterator,
                              StreamName=STREAM, ShardId="shardId-000000000000",
                              ShardIteratorType="AT_TIMESTAMP")
        future = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=2)
        self.assertRaisesCode("InvalidArgumentException", self.client.get_shard_iterator,
                              StreamName=STREAM, ShardId="shardId-000000000000",
                              ShardIteratorType="AT_TIMESTAMP", Timestamp=future)
        self.assertRaisesCode("InvalidArgumentException", self.client.get_records,
                              ShardIterator="bm90IGFuIGl0ZXJhdG9y")
        self.assertRaisesCode("InvalidArgumentException", self.client.put_record,
                              StreamName=STREAM, Data=b"x", PartitionKey="k",
                              ExplicitHashKey=str(2**128))
        self.assertRaisesCode("InvalidArgumentException",
                              self.client.increase_stream_retention_period,
                              StreamName=STREAM, RetentionPeriodHours=100000)
        self.assertRaisesCode("InvalidArgumentException",
                              self.client.decrease_stream_retention_period,
                              StreamName=STREAM, RetentionPeriodHours=1)
        self.assertRaisesCode("InvalidArgumentException", self.client.split_shard,
                              StreamName=STREAM, ShardToSplit="shardId-000000000000",
                              NewStartingHashKey=str(2**128 - 1))

    def test_limit_exceeded(self):
        name = harness.unique_name("toomany")
        try:
            self.assertRaisesCode("LimitExceededException", self.client.create_stream,
                                  StreamName=name, ShardCount=100000)
        finally:
            harness.delete_stream_quietly(self.client, name)

    def test_unknown_operation_raw(self):
        status, headers, body, parsed = harness.raw_request(
            SERVER.endpoint, "Kinesis_20131202.FlyToTheMoon", "{}")
        self.assertEqual(status, 400, body)
        self.assertEqual(harness.error_type(parsed), "UnknownOperationException", body)
        status, headers, body, parsed = harness.raw_request(
            SERVER.endpoint, "NotKinesis.DescribeStream", json.dumps({"StreamName": STREAM}))
        self.assertEqual(status, 400, body)
        self.assertEqual(harness.error_type(parsed), "UnknownOperationException", body)

    def test_serialization_errors_raw(self):
        target = "Kinesis_20131202.DescribeStream"
        for bad in ('{"StreamName": ', "not json", '{"StreamName": 5}'):
            with self.subTest(body=bad):
                status, headers, body, parsed = harness.raw_request(SERVER.endpoint, target, bad)
                self.assertEqual(status, 400, body)
                self.assertEqual(harness.error_type(parsed), "SerializationException", body)
        # Data that is not base64.
        status, _, body, parsed = harness.raw_request(
            SERVER.endpoint, "Kinesis_20131202.PutRecord",
            json.dumps({"StreamName": STREAM, "PartitionKey": "k", "Data": "!!!not base64!!!"}))
        self.assertEqual(status, 400, body)
        self.assertEqual(harness.error_type(parsed), "SerializationException", body)

    def test_raw_success_and_error_envelope(self):
        status, headers, body, parsed = harness.raw_request(
            SERVER.endpoint, "Kinesis_20131202.DescribeStreamSummary",
            json.dumps({"StreamName": STREAM}))
        self.assertEqual(status, 200, body)
        self.assertIn("x-amzn-requestid", headers)
        self.assertTrue(headers.get("content-type", "").startswith("application/x-amz-json-1.1"))
        self.assertEqual(parsed["StreamDescriptionSummary"]["StreamName"], STREAM)
        status, headers, body, parsed = harness.raw_request(
            SERVER.endpoint, "Kinesis_20131202.DescribeStream",
            json.dumps({"StreamName": self.missing}))
        self.assertEqual(status, 400)
        self.assertIn("x-amzn-requestid", headers)
        self.assertEqual(harness.error_type(parsed), "ResourceNotFoundException")
        self.assertTrue(parsed.get("message") or parsed.get("Message"), body)

    def test_provisioned_throughput_exceeded(self):
        if not harness.have_binary():
            self.skipTest("needs --binary to start a server with [log] shard write limits")
        server = harness.Server(config_text="[log]\nshard_write_records_per_sec = 20\n"
                                            "[kinesis]\ncreate_delay_ms = 50\n")
        try:
            server.start()
            client = server.client(validate=False, max_attempts=1)
            name = harness.unique_name("throttle")
            harness.create_stream(client, name, 1)
            batch = [{"Data": b"t%03d" % i, "PartitionKey": "k"} for i in range(100)]
            resp = client.put_records(StreamName=name, Records=batch)
            self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 200)
            self.assertEqual(len(resp["Records"]), 100)
            failed = [r for r in resp["Records"] if "ErrorCode" in r]
            ok = [(b["Data"], r["SequenceNumber"]) for b, r in zip(batch, resp["Records"])
                  if "SequenceNumber" in r]
            self.assertEqual(resp["FailedRecordCount"], len(failed))
            self.assertGreater(len(failed), 0, "100 records/s against a 20/s limit: none failed")
            self.assertGreater(len(ok), 0)
            for r in failed:
                self.assertEqual(r["ErrorCode"], "ProvisionedThroughputExceededException")
                self.assertTrue(r.get("ErrorMessage"))
                self.assertNotIn("SequenceNumber", r)
            # PutRecord over the limit raises the modeled exception (100 quick puts
            # against 20/s: some must be refused, whatever the window boundaries).
            throttled = 0
            for i in range(100):
                try:
                    r = client.put_record(StreamName=name, Data=b"single-%03d" % i,
                                          PartitionKey="k")
                    ok.append((b"single-%03d" % i, r["SequenceNumber"]))
                except client.exceptions.ProvisionedThroughputExceededException:
                    throttled += 1
                    if throttled >= 3:
                        break
            self.assertGreater(throttled, 0, "no PutRecord was throttled")
            # Only the accepted records were stored.
            recs, _ = harness.read_shard(client, name, "shardId-000000000000")
            self.assertEqual([(r["Data"], r["SequenceNumber"]) for r in recs], ok)
        finally:
            server.stop()
            server.cleanup()

    def test_expired_iterator(self):
        if not harness.have_binary():
            self.skipTest("iterators live 5 minutes; only fluxgate can shorten that "
                          "([kinesis] iterator_ttl_ms), needs --binary")
        server = harness.Server(config_text="[kinesis]\niterator_ttl_ms = 1000\n"
                                            "create_delay_ms = 50\n")
        try:
            server.start()
            client = server.client(validate=False, max_attempts=1)
            name = harness.unique_name("ttl")
            harness.create_stream(client, name, 1)
            client.put_record(StreamName=name, Data=b"x", PartitionKey="k")
            it = client.get_shard_iterator(StreamName=name, ShardId="shardId-000000000000",
                                           ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            fresh = client.get_records(ShardIterator=it)
            self.assertEqual(len(fresh["Records"]), 1)
            time.sleep(2.5)
            self.assertRaisesCode("ExpiredIteratorException", client.get_records,
                                  ShardIterator=it)
            self.assertRaisesCode("ExpiredIteratorException", client.get_records,
                                  ShardIterator=fresh["NextShardIterator"])
        finally:
            server.stop()
            server.cleanup()


if __name__ == "__main__":
    harness.main()
