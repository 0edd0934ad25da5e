// Runs SQL statements in an in-memory DuckDB and prints their results as JSON, for
// tests/e2e/test_parquet_duckdb.py.
//
//   node parquet_duckdb.mjs QUERIES.json   (a JSON array of SQL strings)
// Output: a JSON array with one entry per query: {"columns": [...], "rows": [[...], ...]}
// where every value is a string (BigInt and other DuckDB values via toString) or null, or
// {"error": "..."} if the query failed.
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const queries = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const instance = await DuckDBInstance.create(':memory:');
const conn = await instance.connect();
await conn.run("SET TimeZone = 'UTC'");
const out = [];
for (const sql of queries) {
  try {
    const reader = await conn.runAndReadAll(sql);
    const rows = reader.getRows().map((row) =>
      row.map((v) => (v === null || v === undefined ? null : typeof v === 'string' ? v : v.toString())));
    out.push({ columns: reader.columnNames(), rows });
  } catch (e) {
    out.push({ error: String(e && e.message ? e.message : e) });
  }
}
process.stdout.write(JSON.stringify(out));
