"""SigV4 authentication and per-principal permissions ([[auth.principals]]), driven with
boto3, the AWS CLI, raw signed HTTP and `fluxgate jobs` against the real binary:

- the right keys succeed (boto3, /usr/bin/aws, the fluxgate CLI on the HTTP API);
- a wrong secret, a wrong region, a wrong service, a stale timestamp, a tampered body, an
  unknown key and a missing Authorization header are each refused with AWS's exception;
- a principal outside its `allow` / `streams` gets AccessDeniedException;
- the HTTP API wants service "fluxgate" and an admin:* principal, /healthz stays open;
- no secret ever reaches the server's output, and startup says whether auth is on.
"""

import contextlib
import datetime
import importlib
import json
import os
import types
import unittest
from unittest import mock

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.credentials
from botocore.config import Config
from botocore.exceptions import ClientError

import harness
from harness import ClientErrorAssertions

SENSOR_KEY, SENSOR_SECRET = "AKIDSENSOR", "sensor-secret-Zq81xv"
READER_KEY, READER_SECRET = "AKIDREADER", "reader-secret-Kp22mw"
ADMIN_KEY, ADMIN_SECRET = harness.ACCESS_KEY, harness.SECRET_KEY  # what harness clients sign with
SECRETS = (SENSOR_SECRET, READER_SECRET, ADMIN_SECRET)
ACCOUNT = "000000000000"

SERVER = None
STREAM = None  # iot-...: the sensor may put to it, the reader may read it
OTHER = None   # a stream neither may touch

MISMATCH = ("The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method. Consult the service "
            "documentation for details.")


def config_text(reader_stream):
    return f"""
[kinesis]
create_delay_ms = 50

[[auth.principals]]
access_key_id = "{ADMIN_KEY}"
secret_access_key = "{ADMIN_SECRET}"
allow = ["kinesis:*", "admin:*"]

[[auth.principals]]
access_key_id = "{SENSOR_KEY}"
secret_access_key = "{SENSOR_SECRET}"
allow = ["kinesis:PutRecord", "kinesis:PutRecords", "kinesis:DescribeStream*"]
streams = ["iot-*"]

# The recipe's Lambda/Flink policy: read one stream.
[[auth.principals]]
access_key_id = "{READER_KEY}"
secret_access_key = "{READER_SECRET}"
allow = ["kinesis:DescribeStream", "kinesis:GetRecords", "kinesis:GetShardIterator",
         "kinesis:ListStreams"]
streams = ["{reader_stream}"]
"""


def setUpModule():
    global SERVER, STREAM, OTHER
    STREAM = harness.unique_name("iot")
    OTHER = harness.unique_name("other")
    # --log-level debug so that every line the server could print is searched for secrets.
    SERVER = harness.Server(config_text=config_text(STREAM), extra_args=["--log-level", "debug"])
    SERVER.start()
    admin = SERVER.client()
    harness.create_stream(admin, STREAM, 1)
    harness.create_stream(admin, OTHER, 1)


def tearDownModule():
    if SERVER:
        SERVER.cleanup()


def client(key, secret, region=harness.REGION):
    return harness.kinesis_client(SERVER.endpoint, max_attempts=1, access_key=key,
                                  secret_key=secret, region=region)


def signed_headers(url, body, key, secret, service, method="POST", region=harness.REGION,
                   headers=None):
    req = botocore.awsrequest.AWSRequest(method=method, url=url, data=body,
                                         headers=dict(headers or {}))
    botocore.auth.SigV4Auth(botocore.credentials.Credentials(key, secret), service,
                            region).add_auth(req)
    return dict(req.headers.items())


def send(url, body, headers, method="POST"):
    """(status, parsed JSON or None) of one raw HTTP request."""
    status, _, data = harness.http_request(method, url, body if body else None, headers)
    return status, harness.parse_json(data)


def kinesis_raw(target, body, key, secret, service="kinesis", tamper=None):
    """A Kinesis call over raw HTTP, signed by botocore; `tamper` edits the body after."""
    body = json.dumps(body).encode()
    headers = signed_headers(SERVER.endpoint + "/", body, key, secret, service,
                             headers={"Content-Type": "application/x-amz-json-1.1",
                                      "X-Amz-Target": "Kinesis_20131202." + target})
    if tamper:
        body = tamper(body)
    return send(SERVER.endpoint + "/", body, headers)


def aws_cli(key, secret, *args):
    return harness.aws_cli(SERVER.endpoint, *args, check=False, access_key=key,
                           secret_key=secret, max_attempts=1)


def fluxgate_cli(env_keys, *args):
    env = {k: v for k, v in os.environ.items()
           if k not in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                        "AWS_REGION", "AWS_DEFAULT_REGION")}
    env.update(env_keys)
    return harness.run_fluxgate(*args, env=env)


def signer_modules():
    modules = [botocore.auth]
    try:
        modules.append(importlib.import_module("botocore.crt.auth"))
    except ImportError:
        pass
    return modules


class _TenMinutesAgo(datetime.datetime):
    @classmethod
    def utcnow(cls):
        return datetime.datetime.utcnow() - datetime.timedelta(minutes=10)


class KinesisAuthTest(ClientErrorAssertions, unittest.TestCase):
    def setUp(self):
        harness.require_binary(self)

    def assertClientError(self, fn, code, message=None, **kw):
        e = self.assertRaisesCode(code, fn, **kw)
        self.assertEqual(e.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        if message is not None:
            self.assertEqual(e.response["Error"]["Message"], message)
        return e

    # -- the right keys
    def test_right_keys_put_and_read_with_boto3(self):
        sensor = client(SENSOR_KEY, SENSOR_SECRET)
        r = sensor.put_records(StreamName=STREAM, Records=[
            {"Data": f"reading-{i}".encode(), "PartitionKey": f"dev-{i}"} for i in range(5)])
        self.assertEqual(r["FailedRecordCount"], 0)
        sensor.put_record(StreamName=STREAM, Data=b"single", PartitionKey="dev-9")
        reader = client(READER_KEY, READER_SECRET)
        names = reader.list_streams()["StreamNames"]
        self.assertIn(STREAM, names)
        shard = reader.describe_stream(StreamName=STREAM)["StreamDescription"]["Shards"][0]
        records, _ = harness.read_shard(reader, STREAM, shard["ShardId"])
        data = [rec["Data"] for rec in records]
        self.assertIn(b"reading-0", data)
        self.assertIn(b"single", data)

    def test_right_keys_with_the_aws_cli(self):
        p = aws_cli(SENSOR_KEY, SENSOR_SECRET, "kinesis", "put-record", "--stream-name", STREAM,
                    "--partition-key", "cli", "--data", "aGVsbG8=")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("SequenceNumber", json.loads(p.stdout))
        p = aws_cli(READER_KEY, READER_SECRET, "kinesis", "describe-stream", "--stream-name",
                    STREAM)
        self.assertEqual(p.returncode, 0, p.stderr)
        # DescribeStreamSummary is not in the reader's `allow`.
        p = aws_cli(READER_KEY, READER_SECRET, "kinesis", "describe-stream-summary",
                    "--stream-name", STREAM)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("AccessDeniedException", p.stderr)
        self.assertIn("kinesis:DescribeStreamSummary", p.stderr)

    def test_the_aws_cli_is_refused_with_a_wrong_secret(self):
        p = aws_cli(SENSOR_KEY, "wrong-secret", "kinesis", "put-record", "--stream-name", STREAM,
                    "--partition-key", "cli", "--data", "aGVsbG8=")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("InvalidSignatureException", p.stderr)
        self.assertIn("The request signature we calculated does not match", p.stderr)

    # -- each refusal
    def test_wrong_secret(self):
        self.assertClientError(client(SENSOR_KEY, "not-the-secret").put_record,
                               "InvalidSignatureException", MISMATCH, StreamName=STREAM,
                               Data=b"x", PartitionKey="k")

    def test_wrong_region(self):
        self.assertClientError(client(SENSOR_KEY, SENSOR_SECRET, region="eu-west-1").put_record,
                               "InvalidSignatureException",
                               "Credential should be scoped to a valid region, not 'eu-west-1'.",
                               StreamName=STREAM, Data=b"x", PartitionKey="k")

    def test_wrong_service(self):
        status, doc = kinesis_raw("ListStreams", {}, SENSOR_KEY, SENSOR_SECRET, service="dynamodb")
        self.assertEqual(status, 400)
        self.assertEqual(harness.error_type(doc), "InvalidSignatureException")
        self.assertEqual(doc["message"],
                         "Credential should be scoped to correct service: 'kinesis'.")

    def test_stale_timestamp(self):
        sensor = client(SENSOR_KEY, SENSOR_SECRET)
        # botocore signs in botocore.auth, or with awscrt installed (as on Debian) in
        # botocore.crt.auth; both read the clock through their module's `datetime`.
        clock = types.SimpleNamespace(datetime=_TenMinutesAgo, timezone=datetime.timezone)
        with contextlib.ExitStack() as stack:
            for module in signer_modules():
                stack.enter_context(mock.patch.object(module, "datetime", clock))
            e = self.assertClientError(sensor.put_record, "InvalidSignatureException",
                                       StreamName=STREAM, Data=b"x", PartitionKey="k")
        message = e.response["Error"]["Message"]
        self.assertTrue(message.startswith("Signature expired: "), message)
        self.assertIn(" is now earlier than ", message)
        self.assertTrue(message.endswith(" - 5 min.)"), message)

    def test_tampered_body(self):
        body = {"StreamName": STREAM, "Data": harness.b64(b"10"), "PartitionKey": "k"}
        status, doc = kinesis_raw("PutRecord", body, SENSOR_KEY, SENSOR_SECRET)
        self.assertEqual(status, 200, doc)  # the untampered request is fine
        status, doc = kinesis_raw("PutRecord", body, SENSOR_KEY, SENSOR_SECRET,
                                  tamper=lambda b: b.replace(b'"MTA="', b'"OTk="'))
        self.assertEqual(status, 400)
        self.assertEqual(harness.error_type(doc), "InvalidSignatureException")
        self.assertEqual(doc["message"], MISMATCH)

    def test_unknown_key(self):
        self.assertClientError(client("AKIDNOBODY", SENSOR_SECRET).list_streams,
                               "UnrecognizedClientException",
                               "The security token included in the request is invalid.")

    def test_missing_authorization(self):
        status, _, _, doc = harness.raw_request(SERVER.endpoint, "Kinesis_20131202.ListStreams",
                                                "{}", sign=False)
        self.assertEqual(status, 400)
        self.assertEqual(harness.error_type(doc), "MissingAuthenticationTokenException")
        self.assertEqual(doc["message"], "Missing Authentication Token")

    # -- permissions
    def test_permission_refusals(self):
        sensor = client(SENSOR_KEY, SENSOR_SECRET)
        e = self.assertClientError(
            sensor.get_shard_iterator, "AccessDeniedException",
            f"User: arn:aws:iam::{ACCOUNT}:user/{SENSOR_KEY} is not authorized to perform: "
            f"kinesis:GetShardIterator on resource: "
            f"arn:aws:kinesis:{harness.REGION}:{ACCOUNT}:stream/{STREAM} because no "
            f"identity-based policy allows the kinesis:GetShardIterator action",
            StreamName=STREAM, ShardId="shardId-000000000000", ShardIteratorType="LATEST")
        self.assertIn("AccessDenied", e.response["Error"]["Code"])
        # Outside the principal's streams, by name and by ARN.
        self.assertClientError(
            sensor.put_records, "AccessDeniedException",
            f"User: arn:aws:iam::{ACCOUNT}:user/{SENSOR_KEY} is not authorized to perform: "
            f"kinesis:PutRecords on resource: "
            f"arn:aws:kinesis:{harness.REGION}:{ACCOUNT}:stream/{OTHER} because no "
            f"identity-based policy allows the kinesis:PutRecords action",
            StreamName=OTHER, Records=[{"Data": b"x", "PartitionKey": "k"}])
        status, doc = kinesis_raw(
            "PutRecord", {"StreamARN": f"arn:aws:kinesis:{harness.REGION}:{ACCOUNT}:stream/{OTHER}",
                          "Data": "eA==", "PartitionKey": "k"}, SENSOR_KEY, SENSOR_SECRET)
        self.assertEqual((status, harness.error_type(doc)), (400, "AccessDeniedException"))
        self.assertClientError(sensor.list_streams, "AccessDeniedException")
        self.assertClientError(sensor.delete_stream, "AccessDeniedException", StreamName=STREAM)
        self.assertClientError(sensor.create_stream, "AccessDeniedException",
                               StreamName=harness.unique_name("iot"), ShardCount=1)
        reader = client(READER_KEY, READER_SECRET)
        self.assertClientError(reader.put_record, "AccessDeniedException", StreamName=STREAM,
                               Data=b"x", PartitionKey="k")
        self.assertClientError(reader.describe_stream, "AccessDeniedException", StreamName=OTHER)
        # GetRecords names its stream only through the iterator: an iterator of OTHER, made
        # by the admin, does not let the reader in.
        admin = SERVER.client()
        it = admin.get_shard_iterator(StreamName=OTHER, ShardId="shardId-000000000000",
                                      ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        self.assertClientError(reader.get_records, "AccessDeniedException", ShardIterator=it)

    def test_admin_keeps_full_access(self):
        admin = SERVER.client()
        tags = admin.list_tags_for_stream(StreamName=OTHER)
        self.assertIn("Tags", tags)


class HttpApiAuthTest(unittest.TestCase):
    def setUp(self):
        harness.require_binary(self)

    def get(self, path, key=None, secret=None, service="fluxgate"):
        url = SERVER.http_base + path
        headers = signed_headers(url, b"", key, secret, service, method="GET") if key else {}
        return send(url, b"", headers, method="GET")

    def test_healthz_stays_open(self):
        self.assertEqual(self.get("/healthz")[0], 200)

    def test_unsigned_requests_are_refused(self):
        for path in ("/v1/streams", f"/v1/streams/{STREAM}", "/v1/jobs"):
            status, doc = self.get(path)
            self.assertEqual(status, 403, path)
            self.assertEqual(doc["error"], "MissingAuthenticationTokenException", path)

    def test_admin_principal_is_let_in(self):
        status, doc = self.get("/v1/streams", ADMIN_KEY, ADMIN_SECRET)
        self.assertEqual(status, 200, doc)
        self.assertIn(STREAM, doc["streams"])
        status, doc = self.get("/v1/jobs", ADMIN_KEY, ADMIN_SECRET)
        self.assertEqual(status, 200, doc)

    def test_non_admin_principal_is_refused(self):
        status, doc = self.get("/v1/jobs", SENSOR_KEY, SENSOR_SECRET)
        self.assertEqual(status, 403)
        self.assertEqual(doc["error"], "AccessDeniedException")
        self.assertIn("admin:ListJobs", doc["message"])

    def test_kinesis_scoped_signature_is_refused(self):
        status, doc = self.get("/v1/jobs", ADMIN_KEY, ADMIN_SECRET, service="kinesis")
        self.assertEqual(status, 403)
        self.assertEqual(doc["message"], "Credential should be scoped to correct service: "
                                         "'fluxgate'.")

    def test_wrong_secret_is_refused(self):
        status, doc = self.get("/v1/jobs", ADMIN_KEY, "nope")
        self.assertEqual(status, 403)
        self.assertEqual(doc["error"], "InvalidSignatureException")

    def test_fluxgate_cli_signs_with_environment_keys(self):
        server = ["--server", SERVER.http_base]
        p = fluxgate_cli({"AWS_ACCESS_KEY_ID": ADMIN_KEY, "AWS_SECRET_ACCESS_KEY": ADMIN_SECRET},
                         "jobs", "list", *server)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        p = fluxgate_cli({}, "jobs", "list", *server)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("Missing Authentication Token", p.stderr + p.stdout)
        self.assertIn("AWS_ACCESS_KEY_ID", p.stderr + p.stdout)
        p = fluxgate_cli({"AWS_ACCESS_KEY_ID": SENSOR_KEY, "AWS_SECRET_ACCESS_KEY": SENSOR_SECRET},
                         "jobs", "list", *server)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("not authorized to perform: admin:ListJobs", p.stderr + p.stdout)


class ServerOutputTest(unittest.TestCase):
    def setUp(self):
        harness.require_binary(self)

    def test_startup_says_auth_is_on(self):
        self.assertIn("3 principal(s) configured", SERVER.output())

    def test_zz_secrets_never_logged(self):
        # Failing and succeeding calls of every kind first, then the whole output searched.
        for key, secret in ((SENSOR_KEY, SENSOR_SECRET), (SENSOR_KEY, "bad"),
                            ("AKIDNOBODY", READER_SECRET), (READER_KEY, READER_SECRET)):
            try:
                client(key, secret).put_record(StreamName=STREAM, Data=b"x", PartitionKey="k")
            except ClientError:
                pass
        kinesis_raw("PutRecord", {"StreamName": STREAM, "Data": "eA==", "PartitionKey": "k"},
                    ADMIN_KEY, ADMIN_SECRET, tamper=lambda b: b + b" ")
        out = SERVER.output()
        self.assertIn("refused", out)  # refusals are logged...
        for secret in SECRETS:
            self.assertNotIn(secret, out)  # ...without any secret

    def test_no_principals_says_so_and_accepts_any_signature(self):
        server = harness.Server(config_text="[kinesis]\ncreate_delay_ms = 50\n")
        try:
            server.start()
            self.assertIn("no [[auth.principals]] configured", server.output())
            anyone = boto3.session.Session().client(
                "kinesis", endpoint_url=server.endpoint, region_name="eu-west-1",
                aws_access_key_id="ANYONE", aws_secret_access_key="whatever",
                config=Config(retries={"max_attempts": 1}))
            self.assertEqual(anyone.list_streams()["StreamNames"], [])
            self.assertEqual(send(server.http_base + "/v1/jobs", b"", {}, method="GET")[0], 200)
        finally:
            server.cleanup()


if __name__ == "__main__":
    harness.main()
