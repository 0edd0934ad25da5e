#!/usr/bin/env node
// Starts kinesalite (in memory) on 127.0.0.1:PORT for bench/run-ingest.sh.
// Usage: node start-kinesalite.js PORT
// Prints one line "kinesalite pid=<pid> port=<port>" once it listens; stop it by that PID.
// Its own CLI binds every interface, hence these few lines instead.
'use strict';

const port = Number(process.argv[2] || 4567);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error(`start-kinesalite: bad port ${process.argv[2]}`);
  process.exit(2);
}

const kinesalite = require('kinesalite');
const server = kinesalite({createStreamMs: 50, deleteStreamMs: 50, updateStreamMs: 50});
server.on('error', (err) => {
  console.error(`start-kinesalite: ${err.message}`);
  process.exit(1);
});
server.listen(port, '127.0.0.1', () => {
  console.log(`kinesalite pid=${process.pid} port=${port}`);
});
// In memory only: nothing to flush, so stop at once rather than wait for idle
// keep-alive connections to time out.
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
