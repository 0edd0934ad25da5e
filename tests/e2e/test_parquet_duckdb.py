"""Parquet round trip through DuckDB: fluxgate's writer (driven by the
fluxgate-parquet-testgen tool built next to the binary) writes a file per column type and
one with every type per codec (UNCOMPRESSED, SNAPPY, GZIP, ZSTD; several row groups and
pages; NULLs; dictionary, plain and fallback strings). DuckDB (@duckdb/node-api, through
tests/e2e/node/parquet_duckdb.mjs) reads each back and must report the same row count,
the expected types (TIMESTAMP vs TIMESTAMP WITH TIME ZONE, DECIMAL(p,s), ...) and every
value; parquet_metadata() must show statistics (min, max, null count) equal to what
DuckDB computes over each row group's rows, and filters that use them must not lose rows."""

import json
import os
import shutil
import struct
import subprocess
import tempfile
import unittest

import harness

HERE = os.path.dirname(os.path.abspath(__file__))
NODE_DIR = os.path.join(HERE, "node")

WORKDIR = None
MANIFEST = None


def find_testgen():
    path = os.environ.get("FLUXGATE_PARQUET_TESTGEN")
    if not path and harness.OPTIONS.binary:
        path = os.path.join(os.path.dirname(harness.OPTIONS.binary), "fluxgate-parquet-testgen")
    if not path or not os.access(path, os.X_OK):
        raise RuntimeError(
            f"fluxgate-parquet-testgen not found (looked at {path!r}); build the target "
            "`fluxgate-parquet-testgen` (it is placed next to the fluxgate binary) or set "
            "FLUXGATE_PARQUET_TESTGEN")
    return path


duckdb = harness.duckdb


def setUpModule():
    global WORKDIR, MANIFEST
    WORKDIR = tempfile.mkdtemp(prefix="fluxgate-parquet-")
    subprocess.run([find_testgen(), WORKDIR], check=True, timeout=300)
    with open(os.path.join(WORKDIR, "manifest.json")) as f:
        MANIFEST = json.load(f)


def tearDownModule():
    if WORKDIR and not harness.OPTIONS.keep:
        shutil.rmtree(WORKDIR, ignore_errors=True)


def path_of(entry):
    return os.path.join(WORKDIR, entry["file"]).replace("'", "''")


def canonical_expr(col):
    name = '"' + col["name"] + '"'
    kind = col["kind"]
    if kind == "ts":
        return f"CAST(epoch_us({name}) AS VARCHAR)"
    if kind == "date":
        return f"CAST(date_diff('day', DATE '1970-01-01', {name}) AS VARCHAR)"
    return f"CAST({name} AS VARCHAR)"


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def same_value(kind, want, got):
    if want is None or got is None:
        return want is None and got is None
    if kind == "double":
        return float(want) == float(got)
    if kind == "float":
        return f32(float(want)) == f32(float(got))
    return want == got


class ParquetDuckDB(unittest.TestCase):
    def test_types_row_counts_and_values(self):
        queries = []
        for e in MANIFEST:
            p = path_of(e)
            queries.append(f"DESCRIBE SELECT * FROM read_parquet('{p}')")
            queries.append(f"SELECT count(*) FROM read_parquet('{p}')")
            exprs = ", ".join(canonical_expr(c) for c in e["columns"])
            queries.append(f"SELECT {exprs} FROM read_parquet('{p}', file_row_number = true) "
                           "ORDER BY file_row_number")
        results = duckdb(queries)
        self.assertGreaterEqual(len(MANIFEST), 20)
        for i, e in enumerate(MANIFEST):
            describe, count, rows = results[3 * i: 3 * i + 3]
            with self.subTest(file=e["file"]):
                types = {r[0]: r[1] for r in describe["rows"]}
                self.assertEqual(list(types), [c["name"] for c in e["columns"]])
                for c in e["columns"]:
                    self.assertEqual(types[c["name"]], c["duckdb_type"], c["name"])
                self.assertEqual(int(count["rows"][0][0]), e["rows"])
                self.assertEqual(len(rows["rows"]), e["rows"])
                for ci, c in enumerate(e["columns"]):
                    for ri, want in enumerate(c["values"]):
                        got = rows["rows"][ri][ci]
                        if not same_value(c["kind"], want, got):
                            self.fail(f"{e['file']} {c['name']} row {ri}: want {want!r}, "
                                      f"DuckDB read {got!r}")
                    if c["nullable"]:
                        self.assertIn(None, c["values"], f"{c['name']} should have NULLs")

    def test_statistics_match_the_data(self):
        meta_q = []
        for e in MANIFEST:
            meta_q.append(
                "SELECT row_group_id, row_group_num_rows, path_in_schema, stats_min_value, "
                "stats_max_value, stats_null_count, encodings, compression "
                f"FROM parquet_metadata('{path_of(e)}') ORDER BY row_group_id, column_id")
        metas = duckdb(meta_q)
        # Row-group boundaries from the metadata, then DuckDB's own MIN/MAX per group.
        agg_q, bounds = [], []
        for e, meta in zip(MANIFEST, metas):
            groups = {}
            for r in meta["rows"]:
                groups[int(r[0])] = int(r[1])
            lo, spans = 0, []
            for g in sorted(groups):
                spans.append((g, lo, lo + groups[g]))
                lo += groups[g]
            self.assertEqual(lo, e["rows"], e["file"])
            self.assertEqual(len(spans), e["row_groups"], e["file"])
            bounds.append(spans)
            values = ", ".join(f"({g}, {a}, {b})" for g, a, b in spans)
            aggs = ", ".join(
                f'CAST(min("{c["name"]}") AS VARCHAR), CAST(max("{c["name"]}") AS VARCHAR), '
                f'count(*) - count("{c["name"]}")' for c in e["columns"])
            agg_q.append(
                f"SELECT g, {aggs} FROM read_parquet('{path_of(e)}', file_row_number = true) d "
                f"JOIN (VALUES {values}) b(g, lo, hi) ON d.file_row_number >= b.lo AND "
                "d.file_row_number < b.hi GROUP BY g ORDER BY g")
        aggs = duckdb(agg_q)
        checked = 0
        for e, meta, agg in zip(MANIFEST, metas, aggs):
            ncols = len(e["columns"])
            by_group = {int(r[0]): r[1:] for r in agg["rows"]}
            for r in meta["rows"]:
                g, col = int(r[0]), r[2]
                ci = [c["name"] for c in e["columns"]].index(col)
                c = e["columns"][ci]
                want_min, want_max, want_nulls = by_group[g][3 * ci: 3 * ci + 3]
                with self.subTest(file=e["file"], group=g, column=col):
                    self.assertEqual(r[5], want_nulls)
                    self.assertEqual(r[7], e["codec"])
                    if want_min is None:  # all NULL: no bounds
                        self.assertIsNone(r[3])
                        continue
                    if c["kind"] in ("double", "float"):
                        self.assertEqual(float(r[3]), float(want_min))
                        self.assertEqual(float(r[4]), float(want_max))
                    else:
                        self.assertEqual(r[3], want_min)
                        self.assertEqual(r[4], want_max)
                    checked += 1
            self.assertEqual(len(meta["rows"]), ncols * e["row_groups"], e["file"])
        self.assertGreater(checked, 100)

    def test_string_encodings(self):
        files = {e["file"]: e for e in MANIFEST}
        names = ["all_snappy.parquet", "strings_plain.parquet", "strings_fallback.parquet"]
        res = duckdb([
            f"SELECT DISTINCT encodings FROM parquet_metadata('{path_of(files[n])}') "
            "WHERE path_in_schema = 'c_string'" for n in names])
        dict_enc, plain_enc, fallback_enc = [{r[0] for r in x["rows"]} for x in res]
        self.assertTrue(all("RLE_DICTIONARY" in s for s in dict_enc), dict_enc)
        self.assertTrue(all("RLE_DICTIONARY" not in s for s in plain_enc), plain_enc)
        # Fallback: the dictionary page plus PLAIN data pages after it.
        self.assertTrue(any("RLE_DICTIONARY" in s and "PLAIN" in s for s in fallback_enc),
                        fallback_enc)

    def test_filters_using_statistics_find_every_row(self):
        # Unsigned byte order for strings: 'é', 'Zürich' and the emoji sort above ASCII; a
        # signed comparison would make DuckDB skip row groups and return too few rows.
        e = next(x for x in MANIFEST if x["file"] == "all_zstd.parquet")
        col = next(c for c in e["columns"] if c["name"] == "c_string")
        probes = ["é", "Zürich", "🚀 rocket", "", "b"]
        res = duckdb([
            f"SELECT count(*) FROM read_parquet('{path_of(e)}') WHERE c_string = "
            "'" + p.replace("'", "''") + "'" for p in probes])
        for p, r in zip(probes, res):
            self.assertEqual(int(r["rows"][0][0]), col["values"].count(p), p)
            self.assertGreater(int(r["rows"][0][0]), 0, p)
        ids = next(c for c in e["columns"] if c["name"] == "c_id")
        last = ids["values"][-1]
        res = duckdb([f"SELECT count(*) FROM read_parquet('{path_of(e)}') "
                      f"WHERE c_id >= {int(last) - 5}"])
        self.assertEqual(int(res[0]["rows"][0][0]), 6)


# Files from elsewhere: DuckDB writes them (PLAIN and dictionary pages for every type, each
# codec), fluxgate's FileReader (fluxgate-parquet-testgen --dump) must read the same values.
DUCK_COLUMNS = [
    # (name, DuckDB expression over i, kind, fluxgate runtime type)
    ("b", "i % 3 = 0", "bool", "BOOLEAN"),
    ("t", "CAST(i % 256 - 128 AS TINYINT)", "int", "INT"),
    ("s", "CAST(i * 37 % 65536 - 32768 AS SMALLINT)", "int", "INT"),
    ("n", "CAST(i * 7919 % 100000 - 50000 AS INTEGER)", "int", "INT"),
    ("u", "CAST(i * 700001 AS UINTEGER)", "int", "BIGINT"),
    ("l", "CAST(i * 1000000007 - 5000000000 AS BIGINT)", "int", "BIGINT"),
    ("f", "CAST(i * 0.25 - 100 AS FLOAT)", "float", "DOUBLE"),
    ("d", "CAST(i AS DOUBLE) * 0.1 - 3.7", "double", "DOUBLE"),
    ("dec9", "CAST(i * 1.25 - 99 AS DECIMAL(9,2))", "decimal", "DECIMAL(9, 2)"),
    ("dec18", "CAST(i * 12345.6789 AS DECIMAL(18,4))", "decimal", "DECIMAL(18, 4)"),
    ("dec38", "CAST(i AS DECIMAL(38,10)) * 1000000000000 - 0.5", "decimal", "DECIMAL(38, 10)"),
    ("lowcard", "'v' || (i % 10)", "string", "STRING"),
    ("highcard", "'unique-' || i || '-é'", "string", "STRING"),
    ("ts", "TIMESTAMP '2026-01-01 00:00:00.123456' + to_seconds(i * 37)", "ts", "TIMESTAMP(6)"),
    ("tz", "TIMESTAMPTZ '2026-01-01 00:00:00+00' + to_milliseconds(i * 1001)", "ts",
     "TIMESTAMP_LTZ(6)"),
    ("ms", "CAST(TIMESTAMP '1969-12-31 23:59:00' + to_milliseconds(i * 7) AS TIMESTAMP_MS)",
     "ts", "TIMESTAMP(3)"),
    ("dt", "DATE '1999-12-31' + CAST(i AS INTEGER)", "date", "TIMESTAMP(3)"),
]


def duck_canonical(name, kind):
    if kind == "ts":
        return f"CAST(epoch_us({name}) AS VARCHAR)"
    if kind == "date":
        return f"CAST(epoch_us(CAST({name} AS TIMESTAMP)) AS VARCHAR)"
    return f"CAST({name} AS VARCHAR)"


class DuckDBWrittenFiles(unittest.TestCase):
    def test_fluxgate_reads_files_duckdb_wrote(self):
        select = ", ".join(
            f"CASE WHEN (i + {k}) % 7 = 0 THEN NULL ELSE {expr} END AS {name}"
            for k, (name, expr, _, _) in enumerate(DUCK_COLUMNS))
        codecs = ["uncompressed", "snappy", "gzip", "zstd"]
        queries = []
        for c in codecs:
            path = os.path.join(WORKDIR, f"duck_{c}.parquet")
            queries.append(f"COPY (SELECT {select} FROM range(6000) r(i) ORDER BY i) TO '{path}' "
                           f"(FORMAT parquet, COMPRESSION {c}, ROW_GROUP_SIZE 2048)")
        canon = ", ".join(duck_canonical(n, k) for n, _, k, _ in DUCK_COLUMNS)
        queries.append(f"SELECT {canon} FROM read_parquet('{os.path.join(WORKDIR, 'duck_zstd.parquet')}'"
                       ", file_row_number = true) ORDER BY file_row_number")
        want = duckdb(queries)[-1]["rows"]
        self.assertEqual(len(want), 6000)
        testgen = find_testgen()
        for c in codecs:
            with self.subTest(codec=c):
                out = subprocess.run([testgen, "--dump", os.path.join(WORKDIR, f"duck_{c}.parquet")],
                                     capture_output=True, timeout=120)
                self.assertEqual(out.returncode, 0, out.stderr.decode(errors="replace"))
                got = json.loads(out.stdout)
                self.assertEqual([(x["name"], x["type"]) for x in got["columns"]],
                                 [(n, t) for n, _, _, t in DUCK_COLUMNS])
                self.assertEqual(len(got["rows"]), 6000)
                for ri, (w, g) in enumerate(zip(want, got["rows"])):
                    for ci, (name, _, kind, _) in enumerate(DUCK_COLUMNS):
                        if not same_value(kind, w[ci], g[ci]):
                            self.fail(f"duck_{c}.parquet {name} row {ri}: DuckDB wrote {w[ci]!r}, "
                                      f"fluxgate read {g[ci]!r}")


if __name__ == "__main__":
    harness.main()
