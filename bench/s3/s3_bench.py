#!/usr/bin/python3
"""S3 upload throughput of fluxgate's S3 back end against s3rver (see bench/README.md,
"S3 upload benchmark").

Starts s3rver (tests/e2e/node) on 127.0.0.1 with a temp directory, then uploads objects of
several sizes with `fluxgate store put`, once as a single PutObject (--single) and once as
a staged multipart upload (--multipart: CreateMultipartUpload, 8 MiB UploadParts,
CompleteMultipartUpload — the sinks' path). The figure is the one `store put` prints: bytes
over the wall time of the upload calls alone (process start and reading the file are not
counted). Every object is read back with boto3 and compared, so a fast wrong upload cannot
score. Prints the machine first.

    /usr/bin/python3 bench/s3/s3_bench.py --binary build/fluxgate [--sizes 1,8,64] [--runs 3]
"""

import argparse
import hashlib
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import boto3
from botocore.config import Config

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
S3RVER = os.path.join(ROOT, "tests", "e2e", "node", "node_modules", ".bin", "s3rver")
KEY = "S3RVER"
BUCKET = "bench"


def machine():
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    load = os.getloadavg()
    return (f"{model}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}, "
            f"load {load[0]:.1f}/{load[1]:.1f}/{load[2]:.1f}; "
            f"node {subprocess.run(['node', '--version'], capture_output=True, text=True).stdout.strip()}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--sizes", default="1,8,32,64", help="object sizes in MiB")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    if not os.path.exists(S3RVER):
        sys.exit(f"s3rver not installed at {S3RVER}: run `make test-deps`")

    work = tempfile.mkdtemp(prefix="fg-s3-bench-")
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    log = open(os.path.join(work, "s3rver.log"), "wb")
    proc = subprocess.Popen([S3RVER, "-d", os.path.join(work, "data"), "-a", "127.0.0.1",
                             "-p", str(port), "--silent"], stdout=log, stderr=subprocess.STDOUT)
    try:
        s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                          aws_access_key_id=KEY, aws_secret_access_key=KEY,
                          config=Config(s3={"addressing_style": "path"}))
        for _ in range(150):
            try:
                s3.create_bucket(Bucket=BUCKET)
                break
            except Exception:
                time.sleep(0.2)
        cfg = os.path.join(work, "fluxgate.toml")
        with open(cfg, "w") as f:
            f.write(f'[store.s3]\nendpoint = "{endpoint}"\nregion = "us-east-1"\n'
                    f'access_key_id = "{KEY}"\nsecret_access_key = "{KEY}"\npath_style = true\n')
        print(f"machine: {machine()}")
        print(f"peer: s3rver on {endpoint} (data dir on {work}); {args.runs} runs, median")
        print(f"{'size':>8} {'mode':>10} {'MB/s':>8} {'min':>8} {'max':>8}")
        for mib in [int(x) for x in args.sizes.split(",")]:
            path = os.path.join(work, f"obj-{mib}")
            seed = hashlib.sha256(str(mib).encode()).digest()
            with open(path, "wb") as f:
                for i in range(mib * 1024):
                    f.write((seed * 32)[:1016] + i.to_bytes(8, "big"))
            with open(path, "rb") as f:
                data = f.read()
            for mode in ("--single", "--multipart"):
                rates = []
                for run in range(args.runs):
                    key = f"b/{mib}{mode}-{run}"
                    p = subprocess.run([args.binary, "store", "put", "--config", cfg, path,
                                        f"s3://{BUCKET}/{key}", mode],
                                       capture_output=True, text=True, timeout=600)
                    if p.returncode != 0:
                        sys.exit(f"store put failed: {p.stderr}")
                    m = re.search(r"\(([0-9.]+) MB/s", p.stderr)
                    rates.append(float(m.group(1)))
                    if s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() != data:
                        sys.exit(f"object {key} read back differs")
                    s3.delete_object(Bucket=BUCKET, Key=key)
                print(f"{mib:>5}MiB {mode[2:]:>10} {statistics.median(rates):>8.1f} "
                      f"{min(rates):>8.1f} {max(rates):>8.1f}")
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
