#!/usr/bin/env node
// Starts kinesis-local (kinesis-mock compiled to JS) with its plain HTTP port on
// 127.0.0.1:PORT for bench/run-ingest.sh.
// Usage: node start-kinesis-local.js PORT [TLS_PORT]
// Prints one line "kinesis-local pid=<pid> port=<port> tls_port=<port>"; stop it by that PID.
//
// kinesis-local binds 0.0.0.0 and has no setting for the host, so at run time this script
// copies its main.js (and the server.json certificate beside it) into a temporary directory
// with the host literal replaced by 127.0.0.1, then loads that copy in this same process.
// The copy is removed on exit; nothing patched is ever kept in the repository.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');

const port = Number(process.argv[2] || 4568);
const tlsPort = Number(process.argv[3] || port + 1);
for (const p of [port, tlsPort]) {
  if (!Number.isInteger(p) || p <= 0 || p > 65535) {
    console.error(`start-kinesis-local: bad port ${p}`);
    process.exit(2);
  }
}

const pkgDir = path.dirname(require.resolve('kinesis-local/package.json'));
const source = fs.readFileSync(path.join(pkgDir, 'main.js'), 'utf8');
const needle = '"0.0.0.0"';
const hits = source.split(needle).length - 1;
if (hits !== 1) {
  console.error(`start-kinesis-local: expected exactly one ${needle} in kinesis-local's main.js, ` +
                `found ${hits}; the package layout changed, update this script`);
  process.exit(1);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fluxgate-kinesis-local-'));
const cleanup = () => fs.rmSync(dir, {recursive: true, force: true});
process.on('exit', cleanup);
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));

fs.writeFileSync(path.join(dir, 'main.js'), source.replace(needle, '"127.0.0.1"'));
fs.copyFileSync(path.join(pkgDir, 'server.json'), path.join(dir, 'server.json'));

process.env.KINESIS_MOCK_PLAIN_PORT = String(port);
process.env.KINESIS_MOCK_TLS_PORT = String(tlsPort);
process.env.CREATE_STREAM_DURATION = process.env.CREATE_STREAM_DURATION || '50ms';
process.env.DELETE_STREAM_DURATION = process.env.DELETE_STREAM_DURATION || '50ms';
process.env.LOG_LEVEL = process.env.LOG_LEVEL || 'ERROR';
// kinesis-local reads server.json relative to the working directory.
process.chdir(dir);
console.log(`kinesis-local pid=${process.pid} port=${port} tls_port=${tlsPort}`);
require(path.join(dir, 'main.js'));
