"""The live dashboard (docs/design/dashboard.md) in Debian's headless Chromium, driven by
npm playwright-core (tests/e2e/node/dashboard_check.mjs), against the real binary running
the shipped pipeline while `fluxgate simulate` feeds it:

- the page loads (signing in with [http] bearer_token), the device table fills, the
  throughput chart's canvas changes between two samples, and the server-side search works;
- an anomaly put with boto3 (temperature 120) shows in the alert feed;
- the quality view lists a device that went quiet as stale and one with an invalid record;
- the page makes no request off the machine and throws no script error;
- the token protects the API (401 without it, 200 with it; the CLI sends --token).

Screenshots are saved under <build dir>/test-artifacts/dashboard-*.png and their paths
printed. Every wait is for presence with a generous deadline, never for speed."""

import datetime
import json
import os
import shutil
import subprocess
import time
import unittest

import harness

TOKEN = "e2e-dashboard-token"
NODE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "node")
ANOMALY_DEVICE = "dash-anomaly-1"
STALE_DEVICE = "dash-stale-1"
BAD_DEVICE = "dash-bad-1"

SERVER = None
SIMULATOR = None


def iso(ms):
    return datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def now_ms():
    return int(time.time() * 1000)


def reading(device, value, sensor="temperature"):
    return {"device_id": device, "timestamp": iso(now_ms()), "sensor_type": sensor,
            "value": value, "unit": "C", "location": "plant-e2e"}


def require_tools():
    missing = []
    if not shutil.which("node"):
        missing.append("node (apt-get install nodejs)")
    if not os.path.exists("/usr/bin/chromium"):
        missing.append("/usr/bin/chromium (apt-get install chromium)")
    if not os.path.isdir(os.path.join(NODE_DIR, "node_modules", "playwright-core")):
        missing.append("playwright-core in tests/e2e/node (make test-deps)")
    if missing:
        raise AssertionError("the dashboard test needs: " + ", ".join(missing))


def setUpModule():
    global SERVER, SIMULATOR
    if not harness.have_binary():
        raise unittest.SkipTest("the dashboard is fluxgate's own: needs --binary")
    require_tools()
    SERVER = harness.Server(config_text="", default_pipeline=True)
    with open(SERVER.config_path, "w") as f:
        f.write(f"""
[http]
bearer_token = "{TOKEN}"

[quality]
poll_interval_ms = 100

[[quality.streams]]
stream = "iot-telemetry"
schema = "device_id STRING NOT NULL, timestamp TIMESTAMP(3) NOT NULL, sensor_type STRING NOT NULL, value DOUBLE NOT NULL, unit STRING, location STRING"
on_invalid = "accept"
stale_after = "3s"
[quality.streams.ranges]
temperature = [-40, 125]
""")
    SERVER.start()
    client = SERVER.client()
    harness_wait_stream(client, "iot-telemetry")
    # The device that goes quiet: one reading now, then nothing.
    client.put_record(StreamName="iot-telemetry", PartitionKey=STALE_DEVICE,
                      Data=json.dumps(reading(STALE_DEVICE, 21.5)).encode())
    log = open(os.path.join(SERVER.workdir, "simulate.log"), "w")
    SIMULATOR = subprocess.Popen(
        [SERVER.binary, "simulate", "--endpoint", SERVER.endpoint, "--stream", "iot-telemetry",
         "--devices", "40", "--rate", "80", "--duration", "300", "--anomaly-rate", "0",
         "--batch-size", "20"],
        stdout=log, stderr=subprocess.STDOUT)


def harness_wait_stream(client, name, deadline=60):
    end = time.time() + deadline
    while time.time() < end:
        try:
            if client.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"][
                    "StreamStatus"] == "ACTIVE":
                return
        except Exception:  # not created by the pipeline yet
            pass
        time.sleep(0.2)
    raise AssertionError(f"stream {name} did not become ACTIVE")


def tearDownModule():
    if SIMULATOR and SIMULATOR.poll() is None:
        SIMULATOR.terminate()
        try:
            SIMULATOR.wait(timeout=10)
        except subprocess.TimeoutExpired:
            SIMULATOR.kill()
    if SERVER:
        SERVER.cleanup()


class DashboardTokenTest(unittest.TestCase):
    def get(self, path, headers=None):
        status, hdrs, body = harness.http_request("GET", SERVER.http_base + path, headers=headers)
        return status, hdrs, body

    def test_health_and_the_page_are_open_data_needs_the_token(self):
        self.assertEqual(self.get("/healthz")[0], 200)
        status, hdrs, body = self.get("/")
        self.assertEqual(status, 200)
        self.assertTrue(hdrs["content-type"].startswith("text/html"))
        self.assertIn(b"/app.js", body)
        self.assertNotIn(b"https://", body)  # nothing from a CDN
        for path in ("/v1/streams", "/v1/dashboard/snapshot", "/v1/events", "/v1/quality"):
            status, hdrs, body = self.get(path)
            self.assertEqual(status, 401, f"{path} without the token: {body[:200]}")
            self.assertIn("www-authenticate", hdrs)
            self.assertNotIn(TOKEN.encode(), body)
            self.assertEqual(self.get(path, {"Authorization": "Bearer wrong"})[0], 401)
        status, _, body = self.get("/v1/streams", {"Authorization": f"Bearer {TOKEN}"})
        self.assertEqual(status, 200, body)
        status, _, _ = self.get("/v1/dashboard/devices?limit=5",
                                {"Cookie": f"fluxgate_token={TOKEN}"})
        self.assertEqual(status, 200)
        self.assertNotIn(TOKEN, SERVER.output())  # never logged

    def test_cli_sends_the_token(self):
        cmd = [SERVER.binary, "jobs", "list", "--server", SERVER.http_base]
        env = {k: v for k, v in os.environ.items() if k != "FLUXGATE_TOKEN"}
        refused = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn("FLUXGATE_TOKEN", refused.stderr + refused.stdout)
        ok = subprocess.run(cmd + ["--token", TOKEN], capture_output=True, text=True, env=env,
                            timeout=60)
        self.assertEqual(ok.returncode, 0, ok.stderr)
        self.assertIn("iot-analytics", ok.stdout)
        env["FLUXGATE_TOKEN"] = TOKEN
        ok = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
        self.assertEqual(ok.returncode, 0, ok.stderr)


class DashboardBrowserTest(unittest.TestCase):
    def test_page_charts_alerts_and_quality_in_chromium(self):
        shots = os.path.join(os.path.dirname(SERVER.binary), "test-artifacts")
        os.makedirs(shots, exist_ok=True)
        driver = subprocess.Popen(
            ["node", os.path.join(NODE_DIR, "dashboard_check.mjs"), SERVER.http_base + "/",
             TOKEN, shots, ANOMALY_DEVICE, STALE_DEVICE, BAD_DEVICE],
            cwd=NODE_DIR, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True)
        events = []
        try:
            def read_until(name):
                for line in driver.stdout:
                    ev = json.loads(line)
                    events.append(ev)
                    if ev["event"] == "screenshot":
                        print(f"screenshot: {ev['path']}")
                    if ev["event"] == "error":
                        self.fail(f"browser check failed: {ev['message']}\nevents: {events}")
                    if ev["event"] == name:
                        return ev
                self.fail(f"browser check ended before '{name}': {driver.stderr.read()}\n"
                          f"events: {events}")

            read_until("ready")
            self.assertTrue(any(e["event"] == "devices" and e["rows"] > 0 for e in events))
            moved = next(e for e in events if e["event"] == "chart_moved")
            self.assertGreater(moved["seq_after"], moved["seq_before"])

            # The anomaly the shipped pipeline raises on 'iot-alerts', a record breaking the
            # schema, and the quiet device has been quiet for longer than stale_after.
            client = SERVER.client()
            client.put_record(StreamName="iot-telemetry", PartitionKey=ANOMALY_DEVICE,
                              Data=json.dumps(reading(ANOMALY_DEVICE, 120.0)).encode())
            bad = reading(BAD_DEVICE, 20.0)
            bad["value"] = "hot"
            client.put_record(StreamName="iot-telemetry", PartitionKey=BAD_DEVICE,
                              Data=json.dumps(bad).encode())
            driver.stdin.write("go\n")
            driver.stdin.flush()

            alert = read_until("alert")
            self.assertIn(ANOMALY_DEVICE, alert["text"])
            read_until("quality")
            done = read_until("done")
            self.assertEqual(done["external_requests"], [], "the page must work offline")
            self.assertEqual(done["page_errors"], [])
            self.assertEqual(driver.wait(timeout=60), 0)
        finally:
            if driver.poll() is None:
                driver.kill()
                driver.wait()
        shots_taken = [e["path"] for e in events if e["event"] == "screenshot"]
        self.assertGreaterEqual(len(shots_taken), 4)
        for p in shots_taken:
            self.assertTrue(os.path.getsize(p) > 0, p)


if __name__ == "__main__":
    harness.main()
