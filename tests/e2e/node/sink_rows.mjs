// Prints the rows of Parquet files as JSON text, one output line per file:
//   {"file": PATH, "rows": ["{\"device_id\":\"a\",...}", ...]}
// Rows are DuckDB's to_json of each row: timestamps as '2026-11-25 10:05:00.12', DOUBLEs
// as 95.0 — the text fluxgate's JSON Lines format writes, so tests compare either format.
//
//   node sink_rows.mjs FILE...
//
// Used by tests/e2e/harness.py (published_lines) to read the file sinks' Parquet output.
import { DuckDBInstance } from '@duckdb/node-api';

const files = process.argv.slice(2);
const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
const conn = await instance.connect();
for (const file of files) {
  const quoted = file.replaceAll("'", "''");
  const reader = await conn.runAndReadAll(
    `SELECT to_json(t)::VARCHAR FROM read_parquet('${quoted}', hive_partitioning = false) t`);
  const rows = reader.getRows().map((r) => r[0]);
  process.stdout.write(JSON.stringify({ file, rows }) + '\n');
}
