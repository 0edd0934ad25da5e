"""Alert delivery end to end (docs/design/alerts.md): a pipeline with an 'alert' sink, fed
over the Kinesis API, delivers to a real webhook receiver (which verifies the HMAC
signature), a real SMTP server (aiosmtpd, with STARTTLS and AUTH), Mosquitto (subscribed
with paho-mqtt) and a JSON Lines file; a filter policy keeps warnings out of the e-mail; a
receiver that fails on purpose sends its alert to the dead letters (listed by the CLI and
kept across a restart); repeats of one device fold into one summary with a count;
subscriptions added with `fluxgate alerts subscribe` survive a restart; and alerts
published while the receiver is down survive `kill -9` and arrive after the restart with
the same ids."""

import hashlib
import hmac
import http.server
import json
import os
import shutil
import socket
import ssl
import subprocess
import threading
import time
import unittest

import harness

TOPIC = "iot-alerts"
STREAM = "alerts-e2e"
JOB = "alerts-e2e"
SMTP_USER = "fluxgate"
SMTP_PASSWORD = "smtp-pass-123"
HOOK_SECRET = "hook-secret-456"
COOLDOWN_MS = 2500

PIPELINE = f"""
SET 'pipeline.name' = '{JOB}';
CREATE TABLE src (
  device_id STRING, `timestamp` TIMESTAMP(3), sensor_type STRING, `value` DOUBLE,
  unit STRING, location STRING,
  WATERMARK FOR `timestamp` AS `timestamp` - INTERVAL '5' SECOND
) WITH ('connector' = 'kinesis', 'stream' = '{STREAM}', 'format' = 'json', 'shards' = '1',
        'scan.stream.initpos' = 'TRIM_HORIZON');
CREATE TABLE iot_alerts (
  device_id STRING, sensor_type STRING, `value` DOUBLE, unit STRING, location STRING,
  `timestamp` TIMESTAMP(3), severity STRING, subject STRING
) WITH ('connector' = 'alert', 'topic' = '{TOPIC}',
        'message.template' = 'ALERT: Anomaly detected in {{sensor_type}} sensor {{device_id}}. Value: {{value}} {{unit}}');
INSERT INTO iot_alerts
SELECT device_id, sensor_type, `value`, unit, location, `timestamp`,
       CASE WHEN `value` > 120 THEN 'critical' ELSE 'warning' END, 'IoT Sensor Anomaly Alert'
FROM src WHERE `value` > 80;
"""


# --------------------------------------------------------------------------- receivers

class Webhook:
    """A webhook receiver on a fixed loopback port: records every POST with its headers,
    checks the X-Fluxgate-Signature (when it has a secret) and answers `status`. stop() and
    start() keep the port, so a restart looks like the same receiver coming back."""

    def __init__(self, secret=None, status=200):
        self.secret = secret
        self.status = status
        self.port = harness.free_port()
        self.lock = threading.Lock()
        self.requests = []     # dicts: headers, body, doc, signature_ok
        self.httpd = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/hook?token=url-token"

    def start(self):
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                headers = {k.lower(): v for k, v in self.headers.items()}
                ok = None
                if outer.secret:
                    ts = headers.get("x-fluxgate-timestamp", "")
                    want = "v1=" + hmac.new(outer.secret.encode(), ts.encode() + b"." + body,
                                            hashlib.sha256).hexdigest()
                    fresh = ts.isdigit() and abs(time.time() - int(ts)) < 300
                    ok = fresh and hmac.compare_digest(want,
                                                       headers.get("x-fluxgate-signature", ""))
                with outer.lock:
                    outer.requests.append({"headers": headers, "body": body,
                                           "doc": json.loads(body), "signature_ok": ok,
                                           "path": self.path})
                status = outer.status if ok is not False else 401
                self.send_response(status)
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self.httpd:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None

    def docs(self):
        with self.lock:
            return [r["doc"] for r in self.requests]

    def all(self):
        with self.lock:
            return list(self.requests)


class Smtp:
    """aiosmtpd on a loopback port requiring STARTTLS (a self-signed certificate for
    127.0.0.1, generated here) and AUTH with SMTP_USER / SMTP_PASSWORD."""

    def __init__(self, workdir):
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult

        self.cert = os.path.join(workdir, "smtp-cert.pem")
        key = os.path.join(workdir, "smtp-key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-keyout", key, "-out", self.cert, "-subj", "/CN=127.0.0.1",
                        "-addext", "subjectAltName=IP:127.0.0.1"],
                       check=True, capture_output=True)
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(self.cert, key)
        self.messages = []
        self.auth_ok = []
        outer = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                outer.messages.append({"from": envelope.mail_from, "to": envelope.rcpt_tos,
                                       "data": envelope.content.decode("utf-8", "replace"),
                                       "tls": session.ssl is not None})
                return "250 OK"

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (auth_data.login == SMTP_USER.encode() and
                  auth_data.password == SMTP_PASSWORD.encode())
            outer.auth_ok.append((mechanism, ok))
            return AuthResult(success=ok)

        self.port = harness.free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port,
                                     tls_context=ctx, require_starttls=True,
                                     authenticator=authenticator, auth_require_tls=True)
        self.controller.start()

    def stop(self):
        self.controller.stop()


class Mosquitto:
    """A mosquitto broker on a free loopback port, and a paho-mqtt subscriber to `topic`."""

    def __init__(self, workdir, topic):
        import paho.mqtt.client as mqtt

        binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        if not os.path.exists(binary):
            raise AssertionError("mosquitto is not installed (apt-get install mosquitto)")
        self.port = harness.free_port()
        conf = os.path.join(workdir, "mosquitto.conf")
        with open(conf, "w") as f:
            f.write(f"listener {self.port} 127.0.0.1\nallow_anonymous true\n")
        self.log = open(os.path.join(workdir, "mosquitto.log"), "wb")
        self.proc = subprocess.Popen([binary, "-c", conf], stdout=self.log, stderr=self.log)
        harness.wait_for(lambda: _port_open(self.port), 10, "mosquitto listening")
        self.messages = []
        self.lock = threading.Lock()
        try:
            self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION1, client_id="e2e-sub")
        except AttributeError:  # paho-mqtt 1.x
            self.client = mqtt.Client(client_id="e2e-sub")
        subscribed = threading.Event()

        def on_message(client, userdata, msg):
            with self.lock:
                self.messages.append((msg.topic, msg.qos, json.loads(msg.payload)))

        self.client.on_message = on_message
        self.client.on_subscribe = lambda *a: subscribed.set()
        self.client.on_connect = lambda c, *a: c.subscribe(topic, qos=1)
        self.client.connect("127.0.0.1", self.port)
        self.client.loop_start()
        if not subscribed.wait(10):
            raise AssertionError("paho-mqtt could not subscribe to mosquitto")

    def docs(self):
        with self.lock:
            return list(self.messages)

    def stop(self):
        self.client.loop_stop()
        self.client.disconnect()
        self.proc.terminate()
        self.proc.wait(10)
        self.log.close()


def _port_open(port):
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def cli(server, *args, check=True):
    return harness.run_fluxgate("alerts", *args, "--server", server.http_base, check=check)


def record(device, value, sensor="temperature", location="plant-a", ts_ms=None):
    ts_ms = ts_ms or int(time.time() * 1000)
    return {"device_id": device, "timestamp": harness.ms_to_iso(ts_ms), "sensor_type": sensor,
            "value": value, "unit": "C", "location": location}


# --------------------------------------------------------------------------- the tests

SERVER = None
HOOK = FLAKY = SMTP = MQTT = None
FILE_PATH = None


def setUpModule():
    global SERVER, HOOK, FLAKY, SMTP, MQTT, FILE_PATH
    if not harness.have_binary():
        raise unittest.SkipTest("alert delivery is fluxgate's own: needs --binary")
    SERVER = harness.Server(config_text="")
    work = SERVER.workdir
    HOOK = Webhook(secret=HOOK_SECRET).start()
    FLAKY = Webhook(status=500).start()
    SMTP = Smtp(work)
    MQTT = Mosquitto(work, "fluxgate/alerts")
    FILE_PATH = os.path.join(work, "alerts.jsonl")
    pipeline = os.path.join(work, "alerts.sql")
    with open(pipeline, "w") as f:
        f.write(PIPELINE)
    with open(SERVER.config_path, "w") as f:
        f.write(f"""
[kinesis]
create_delay_ms = 50

[alerts]
max_attempts = 3
initial_backoff_ms = 20
max_backoff_ms = 100
cooldown_ms = {COOLDOWN_MS}

[alerts.smtp]
host = "127.0.0.1"
port = {SMTP.port}
from = "fluxgate@example.com"
starttls = true
username = "{SMTP_USER}"
password = "{SMTP_PASSWORD}"
ca_file = "{SMTP.cert}"

[[alerts.subscriptions]]
topic = "{TOPIC}"
kind = "webhook"
url = "{HOOK.url}"
secret = "{HOOK_SECRET}"

[[alerts.subscriptions]]
topic = "{TOPIC}"
kind = "file"
path = "{FILE_PATH}"

[[alerts.subscriptions]]
topic = "{TOPIC}"
kind = "email"
address = "ops@example.com"
filter = {{ severity = ["critical"] }}

[[alerts.subscriptions]]
topic = "{TOPIC}"
kind = "mqtt"
url = "mqtt://127.0.0.1:{MQTT.port}/fluxgate/alerts"

[[alerts.subscriptions]]
topic = "flaky"
kind = "webhook"
url = "{FLAKY.url}"
""")
    SERVER.extra_args += ["--pipeline", pipeline]
    SERVER.start()
    harness.wait_for(lambda: (harness.job_status(SERVER, JOB) or {}).get("state") == "RUNNING",
                     30, lambda: f"job RUNNING: {harness.job_status(SERVER, JOB)}")
    harness.wait_active(SERVER.client(), STREAM)


def tearDownModule():
    for thing in (MQTT, SMTP, HOOK, FLAKY):
        if thing:
            try:
                thing.stop()
            except Exception:  # noqa: BLE001 - best effort cleanup
                pass
    if SERVER:
        SERVER.cleanup()


def put(records):
    client = SERVER.client()
    resp = client.put_records(StreamName=STREAM, Records=[
        {"Data": json.dumps(r).encode(), "PartitionKey": r["device_id"]} for r in records])
    assert resp["FailedRecordCount"] == 0, resp


def docs_for(docs, device):
    return [d for d in docs if d["attributes"].get("device_id") == device]


class AlertDeliveryTest(unittest.TestCase):

    def test_1_every_channel_receives_the_alert(self):
        put([record("dev-warm", 95.0), record("dev-hot", 130.5, location="plant-b"),
             record("dev-cool", 20.0)])
        hook = harness.wait_for(lambda: len(docs_for(HOOK.docs(), "dev-hot")) >= 1 and
                                len(docs_for(HOOK.docs(), "dev-warm")) >= 1 and HOOK.all(),
                                30, "webhook alerts for dev-warm and dev-hot")
        hot = docs_for([r["doc"] for r in hook], "dev-hot")[0]
        self.assertEqual(hot["topic"], TOPIC)
        self.assertEqual(hot["severity"], "critical")
        self.assertEqual(hot["message"], "ALERT: Anomaly detected in temperature sensor dev-hot. "
                                         "Value: 130.5 C")
        self.assertEqual(len(hot["id"]), 32)
        self.assertEqual(docs_for(HOOK.docs(), "dev-cool"), [])
        for r in hook:
            self.assertTrue(r["signature_ok"], f"bad HMAC signature: {r['headers']}")
            self.assertEqual(r["headers"]["x-fluxgate-alert-id"], r["doc"]["id"])
            self.assertEqual(r["path"], "/hook?token=url-token")

        # File: one JSON line per alert, the same documents.
        def file_docs():
            try:
                with open(FILE_PATH) as f:
                    return [json.loads(line) for line in f]
            except FileNotFoundError:
                return []
        harness.wait_for(lambda: len(docs_for(file_docs(), "dev-hot")) == 1, 30, "file alert")
        self.assertEqual(docs_for(file_docs(), "dev-hot")[0]["id"], hot["id"])

        # MQTT: QoS 1 on the subscription's topic.
        msgs = harness.wait_for(
            lambda: [m for m in MQTT.docs() if m[2]["attributes"].get("device_id") == "dev-hot"],
            30, "MQTT alert for dev-hot")
        topic, qos, doc = msgs[0]
        self.assertEqual(topic, "fluxgate/alerts")
        self.assertEqual(qos, 1)
        self.assertEqual(doc["id"], hot["id"])

        # E-mail over STARTTLS + AUTH; the filter policy lets only the critical one through.
        mail = harness.wait_for(lambda: [m for m in SMTP.messages if "dev-hot" in m["data"]],
                                30, "e-mail for dev-hot")[0]
        self.assertTrue(mail["tls"])
        self.assertIn(("PLAIN", True), SMTP.auth_ok)
        self.assertEqual(mail["to"], ["ops@example.com"])
        self.assertEqual(mail["from"], "fluxgate@example.com")
        self.assertIn("Subject: IoT Sensor Anomaly Alert", mail["data"])
        self.assertIn(f"X-Fluxgate-Alert-Id: {hot['id']}", mail["data"])
        time.sleep(1)  # the warning went to the other channels by now; it must not be mailed
        self.assertFalse([m for m in SMTP.messages if "dev-warm" in m["data"]],
                         "the warning passed the e-mail's severity filter")
        self.assertNotIn(SMTP_PASSWORD, SERVER.output())
        self.assertNotIn(HOOK_SECRET, SERVER.output())
        self.assertNotIn("url-token", SERVER.output())

    def test_2_failing_receiver_ends_in_the_dead_letters(self):
        out = cli(SERVER, "test", "flaky", "--message", "does this page anyone?").stdout
        alert_id = out.split()[2]
        self.assertEqual(len(alert_id), 32, out)
        harness.wait_for(lambda: len(FLAKY.all()) >= 3, 30, "3 attempts at the failing receiver")
        self.assertTrue(all(r["doc"]["id"] == alert_id for r in FLAKY.all()))

        def dead():
            status, doc = harness.http_json("GET", f"{SERVER.http_base}/v1/alerts/dead-letters")
            return [d for d in doc["dead_letters"] if d["alert"]["id"] == alert_id]
        entry = harness.wait_for(dead, 30, "the dead letter")[0]
        self.assertEqual(entry["attempts"], 3)
        self.assertIn("HTTP 500", entry["error"])
        self.assertEqual(entry["topic"], "flaky")
        self.assertNotIn("url-token", json.dumps(entry))
        table = cli(SERVER, "dead-letters").stdout
        self.assertIn(alert_id, table)
        self.assertIn("HTTP 500", table)
        self.assertEqual(len(FLAKY.all()), 3, "retried past max_attempts")
        status, stats = harness.http_json("GET", f"{SERVER.http_base}/v1/alerts/stats")
        self.assertGreaterEqual(stats["failed"], 1)
        self.assertGreaterEqual(stats["retried"], 2)

    def test_3_repeats_of_one_device_fold_into_a_summary(self):
        now = int(time.time() * 1000)
        put([record("dev-stuck", 90.0 + i, ts_ms=now + i) for i in range(20)])
        first = harness.wait_for(lambda: docs_for(HOOK.docs(), "dev-stuck"), 30,
                                 "the first alert of the stuck sensor")
        self.assertNotIn("count", first[0])
        docs = harness.wait_for(lambda: len(docs_for(HOOK.docs(), "dev-stuck")) >= 2 and
                                docs_for(HOOK.docs(), "dev-stuck"),
                                COOLDOWN_MS / 1000 + 30, "the cooldown summary")
        summary = docs[1]
        self.assertEqual(summary["count"], 19)
        self.assertEqual(summary["attributes"]["value"], 109.0)  # the last repeat
        self.assertIn("first_time", summary)
        time.sleep(COOLDOWN_MS / 1000 + 0.5)
        self.assertEqual(len(docs_for(HOOK.docs(), "dev-stuck")), 2, "more than one summary")
        status, stats = harness.http_json("GET", f"{SERVER.http_base}/v1/alerts/stats")
        self.assertGreaterEqual(stats["folded"], 19)

    def test_4_cli_subscriptions_survive_a_restart(self):
        path = os.path.join(SERVER.workdir, "cli-sub.jsonl")
        out = cli(SERVER, "subscribe", TOPIC, "--file", path, "--filter",
                  '{"device_id": [{"prefix": "cli-"}]}').stdout
        sub_id = out.split()[1].rstrip(":")
        self.assertTrue(sub_id.startswith("sub-"), out)
        bad = cli(SERVER, "subscribe", TOPIC, "--file", path, "--filter", "{nope", check=False)
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn("filter", bad.stderr)
        self.assertIn(sub_id, cli(SERVER, "subscriptions").stdout)
        self.assertIn(TOPIC, cli(SERVER, "topics").stdout)
        SERVER.restart()
        listing = cli(SERVER, "subscriptions").stdout
        self.assertIn(sub_id, listing)
        self.assertIn('"prefix":"cli-"', listing)
        put([record("cli-1", 99.0), record("other-1", 99.0)])
        lines = harness.wait_for(lambda: os.path.exists(path) and open(path).read().splitlines(),
                                 30, "the CLI subscription's alert")
        time.sleep(1)
        lines = open(path).read().splitlines()
        self.assertEqual(len(lines), 1, lines)
        self.assertEqual(json.loads(lines[0])["attributes"]["device_id"], "cli-1")
        # The dead letter of test 2 is still listed after the restart.
        self.assertIn("HTTP 500", cli(SERVER, "dead-letters").stdout)
        cli(SERVER, "unsubscribe", sub_id)
        self.assertNotIn(sub_id, cli(SERVER, "subscriptions").stdout)
        missing = cli(SERVER, "unsubscribe", sub_id, check=False)
        self.assertNotEqual(missing.returncode, 0)


class OutboxKill9Test(unittest.TestCase):
    """Alerts published while the receiver is down survive kill -9 of the server."""

    def test_alerts_survive_kill9_with_stable_ids(self):
        hook = Webhook()
        server = harness.Server(config_text=f"""
[alerts]
max_attempts = 100
initial_backoff_ms = 50
max_backoff_ms = 200

[[alerts.subscriptions]]
topic = "ops"
kind = "webhook"
url = "{hook.url}"
""")
        try:
            server.start()
            ids = []
            for i in range(5):   # the receiver is not running: every attempt fails
                out = harness.run_fluxgate("alerts", "test", "ops", "--message", f"alert {i}",
                                           "--server", server.http_base, check=True).stdout
                ids.append(out.split()[2])
            _, stats = harness.http_json("GET", f"{server.http_base}/v1/alerts/stats")
            self.assertEqual(stats["outbox_pending"], 5, stats)
            server.kill9()
            hook.start()
            server.start()
            got = harness.wait_for(lambda: {d["id"] for d in hook.docs()} >= set(ids) and
                                   hook.docs(), 30,
                                   lambda: f"all 5 alerts after the restart; have {hook.docs()}")
            self.assertEqual({d["id"] for d in got}, set(ids))
            for r in hook.all():
                self.assertEqual(r["headers"]["x-fluxgate-alert-id"], r["doc"]["id"])
            self.assertEqual(sorted(d["message"] for d in got if d["id"] in ids)[:5],
                             [f"alert {i}" for i in range(5)])
            _, stats = harness.http_json("GET", f"{server.http_base}/v1/alerts/stats")
            self.assertEqual(stats["replayed"], 5, stats)
            harness.wait_for(lambda: harness.http_json(
                "GET", f"{server.http_base}/v1/alerts/stats")[1]["outbox_pending"] == 0, 30,
                "the outbox to empty")
        finally:
            hook.stop()
            server.cleanup()


if __name__ == "__main__":
    harness.main()
