"""Shared harness for fluxgate's end-to-end tests.

Each tests/e2e/test_*.py file runs standalone:

    /usr/bin/python3 tests/e2e/test_records.py --binary build/fluxgate
    /usr/bin/python3 tests/e2e/test_records.py --endpoint http://127.0.0.1:4567   # any Kinesis peer

With --binary, the harness starts fluxgate on free loopback ports with a temporary data dir,
waits for GET /healthz to answer 200, and stops it with SIGTERM at the end. With --endpoint
it talks to an already running server (e.g. kinesalite) and skips the tests that need to
start, kill or restart the binary. The environment variables FLUXGATE_BINARY and
FLUXGATE_ENDPOINT are read when the flags are absent.

Only the standard library, Debian's python3-boto3 and /usr/bin/aws are used.
"""

import argparse
import base64
import contextlib
import datetime
import glob
import hashlib
import json
import math
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request
import uuid

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.credentials
from botocore.config import Config

REGION = "us-east-1"
ACCESS_KEY = "AKIDFLUXGATETEST"
SECRET_KEY = "fluxgate-test-secret"
AWS_CLI = "/usr/bin/aws"
MAX_HASH_KEY = 2**128 - 1

# Filled in by main() before the tests run.
OPTIONS = argparse.Namespace(binary=None, endpoint=None, keep=False, verbose=False)


# --------------------------------------------------------------------------- options / main

def main():
    """Parses --binary/--endpoint/--keep, then runs unittest on the calling module."""
    parser = argparse.ArgumentParser(add_help=True)
    parser.add_argument("--binary", default=os.environ.get("FLUXGATE_BINARY"),
                        help="path to the fluxgate binary to start")
    parser.add_argument("--endpoint", default=os.environ.get("FLUXGATE_ENDPOINT"),
                        help="use an already running Kinesis endpoint instead of starting the binary")
    parser.add_argument("--keep", action="store_true", help="keep temporary data dirs and logs")
    parser.add_argument("-v", "--verbose", action="store_true")
    args, rest = parser.parse_known_args()
    if not args.binary and not args.endpoint:
        parser.error("need --binary PATH (or --endpoint URL)")
    if args.binary:
        args.binary = os.path.abspath(args.binary)
    OPTIONS.binary, OPTIONS.endpoint = args.binary, args.endpoint
    OPTIONS.keep, OPTIONS.verbose = args.keep, args.verbose
    argv = [sys.argv[0]] + rest
    prog = unittest.main(module="__main__", argv=argv, exit=False,
                         verbosity=2, failfast=False, buffer=False,
                         warnings="ignore")
    result = prog.result
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    passed = result.testsRun - failed - len(result.skipped)
    print(f"{passed} passed, {failed} failed, {len(result.skipped)} skipped")
    sys.exit(0 if result.wasSuccessful() else 1)


def have_binary():
    return bool(OPTIONS.binary) and not OPTIONS.endpoint


def require_binary(testcase):
    """Skips the calling test unless the harness starts the binary itself."""
    if not have_binary():
        testcase.skipTest("needs --binary (starts/stops the fluxgate process)")


# --------------------------------------------------------------------------- servers

def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerError(Exception):
    pass


class Server:
    """One fluxgate process on loopback ports with its own data dir.

    start() / stop() (SIGTERM) / kill9() / restart() keep the same data dir and ports, so
    a restart is what an operator would do. stdout and stderr go to files (never a pipe
    that could fill up); output() returns everything the process printed so far, across
    restarts.
    """

    def __init__(self, binary=None, data_dir=None, durability="fsync", extra_args=(),
                 config_text=None, use_config_for_addresses=False, default_pipeline=False,
                 tls_ca_file=None):
        self.binary = binary or OPTIONS.binary
        # With a [tls] config: the CA file clients trust; endpoints are then https://.
        self.tls_ca_file = tls_ca_file
        self.workdir = tempfile.mkdtemp(prefix="fluxgate-e2e-")
        self.data_dir = data_dir or os.path.join(self.workdir, "data")
        self.durability = durability
        self.extra_args = list(extra_args)
        self.kinesis_port = free_port()
        self.http_port = free_port()
        self.config_path = None
        if config_text is not None:
            self.config_path = os.path.join(self.workdir, "fluxgate.toml")
            with open(self.config_path, "w") as f:
                f.write(config_text)
        self.use_config_for_addresses = use_config_for_addresses
        # Tests of the log and the Kinesis API run no pipeline, so a fresh server has no
        # streams; pipeline tests pass default_pipeline=True or --pipeline in extra_args.
        self.default_pipeline = default_pipeline
        self.proc = None
        self.runs = 0
        self.last_returncode = None

    # -- addresses
    @property
    def scheme(self):
        return "https" if self.tls_ca_file else "http"

    @property
    def endpoint(self):
        return f"{self.scheme}://127.0.0.1:{self.kinesis_port}"

    @property
    def http_base(self):
        return f"{self.scheme}://127.0.0.1:{self.http_port}"

    def ssl_context(self):
        """An SSL context trusting tls_ca_file (None for a plain-HTTP server)."""
        return ssl.create_default_context(cafile=self.tls_ca_file) if self.tls_ca_file else None

    def command(self):
        cmd = [self.binary, "serve"]
        if not self.use_config_for_addresses:
            cmd += ["--data-dir", self.data_dir,
                    "--kinesis-listen", f"127.0.0.1:{self.kinesis_port}",
                    "--http-listen", f"127.0.0.1:{self.http_port}"]
            if self.durability:
                cmd += ["--durability", self.durability]
        if self.config_path:
            cmd += ["--config", self.config_path]
        if (not self.default_pipeline and not self.use_config_for_addresses
                and "--pipeline" not in self.extra_args):
            cmd += ["--no-default-pipeline"]  # a config-driven test says pipelines = []
        return cmd + self.extra_args

    def log_paths(self, run=None):
        run = self.runs if run is None else run
        return (os.path.join(self.workdir, f"run{run}.stdout"),
                os.path.join(self.workdir, f"run{run}.stderr"))

    # -- lifecycle
    def start(self, timeout=30.0):
        if self.proc is not None and self.proc.poll() is None:
            raise ServerError("server already running")
        self.runs += 1
        out_path, err_path = self.log_paths()
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            self.proc = subprocess.Popen(self.command(), stdout=out, stderr=err,
                                         stdin=subprocess.DEVNULL, cwd=self.workdir)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            rc = self.proc.poll()
            if rc is not None:
                raise ServerError(f"fluxgate exited with {rc} during startup: "
                                  f"{' '.join(self.command())}\n{self.run_output()}")
            if self.healthz_status() == 200:
                return self
            time.sleep(0.05)
        self.kill9()
        raise ServerError(f"/healthz did not answer 200 within {timeout}s: "
                          f"{' '.join(self.command())}\n{self.run_output()}")

    def healthz_status(self):
        try:
            with urllib.request.urlopen(self.http_base + "/healthz", timeout=2,
                                        context=self.ssl_context()) as r:
                return r.status
        except urllib.error.HTTPError as e:
            return e.code
        except (urllib.error.URLError, OSError):
            return None

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=30.0):
        """SIGTERM and wait; returns the exit code (kills -9 and raises on a hang)."""
        if not self.running():
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.last_returncode = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise ServerError(f"fluxgate did not exit within {timeout}s of SIGTERM\n"
                              f"{self.run_output()}")
        return self.last_returncode

    def kill9(self):
        if self.running():
            self.proc.send_signal(signal.SIGKILL)
            self.last_returncode = self.proc.wait()
        return self.last_returncode

    def restart(self, timeout=30.0):
        self.stop()
        return self.start(timeout=timeout)

    def cleanup(self):
        try:
            self.kill9()
        finally:
            if not OPTIONS.keep:
                shutil.rmtree(self.workdir, ignore_errors=True)
            else:
                print(f"[harness] kept {self.workdir}", file=sys.stderr)

    # -- output
    def run_output(self, run=None):
        out_path, err_path = self.log_paths(run)
        text = ""
        for label, p in (("stdout", out_path), ("stderr", err_path)):
            try:
                with open(p, "rb") as f:
                    text += f"--- {label} (run {run or self.runs}) ---\n" + \
                            f.read().decode("utf-8", "replace")
            except FileNotFoundError:
                pass
        return text

    def stdout(self, run=None):
        with open(self.log_paths(run)[0], "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stderr(self, run=None):
        with open(self.log_paths(run)[1], "rb") as f:
            return f.read().decode("utf-8", "replace")

    def output(self):
        return "".join(self.run_output(r) for r in range(1, self.runs + 1))

    # -- files
    def segment_files(self):
        """Segment files under DATA/streams, oldest first by (mtime, path)."""
        return segment_files(self.data_dir)

    def client(self, **kw):
        if self.tls_ca_file:
            kw.setdefault("verify", self.tls_ca_file)
        return kinesis_client(self.endpoint, **kw)


class Remote:
    """An already running endpoint (--endpoint). Cannot be restarted."""

    def __init__(self, endpoint):
        self.endpoint = endpoint.rstrip("/")

    def client(self, **kw):
        return kinesis_client(self.endpoint, **kw)

    def cleanup(self):
        pass


def shared_server(**kw):
    """The server a test module uses: a started Server with --binary, else a Remote."""
    if OPTIONS.endpoint:
        return Remote(OPTIONS.endpoint)
    return Server(**kw).start()


# docs/formats/log.md: segments are <base offset, 20 digits>.seg with an optional .idx beside.
SEGMENT_PATTERNS = ("*.seg",)
INDEX_PATTERNS = ("*.idx",)


def _files_under(root, patterns):
    found = set()
    for pat in patterns:
        found.update(glob.glob(os.path.join(root, "**", pat), recursive=True))
    return sorted((p for p in found if os.path.isfile(p)),
                  key=lambda p: (os.path.getmtime(p), p))


def segment_files(data_dir):
    return _files_under(os.path.join(data_dir, "streams"), SEGMENT_PATTERNS)


def index_files(data_dir):
    return _files_under(os.path.join(data_dir, "streams"), INDEX_PATTERNS)


# --------------------------------------------------------------------------- clients

def kinesis_client(endpoint, max_attempts=3, validate=True, read_timeout=30, verify=None,
                   access_key=ACCESS_KEY, secret_key=SECRET_KEY, region=REGION):
    """A boto3 Kinesis client for `endpoint` with dummy credentials (or the given ones).

    max_attempts counts the first try ("standard" retry mode). validate=False turns off
    botocore's client-side parameter validation so the server's own validation is tested.
    verify: for https endpoints, the CA bundle file to trust (None: botocore's default).
    """
    cfg = Config(region_name=region,
                 retries={"max_attempts": max_attempts, "mode": "standard"},
                 connect_timeout=5, read_timeout=read_timeout,
                 parameter_validation=validate)
    return boto3.session.Session().client(
        "kinesis", endpoint_url=endpoint, region_name=region,
        aws_access_key_id=access_key, aws_secret_access_key=secret_key, config=cfg,
        verify=verify)


def aws_cli(endpoint, *args, check=True, timeout=120, input_text=None, ca_bundle=None,
            access_key=ACCESS_KEY, secret_key=SECRET_KEY, max_attempts=3):
    """Runs `/usr/bin/aws --endpoint-url ENDPOINT ARGS...`; returns CompletedProcess.

    Parses stdout as JSON into .json when it looks like JSON. ca_bundle: the CA file the
    CLI trusts for an https endpoint (--ca-bundle). Only the given keys are used (no
    profile, config file or session token from the environment).
    """
    env = dict(os.environ)
    env.update({"AWS_ACCESS_KEY_ID": access_key, "AWS_SECRET_ACCESS_KEY": secret_key,
                "AWS_DEFAULT_REGION": REGION, "AWS_PAGER": "",
                "AWS_MAX_ATTEMPTS": str(max_attempts),
                "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"})
    env.pop("AWS_PROFILE", None)
    env.pop("AWS_SESSION_TOKEN", None)
    cmd = [AWS_CLI, "--endpoint-url", endpoint, "--output", "json"] + list(args)
    if ca_bundle:
        cmd[1:1] = ["--ca-bundle", ca_bundle]
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout,
                       input=input_text)
    p.cmd = cmd
    p.json = None
    if p.stdout.strip().startswith(("{", "[")):
        p.json = json.loads(p.stdout)
    if check and p.returncode != 0:
        raise AssertionError(f"aws CLI failed (rc={p.returncode}): {' '.join(cmd)}\n"
                             f"stdout: {p.stdout}\nstderr: {p.stderr}")
    return p


def raw_request(endpoint, target, body, content_type="application/x-amz-json-1.1",
                sign=True, extra_headers=None):
    """POSTs raw bytes with X-Amz-Target (SigV4-signed by botocore unless sign=False).

    Returns (status, headers dict with lowercase names, body bytes, parsed JSON or None).
    """
    if isinstance(body, str):
        body = body.encode()
    headers = {"Content-Type": content_type}
    if target is not None:
        headers["X-Amz-Target"] = target
    headers.update(extra_headers or {})
    url = endpoint.rstrip("/") + "/"
    if sign:
        req = botocore.awsrequest.AWSRequest(method="POST", url=url, data=body,
                                             headers=headers)
        creds = botocore.credentials.Credentials(ACCESS_KEY, SECRET_KEY)
        botocore.auth.SigV4Auth(creds, "kinesis", REGION).add_auth(req)
        headers = dict(req.headers.items())
    status, hdrs, data = http_request("POST", url, body, headers)
    return status, hdrs, data, parse_json(data)


def http_request(method, url, body=None, headers=None, timeout=30, context=None):
    """One HTTP(S) request; an error status is returned, not raised.

    body: bytes or str (sent as UTF-8); context: an ssl.SSLContext for https.
    Returns (status, headers dict with lowercase names, body bytes).
    """
    data = body.encode() if isinstance(body, str) else body
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout, context=context) as r:
            status, hdrs, raw = r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        status, hdrs, raw = e.code, e.headers, e.read()
    return status, {k.lower(): v for k, v in hdrs.items()}, raw


def parse_json(data):
    """A response body as JSON; None when it is empty or not JSON."""
    try:
        return json.loads(data) if data else None
    except ValueError:
        return None


def error_type(parsed):
    """The exception name of an error body the way botocore derives it."""
    t = (parsed or {}).get("__type", "")
    return t.split("#")[-1].split(":")[0]


# --------------------------------------------------------------------------- helpers

@contextlib.contextmanager
def dump_output_on_failure(server, tail=8000):
    """Prints the tail of everything the server printed if the block raises."""
    try:
        yield
    except BaseException:
        if isinstance(server, Server):
            print(f"\n[harness] server output (last {tail} chars):\n" + server.output()[-tail:],
                  file=sys.stderr)
        raise


def unique_name(prefix="e2e"):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def md5_hash_key(partition_key):
    return int.from_bytes(hashlib.md5(partition_key.encode("utf-8")).digest(), "big")


def shard_for_hash(shards, h):
    """The open shard (no EndingSequenceNumber) whose HashKeyRange holds h."""
    for s in shards:
        if "EndingSequenceNumber" in s.get("SequenceNumberRange", {}):
            continue
        r = s["HashKeyRange"]
        if int(r["StartingHashKey"]) <= h <= int(r["EndingHashKey"]):
            return s["ShardId"]
    return None


def wait_active(client, stream, timeout=60):
    """Polls DescribeStreamSummary every 0.2 s until ACTIVE (no 10 s waiter delay)."""
    deadline = time.monotonic() + timeout
    status = None
    while time.monotonic() < deadline:
        status = client.describe_stream_summary(StreamName=stream)[
            "StreamDescriptionSummary"]["StreamStatus"]
        if status == "ACTIVE":
            return
        time.sleep(0.2)
    raise AssertionError(f"stream {stream} not ACTIVE after {timeout}s (last status {status})")


def wait_gone(client, stream, timeout=60):
    client.get_waiter("stream_not_exists").wait(
        StreamName=stream, WaiterConfig={"Delay": 1, "MaxAttempts": timeout})


def create_stream(client, stream, shards=1, **kw):
    client.create_stream(StreamName=stream, ShardCount=shards, **kw)
    wait_active(client, stream)


def delete_stream_quietly(client, stream):
    try:
        client.delete_stream(StreamName=stream)
    except Exception:
        return
    try:
        wait_gone(client, stream, timeout=30)
    except Exception:
        pass


def list_all_shards(client, stream):
    shards, token = [], None
    while True:
        kw = {"NextToken": token} if token else {"StreamName": stream}
        resp = client.list_shards(**kw)
        shards += resp["Shards"]
        token = resp.get("NextToken")
        if not token:
            return shards


def read_shard(client, stream, shard_id, iterator_type="TRIM_HORIZON", limit=None,
               max_calls=2000, **iter_kw):
    """Reads one shard from the given iterator until caught up (open shard: an empty
    response with MillisBehindLatest == 0) or drained (closed shard: no NextShardIterator).

    Returns (records, last_response).
    """
    it = client.get_shard_iterator(StreamName=stream, ShardId=shard_id,
                                   ShardIteratorType=iterator_type, **iter_kw)["ShardIterator"]
    records, resp = [], None
    for _ in range(max_calls):
        kw = {"ShardIterator": it}
        if limit:
            kw["Limit"] = limit
        resp = client.get_records(**kw)
        records += resp["Records"]
        it = resp.get("NextShardIterator")
        if not it:
            return records, resp
        if not resp["Records"] and resp.get("MillisBehindLatest", 0) == 0:
            return records, resp
    raise AssertionError(f"shard {shard_id} of {stream} not caught up after {max_calls} calls")


def read_stream(client, stream, limit=None):
    """Every record of every shard from TRIM_HORIZON (read_shard), shard by shard."""
    out = []
    for s in list_all_shards(client, stream):
        records, _ = read_shard(client, stream, s["ShardId"], limit=limit)
        out += records
    return out


def b64(data):
    return base64.b64encode(data).decode()


class ClientErrorAssertions:
    """Mixin: assertRaisesCode(client_method, "ExceptionName", **kwargs)."""

    def assertRaisesCode(self, code, fn, *args, **kwargs):
        try:
            result = fn(*args, **kwargs)
        except Exception as e:  # botocore.exceptions.ClientError and subclasses
            got = getattr(e, "response", {}).get("Error", {}).get("Code")
            status = getattr(e, "response", {}).get("ResponseMetadata", {}).get("HTTPStatusCode")
            if got != code:
                self.fail(f"{getattr(fn, '__name__', fn)}({_short(kwargs)}): expected {code}, "
                          f"got {type(e).__name__} code={got} status={status}: {e}")
            # The client must raise its modeled class for modeled exceptions.
            self.assertEqual(type(e).__name__, code if _is_modeled(fn, code) else type(e).__name__,
                             f"client raised {type(e).__name__} for {code}")
            return e
        self.fail(f"{getattr(fn, '__name__', fn)}({_short(kwargs)}): expected {code}, "
                  f"call succeeded: {_short(result)}")


class TempStreams:
    """Mixin for a TestCase on its module's server: setUp() opens self.client, new_stream()
    makes an ACTIVE stream with a unique name, tearDown() deletes the streams in
    self.streams. The class defines server() (the module's server), stream_prefix and,
    if not 1, default_shards."""

    stream_prefix = "e2e"
    default_shards = 1

    def server(self):
        raise NotImplementedError("return the module's server")

    def setUp(self):
        self.client = self.server().client()
        self.streams = []

    def tearDown(self):
        for s in self.streams:
            delete_stream_quietly(self.client, s)

    def new_stream(self, shards=None):
        name = unique_name(self.stream_prefix)
        self.streams.append(name)
        create_stream(self.client, name, self.default_shards if shards is None else shards)
        return name


def _is_modeled(fn, code):
    client = getattr(fn, "__self__", None)
    if client is None:
        return False
    return code in [s for s in dir(client.exceptions) if not s.startswith("_")]


def _short(obj, limit=300):
    s = repr(obj)
    return s if len(s) <= limit else s[:limit] + f"...({len(s)} chars)"


# --------------------------------------------------------------------------- jobs and pipelines
# Helpers for the streaming-job tests (test_pipeline.py, test_exactly_once.py,
# test_jobs_cli.py). docs/operations.md "Managing jobs" describes the REST API used here.

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHIPPED_PIPELINE = os.path.join(REPO_ROOT, "pipelines", "iot-analytics.sql")
WINDOW_MS = 5 * 60 * 1000  # the shipped pipeline's TUMBLE(timestamp, INTERVAL '5' MINUTE)


def pipeline_with_timings(checkpoint=None, idle=None, rollover=None, text=None):
    """The shipped pipeline's SQL with only its timing options replaced.

    checkpoint: 'execution.checkpointing.interval'; idle: 'table.exec.source.idle-timeout';
    rollover: every sink's 'sink.rolling-policy.rollover-interval' (values like "1 s").
    Raises if an option is not found where the shipped file had it, so a changed file
    cannot silently turn a test into one of something else.
    """
    if text is None:
        with open(SHIPPED_PIPELINE, encoding="utf-8") as f:
            text = f.read()
    for key, value, count in (("'execution.checkpointing.interval'", checkpoint, 1),
                              ("'table.exec.source.idle-timeout'", idle, 1),
                              ("'sink.rolling-policy.rollover-interval'", rollover, 3)):
        if value is None:
            continue
        found = 0
        out = []
        for line in text.splitlines(keepends=True):
            if key in line:
                head, _, _ = line.partition(key)
                # key = 'old' -> key = 'new', keeping the rest of the line (',' or ';').
                rest = line.split(key, 1)[1]
                q1 = rest.index("'")
                q2 = rest.index("'", q1 + 1)
                line = head + key + rest[:q1] + "'" + value + "'" + rest[q2 + 1:]
                found += 1
            out.append(line)
        if found != count:
            raise AssertionError(f"{key}: expected {count} occurrence(s) in the pipeline, "
                                 f"found {found}")
        text = "".join(out)
    return text


def http_json(method, url, body=None, timeout=30):
    """One HTTP request; returns (status, parsed JSON body or None)."""
    status, _, raw = http_request(method, url, body, timeout=timeout)
    return status, parse_json(raw)


def job_status(server, name):
    """GET /v1/jobs/NAME as a dict (None when the server answers 404)."""
    status, doc = http_json("GET", f"{server.http_base}/v1/jobs/{name}")
    if status == 404:
        return None
    if status != 200:
        raise AssertionError(f"GET /v1/jobs/{name}: HTTP {status}: {doc}")
    return doc


def job_brief(doc):
    """A job document without its (long) SQL, for failure messages."""
    return {k: v for k, v in (doc or {}).items() if k not in ("sql", "script")}


def wait_for(predicate, timeout, what, interval=0.2):
    """Polls predicate() until it returns a truthy value (returned); fails after timeout
    seconds with `what` (a string or a callable giving one) in the message."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for "
                                 f"{what() if callable(what) else what}")
        time.sleep(interval)


def published_files(data_dir, bucket, prefix):
    """Published part files of s3://bucket/prefix/ in the embedded object store
    (<data-dir>/objects/bucket/prefix/...); staged hidden files (.part-*) are not output.
    Compacted files (lifecycle compaction, compacted-*) hold part files' rows and count too."""
    root = os.path.join(data_dir, "objects", bucket, prefix)
    found = (glob.glob(os.path.join(root, "**", "part-*"), recursive=True) +
             glob.glob(os.path.join(root, "**", "compacted-*"), recursive=True))
    return sorted(p for p in found if os.path.isfile(p))


def partition_of(path):
    """{'year': '2026', ...} from the key=value directories of a part file's path."""
    parts = {}
    for piece in path.split(os.sep):
        if "=" in piece:
            k, v = piece.split("=", 1)
            parts[k] = v
    return parts


NODE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "node")


def decompress(path, data):
    """The bytes of a line part file: .gz (concatenated gzip members, one per checkpoint)
    and .zst (concatenated zstd frames, through /usr/bin/zstd) are decompressed."""
    if path.endswith(".gz"):
        import gzip
        return gzip.decompress(data)
    if path.endswith(".zst"):
        if shutil.which("zstd") is None:
            raise RuntimeError("zstd is not installed: needed to read .zst part files")
        return subprocess.run(["zstd", "-dcq"], input=data, stdout=subprocess.PIPE,
                              check=True).stdout
    return data


_parquet_cache = {}  # (path, size, mtime) -> rows: published files never change


def parquet_rows(paths):
    """{path: [row JSON text, ...]} for Parquet files, read by DuckDB (tests/e2e/node/
    sink_rows.mjs; rows as DuckDB's to_json, the same text the JSON Lines format writes)."""
    out, todo = {}, []
    for p in paths:
        st = os.stat(p)
        key = (p, st.st_size, st.st_mtime_ns)
        if key in _parquet_cache:
            out[p] = _parquet_cache[key]
        else:
            todo.append((p, key))
    if todo:
        if shutil.which("node") is None:
            raise RuntimeError("node is not installed: needed to read Parquet with DuckDB")
        if not os.path.isdir(os.path.join(NODE_DIR, "node_modules", "@duckdb", "node-api")):
            raise RuntimeError("@duckdb/node-api is missing: run `make test-deps`")
        res = subprocess.run(["node", os.path.join(NODE_DIR, "sink_rows.mjs")] +
                             [p for p, _ in todo], cwd=NODE_DIR, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, timeout=300)
        if res.returncode != 0:
            raise AssertionError("DuckDB could not read Parquet part files: " +
                                 res.stderr.decode(errors="replace")[-2000:])
        keys = dict(todo)
        for line in res.stdout.decode().splitlines():
            doc = json.loads(line)
            out[doc["file"]] = doc["rows"]
            _parquet_cache[keys[doc["file"]]] = doc["rows"]
    return out


def published_lines(data_dir, bucket, prefix):
    """Every line of every published part file: a list of (path, line text). JSON Lines
    files may be gzip/zstd-compressed; a Parquet file's rows come back as JSON text."""
    out = []
    files = published_files(data_dir, bucket, prefix)
    pq = parquet_rows([p for p in files if p.endswith(".parquet")])
    for path in files:
        if path.endswith(".parquet"):
            out += [(path, row) for row in pq[path]]
            continue
        with open(path, "rb") as f:
            data = decompress(path, f.read()).decode("utf-8")
        if data and not data.endswith("\n"):
            raise AssertionError(f"{path}: published file does not end with a newline")
        out += [(path, line) for line in data.split("\n")[:-1]]
    return out


def flink_timestamp(ms):
    """TIMESTAMP(3) text as Flink's JSON format writes it: '2026-11-25 10:05:00' for a
    whole second, '2026-11-25 10:05:00.12' for 120 ms (trailing zeros trimmed)."""
    t = datetime.datetime(1970, 1, 1) + datetime.timedelta(milliseconds=ms)
    text = t.strftime("%Y-%m-%d %H:%M:%S")
    frac = ms % 1000
    return text + ("." + f"{frac:03d}".rstrip("0") if frac else "")


def iso_to_ms(text):
    """Milliseconds since the epoch of the simulator's '2026-11-25T10:00:00.051000Z'
    (microseconds are truncated, as TIMESTAMP(3) does)."""
    t = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ")
    delta = t - datetime.datetime(1970, 1, 1)
    return (delta.days * 86400 + delta.seconds) * 1000 + delta.microseconds // 1000


def ms_to_iso(ms):
    """The simulator's timestamp text for a millisecond instant."""
    t = datetime.datetime(1970, 1, 1) + datetime.timedelta(milliseconds=ms)
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def expected_windows(records, size_ms=WINDOW_MS):
    """The shipped pipeline's analytics, computed independently: records are dicts as the
    simulator writes them; returns {(device_id, sensor_type, location, window_start_ms):
    (avg, max, min, count)} over 5-minute tumbling windows of each record's own timestamp."""
    acc = {}
    for r in records:
        ts = iso_to_ms(r["timestamp"])
        key = (r["device_id"], r["sensor_type"], r["location"], ts - ts % size_ms)
        values = acc.setdefault(key, [])
        values.append(float(r["value"]))
    return {k: (math.fsum(v) / len(v), max(v), min(v), len(v)) for k, v in acc.items()}


SIM_START = "2026-11-25T10:00:00Z"
_SIM_START_MS = 1795600800000  # SIM_START in ms since the epoch


def simulate_records(workdir, count, seed, devices, spacing_ms, whole_every=50):
    """Deterministic simulator records: a list of (record dict, NDJSON line bytes).

    `fluxgate simulate` paces --rate in wall time even with --start-time, so the records are
    generated at --rate 0 (1 ms apart) and spread out here: record i is stamped
    SIM_START + i * spacing_ms minus the simulator's own out-of-order shift for it (rounded
    to whole milliseconds, at most 3 s). Every whole_every-th value is made whole, so
    "95.0"-style doubles are exercised. Malformed timing data raises AssertionError.
    """
    out_path = os.path.join(workdir, f"sim-{seed}-{count}.ndjson")
    run_fluxgate("simulate", "--count", count, "--seed", seed, "--devices", devices,
                 "--start-time", SIM_START, "--rate", 0, "--out-of-order-rate", 0.05,
                 "--max-disorder", 3, "--anomaly-rate", 0.02, "--output", out_path, "-q",
                 check=True)
    with open(out_path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    if len(lines) != count:
        raise AssertionError(f"simulator wrote {len(lines)} records, asked for {count}")
    records = []
    for i, line in enumerate(lines):
        r = json.loads(line)
        t = r["timestamp"]  # 2026-11-25T10:00:00.051234Z: whole microseconds
        us = iso_to_ms(t) * 1000 + int(t[-4:-1])
        shift_us = _SIM_START_MS * 1000 + i * 1000 - us
        if not 0 <= shift_us <= 3_000_000:
            raise AssertionError(f"record {i}: simulator shift {shift_us} us out of bounds")
        r["timestamp"] = ms_to_iso(_SIM_START_MS + i * spacing_ms - round(shift_us / 1000))
        if i % whole_every == 0:
            r["value"] = float(round(r["value"]))
        records.append((r, json.dumps(r, ensure_ascii=False, separators=(",", ":")).encode()))
    return records


def run_fluxgate(*args, timeout=60, check=False, input_text=None, env=None):
    """Runs `fluxgate ARGS...` (the binary under test) and returns the CompletedProcess.

    env: the whole environment of the process (None: this process's)."""
    p = subprocess.run([OPTIONS.binary] + [str(a) for a in args], capture_output=True,
                       text=True, timeout=timeout, input=input_text, env=env)
    if check and p.returncode != 0:
        raise AssertionError(f"fluxgate {' '.join(map(str, args))} exited {p.returncode}\n"
                             f"stdout: {p.stdout}\nstderr: {p.stderr}")
    return p


def feed_until_exit(proc, feed, rounds=60, interval=0.5, timeout=30):
    """Calls feed(i) every `interval` seconds (at most `rounds` times) while `proc` (a Popen
    with text pipes) runs, e.g. to send records to a query that reads from the stream's end
    and exits after --limit rows. Returns (stdout, stderr); kills proc if still running."""
    try:
        for i in range(rounds):
            if proc.poll() is not None:
                break
            feed(i)
            time.sleep(interval)
        return proc.communicate(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()



def duckdb(queries):
    """Runs the SQL strings in one DuckDB process (tests/e2e/node/parquet_duckdb.mjs);
    returns one {"columns", "rows"} result per query. A failed query fails the test."""
    if shutil.which("node") is None:
        raise AssertionError("node is not installed: needed to run DuckDB (@duckdb/node-api)")
    if not os.path.isdir(os.path.join(NODE_DIR, "node_modules", "@duckdb", "node-api")):
        raise AssertionError("@duckdb/node-api is missing: run `make test-deps` (npm ci in "
                             "tests/e2e/node)")
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(queries, f)
    try:
        out = subprocess.run(["node", os.path.join(NODE_DIR, "parquet_duckdb.mjs"), f.name],
                             cwd=NODE_DIR, capture_output=True, timeout=300)
    finally:
        os.unlink(f.name)
    if out.returncode != 0:
        raise AssertionError("DuckDB failed: " + out.stderr.decode(errors="replace")[-2000:])
    results = json.loads(out.stdout)
    for q, r in zip(queries, results):
        if "error" in r:
            raise AssertionError(f"DuckDB error for {q!r}: {r['error']}")
    return results

# --- s3rver (npm), the S3 peer of test_s3, test_s3_exactly_once and test_query ---

S3RVER = os.path.join(NODE_DIR, "node_modules", ".bin", "s3rver")
S3_KEY = "S3RVER"  # s3rver's built-in access key id and secret


class S3rver:
    """One s3rver process on 127.0.0.1:<free port> over a temp directory; stop() by PID."""

    def __init__(self):
        if not os.path.exists(S3RVER):
            raise AssertionError(f"s3rver is not installed at {S3RVER}: run `make test-deps` "
                                 "(npm ci in tests/e2e/node)")
        if shutil.which("node") is None:
            raise AssertionError("node is not installed (s3rver needs it)")
        self.dir = tempfile.mkdtemp(prefix="fg-s3rver-")
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.log = open(os.path.join(self.dir, "s3rver.log"), "wb")
        env = dict(os.environ, NODE_OPTIONS="--openssl-legacy-provider")
        self.proc = subprocess.Popen(
            [S3RVER, "-d", os.path.join(self.dir, "data"), "-a", "127.0.0.1", "-p",
             str(self.port), "--no-vhost-buckets"],
            stdout=self.log, stderr=subprocess.STDOUT, env=env)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"s3rver exited {self.proc.returncode}: {self.log_text()}")
            try:
                self.client().list_buckets()
                return
            except Exception:  # not listening yet
                time.sleep(0.2)
        self.stop()
        raise AssertionError("s3rver did not answer within 30 s")

    def client(self):
        import boto3
        from botocore.config import Config
        return boto3.client("s3", endpoint_url=self.endpoint, region_name="us-east-1",
                            aws_access_key_id=S3_KEY, aws_secret_access_key=S3_KEY,
                            config=Config(s3={"addressing_style": "path"},
                                          retries={"max_attempts": 2}))

    def log_text(self):
        self.log.flush()
        with open(os.path.join(self.dir, "s3rver.log"), "rb") as f:
            return f.read().decode(errors="replace")[-4000:]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        if not OPTIONS.keep:
            shutil.rmtree(self.dir, ignore_errors=True)


def write_s3_config(path, endpoint, secret=S3_KEY, sse="AES256", key_id=S3_KEY):
    """A serve config whose [store.s3] points at `endpoint` (path style)."""
    with open(path, "w") as f:
        f.write("[store.s3]\n"
                f'endpoint = "{endpoint}"\n'
                'region = "us-east-1"\n'
                f'access_key_id = "{key_id}"\n'
                f'secret_access_key = "{secret}"\n'
                "path_style = true\n"
                f'sse = "{sse}"\n')
