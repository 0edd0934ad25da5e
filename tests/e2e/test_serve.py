"""`fluxgate serve` as an operator runs it: help text, TOML config, startup lines,
/healthz, clean shutdown on SIGTERM/SIGINT with data kept, loopback-only defaults."""

import os
import re
import signal
import socket
import subprocess
import time
import unittest
import urllib.request

import harness

CONTRACT_FLAGS = ("--data-dir", "--kinesis-listen", "--http-listen", "--config")


def listening_addresses(port):
    """Local addresses (as dotted quads) of IPv4/IPv6 LISTEN sockets on `port`."""
    found = []
    for table, v6 in (("/proc/net/tcp", False), ("/proc/net/tcp6", True)):
        try:
            lines = open(table).read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state = fields[1], fields[3]
            addr_hex, port_hex = local.split(":")
            if state != "0A" or int(port_hex, 16) != port:
                continue
            if not v6:
                found.append(socket.inet_ntoa(bytes.fromhex(addr_hex)[::-1]))
            else:
                raw = bytes.fromhex(addr_hex)
                raw = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
                found.append(socket.inet_ntop(socket.AF_INET6, raw))
    return found


def port_free(port):
    for host in ("127.0.0.1", "0.0.0.0"):
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind((host, port))
            except OSError:
                return False
    return True


class ServeTest(unittest.TestCase):
    def setUp(self):
        harness.require_binary(self)
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            if s.running():
                s.stop()
            s.cleanup()

    def server(self, **kw):
        s = harness.Server(**kw)
        self.servers.append(s)
        return s

    def run_binary(self, *args):
        return subprocess.run([harness.OPTIONS.binary, *args], capture_output=True, text=True,
                              timeout=30, stdin=subprocess.DEVNULL)

    def test_help_mentions_contract_flags(self):
        top = self.run_binary("--help")
        self.assertEqual(top.returncode, 0, top.stderr)
        self.assertIn("serve", top.stdout + top.stderr)
        serve = self.run_binary("serve", "--help")
        self.assertEqual(serve.returncode, 0, serve.stderr)
        text = serve.stdout + serve.stderr
        for flag in CONTRACT_FLAGS + ("--durability",):
            self.assertIn(flag, text, f"`fluxgate serve --help` does not mention {flag}")

    def test_startup_lines_healthz_and_sigterm(self):
        s = self.server().start()
        with harness.dump_output_on_failure(s):
            self.assertEqual(s.healthz_status(), 200)
            lines = s.stdout().splitlines() + s.stderr().splitlines()
            k = [l for l in lines if f"127.0.0.1:{s.kinesis_port}" in l]
            h = [l for l in lines if f"127.0.0.1:{s.http_port}" in l]
            self.assertGreaterEqual(len(k), 1, f"no startup line names the Kinesis listener "
                                    f"127.0.0.1:{s.kinesis_port}: {lines}")
            self.assertGreaterEqual(len(h), 1, f"no startup line names the HTTP listener "
                                    f"127.0.0.1:{s.http_port}: {lines}")
            self.assertNotEqual(k, h)

            client = s.client()
            name = harness.unique_name("serve")
            harness.create_stream(client, name, 2)
            put = client.put_records(StreamName=name, Records=[
                {"Data": b"keep-%d" % i, "PartitionKey": f"k{i}"} for i in range(50)])
            self.assertEqual(put["FailedRecordCount"], 0)
            acked = {r["SequenceNumber"]: b"keep-%d" % i for i, r in enumerate(put["Records"])}

            self.assertEqual(s.stop(), 0, "SIGTERM must exit 0")
            self.assertIsNone(s.healthz_status(), "still answering after exit")
            s.start()
            got = {}
            for sh in harness.list_all_shards(client, name):
                recs, _ = harness.read_shard(client, name, sh["ShardId"])
                got.update({r["SequenceNumber"]: r["Data"] for r in recs})
            self.assertEqual(got, acked)
            summary = client.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
            self.assertEqual(summary["StreamStatus"], "ACTIVE")

            # SIGINT (Ctrl-C) is a clean stop too.
            s.proc.send_signal(signal.SIGINT)
            self.assertEqual(s.proc.wait(timeout=30), 0, "SIGINT must exit 0")

    def test_config_file_sets_everything(self):
        data_dir = None
        s = self.server(use_config_for_addresses=True, config_text="")
        data_dir = os.path.join(s.workdir, "from-config")
        with open(s.config_path, "w") as f:
            f.write(f'data_dir = "{data_dir}"\n'
                    f'kinesis_listen = "127.0.0.1:{s.kinesis_port}"\n'
                    f'http_listen = "127.0.0.1:{s.http_port}"\n'
                    'durability = "fsync"\n'
                    'pipelines = []\n'
                    '\n[kinesis]\ncreate_delay_ms = 50\n')
        self.assertEqual(s.command()[2:], ["--config", s.config_path])
        s.start()
        with harness.dump_output_on_failure(s):
            client = s.client()
            name = harness.unique_name("cfg")
            harness.create_stream(client, name, 1)
            client.put_record(StreamName=name, Data=b"in the configured dir", PartitionKey="k")
            self.assertEqual(s.stop(), 0)
            self.assertTrue(os.path.isdir(os.path.join(data_dir, "streams")),
                            f"nothing under data_dir from the config: "
                            f"{os.listdir(s.workdir)}")
            self.assertTrue(harness.segment_files(data_dir), "no segment files in data_dir")
            self.assertFalse(os.path.exists(os.path.join(s.workdir, "fluxgate-data")),
                             "the default data dir was used instead of the config's")

    def test_flags_override_config(self):
        s = self.server(config_text='kinesis_listen = "127.0.0.1:1"\nhttp_listen = "127.0.0.1:2"\n'
                                    'data_dir = "/nonexistent/should/not/be/used"\n')
        s.start()  # flags name free ports and a temp data dir; the config's values lose
        self.assertEqual(s.healthz_status(), 200)
        self.assertEqual(s.client().list_streams()["StreamNames"], [])

    def test_bad_config_key_stops_startup(self):
        s = self.server(config_text='data_dirr = "/tmp/typo"\n')
        with self.assertRaises(harness.ServerError) as cm:
            s.start(timeout=15)
        self.assertIn("data_dirr", str(cm.exception), "the error should name the bad key")
        self.assertNotEqual(s.proc.returncode, 0)

    def test_bad_listen_address_stops_startup_before_touching_data(self):
        harness.require_binary(self)
        import tempfile
        data_dir = os.path.join(tempfile.mkdtemp(prefix="fg-e2e-"), "never-created")
        r = subprocess.run([harness.OPTIONS.binary, "serve", "--data-dir", data_dir,
                            "--kinesis-listen", "127.0.0.1:notaport",
                            "--http-listen", "127.0.0.1:0"],
                           capture_output=True, text=True, timeout=30)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("notaport", r.stderr, "the error should quote the bad address")
        self.assertFalse(os.path.exists(data_dir), "no data directory for a refused start")

    def test_port_zero_prints_real_ports(self):
        s = self.server(extra_args=[])
        cmd = [harness.OPTIONS.binary, "serve", "--data-dir", s.data_dir,
               "--kinesis-listen", "127.0.0.1:0", "--http-listen", "127.0.0.1:0"]
        out_path = os.path.join(s.workdir, "port0.out")
        with open(out_path, "wb") as out:
            proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL)
        try:
            ports = []
            for _ in range(300):
                text = open(out_path, "rb").read().decode("utf-8", "replace")
                ports = [(l, int(p)) for l in text.splitlines()
                         for p in re.findall(r"127\.0\.0\.1:(\d+)", l) if int(p) != 0]
                if len(ports) >= 2 or proc.poll() is not None:
                    break
                time.sleep(0.1)
            self.assertGreaterEqual(len(ports), 2, f"startup lines lack the bound ports: {text}")
            http = [p for l, p in ports if "http" in l.lower() and "kinesis" not in l.lower()]
            kin = [p for l, p in ports if "kinesis" in l.lower()]
            self.assertTrue(http and kin, f"cannot tell the listeners apart: {text}")
            for _ in range(100):
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{http[0]}/healthz",
                                                timeout=2) as r:
                        status = r.status
                        break
                except OSError:
                    time.sleep(0.1)
            self.assertEqual(status, 200)
            self.assertIsInstance(harness.kinesis_client(f"http://127.0.0.1:{kin[0]}")
                                  .list_streams()["StreamNames"], list)
        finally:
            proc.send_signal(signal.SIGTERM)
            self.assertEqual(proc.wait(timeout=30), 0)

    def test_default_listeners_bind_loopback(self):
        if not (port_free(4567) and port_free(8080)):
            self.skipTest("default ports 4567/8080 are in use on this machine")
        s = self.server(use_config_for_addresses=True, config_text="")
        with open(s.config_path, "w") as f:
            f.write(f'data_dir = "{s.data_dir}"\n')
        s.kinesis_port, s.http_port = 4567, 8080
        s.start()
        with harness.dump_output_on_failure(s):
            for port in (4567, 8080):
                addrs = listening_addresses(port)
                self.assertTrue(addrs, f"nothing listens on {port}")
                self.assertEqual(set(addrs), {"127.0.0.1"},
                                 f"default listener on {port} binds {addrs}, not 127.0.0.1")
            self.assertIsInstance(s.client().list_streams()["StreamNames"], list)
            self.assertEqual(s.stop(), 0)


if __name__ == "__main__":
    harness.main()
