"""fluxgate's S3 back end (src/store/s3_object_store.*) against s3rver, read back with boto3.

s3rver (npm, tests/e2e/node) runs on 127.0.0.1 on a free port with a temp directory. It
knows one access key (S3RVER) but does not verify V4 signatures (our signing is checked by
tests/auth/sigv4_vectors_test.cc and our own verifier instead), and it neither stores nor
returns x-amz-server-side-encryption — so a small recording proxy in front of it checks
the headers fluxgate sends. s3rver lists more than 1000 keys with DES continuation tokens,
which Node's OpenSSL 3 only has with --openssl-legacy-provider. fluxgate is driven through
`fluxgate store ls|put|get|rm --config FILE` (src/cli/store_cmd.cc), which opens the store
exactly as sinks do; boto3 (path-style, endpoint_url) reads what it wrote.

    /usr/bin/python3 tests/e2e/test_s3.py --binary build/fluxgate
"""

import hashlib
import http.client
import http.server
import os
import threading
import shutil
import sys
import tempfile
import unittest
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import S3rver, S3_KEY as KEY, write_s3_config as write_config  # noqa: E402

import boto3  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

BUCKET = "fluxgate-e2e"


class RecordingProxy:
    """Forwards HTTP/1.1 requests to s3rver unchanged (the Host header included, since it
    is signed) and records (method, path, headers, body sha256) of each."""

    def __init__(self, upstream_port):
        self.requests = []
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def forward(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                proxy.requests.append((self.command, self.path,
                                       {k.lower(): v for k, v in self.headers.items()},
                                       hashlib.sha256(body).hexdigest()))
                conn = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=120)
                conn.putrequest(self.command, self.path, skip_host=True,
                                skip_accept_encoding=True)
                for k, v in self.headers.items():
                    conn.putheader(k, v)
                conn.endheaders(body)
                resp = conn.getresponse()
                data = resp.read()
                self.send_response(resp.status)
                for k, v in resp.getheaders():
                    if k.lower() not in ("transfer-encoding", "content-length", "connection"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
                conn.close()

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = forward

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class S3Test(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not harness.have_binary():
            raise AssertionError("test_s3 drives the fluxgate binary: give --binary")
        cls.s3 = S3rver()
        cls.work = tempfile.mkdtemp(prefix="fg-s3-e2e-")
        cls.config = os.path.join(cls.work, "fluxgate.toml")
        write_config(cls.config, cls.s3.endpoint)
        cls.client = cls.s3.client()
        cls.client.create_bucket(Bucket=BUCKET)

    @classmethod
    def tearDownClass(cls):
        cls.s3.stop()
        shutil.rmtree(cls.work, ignore_errors=True)

    def fg(self, *args, check=True, config=None, env=None):
        p = harness.run_fluxgate("store", args[0], "--config", config or self.config, *args[1:],
                                 timeout=300, env=env)
        if check and p.returncode != 0:
            self.fail(f"fluxgate store {' '.join(args)} exited {p.returncode}\n"
                      f"stderr: {p.stderr}\ns3rver log: {self.s3.log_text()}")
        return p

    def local_file(self, name, size, seed):
        path = os.path.join(self.work, name)
        block = hashlib.sha256(str(seed).encode()).digest() * 32  # 1 KiB
        data = (block * (size // len(block) + 1))[:size]
        # Not periodic at part boundaries: mix in the offset every KiB.
        data = b"".join(data[i:i + 1024][:-8] + i.to_bytes(8, "big")
                        for i in range(0, size, 1024))[:size]
        with open(path, "wb") as f:
            f.write(data)
        return path, data

    def test_single_put_is_read_back_by_boto3(self):
        path, data = self.local_file("small.bin", 200_000, 1)
        key = "raw-data/dt=2024-05-01/part 0+1.bin"  # '=', ' ' and '+' are encoded on the wire
        p = self.fg("put", path, f"s3://{BUCKET}/{key}", "--single")
        self.assertIn("single PUT", p.stderr)
        obj = self.client.get_object(Bucket=BUCKET, Key=key)
        self.assertEqual(obj["Body"].read(), data)

    def test_sse_header_and_payload_hash_on_writes(self):
        proxy = RecordingProxy(self.s3.port)
        try:
            cfg = os.path.join(self.work, "proxy.toml")
            write_config(cfg, proxy.endpoint)  # sse = "AES256"
            small, small_data = self.local_file("sse-small.bin", 3000, 6)
            big, big_data = self.local_file("sse-big.bin", 9 * 1024 * 1024, 7)
            self.fg("put", small, f"s3://{BUCKET}/sse/small.bin", config=cfg)
            self.fg("put", big, f"s3://{BUCKET}/sse/big.bin", config=cfg)
            plain = os.path.join(self.work, "plain.toml")
            write_config(plain, proxy.endpoint, sse="")
            self.fg("put", small, f"s3://{BUCKET}/sse/plain.bin", config=plain)
        finally:
            proxy.stop()
        puts = [r for r in proxy.requests if r[0] == "PUT" and "uploadId" not in r[1]]
        creates = [r for r in proxy.requests if r[0] == "POST" and r[1].endswith("?uploads")]
        parts = [r for r in proxy.requests if r[0] == "PUT" and "uploadId" in r[1]]
        self.assertEqual(len(puts), 2)
        self.assertEqual(len(creates), 1)
        self.assertEqual(len(parts), 2)  # 9 MiB: one 8 MiB part, then the rest as the last
        self.assertEqual(puts[0][2].get("x-amz-server-side-encryption"), "AES256")
        self.assertEqual(creates[0][2].get("x-amz-server-side-encryption"), "AES256")
        self.assertNotIn("x-amz-server-side-encryption", puts[1][2])  # sse = ""
        for method, path, headers, body_hash in proxy.requests:
            self.assertEqual(headers.get("x-amz-content-sha256"), body_hash, path)
            auth = headers.get("authorization", "")
            self.assertIn("/us-east-1/s3/aws4_request", auth)
            self.assertIn("x-amz-content-sha256", auth)
        self.assertEqual(
            self.client.get_object(Bucket=BUCKET, Key="sse/big.bin")["Body"].read(), big_data)
        self.assertEqual(
            self.client.get_object(Bucket=BUCKET, Key="sse/small.bin")["Body"].read(), small_data)

    def test_multipart_object_over_5_mib(self):
        path, data = self.local_file("big.bin", 13 * 1024 * 1024 + 12345, 2)
        key = "processed-data/big.bin"
        p = self.fg("put", path, f"s3://{BUCKET}/{key}")
        self.assertIn("multipart", p.stderr)
        head = self.client.head_object(Bucket=BUCKET, Key=key)
        self.assertEqual(head["ContentLength"], len(data))
        # (s3rver's ETag for a multipart object is a plain MD5, unlike AWS's "<md5>-<parts>";
        # test_sse_header_and_payload_hash_on_writes counts the UploadPart requests.)
        self.assertEqual(self.client.get_object(Bucket=BUCKET, Key=key)["Body"].read(), data)
        # fluxgate's own Get returns the same bytes.
        out = os.path.join(self.work, "big.out")
        self.fg("get", f"s3://{BUCKET}/{key}", out)
        with open(out, "rb") as f:
            self.assertEqual(f.read(), data)

    def test_small_multipart_object(self):
        path, data = self.local_file("tiny.bin", 1000, 3)
        self.fg("put", path, f"s3://{BUCKET}/tiny/staged.bin", "--multipart")
        self.assertEqual(
            self.client.get_object(Bucket=BUCKET, Key="tiny/staged.bin")["Body"].read(), data)

    def test_delete(self):
        path, _ = self.local_file("gone.bin", 10, 4)
        self.fg("put", path, f"s3://{BUCKET}/del/gone.bin")
        self.client.head_object(Bucket=BUCKET, Key="del/gone.bin")
        self.fg("rm", f"s3://{BUCKET}/del/gone.bin")
        with self.assertRaises(ClientError) as cm:
            self.client.head_object(Bucket=BUCKET, Key="del/gone.bin")
        self.assertEqual(cm.exception.response["Error"]["Code"], "404")
        self.fg("rm", f"s3://{BUCKET}/del/gone.bin")  # already gone: still OK
        p = self.fg("get", f"s3://{BUCKET}/del/gone.bin", os.path.join(self.work, "x"),
                    check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("NoSuchKey", p.stderr)

    def test_listing_over_1000_keys_follows_continuation(self):
        n = 1234
        keys = [f"many/k{i:05d}.json" for i in range(n)]
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda k: self.s3.client().put_object(Bucket=BUCKET, Key=k, Body=b"{}"),
                          keys))
        self.client.put_object(Bucket=BUCKET, Key="many-not/x", Body=b"x")
        p = self.fg("ls", f"s3://{BUCKET}/many/")
        lines = p.stdout.splitlines()
        self.assertEqual([line.split("\t")[0] for line in lines], keys)
        self.assertTrue(all(line.split("\t")[1] == "2" for line in lines))
        self.assertTrue(all(int(line.split("\t")[2]) > 1_500_000_000_000 for line in lines))

    def test_unknown_key_fails_at_once_and_secret_is_not_printed(self):
        bad = os.path.join(self.work, "bad.toml")
        write_config(bad, self.s3.endpoint, secret="definitely-wrong-secret", key_id="AKNOBODY")
        p = self.fg("ls", f"s3://{BUCKET}/", check=False, config=bad)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("InvalidAccessKeyId", p.stderr)
        self.assertNotIn("attempt", p.stderr)  # a 403 is not retried
        self.assertNotIn("definitely-wrong-secret", p.stderr + p.stdout)
        # A missing bucket: NoSuchBucket, at once.
        p = self.fg("ls", "s3://no-such-bucket/", check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("NoSuchBucket", p.stderr)

    def test_credentials_from_the_environment(self):
        cfg = os.path.join(self.work, "env.toml")
        with open(cfg, "w") as f:
            f.write(f'[store.s3]\nendpoint = "{self.s3.endpoint}"\npath_style = true\n')
        env = {"PATH": os.environ.get("PATH", ""), "HOME": self.work,
               "AWS_ACCESS_KEY_ID": KEY, "AWS_SECRET_ACCESS_KEY": KEY,
               "AWS_DEFAULT_REGION": "us-east-1"}
        path, data = self.local_file("env.bin", 5000, 5)
        self.fg("put", path, f"s3://{BUCKET}/env/x.bin", config=cfg, env=env)
        self.assertEqual(self.client.get_object(Bucket=BUCKET, Key="env/x.bin")["Body"].read(),
                         data)
        # No credentials anywhere: a clear error, no request made.
        env.pop("AWS_ACCESS_KEY_ID")
        p = self.fg("ls", f"s3://{BUCKET}/env/", config=cfg, env=env, check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("no S3 credentials", p.stderr)
        # The shared credentials file under $HOME.
        os.makedirs(os.path.join(self.work, ".aws"), exist_ok=True)
        with open(os.path.join(self.work, ".aws", "credentials"), "w") as f:
            f.write(f"[default]\naws_access_key_id = {KEY}\naws_secret_access_key = {KEY}\n")
        env.pop("AWS_SECRET_ACCESS_KEY")
        p = self.fg("ls", f"s3://{BUCKET}/env/", config=cfg, env=env)
        self.assertIn("env/x.bin", p.stdout)

    def test_unreachable_endpoint_fails_after_retries(self):
        cfg = os.path.join(self.work, "down.toml")
        write_config(cfg, f"http://127.0.0.1:{harness.free_port()}")
        p = self.fg("ls", f"s3://{BUCKET}/", check=False, config=cfg)
        self.assertEqual(p.returncode, 1)
        self.assertIn("cannot connect", p.stderr)
        self.assertIn("attempt", p.stderr)  # the retries were logged


if __name__ == "__main__":
    harness.main()
