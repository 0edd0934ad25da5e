"""HTTP ingest: POST /v1/streams/{stream}/records on the HTTP listener with NDJSON and JSON
array bodies, per-line results (good lines kept when others are bad), partition keys from a
payload field or the X-Partition-Key header, records read back through boto3 GetRecords
with the acknowledged sequence numbers, the [ingest] http_max_request_bytes limit (413),
and an unknown stream (404, not created)."""

import json
import unittest

import harness

MAX_BYTES = 4096
SERVER = None


def setUpModule():
    global SERVER
    if not harness.have_binary():
        raise unittest.SkipTest("HTTP ingest is fluxgate's own endpoint: needs --binary")
    SERVER = harness.Server(
        config_text=f"[ingest]\nhttp_max_request_bytes = {MAX_BYTES}\n").start()


def tearDownModule():
    if SERVER:
        SERVER.cleanup()


def post(stream, body, content_type="application/x-ndjson", query="", headers=None):
    """POSTs to the records endpoint; returns (status, headers, parsed JSON or None)."""
    url = f"{SERVER.http_base}/v1/streams/{stream}/records{query}"
    hdrs = {"Content-Type": content_type} if content_type else {}
    hdrs.update(headers or {})
    status, h, raw = harness.http_request("POST", url, body, hdrs)
    return status, h, harness.parse_json(raw)


class HttpIngestTest(harness.TempStreams, unittest.TestCase):
    stream_prefix = "ingest"
    default_shards = 2

    def server(self):
        return SERVER

    def read_all(self, name):
        """{sequence number: (partition key, data bytes)} over every shard, via boto3."""
        return {rec["SequenceNumber"]: (rec["PartitionKey"], rec["Data"])
                for rec in harness.read_stream(self.client, name)}

    def assert_acked(self, reply, lines):
        """Each result with a sequence number matches the line it answers."""
        acked = {}
        for r in reply["results"]:
            if "sequence_number" in r:
                self.assertTrue(r["shard_id"].startswith("shardId-"), r)
                acked[r["sequence_number"]] = lines[r["line"] - 1]
        return acked

    def test_ndjson_records_are_readable_through_kinesis(self):
        name = self.new_stream(shards=2)
        docs = [{"device_id": f"dev-{i % 3}", "value": i} for i in range(12)]
        lines = [json.dumps(d, separators=(",", ":")) for d in docs]
        with harness.dump_output_on_failure(SERVER):
            status, _, reply = post(name, "\n".join(lines) + "\n", query="?partition_key=device_id")
            self.assertEqual(status, 200, reply)
            self.assertEqual(reply["accepted"], 12, reply)
            self.assertEqual(reply["failed"], 0, reply)
            self.assertEqual([r["line"] for r in reply["results"]], list(range(1, 13)))
            acked = self.assert_acked(reply, lines)
            stored = self.read_all(name)
            self.assertEqual(set(stored), set(acked))
            for seq, line in acked.items():
                pk, data = stored[seq]
                self.assertEqual(data, line.encode())
                self.assertEqual(pk, json.loads(line)["device_id"])

    def test_json_array_body(self):
        name = self.new_stream(shards=1)
        docs = [{"id": "a", "t": 1.5}, {"id": "b", "nested": {"x": [1, 2]}}]
        status, _, reply = post(name, json.dumps(docs), content_type="application/json",
                                query="?partition_key=id")
        self.assertEqual(status, 200, reply)
        self.assertEqual(reply["accepted"], 2)
        stored = sorted(self.read_all(name).values())
        self.assertEqual([pk for pk, _ in stored], ["a", "b"])
        self.assertEqual([json.loads(data) for _, data in stored], docs)

    def test_mixed_good_and_bad_lines(self):
        name = self.new_stream(shards=1)
        lines = ['{"k":"a","v":1}', "{broken", '"just a string"', '{"v":2}', "", '{"k":"b"}']
        status, _, reply = post(name, "\n".join(lines), query="?partition_key=k")
        self.assertEqual(status, 200, reply)
        self.assertEqual(reply["accepted"], 2, reply)
        self.assertEqual(reply["failed"], 3, reply)
        by_line = {r["line"]: r for r in reply["results"]}
        self.assertEqual(sorted(by_line), [1, 2, 3, 4, 6])  # the blank line 5 is skipped
        self.assertIn("sequence_number", by_line[1])
        self.assertEqual(by_line[2]["error"], "InvalidJson")
        self.assertEqual(by_line[3]["error"], "NotAnObject")
        self.assertEqual(by_line[4]["error"], "MissingPartitionKey")
        self.assertIn("sequence_number", by_line[6])
        stored = self.read_all(name)
        self.assertEqual(sorted(d for _, d in stored.values()),
                         [b'{"k":"a","v":1}', b'{"k":"b"}'])

        status, _, reply = post(name, "{broken\n[1]\n")
        self.assertEqual(status, 400, reply)
        self.assertEqual(reply["accepted"], 0)

    def test_partition_key_header_and_default(self):
        name = self.new_stream(shards=4)
        status, _, reply = post(name, '{"a":1}\n{"a":2}\n', headers={"X-Partition-Key": "gw-7"})
        self.assertEqual(status, 200, reply)
        self.assertEqual({pk for pk, _ in self.read_all(name).values()}, {"gw-7"})
        # Without a key the record's content picks the shard: identical records share one.
        status, _, reply = post(name, '{"same":1}\n{"same":1}\n')
        self.assertEqual(status, 200, reply)
        shards = {r["shard_id"] for r in reply["results"]}
        self.assertEqual(len(shards), 1, reply)

    def test_request_size_limit(self):
        name = self.new_stream(shards=1)
        line = json.dumps({"pad": "x" * 100})
        small = "\n".join([line] * (MAX_BYTES // (len(line) + 1)))
        status, _, reply = post(name, small)
        self.assertEqual(status, 200, reply)
        big = "\n".join([line] * (MAX_BYTES // (len(line) + 1) + 2))
        self.assertGreater(len(big), MAX_BYTES)
        status, _, reply = post(name, big)
        self.assertEqual(status, 413, reply)
        self.assertEqual(reply["error"], "PayloadTooLarge")
        self.assertEqual(len(self.read_all(name)), small.count("\n") + 1)

    def test_unknown_stream_is_404_and_not_created(self):
        name = harness.unique_name("ingest-missing")
        status, _, reply = post(name, '{"a":1}\n')
        self.assertEqual(status, 404, reply)
        self.assertEqual(reply["error"], "StreamNotFound")
        self.assertIn(name, reply["message"])
        with self.assertRaises(self.client.exceptions.ResourceNotFoundException):
            self.client.describe_stream_summary(StreamName=name)

    def test_unsupported_content_type(self):
        name = self.new_stream(shards=1)
        status, _, reply = post(name, "a,b\n", content_type="text/csv")
        self.assertEqual(status, 415, reply)


if __name__ == "__main__":
    harness.main()
