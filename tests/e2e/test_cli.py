"""The AWS CLI v2 (/usr/bin/aws) against the server: the commands a person types."""

import base64
import unittest

import harness

SERVER = None


def setUpModule():
    global SERVER
    SERVER = harness.shared_server()


def tearDownModule():
    if SERVER:
        SERVER.cleanup()


def aws(*args, **kw):
    return harness.aws_cli(SERVER.endpoint, "kinesis", *args, **kw)


class CliTest(unittest.TestCase):
    def test_cli_round_trip(self):
        name = harness.unique_name("cli")
        try:
            self._round_trip(name)
        finally:
            aws("delete-stream", "--stream-name", name, check=False)

    def _round_trip(self, name):
        p = aws("create-stream", "--stream-name", name, "--shard-count", "3")
        self.assertEqual(p.stdout.strip(), "", "create-stream prints nothing on success")
        # `aws kinesis wait stream-exists` polls every 10 s; used once here.
        aws("wait", "stream-exists", "--stream-name", name)

        summary = aws("describe-stream-summary", "--stream-name", name).json
        s = summary["StreamDescriptionSummary"]
        self.assertEqual(s["StreamName"], name)
        self.assertEqual(s["StreamStatus"], "ACTIVE")
        self.assertEqual(s["OpenShardCount"], 3)

        names = aws("list-streams").json["StreamNames"]
        self.assertIn(name, names)

        # list-shards with a page size: the CLI's paginator re-sends --stream-name together
        # with NextToken (aws-cli #9635); the server must accept that.
        shards = aws("list-shards", "--stream-name", name, "--page-size", "1").json["Shards"]
        self.assertEqual([x["ShardId"] for x in shards],
                         ["shardId-000000000000", "shardId-000000000001",
                          "shardId-000000000002"])
        shards = aws("list-shards", "--stream-name", name, "--max-items", "2").json
        self.assertEqual(len(shards["Shards"]), 2)

        payload = "hello \u00fcber fluxgate"
        put = aws("put-record", "--stream-name", name, "--partition-key", "pk-1",
                  "--data", payload, "--cli-binary-format", "raw-in-base64-out").json
        self.assertRegex(put["SequenceNumber"], r"^\d+$")
        all_shards = aws("list-shards", "--stream-name", name).json["Shards"]
        want_shard = harness.shard_for_hash(all_shards, harness.md5_hash_key("pk-1"))
        self.assertEqual(put["ShardId"], want_shard)
        # Default binary format: --data is base64.
        put2 = aws("put-record", "--stream-name", name, "--partition-key", "pk-1",
                   "--data", base64.b64encode(b"\x00\x01\xfe\xff").decode()).json

        it = aws("get-shard-iterator", "--stream-name", name, "--shard-id", put["ShardId"],
                 "--shard-iterator-type", "TRIM_HORIZON").json["ShardIterator"]
        recs = aws("get-records", "--shard-iterator", it).json
        self.assertIn("MillisBehindLatest", recs)
        self.assertIn("NextShardIterator", recs)
        got = [(r["SequenceNumber"], base64.b64decode(r["Data"]), r["PartitionKey"])
               for r in recs["Records"]]
        self.assertEqual(got, [(put["SequenceNumber"], payload.encode(), "pk-1"),
                               (put2["SequenceNumber"], b"\x00\x01\xfe\xff", "pk-1")])

        it = aws("get-shard-iterator", "--stream-name", name, "--shard-id", put["ShardId"],
                 "--shard-iterator-type", "AFTER_SEQUENCE_NUMBER",
                 "--starting-sequence-number", put["SequenceNumber"]).json["ShardIterator"]
        recs = aws("get-records", "--shard-iterator", it, "--limit", "1").json["Records"]
        self.assertEqual([r["SequenceNumber"] for r in recs], [put2["SequenceNumber"]])

        aws("delete-stream", "--stream-name", name)
        aws("wait", "stream-not-exists", "--stream-name", name)
        self.assertNotIn(name, aws("list-streams").json["StreamNames"])
        missing = aws("describe-stream-summary", "--stream-name", name, check=False)
        self.assertNotEqual(missing.returncode, 0)
        self.assertIn("ResourceNotFoundException", missing.stderr)

    def test_cli_error_exit_code(self):
        p = aws("describe-stream", "--stream-name", harness.unique_name("nope"), check=False)
        self.assertEqual(p.returncode, 254, p.stderr)
        self.assertIn("ResourceNotFoundException", p.stderr)


if __name__ == "__main__":
    harness.main()
