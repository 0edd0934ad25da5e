// DuckDB on the pipeline benchmark's job: the shipped pipeline's 5-minute aggregates
// (AVG/MAX/MIN of value per device_id, sensor_type, location and 5-minute tumbling window)
// computed from the same NDJSON file fluxgate-bench-pipeline replays (its --ndjson FILE).
//
//   node bench/pipeline/duckdb_bench.mjs FILE [--threads 1,2] [--repeat 3] [--json]
//
// The columns are declared (as the pipeline's CREATE TABLE declares them), so DuckDB does
// no schema sampling; the timestamp is read as TIMESTAMP. Each timed run is the whole
// query, file to result rows, after one untimed warm-up run (file in the page cache, as
// the log's segments are for fluxgate). It prints records/s for each thread count, the
// best of --repeat runs, and the result's row count, Σ MAX and Σ MIN so bench/run-pipeline.sh
// can check DuckDB computed the same thing as fluxgate. Needs `npm ci` in this folder.
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';

function usage(message) {
  if (message) console.error(`duckdb_bench: ${message}`);
  console.error('usage: node duckdb_bench.mjs FILE [--threads 1,2] [--repeat 3] [--json]');
  process.exit(2);
}

const args = process.argv.slice(2);
let file = null;
let threadCounts = [1, 2];
let repeat = 3;
let json = false;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--threads') threadCounts = (args[++i] ?? usage('--threads needs a value')).split(',').map(Number);
  else if (a === '--repeat') repeat = Number(args[++i] ?? usage('--repeat needs a value'));
  else if (a === '--json') json = true;
  else if (a === '-h' || a === '--help') usage();
  else if (a.startsWith('--')) usage(`unknown option ${a}`);
  else file = a;
}
if (!file) usage('no NDJSON file given');
if (threadCounts.some((t) => !(t >= 1)) || !(repeat >= 1)) usage('bad --threads or --repeat');

// Count records the way the pipeline does: one per non-empty line.
function countLines(path) {
  const buf = readFileSync(path);
  let n = 0;
  let lineStart = 0;
  for (let i = 0; i < buf.length; i++) {
    if (buf[i] === 10) {
      if (i > lineStart) n++;
      lineStart = i + 1;
    }
  }
  if (buf.length > lineStart) n++;
  return n;
}

const records = countLines(file);
const bytes = statSync(file).size;
const require = createRequire(import.meta.url);
const version = require('@duckdb/node-api/package.json').version;
const quoted = file.replaceAll("'", "''");
const sql = `
  SELECT device_id, sensor_type, location,
         time_bucket(INTERVAL 5 MINUTE, "timestamp") AS window_start,
         avg(value) AS avg_value, max(value) AS max_value, min(value) AS min_value
  FROM read_ndjson('${quoted}', columns = {
         device_id: 'VARCHAR', "timestamp": 'TIMESTAMP', sensor_type: 'VARCHAR',
         value: 'DOUBLE', unit: 'VARCHAR', location: 'VARCHAR'})
  GROUP BY device_id, sensor_type, location, window_start`;

const results = [];
for (const threads of threadCounts) {
  const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
  const conn = await instance.connect();
  const run = async () => {
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const reader = await conn.runAndReadAll(sql);
    const rows = reader.getRows();
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    let sumMax = 0;
    let sumMin = 0;
    for (const r of rows) {
      sumMax += Number(r[5]);
      sumMin += Number(r[6]);
    }
    return { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, rows: rows.length, sumMax, sumMin };
  };
  await run(); // warm-up: page cache, extension loading
  let best = null;
  for (let k = 0; k < repeat; k++) {
    const r = await run();
    if (!best || r.seconds < best.seconds) best = r;
  }
  conn.closeSync();
  instance.closeSync?.();
  const rps = records / best.seconds;
  results.push({
    threads,
    seconds: best.seconds,
    cpu_seconds: best.cpuSeconds,
    records_per_s: rps,
    records_per_s_per_core: rps / threads,
    rows: best.rows,
    sum_of_max: best.sumMax,
    sum_of_min: best.sumMin,
  });
}

const fmt = (v) => Math.round(v).toLocaleString('en-US');
console.log(`DuckDB ${version} (@duckdb/node-api), read_ndjson of ${file}: ${fmt(records)} records, ${(bytes / 1e6).toFixed(1)} MB; best of ${repeat} after a warm-up`);
console.log(`${'threads'.padStart(7)} ${'seconds'.padStart(8)} ${'records/s'.padStart(12)} ${'records/s/core'.padStart(15)} ${'CPU'.padStart(5)} ${'rows'.padStart(8)}  Σ max / Σ min`);
for (const r of results) {
  console.log(`${String(r.threads).padStart(7)} ${r.seconds.toFixed(2).padStart(8)} ${fmt(r.records_per_s).padStart(12)} ${fmt(r.records_per_s_per_core).padStart(15)} ${(100 * r.cpu_seconds / r.seconds).toFixed(0).padStart(4)}% ${String(r.rows).padStart(8)}  ${r.sum_of_max.toFixed(2)} / ${r.sum_of_min.toFixed(2)}`);
}
if (json) {
  console.log(JSON.stringify({ engine: 'duckdb', version, file, records, bytes, runs: results }));
}
