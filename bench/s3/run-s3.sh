#!/bin/sh
# S3 upload benchmark against s3rver (bench/README.md, "S3 upload benchmark").
# Usage: bench/s3/run-s3.sh [BUILD_DIR] [extra s3_bench.py args]
set -e
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build}
[ $# -gt 0 ] && shift
exec /usr/bin/python3 "$here/s3_bench.py" --binary "$build/fluxgate" "$@"
