"""TLS on every listener: with [tls] cert_file and key_file, the Kinesis API and the HTTP
listener speak only HTTPS. Real clients (boto3, the AWS CLI, urllib, the fluxgate CLI)
verify the server against a private CA made here with /usr/bin/openssl; plain HTTP and
untrusted clients are refused, and a bad certificate or key stops the server at start."""

import os
import shutil
import ssl
import subprocess
import tempfile
import unittest
import urllib.error
import urllib.request

import botocore.exceptions

import harness

OPENSSL = "/usr/bin/openssl"


def openssl(*args, cwd):
    subprocess.run([OPENSSL] + list(args), cwd=cwd, check=True, capture_output=True)


def make_ca(d, name):
    """A self-signed CA certificate and key: d/name.crt, d/name.key."""
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-days", "2", "-subj", f"/CN={name}",
            "-keyout", f"{name}.key", "-out", f"{name}.crt", cwd=d)


def make_leaf(d, name, ca):
    """A server certificate for localhost/127.0.0.1 signed by `ca`, and d/name-chain.crt
    holding the leaf then the CA (the PEM chain file the server is given)."""
    openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-subj", "/CN=localhost", "-keyout", f"{name}.key", "-out", f"{name}.csr",
            cwd=d)
    with open(os.path.join(d, f"{name}.ext"), "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n"
                "extendedKeyUsage=serverAuth\n")
    openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.crt", "-CAkey", f"{ca}.key",
            "-CAcreateserial", "-days", "2", "-extfile", f"{name}.ext", "-out", f"{name}.crt",
            cwd=d)
    with open(os.path.join(d, f"{name}-chain.crt"), "w") as out:
        for part in (f"{name}.crt", f"{ca}.crt"):
            with open(os.path.join(d, part)) as f:
                out.write(f.read())


def tls_config(cert, key):
    return f'[tls]\ncert_file = "{cert}"\nkey_file = "{key}"\n'


class TlsTest(unittest.TestCase, harness.ClientErrorAssertions):
    @classmethod
    def setUpClass(cls):
        if not harness.have_binary():
            raise unittest.SkipTest("needs --binary (starts fluxgate with a [tls] config)")
        cls.certs = tempfile.mkdtemp(prefix="fluxgate-e2e-tls-")
        make_ca(cls.certs, "ca")
        make_ca(cls.certs, "other-ca")
        make_leaf(cls.certs, "server", "ca")
        cls.ca = os.path.join(cls.certs, "ca.crt")
        cls.other_ca = os.path.join(cls.certs, "other-ca.crt")
        cls.chain = os.path.join(cls.certs, "server-chain.crt")
        cls.key = os.path.join(cls.certs, "server.key")
        cls.server = harness.Server(config_text=tls_config(cls.chain, cls.key),
                                    tls_ca_file=cls.ca)
        try:
            cls.server.start()
        except Exception:
            cls.server.cleanup()
            shutil.rmtree(cls.certs, ignore_errors=True)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.server.cleanup()
        shutil.rmtree(cls.certs, ignore_errors=True)

    def test_startup_says_tls_is_on(self):
        out = self.server.output()
        self.assertIn("serve HTTPS only", out)
        self.assertIn("kinesis: listening on", out)
        self.assertNotIn("BEGIN", out)  # no key or certificate material in the log
        # The listener lines give the URLs clients need: https, not http.
        self.assertIn(f"Kinesis API listening on https://127.0.0.1:{self.server.kinesis_port}",
                      out)
        self.assertIn(f"HTTP listening on https://127.0.0.1:{self.server.http_port}", out)
        self.assertNotIn("listening on http://", out)

    def test_boto3_put_and_get_records(self):
        self.assertTrue(self.server.endpoint.startswith("https://"))
        with harness.dump_output_on_failure(self.server):
            client = self.server.client()  # verify=<ca file>
            stream = harness.unique_name("tls")
            harness.create_stream(client, stream, shards=1)
            records = [{"Data": f"reading-{i}".encode(), "PartitionKey": f"dev-{i}"}
                       for i in range(20)]
            resp = client.put_records(StreamName=stream, Records=records)
            self.assertEqual(resp["FailedRecordCount"], 0)
            shard = harness.list_all_shards(client, stream)[0]["ShardId"]
            got, _ = harness.read_shard(client, stream, shard)
            self.assertEqual([r["Data"] for r in got], [r["Data"] for r in records])

    def test_boto3_with_another_ca_is_refused(self):
        client = harness.kinesis_client(self.server.endpoint, max_attempts=1,
                                        verify=self.other_ca)
        with self.assertRaises(botocore.exceptions.SSLError):
            client.list_streams()

    def test_aws_cli_with_ca_bundle(self):
        stream = harness.unique_name("tls-cli")
        harness.aws_cli(self.server.endpoint, "kinesis", "create-stream", "--stream-name",
                        stream, "--shard-count", "1", ca_bundle=self.ca)
        harness.wait_active(self.server.client(), stream)
        p = harness.aws_cli(self.server.endpoint, "kinesis", "describe-stream-summary",
                            "--stream-name", stream, ca_bundle=self.ca)
        self.assertEqual(p.json["StreamDescriptionSummary"]["StreamName"], stream)
        # Without the bundle the CLI does not trust the private CA.
        p = harness.aws_cli(self.server.endpoint, "kinesis", "list-streams", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("SSL", p.stderr + p.stdout)

    def test_healthz_over_https(self):
        ctx = ssl.create_default_context(cafile=self.ca)
        with urllib.request.urlopen(self.server.http_base + "/healthz", timeout=10,
                                    context=ctx) as r:
            self.assertEqual(r.status, 200)
            self.assertEqual(r.version, 11)
        # By name too: the certificate names localhost as well as 127.0.0.1.
        url = f"https://localhost:{self.server.http_port}/healthz"
        with urllib.request.urlopen(url, timeout=10, context=ctx) as r:
            self.assertEqual(r.status, 200)

    def test_untrusted_https_client_is_refused(self):
        ctx = ssl.create_default_context(cafile=self.other_ca)
        with self.assertRaises(urllib.error.URLError) as cm:
            urllib.request.urlopen(self.server.http_base + "/healthz", timeout=10, context=ctx)
        self.assertIsInstance(cm.exception.reason, ssl.SSLCertVerificationError)

    def test_plain_http_is_refused_on_both_listeners(self):
        for port in (self.server.http_port, self.server.kinesis_port):
            with self.subTest(port=port):
                with self.assertRaises(urllib.error.HTTPError) as cm:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10)
                self.assertEqual(cm.exception.code, 400)
                self.assertIn(b"https://", cm.exception.read())
        # The server keeps serving HTTPS afterwards.
        self.assertEqual(self.server.healthz_status(), 200)

    def test_fluxgate_cli_trusts_ca_file_from_environment(self):
        env = dict(os.environ)
        env["FLUXGATE_CA_FILE"] = self.ca
        cmd = ["jobs", "list", "--server", self.server.http_base]
        p = harness.run_fluxgate(*cmd, env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        env.pop("FLUXGATE_CA_FILE")
        p = harness.run_fluxgate(*cmd, env=env)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("not trusted", p.stderr)

    # -- the fluxgate CLI with --ca-file (no FLUXGATE_CA_FILE in its environment)

    def fluxgate(self, *args, timeout=60):
        env = dict(os.environ)
        env.pop("FLUXGATE_CA_FILE", None)
        return harness.run_fluxgate(*args, timeout=timeout, env=env)

    def test_fluxgate_streams_over_https_with_ca_file(self):
        with harness.dump_output_on_failure(self.server):
            stream = harness.unique_name("tls-streams")
            base = ["streams", "--endpoint", self.server.endpoint, "--ca-file", self.ca]
            p = self.fluxgate(*base, "create", stream, "--shards", "1")
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("is ACTIVE", p.stdout)
            p = self.fluxgate(*base, "list")
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn(stream, p.stdout)
            # Another CA is not trusted, and the message says so.
            p = self.fluxgate("streams", "--endpoint", self.server.endpoint, "--ca-file",
                              self.other_ca, "list")
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("not trusted", p.stderr)

    def test_fluxgate_simulate_into_https_endpoint(self):
        with harness.dump_output_on_failure(self.server):
            stream = harness.unique_name("tls-sim")
            p = self.fluxgate("simulate", "--endpoint", self.server.endpoint, "--ca-file",
                              self.ca, "--stream", stream, "--create-shards", "1", "--count",
                              "25", "--rate", "0", "--seed", "7", "--quiet")
            self.assertEqual(p.returncode, 0, p.stderr)
            client = self.server.client()
            shard = harness.list_all_shards(client, stream)[0]["ShardId"]
            got, _ = harness.read_shard(client, stream, shard)
            self.assertEqual(len(got), 25)

    def test_fluxgate_jobs_list_with_ca_file(self):
        with harness.dump_output_on_failure(self.server):
            p = self.fluxgate("jobs", "list", "--server", self.server.http_base, "--ca-file",
                              self.ca)
            self.assertEqual(p.returncode, 0, p.stderr)
            p = self.fluxgate("jobs", "list", "--server", self.server.http_base, "--ca-file",
                              self.other_ca)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("not trusted", p.stderr)
            # --ca-file wins over FLUXGATE_CA_FILE.
            env = dict(os.environ, FLUXGATE_CA_FILE=self.other_ca)
            p = harness.run_fluxgate("jobs", "list", "--server", self.server.http_base,
                                     "--ca-file", self.ca, env=env)
            self.assertEqual(p.returncode, 0, p.stderr)

    def test_fluxgate_sql_print_with_ca_file(self):
        with harness.dump_output_on_failure(self.server):
            stream = harness.unique_name("tls-sql")
            client = self.server.client()
            harness.create_stream(client, stream, shards=1)
            query = (f"CREATE TABLE r (device_id STRING, `value` DOUBLE) WITH ("
                     f"'connector' = 'kinesis', 'stream' = '{stream}', 'format' = 'json');\n"
                     f"SELECT device_id, `value` FROM r WHERE `value` > 50")
            env = dict(os.environ)
            env.pop("FLUXGATE_CA_FILE", None)
            proc = subprocess.Popen([harness.OPTIONS.binary, "sql", "--print", query, "--limit",
                                     "2", "--timeout", "60", "--server", self.server.http_base,
                                     "--ca-file", self.ca],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                    env=env)

            def send(batch):
                records = [{"Data": f'{{"device_id":"d{batch}","value":{v}}}'.encode(),
                            "PartitionKey": f"d{batch}"} for v in (10.0, 75.0)]
                client.put_records(StreamName=stream, Records=records)

            # The query reads from the stream's end once started: send until it has
            # printed its rows and exited.
            out, err = harness.feed_until_exit(proc, send)
            self.assertEqual(proc.returncode, 0, f"stdout: {out}\nstderr: {err}")
            printed = out.splitlines()
            self.assertEqual(len(printed), 2, out)
            for line in printed:
                self.assertRegex(line, r"^\+I\[d\d+, 75\.0\]$")


class TlsStartupErrorTest(unittest.TestCase):
    """A [tls] section that cannot work stops `fluxgate serve` with a message naming it."""

    @classmethod
    def setUpClass(cls):
        if not harness.have_binary():
            raise unittest.SkipTest("needs --binary")
        cls.certs = tempfile.mkdtemp(prefix="fluxgate-e2e-tls-bad-")
        make_ca(cls.certs, "a")
        make_ca(cls.certs, "b")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.certs, ignore_errors=True)

    def start_fails(self, config_text):
        server = harness.Server(config_text=config_text)
        try:
            proc = subprocess.run(server.command(), capture_output=True, text=True, timeout=60,
                                  cwd=server.workdir)
        finally:
            server.cleanup()
        self.assertNotEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        return proc.stdout + proc.stderr

    def test_missing_key_file_names_the_key(self):
        missing = os.path.join(self.certs, "missing.key")
        out = self.start_fails(tls_config(os.path.join(self.certs, "a.crt"), missing))
        self.assertIn("tls.key_file", out)
        self.assertIn(missing, out)

    def test_key_of_another_certificate_is_refused(self):
        key = os.path.join(self.certs, "b.key")
        out = self.start_fails(tls_config(os.path.join(self.certs, "a.crt"), key))
        self.assertIn("does not match", out)
        self.assertIn(key, out)

    def test_certificate_that_is_not_pem_is_refused(self):
        bad = os.path.join(self.certs, "bad.crt")
        with open(bad, "w") as f:
            f.write("not a certificate\n")
        out = self.start_fails(tls_config(bad, os.path.join(self.certs, "a.key")))
        self.assertIn(bad, out)
        self.assertIn("certificate", out)

    def test_cert_without_key_is_refused(self):
        out = self.start_fails(f'[tls]\ncert_file = "{os.path.join(self.certs, "a.crt")}"\n')
        self.assertIn("tls.cert_file and tls.key_file must be set together", out)


if __name__ == "__main__":
    harness.main()
