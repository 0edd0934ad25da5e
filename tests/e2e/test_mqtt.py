"""MQTT ingest end to end: a real Mosquitto broker (Debian's /usr/sbin/mosquitto, bound to
127.0.0.1 on a free port, persistence on), fluxgate started with [[ingest.mqtt]] entries in
its config file, QoS 1 messages published over a raw socket, and the records read back
through the Kinesis API with boto3.

- messages become records with the partition key from the topic or the payload, topic
  levels added as fields; a message that cannot be mapped is acked and dead-lettered;
- nothing published while fluxgate is stopped (SIGTERM) or killed (SIGKILL) is lost: the
  persistent session makes the broker redeliver everything not PUBACKed;
- fluxgate reconnects after the broker restarts.

Needs the Debian package `mosquitto` (skipped when /usr/sbin/mosquitto is missing).
"""

import base64
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time
import unittest

import harness

MOSQUITTO = "/usr/sbin/mosquitto"
STREAM = "mqtt-telemetry"
RAW_STREAM = "mqtt-raw"


# --------------------------------------------------------------------------- broker

class Broker:
    """One mosquitto process with persistence in its own directory; restartable on the
    same port so fluxgate's session (stored by the broker) survives."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="fluxgate-mosquitto-")
        self.port = harness.free_port()
        self.conf = os.path.join(self.dir, "mosquitto.conf")
        with open(self.conf, "w") as f:
            f.write(f"listener {self.port} 127.0.0.1\n"
                    "allow_anonymous true\n"
                    "persistence true\n"
                    f"persistence_location {self.dir}/\n"
                    "autosave_interval 1\n"
                    "max_queued_messages 100000\n"
                    "max_inflight_messages 1000\n"
                    f"log_dest file {self.dir}/mosquitto.log\n"
                    "log_type error\nlog_type warning\nlog_type notice\nlog_type information\n")
        self.proc = None

    @property
    def url(self):
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self):
        self.proc = subprocess.Popen([MOSQUITTO, "-c", self.conf], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise AssertionError(f"mosquitto exited: {self.log()}")
                time.sleep(0.05)
        raise AssertionError(f"mosquitto did not listen on {self.port}: {self.log()}")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # saves the persistence file on exit
            self.proc.wait(timeout=10)

    def log(self):
        try:
            with open(os.path.join(self.dir, "mosquitto.log")) as f:
                return f.read()[-4000:]
        except OSError:
            return ""

    def cleanup(self):
        try:
            self.stop()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


# --------------------------------------------------------------------------- publisher

def _utf8(s):
    b = s.encode()
    return struct.pack(">H", len(b)) + b


def _packet(first_byte, body):
    n, varint = len(body), b""
    while True:
        b = n % 128
        n //= 128
        varint += bytes([b | (0x80 if n else 0)])
        if not n:
            return bytes([first_byte]) + varint + body


class Publisher:
    """A minimal MQTT 3.1.1 QoS 1 publisher over a raw socket (no client library needed).
    publish_all() sends every message, then waits for every PUBACK."""

    def __init__(self, port, client_id):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        connect = _utf8("MQTT") + bytes([4, 0x02]) + struct.pack(">H", 60) + _utf8(client_id)
        self.sock.sendall(_packet(0x10, connect))
        kind, body = self._read()
        if kind != 2 or body[1] != 0:
            raise AssertionError(f"publisher CONNACK refused: {kind} {body!r}")
        self.next_id = 1
        self.buf = b""

    def _read_exact(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise AssertionError("broker closed the publisher's connection")
            data += chunk
        return data

    def _read(self):
        first = self._read_exact(1)[0]
        mult, length = 1, 0
        while True:
            b = self._read_exact(1)[0]
            length += (b & 0x7F) * mult
            mult *= 128
            if not b & 0x80:
                break
        return first >> 4, self._read_exact(length)

    def publish_all(self, messages):
        """messages: [(topic, payload bytes)]; returns when all are PUBACKed."""
        pending = set()
        out = b""
        for topic, payload in messages:
            pid = self.next_id
            self.next_id = self.next_id % 65535 + 1
            pending.add(pid)
            out += _packet(0x32, _utf8(topic) + struct.pack(">H", pid) + payload)
        self.sock.sendall(out)
        while pending:
            kind, body = self._read()
            if kind == 4:
                pending.discard(struct.unpack(">H", body)[0])

    def close(self):
        try:
            self.sock.sendall(bytes([0xE0, 0]))
        finally:
            self.sock.close()


def publish(broker, messages, client_id="e2e-publisher"):
    p = Publisher(broker.port, client_id)
    try:
        p.publish_all(messages)
    finally:
        p.close()


# --------------------------------------------------------------------------- fluxgate

def config_for(broker):
    return f"""
[[ingest.mqtt]]
broker = "{broker.url}"
topics = ["sites/+/sensors/#"]
stream = "{STREAM}"
partition_key = "topic[3]"
topic_fields = {{ site = 1 }}
keepalive_secs = 5
reconnect_min_ms = 50
reconnect_max_ms = 500
shards = 2

[[ingest.mqtt]]
broker = "{broker.url}"
topics = ["raw/#"]
stream = "{RAW_STREAM}"
partition_key = "device_id"
reconnect_min_ms = 50
reconnect_max_ms = 500
shards = 1
"""


class MqttIngestTest(unittest.TestCase):
    def setUp(self):
        harness.require_binary(self)
        if not os.path.exists(MOSQUITTO):
            self.skipTest(f"{MOSQUITTO} not installed (Debian package mosquitto)")
        self.broker = Broker()
        self.broker.start()
        self.server = harness.Server(config_text=config_for(self.broker))
        self.server.start()
        self.wait_connected(2)

    def tearDown(self):
        if getattr(self, "server", None):
            if self.server.running():
                self.server.stop()
            self.server.cleanup()
        if getattr(self, "broker", None):
            self.broker.cleanup()

    def wait_connected(self, count, run=None):
        """Waits until fluxgate logged `count` MQTT sessions in the current run."""
        harness.wait_for(
            lambda: self.server.stderr(run).count("connected as client") >= count, 20,
            lambda: f"{count} MQTT connections in fluxgate's log:\n{self.server.output()[-3000:]}"
                    f"\nmosquitto:\n{self.broker.log()}")

    def wait_records(self, stream, want, timeout=30):
        client = self.server.client()
        return harness.wait_for(
            lambda: (lambda r: r if len(r) >= want else None)(
                harness.read_stream(client, stream, limit=10000)),
            timeout, lambda: f"{want} records in {stream}")

    def test_messages_become_records_with_keys_and_topic_fields(self):
        with harness.dump_output_on_failure(self.server):
            msgs = []
            for i in range(60):
                device = f"dev-{i % 6}"
                payload = json.dumps({"n": i, "value": 20.0 + i / 10}).encode()
                msgs.append((f"sites/site-{i % 3}/sensors/{device}", payload))
            msgs.append(("sites/site-9/sensors/bin-1", b"\x00\x01binary"))  # stored as-is
            publish(self.broker, msgs)
            records = self.wait_records(STREAM, len(msgs))
            self.assertEqual(len(records), len(msgs))  # nothing duplicated on a clean run
            seen = {}
            for r in records:
                if r["PartitionKey"] == "bin-1":
                    self.assertEqual(r["Data"], b"\x00\x01binary")
                    continue
                doc = json.loads(r["Data"])
                seen[doc["n"]] = (r["PartitionKey"], doc)
            self.assertEqual(sorted(seen), list(range(60)))
            for n, (key, doc) in seen.items():
                self.assertEqual(key, f"dev-{n % 6}")           # topic[3]
                self.assertEqual(doc["site"], f"site-{n % 3}")  # topic level 1 added
                self.assertAlmostEqual(doc["value"], 20.0 + n / 10)

    def test_unmappable_message_is_acked_and_dead_lettered(self):
        with harness.dump_output_on_failure(self.server):
            publish(self.broker, [
                ("raw/a", json.dumps({"device_id": "d-1", "v": 1}).encode()),
                ("raw/b", json.dumps({"v": 2}).encode()),  # no device_id
                ("raw/c", b"not json"),
                ("raw/d", json.dumps({"device_id": "d-2", "v": 3}).encode()),
            ])
            records = self.wait_records(RAW_STREAM, 2)
            self.assertEqual(sorted(r["PartitionKey"] for r in records), ["d-1", "d-2"])
            path = os.path.join(self.server.data_dir, "ingest", "mqtt-dead-letters.jsonl")
            lines = harness.wait_for(
                lambda: (lambda l: l if len(l) >= 2 else None)(
                    open(path).read().splitlines() if os.path.exists(path) else []),
                10, "two dead letters")
            letters = [json.loads(line) for line in lines]
            self.assertEqual([d["topic"] for d in letters], ["raw/b", "raw/c"])
            self.assertIn("no field 'device_id'", letters[0]["reason"])
            self.assertIn("not a JSON object", letters[1]["reason"])
            self.assertEqual(base64.b64decode(letters[1]["payload_base64"]), b"not json")
            self.assertEqual(letters[0]["stream"], RAW_STREAM)

    def check_restart(self, stop):
        """Publishes while fluxgate is down (stopped by `stop`); all must arrive."""
        with harness.dump_output_on_failure(self.server):
            before = [(f"sites/s/sensors/d{i % 4}", json.dumps({"n": i}).encode())
                      for i in range(100)]
            publish(self.broker, before)
            self.wait_records(STREAM, 100)
            stop()
            during = [(f"sites/s/sensors/d{i % 4}", json.dumps({"n": i}).encode())
                      for i in range(100, 400)]
            publish(self.broker, during)  # the broker queues them for fluxgate's session
            self.server.start()
            self.wait_connected(2, run=self.server.runs)
            self.assertIn("resuming the stored session", self.server.stderr())
            records = self.wait_records(STREAM, 400)
            got = {json.loads(r["Data"])["n"] for r in records}
            self.assertEqual(got, set(range(400)), "messages lost across the restart")

    def test_messages_published_while_stopped_arrive_after_restart(self):
        self.check_restart(self.server.stop)

    def test_messages_published_while_killed_arrive_after_restart(self):
        self.check_restart(self.server.kill9)

    def test_reconnects_after_broker_restart(self):
        with harness.dump_output_on_failure(self.server):
            publish(self.broker, [("sites/s/sensors/a", b'{"n":0}')])
            self.wait_records(STREAM, 1)
            self.broker.stop()
            harness.wait_for(lambda: "connection lost" in self.server.stderr(), 20,
                             "fluxgate noticing the broker is gone")
            self.broker.start()
            self.wait_connected(4)  # both entries connected again
            publish(self.broker, [("sites/s/sensors/a", b'{"n":1}')])
            records = self.wait_records(STREAM, 2)
            self.assertEqual({json.loads(r["Data"])["n"] for r in records}, {0, 1})


if __name__ == "__main__":
    harness.main()
