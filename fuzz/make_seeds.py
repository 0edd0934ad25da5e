#!/usr/bin/python3
"""Regenerates the seed corpora in fuzz/corpus/ (except segment/log-*.seg, a segment the
log wrote: `fluxgate simulate --endpoint ...` into a fresh server, file copied as is).

Run from the repository root with Debian's python3 (python3-cbor2, python3-botocore):
    /usr/bin/python3 fuzz/make_seeds.py
Deterministic: the same files every time, so rerunning shows no diff.
"""
import base64
import hashlib
import json
import os
import struct
import sys

import cbor2
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def write(name, index, data):
    d = os.path.join(ROOT, name)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, "seed-%02d" % index), "wb") as f:
        f.write(data)


RECORD = {"device_id": "sensor-0001", "timestamp": "2026-11-25T19:05:00.123456Z",
          "sensor_type": "temperature", "value": 22.5, "unit": "°C",
          "location": "factory-floor-1"}

# --- Kinesis JSON requests ---------------------------------------------------------------
def b64(s):
    return base64.b64encode(s.encode() if isinstance(s, str) else s).decode()


KINESIS_JSON = [
    {"StreamName": "iot-telemetry", "ShardCount": 4},
    {"StreamName": "iot-telemetry", "StreamModeDetails": {"StreamMode": "ON_DEMAND"}},
    {"StreamName": "iot-telemetry", "Data": b64(json.dumps(RECORD)), "PartitionKey": "sensor-0001"},
    {"StreamName": "iot-telemetry", "Records": [
        {"Data": b64(json.dumps(RECORD)), "PartitionKey": "sensor-0001"},
        {"Data": b64(b"\x00\xff binary"), "PartitionKey": "k2",
         "ExplicitHashKey": "170141183460469231731687303715884105728"},
        {"Data": "", "PartitionKey": "empty"}]},
    {"StreamARN": "arn:aws:kinesis:us-east-1:000000000000:stream/iot-telemetry",
     "ShardId": "shardId-000000000000", "ShardIteratorType": "AT_TIMESTAMP",
     "Timestamp": 1764097500.123},
    {"StreamName": "s", "ShardId": "shardId-000000000001",
     "ShardIteratorType": "AFTER_SEQUENCE_NUMBER",
     "StartingSequenceNumber": "49590338271490256608559692538361571095921575989136588898"},
    {"ShardIterator": "AAAAAAAAAAH", "Limit": 10000},
    {"StreamName": "s", "Tags": {"env": "prod", "team": "iot"}},
    {"StreamName": "s", "TagKeys": ["env", "team"], "Limit": 1.5e2},
    {"StreamName": "s", "ShardFilter": {"Type": "FROM_TIMESTAMP", "Timestamp": 1.7e9},
     "ExclusiveStartShardId": None, "EnforceConsumerDeletion": True},
]
for i, req in enumerate(KINESIS_JSON):
    write("kinesis_json", i, json.dumps(req, ensure_ascii=False))
write("kinesis_json", len(KINESIS_JSON), "")
write("kinesis_json", len(KINESIS_JSON) + 1, '{"StreamName": 7, "Limit": "x", "Records": {}}')

# --- CBOR requests (what the AWS Java SDK sends) ------------------------------------------
CBOR = [
    {"StreamName": "iot-telemetry", "Data": json.dumps(RECORD).encode(), "PartitionKey": "p"},
    {"StreamName": "iot-telemetry", "Records": [
        {"Data": b"\x01\x02\x03", "PartitionKey": "a"},
        {"Data": b"", "PartitionKey": "b", "ExplicitHashKey": "0"}]},
    {"StreamName": "s", "ShardId": "shardId-000000000000", "ShardIteratorType": "AT_TIMESTAMP",
     "Timestamp": cbor2.CBORTag(1, 1764097500123)},
    {"ShardIterator": "AAAA", "Limit": 25},
    {"StreamName": "s", "ShardCount": 2, "Ratio": 1.5, "Neg": -17, "Null": None,
     "Flag": True, "Big": 2**64 - 1, "Half": 0.5, "Tagged": cbor2.CBORTag(32, "http://x")},
]
for i, req in enumerate(CBOR):
    write("cbor", i, cbor2.dumps(req))
i = len(CBOR)
# Indefinite-length map, array, text and byte strings; half/single floats; simple values.
write("cbor", i, bytes.fromhex("bf6a53747265616d4e616d656173" "644461746" "15f420102420304ff"
                               "654c696d69749f0102ff" "61547f6161626263ff" "ff")); i += 1
write("cbor", i, bytes.fromhex("a3614af93e00614bfa47c35000614ca3f4f5f6f7e0f820")); i += 1
write("cbor", i, bytes.fromhex("a1617883187b3a000f423f7f6161626263ff")); i += 1
write("cbor", i, bytes.fromhex("a16474696d65c074323031332d30332d32315432303a30343a30305a")); i += 1
write("cbor", i, bytes.fromhex("a1617a9f9f9f9f9f80ffffffffff")); i += 1

# --- SigV4-signed requests (botocore signs them, as boto3 and the AWS CLI do) --------------
class FixedTimeSigV4(SigV4Auth):
    def add_auth(self, request):
        import datetime
        from unittest import mock
        with mock.patch("botocore.auth.datetime") as dt:
            dt.datetime.utcnow.return_value = datetime.datetime(2015, 8, 30, 12, 36, 0)
            dt.datetime.now.return_value = datetime.datetime(2015, 8, 30, 12, 36, 0)
            dt.timezone = datetime.timezone
            super().add_auth(request)


def signed(service, target, body, extra=None, key="AKIDEXAMPLE",
           secret="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"):
    headers = {"Host": "localhost:4567",
               "Content-Type": "application/x-amz-json-1.1"}
    if target:
        headers["X-Amz-Target"] = target
    headers.update(extra or {})
    path = "/" if service == "kinesis" else "/v1/streams/s/records?b=2&a=1"
    req = AWSRequest(method="POST", url="http://localhost:4567" + path, data=body,
                     headers=headers)
    FixedTimeSigV4(Credentials(key, secret), service, "us-east-1").add_auth(req)
    lines = ["POST " + path]
    for k, v in req.headers.items():
        lines.append("%s: %s" % (k, v if isinstance(v, str) else v.decode()))
    return ("\n".join(lines) + "\n\n").encode() + (body if isinstance(body, bytes) else body.encode())


write("sigv4", 0, signed("kinesis", "Kinesis_20131202.ListStreams", "{}"))
write("sigv4", 1, signed("kinesis", "Kinesis_20131202.PutRecord",
                         json.dumps(KINESIS_JSON[2])))
write("sigv4", 2, signed("fluxgate", None, json.dumps(RECORD) + "\n" + json.dumps(RECORD),
                         {"Content-Type": "application/x-ndjson"}))
write("sigv4", 3, signed("kinesis", "Kinesis_20131202.ListStreams", "{}",
                         {"X-Amz-Content-SHA256": hashlib.sha256(b"{}").hexdigest()}))
write("sigv4", 4, signed("kinesis", "Kinesis_20131202.ListStreams", "{}", secret="wrong"))
write("sigv4", 5, signed("kinesis", "Kinesis_20131202.ListStreams", "{}", key="AKIDUNKNOWN"))
write("sigv4", 6, "POST /\nhost: localhost\nx-amz-date: 20150830T123600Z\n"
                  "authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/"
                  "kinesis/aws4_request, SignedHeaders=host;x-amz-date, Signature=00\n\n{}")
write("sigv4", 7, "GET /?X-Amz-Credential=AKIDEXAMPLE%2F20150830&X-Amz-Signature=0\nhost: h\n\n")

# --- MQTT packets (3.1.1) -----------------------------------------------------------------
def varint(n):
    out = bytearray()
    while True:
        b = n % 128
        n //= 128
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def s16(s):
    s = s.encode() if isinstance(s, str) else s
    return struct.pack(">H", len(s)) + s


def packet(first, body):
    return bytes([first]) + varint(len(body)) + body


def connect(client_id, user=None, password=None, will=None, clean=True, keepalive=30):
    flags = (0x02 if clean else 0)
    payload = s16(client_id)
    if will:
        flags |= 0x04 | (1 << 3) | 0x20
        payload += s16(will[0]) + s16(will[1])
    if user is not None:
        flags |= 0x80
        payload += s16(user)
    if password is not None:
        flags |= 0x40
        payload += s16(password)
    return packet(0x10, s16("MQTT") + bytes([4, flags]) + struct.pack(">H", keepalive) + payload)


def publish(topic, payload, qos=0, packet_id=1, retain=False, dup=False):
    first = 0x30 | (qos << 1) | (1 if retain else 0) | (8 if dup else 0)
    body = s16(topic) + (struct.pack(">H", packet_id) if qos else b"") + payload
    return packet(first, body)


def subscribe(packet_id, filters):
    body = struct.pack(">H", packet_id)
    for f, q in filters:
        body += s16(f) + bytes([q])
    return packet(0x82, body)


rec = json.dumps(RECORD).encode()
MQTT = [
    connect("fluxgate-1", "device", "secret", clean=False),
    connect("c", will=("last/will", b"gone")),
    packet(0x20, b"\x01\x00") + packet(0x20, b"\x00\x05"),
    publish("factory/plant1/line2/sensor-0001", rec, qos=1, packet_id=7),
    publish("sensors/t", b"21.5") + publish("sensors/t", rec, qos=1, packet_id=65535, retain=True),
    packet(0x40, b"\x00\x07") + packet(0xC0, b"") + packet(0xD0, b"") + packet(0xE0, b""),
    subscribe(1, [("factory/+/+/#", 1), ("sensors/#", 0), ("$SYS/#", 0)]),
    packet(0x90, b"\x00\x01\x01\x00\x80"),
    publish("big", b"x" * 200, qos=1, packet_id=2) + publish("a/b", b"", qos=0),
    b"\x30\xff\xff\xff\x7f",
]
for i, p in enumerate(MQTT):
    write("mqtt_codec", i, p)

# Mapper inputs: rule selector byte, topic, LF, payload (fuzz/mqtt_mapper_fuzzer.cc).
MAPPER = [
    (0, "sensors/t1", rec),
    (0, "sensors/t1", b'{"device_id": 42, "v": [1, 2]}'),
    (1, "factory/plant1/line2/sensor-0001", rec),
    (1, "factory/plant1/line2/sensor-0001", b'{"site":"kept","x":{"y":null}}'),
    (2, "a/b/c", b'{"value": 1.5, "ts": "2026-11-25T19:05:00Z", "device_id": "d", "z": 1}'),
    (3, "site/dev", b'{"a": "\\u00e9\\n", "b": 2}'),
    (3, "site/dev", b"not json"),
    (4, "x/b/dev-9", b'{"device_id": true}'),
    (5, "x/q/y", b"raw bytes \x00\xff"),
    (2, "t", b"{}"),
]
for i, (sel, topic, payload) in enumerate(MAPPER):
    write("mqtt_mapper", i, bytes([sel]) + topic.encode() + b"\n" + payload)

# --- JSON records for the runtime decoder (selector byte, then the record) -----------------
DECODER = [
    (0, json.dumps(RECORD)),
    (0, '{"device_id":"d","timestamp":"2026-11-25 19:05:00.123","value":"1e3","count":7,'
        '"total":-9007199254740993,"price":"12.345","big":1.5e10,"ok":"true",'
        '"ts0":"2026-11-25T19:05:00Z","ltz":"2026-11-25T19:05:00.123456789Z",'
        '"nested":{"a":[1,{"b":null}]}}'),
    (0, '[{"device_id":"a","count":1},{"device_id":"b","count":2.9}]'),
    (1, '{"device_id":"only"}'),
    (2, '{"value":"hot","count":1e99,"ok":3}'),
    (2, "not json at all"),
    (0, '{"count": 2147483648, "price": 99999999999, "ts0": "2026-13-01 00:00:00"}'),
    (0, '{"device_id": null, "value": -0.0, "ok": false, "total": 18446744073709551615}'),
    # 3..5: the same option sets, parsed in place (padding readable after the record).
    (3, json.dumps(RECORD)),
    (4, '[{"device_id":"a","timestamp":"2026-11-25T19:05:00Z","value":1,"count":1,'
        '"total":2,"price":3,"big":4,"ok":true,"ts0":"2026-11-25 19:05:00","ltz":"2026-11-25 '
        '19:05:00","nested":[]}]'),
    (5, '{"device_id": "trailing garbage"} }'),
]
for i, (sel, r) in enumerate(DECODER):
    write("json_decoder", i, bytes([sel]) + r.encode())


# --- Segments ---------------------------------------------------------------------------
def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def frame(offset, arrival, key, data):
    payload = struct.pack("<QqH", offset, arrival, len(key)) + key + data
    lenb = struct.pack("<I", len(payload))
    return struct.pack("<I", crc32c(lenb + payload)) + lenb + payload


def segment(base, records):
    out = struct.pack("<IIQ", 0x47534746, 1, base)
    for i, (k, d) in enumerate(records):
        out += frame(base + i, 1764097500000 + i, k, d)
    return out


def index(base, end, size, max_arrival, entries):
    out = struct.pack("<IIQQQqI", 0x58494746, 1, base, end, size, max_arrival, len(entries))
    for off, arr, pos in entries:
        out += struct.pack("<QqQ", off, arr, pos)
    return out + struct.pack("<I", crc32c(out))


seg = segment(0, [(b"sensor-0001", rec), (b"k", b""), (b"", b"x" * 40)])
write("segment", 0, seg)
write("segment", 1, seg[:-7])                          # torn tail
write("segment", 2, seg[:40] + b"\xff" + seg[41:])      # flipped bit in a frame
write("segment", 3, segment(2**64 - 2, [(b"a", b"b"), (b"c", b"d")]))
write("segment", 4, segment(5, []))
write("segment", 5, b"")
write("segment", 6, index(0, 3, len(seg), 1764097500002, [(0, 1764097500000, 16)]))


# --- SQL: the shipped pipeline and every statement of the parser and binder tests ----------
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
pipeline = open(os.path.join(REPO, "pipelines", "iot-analytics.sql")).read()
start = pipeline.index("CREATE TABLE iot_source")
ddl = pipeline[start:pipeline.index(");", start) + 2] + "\n"  # the tables the tests use
sql = [pipeline]
for sub in ("parser", "binder"):
    d = os.path.join(REPO, "tests", "sql", sub)
    for name in sorted(os.listdir(d)):
        block, taking = [], False
        for line in open(os.path.join(d, name)).read().split("\n") + [""]:
            if line.startswith(("statement ", "bind ", "expression ", "type ")):
                taking, block = True, []
            elif taking and (line == "----" or line == ""):
                if block:
                    text = "\n".join(block)
                    sql.append(ddl + text if sub == "binder" and "CREATE TABLE" not in text
                               else text)
                taking = False
            elif taking:
                block.append(line)
for i, text in enumerate(sql):
    write("sql", i, text)
