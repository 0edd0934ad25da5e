// fluxgate-parquet-testgen: writes Parquet files with fluxgate's writer for the DuckDB
// round-trip test (tests/e2e/test_parquet_duckdb.py), plus manifest.json saying what each
// file must hold: per column the name, a value kind, the type DuckDB must report, and every
// value in a canonical text form (NULL as null):
//   bool "true"/"false"; int decimal text; float/double "%.17g"; decimal plain text
//   ("-12.30"); string the bytes; ts microseconds since the epoch; date days since it.
//
//   fluxgate-parquet-testgen OUT_DIR
//   fluxgate-parquet-testgen --dump FILE   (read a file from elsewhere; see Dump())
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "parquet/compression.h"
#include "parquet/reader.h"
#include "parquet/writer.h"
#include "runtime/decimal.h"

namespace fluxgate::parquet {
namespace {

using sql::DataType;

struct Col {
  ColumnSpec spec;
  DataType storage;  // the runtime column the values are appended to
  std::string kind;
  std::string duck;  // DuckDB's name for the type it reads
};

DataType NotNull(DataType t) {
  t.nullable = false;
  return t;
}

// Columns typed from SQL go through SpecFromField (the path the file sink uses); the
// Parquet-only types are declared explicitly.
std::vector<Col> AllColumns() {
  auto sql = [](const char* name, DataType t, const char* kind, const char* duck) {
    Col c{*SpecFromField({name, t}), t, kind, duck};
    return c;
  };
  auto explicit_col = [](const char* name, ColumnType type, DataType storage, const char* kind,
                         const char* duck) {
    ColumnSpec s;
    s.name = name;
    s.type = type;
    return Col{s, storage, kind, duck};
  };
  return {
      sql("c_bool", DataType::Boolean(), "bool", "BOOLEAN"),
      explicit_col("c_tinyint", ColumnType::kInt8, DataType::BigInt(), "int", "TINYINT"),
      explicit_col("c_smallint", ColumnType::kInt16, DataType::BigInt(), "int", "SMALLINT"),
      sql("c_int", DataType::Int(), "int", "INTEGER"),
      sql("c_bigint", DataType::BigInt(), "int", "BIGINT"),
      explicit_col("c_float", ColumnType::kFloat, DataType::Double(), "float", "FLOAT"),
      sql("c_double", DataType::Double(), "double", "DOUBLE"),
      sql("c_dec9", DataType::Decimal(9, 2), "decimal", "DECIMAL(9,2)"),
      sql("c_dec18", DataType::Decimal(18, 4), "decimal", "DECIMAL(18,4)"),
      sql("c_dec38", DataType::Decimal(38, 10), "decimal", "DECIMAL(38,10)"),
      sql("c_string", DataType::String(), "string", "VARCHAR"),
      sql("c_ts", DataType::Timestamp(3), "ts", "TIMESTAMP"),
      sql("c_ts_us", DataType::Timestamp(6), "ts", "TIMESTAMP"),
      sql("c_ltz", DataType::TimestampLtz(3), "ts", "TIMESTAMP WITH TIME ZONE"),
      sql("c_interval", DataType::Interval(), "int", "BIGINT"),
      explicit_col("c_date", ColumnType::kDate, DataType::BigInt(), "date", "DATE"),
      sql("c_id", NotNull(DataType::BigInt()), "int", "BIGINT"),
  };
}

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out + "\"";
}

std::string G17(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

enum class Strings { kLowCardinality, kHighCardinality };

// Appends row r of column `ci` to `col`; returns its canonical text ("" + *null for NULL).
std::string AppendValue(const Col& c, size_t ci, int64_t r, Strings strings, runtime::Column& col,
                        bool* null) {
  *null = c.spec.nullable && (r + static_cast<int64_t>(ci)) % 7 == 0;
  if (*null) {
    col.AppendNull();
    return "";
  }
  const ColumnSpec& s = c.spec;
  switch (s.type) {
    case ColumnType::kBoolean:
      col.AppendBool(r % 3 == 0);
      return r % 3 == 0 ? "true" : "false";
    case ColumnType::kInt8:
    case ColumnType::kInt16:
    case ColumnType::kInt32:
    case ColumnType::kInt64: {
      int64_t v;
      if (s.type == ColumnType::kInt8) {
        v = r % 256 - 128;
      } else if (s.type == ColumnType::kInt16) {
        v = (r * 37) % 65536 - 32768;
      } else if (s.type == ColumnType::kInt32) {
        v = (r % 2 ? -1 : 1) * (r * 7919 % 2147483647);
      } else if (!s.nullable) {
        v = r;
      } else if (c.storage.kind == sql::TypeKind::kInterval) {
        v = r * 60000;
      } else {
        v = r * 1'000'000'007LL - 5'000'000'000LL;
      }
      col.AppendInt64(v);
      return std::to_string(v);
    }
    case ColumnType::kFloat: {
      double v = static_cast<float>(r * 0.25 - 100.5);
      col.AppendDouble(v);
      return G17(v);
    }
    case ColumnType::kDouble: {
      double v = r * 0.1 - 3.7;
      if (r % 97 == 5) v = -0.0;
      col.AppendDouble(v);
      return G17(v);
    }
    case ColumnType::kDecimal: {
      runtime::int128 v;
      if (s.precision == 9) {
        v = r * 1234 - 999'999;
      } else if (s.precision == 18) {
        v = static_cast<runtime::int128>(r) * 99'999'999'999LL - 7;
      } else {
        v = (static_cast<runtime::int128>(r) * 1'000'000'000'000'000'000LL + 12345) *
            (r % 2 ? -1 : 1);
      }
      col.AppendDecimal(v);
      std::string out;
      runtime::AppendDecimal(v, s.scale, out);
      return out;
    }
    case ColumnType::kString: {
      static const char* kLow[] = {"sensor-1",  "é",           "b",        "",
                                   "zz\"quote", "temperature", "🚀 rocket", "Zürich"};
      std::string v = strings == Strings::kLowCardinality
                          ? std::string(kLow[r % 8])
                          : "value-" + std::to_string(r * 7919 % 100000) + "-padding-to-grow";
      col.AppendString(v);
      return v;
    }
    case ColumnType::kTimestamp: {
      int64_t v;
      if (s.unit == TimeUnit::kMicros) {
        v = 1795633500123456LL - r * 77;
        col.AppendInt64(v);
        return std::to_string(v);
      }
      v = s.utc ? 1795633500123LL + r : 1795633500123LL + r * 1001;
      if (r % 50 == 1) v = -31536000000LL + r;  // before 1970
      col.AppendInt64(v);
      return std::to_string(v * 1000);
    }
    case ColumnType::kDate: {
      int64_t v = 20000 + r - 10000;
      col.AppendInt64(v);
      return std::to_string(v);
    }
  }
  return "";
}

// Writes one file and its manifest entry.
bool WriteFile(const std::string& dir, const std::string& name, const std::vector<Col>& cols,
               int64_t rows, WriterOptions opts, Strings strings, std::string* manifest) {
  std::vector<ColumnSpec> specs;
  std::vector<runtime::Column> columns;
  for (const Col& c : cols) {
    specs.push_back(c.spec);
    columns.emplace_back(c.storage);
  }
  std::vector<std::string> values(cols.size());
  for (int64_t r = 0; r < rows; ++r) {
    for (size_t i = 0; i < cols.size(); ++i) {
      bool null;
      std::string v = AppendValue(cols[i], i, r, strings, columns[i], &null);
      values[i] += (r ? "," : "");
      values[i] += null ? "null" : JsonString(v);
    }
  }
  StringSink sink;
  std::string codec = CodecName(opts.codec);
  auto w = Writer::Open(specs, std::move(opts), &sink);
  if (!w.ok()) {
    std::fprintf(stderr, "%s: %s\n", name.c_str(), w.status().ToString().c_str());
    return false;
  }
  std::vector<const runtime::Column*> ptrs;
  for (auto& c : columns) ptrs.push_back(&c);
  Status s = (*w)->WriteColumns(ptrs, static_cast<size_t>(rows));
  if (s.ok()) s = (*w)->Close();
  if (!s.ok()) {
    std::fprintf(stderr, "%s: %s\n", name.c_str(), s.ToString().c_str());
    return false;
  }
  std::ofstream(dir + "/" + name, std::ios::binary) << sink.data();
  if (!manifest->empty()) *manifest += ",\n";
  *manifest += "{\"file\":" + JsonString(name) + ",\"rows\":" + std::to_string(rows) +
               ",\"codec\":" + JsonString(codec) +
               ",\"row_groups\":" + std::to_string((*w)->stats().row_groups) + ",\"columns\":[";
  for (size_t i = 0; i < cols.size(); ++i) {
    if (i) *manifest += ",";
    *manifest += "{\"name\":" + JsonString(cols[i].spec.name) +
                 ",\"kind\":" + JsonString(cols[i].kind) +
                 ",\"duckdb_type\":" + JsonString(cols[i].duck) +
                 ",\"nullable\":" + (cols[i].spec.nullable ? "true" : "false") + ",\"values\":[" +
                 values[i] + "]}";
  }
  *manifest += "]}";
  return true;
}

// --dump FILE: reads FILE with FileReader and prints {"columns": [{"name", "type"}],
// "rows": [[...]]} with values in the canonical forms above (timestamps as microseconds;
// DATE columns arrive as TIMESTAMP(3) at midnight). Errors go to stderr, exit 1.
int Dump(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto r = FileReader::Open(bytes);
  if (!r.ok()) {
    std::fprintf(stderr, "%s: %s\n", path, r.status().ToString().c_str());
    return 1;
  }
  auto batch = (*r)->ReadAll();
  if (!batch.ok()) {
    std::fprintf(stderr, "%s: %s\n", path, batch.status().ToString().c_str());
    return 1;
  }
  const runtime::Schema& schema = *batch->schema();
  std::string out = "{\"columns\":[";
  for (size_t c = 0; c < schema.size(); ++c) {
    if (c) out += ",";
    out += "{\"name\":" + JsonString(schema.field(c).name) +
           ",\"type\":" + JsonString(schema.field(c).type.ToString()) + "}";
  }
  out += "],\"rows\":[";
  for (size_t row = 0; row < batch->num_rows(); ++row) {
    out += row ? ",[" : "[";
    for (size_t c = 0; c < schema.size(); ++c) {
      if (c) out += ",";
      const runtime::Column& col = batch->column(c);
      const sql::DataType& t = schema.field(c).type;
      if (col.IsNull(row)) {
        out += "null";
        continue;
      }
      std::string v;
      switch (col.physical()) {
        case runtime::PhysicalType::kBool:
          v = col.Bool(row) ? "true" : "false";
          break;
        case runtime::PhysicalType::kInt64:
          v = std::to_string(t.IsTimestamp() && runtime::TimestampUnitPerSecond(t) == 1000
                                 ? col.Int64(row) * 1000
                                 : col.Int64(row));
          break;
        case runtime::PhysicalType::kDouble:
          v = G17(col.Double(row));
          break;
        case runtime::PhysicalType::kDecimal:
          runtime::AppendDecimal(col.Decimal(row), t.scale, v);
          break;
        case runtime::PhysicalType::kString:
          v = std::string(col.String(row));
          break;
      }
      out += JsonString(v);
    }
    out += "]";
  }
  out += "]}\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

int Main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--dump") return Dump(argv[2]);
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUT_DIR | --dump FILE\n", argv[0]);
    return 2;
  }
  std::string dir = argv[1];
  std::string manifest;
  std::vector<Col> all = AllColumns();
  bool ok = true;
  // Every column in one file per codec; small row-group and page targets give several of
  // each (the row-group size is checked every 4096 rows).
  for (Codec codec : {Codec::kUncompressed, Codec::kSnappy, Codec::kGzip, Codec::kZstd}) {
    WriterOptions o;
    o.codec = codec;
    o.row_group_bytes = 32 << 10;
    o.page_bytes = 2 << 10;
    std::string name = std::string("all_") + CodecName(codec) + ".parquet";
    for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    ok = ok && WriteFile(dir, name, all, 10000, o, Strings::kLowCardinality, &manifest);
  }
  // One file per column type (with the NOT NULL id beside it).
  for (size_t i = 0; i + 1 < all.size(); ++i) {
    ok = ok && WriteFile(dir, "type_" + all[i].spec.name + ".parquet", {all[i], all.back()}, 1000,
                         WriterOptions{}, Strings::kLowCardinality, &manifest);
  }
  // Strings: dictionary off (all PLAIN), and a dictionary that overflows (fallback).
  std::vector<Col> str = {all[10], all.back()};
  WriterOptions plain;
  plain.dictionary = false;
  ok = ok && WriteFile(dir, "strings_plain.parquet", str, 5000, plain, Strings::kHighCardinality,
                       &manifest);
  WriterOptions fallback;
  fallback.dictionary_page_bytes = 8 << 10;
  fallback.page_bytes = 4 << 10;
  fallback.codec = Codec::kZstd;
  ok = ok && WriteFile(dir, "strings_fallback.parquet", str, 5000, fallback,
                       Strings::kHighCardinality, &manifest);
  std::ofstream(dir + "/manifest.json") << "[\n" << manifest << "\n]\n";
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace fluxgate::parquet

int main(int argc, char** argv) { return fluxgate::parquet::Main(argc, argv); }
