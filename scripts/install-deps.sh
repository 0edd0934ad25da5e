#!/usr/bin/env bash
# Installs everything fluxgate builds and tests with, from Debian packages only.
# Idempotent: does nothing (and needs no network) when everything is already there.
set -euo pipefail

BUILD_PKGS=(
  build-essential cmake ninja-build ccache pkg-config clang-format
  libsimdjson-dev libboost-dev libcurl4-openssl-dev libssl-dev libfmt-dev libspdlog-dev
  libcli11-dev libtomlplusplus-dev libzstd-dev liblz4-dev libgtest-dev libgmock-dev
  libbenchmark-dev libmosquitto-dev libnats-dev libsnappy-dev zlib1g-dev
)
# The end-to-end tests drive the binary with Debian's boto3 and AWS CLI (and python3-cbor2 for
# the CBOR protocol), the MQTT tests a real Mosquitto broker; the fuzz harnesses (fuzz/) need
# clang and its libFuzzer runtime. Alert delivery is tested against a real SMTP server
# (aiosmtpd), /metrics with prometheus_client's parser, the dashboard in Debian's Chromium.
TEST_PKGS=(python3 python3-boto3 python3-cbor2 awscli mosquitto clang libclang-rt-14-dev
  python3-aiosmtpd python3-prometheus-client python3-paho-mqtt chromium)

want=("${BUILD_PKGS[@]}")
# The dashboard's front end is built with npm at build time. Node may come from elsewhere
# (e.g. NodeSource, which bundles npm); only install Debian's when there is none.
if ! command -v npm >/dev/null; then want+=(nodejs npm); fi
if [[ "${1:-}" == "--test" ]]; then want+=("${TEST_PKGS[@]}"); fi

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "install-deps: all packages present"
fi
