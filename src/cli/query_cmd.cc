// `fluxgate query "SELECT ..."`: a batch query over the archive — the files the pipelines'
// 'filesystem' / 's3' sinks wrote, on local disk or in S3 — in the same SQL dialect, with
// no server running (docs/design/query.md, docs/sql.md "fluxgate query").
//
// Tables: every CREATE TABLE / VIEW of the --pipeline files (default: the shipped
// pipelines/iot-analytics.sql, found as `fluxgate serve` finds it), then those of --file,
// then of the query text itself. Each SELECT runs in batch mode (jobs/batch_query.h); the
// rows go to stdout as an aligned table, CSV or JSON Lines. Errors go to stderr and exit 1.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "cli/commands.h"
#include "common/config.h"
#include "jobs/batch_query.h"
#include "runtime/json_encoder.h"
#include "server/pipeline_files.h"
#include "sql/binder.h"
#include "sql/parser.h"
#include "store/open_store.h"

namespace fluxgate::cli {
namespace {

struct QueryFlags {
  std::string sql;
  std::vector<std::string> pipelines;
  bool no_pipeline = false;
  std::string file;
  std::string config_file;
  std::string data_dir;
  std::string format = "table";
  uint64_t limit = 0;
  uint64_t max_state_bytes = 0;  // 0: [jobs] max_state_bytes
  bool stats = false;
};

int Fail(const std::string& message) {
  std::fprintf(stderr, "fluxgate query: %s\n", message.c_str());
  return 1;
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError(path + ": cannot be read");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The CREATE TABLE / VIEW (and DROP) statements of a pipeline file; its INSERTs and SETs
// are for the streaming jobs and are not bound here.
Status LoadTables(const std::string& path, sql::Catalog* catalog) {
  FG_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  auto statements = sql::ParseScript(text);
  if (!statements.ok()) return Status::InvalidArgument(path + ": " + statements.status().message());
  std::vector<sql::StatementPtr> ddl;
  for (auto& s : *statements) {
    switch (s->kind) {
      case sql::StatementKind::kCreateTable:
      case sql::StatementKind::kCreateView:
      case sql::StatementKind::kDropTable:
      case sql::StatementKind::kDropView:
        ddl.push_back(std::move(s));
        break;
      default:
        break;
    }
  }
  auto bound = sql::BindScript(text, ddl, catalog);
  if (!bound.ok()) return Status::InvalidArgument(path + ": " + bound.status().message());
  return Status::Ok();
}

// ---- output ---------------------------------------------------------------------

class ResultPrinter {
 public:
  ResultPrinter(const std::string& format, std::shared_ptr<const runtime::Schema> schema)
      : format_(format), schema_(schema), json_(schema, runtime::JsonFormatOptions{}) {
    if (format_ == "csv") {
      std::string line;
      for (size_t c = 0; c < schema_->size(); ++c) {
        if (c) line += ',';
        AppendCsv(schema_->field(c).name, line);
      }
      line += '\n';
      Write(line);
    }
  }

  Status Rows(const runtime::RecordBatch& batch) {
    std::string out;
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      if (format_ == "json") {
        json_.AppendRow(batch, r, out);
        out += '\n';
      } else if (format_ == "csv") {
        for (size_t c = 0; c < batch.num_columns(); ++c) {
          if (c) out += ',';
          if (batch.column(c).IsValid(r)) AppendCsv(batch.ValueToString(c, r), out);
        }
        out += '\n';
      } else {
        std::vector<std::string> row;
        for (size_t c = 0; c < batch.num_columns(); ++c) row.push_back(batch.ValueToString(c, r));
        table_.push_back(std::move(row));
      }
    }
    Write(out);
    return Status::Ok();
  }

  // The table format needs every row for its column widths.
  void Finish() {
    if (format_ != "table") return;
    const size_t n = schema_->size();
    std::vector<size_t> width(n);
    std::vector<bool> numeric(n);
    for (size_t c = 0; c < n; ++c) {
      width[c] = schema_->field(c).name.size();
      const auto k = schema_->field(c).type.kind;
      numeric[c] = k == sql::TypeKind::kInt || k == sql::TypeKind::kBigInt ||
                   k == sql::TypeKind::kDouble || k == sql::TypeKind::kDecimal;
    }
    for (const auto& row : table_) {
      for (size_t c = 0; c < n; ++c) width[c] = std::max(width[c], row[c].size());
    }
    std::string out;
    auto cell = [&](const std::string& v, size_t c, bool right) {
      if (c) out += " | ";
      const std::string pad(width[c] - std::min(width[c], v.size()), ' ');
      out += right ? pad + v : v + (c + 1 < n ? pad : "");
    };
    for (size_t c = 0; c < n; ++c) cell(schema_->field(c).name, c, numeric[c]);
    out += '\n';
    for (size_t c = 0; c < n; ++c) {
      if (c) out += "-+-";
      out += std::string(width[c], '-');
    }
    out += '\n';
    for (const auto& row : table_) {
      for (size_t c = 0; c < n; ++c) cell(row[c], c, numeric[c]);
      out += '\n';
    }
    out += "(" + std::to_string(table_.size()) + (table_.size() == 1 ? " row)\n" : " rows)\n");
    Write(out);
  }

 private:
  static void AppendCsv(std::string_view v, std::string& out) {
    if (v.find_first_of(",\"\r\n") == std::string_view::npos) {
      out += v;
      return;
    }
    out += '"';
    for (char ch : v) {
      if (ch == '"') out += '"';
      out += ch;
    }
    out += '"';
  }
  static void Write(const std::string& s) {
    if (!s.empty()) std::fwrite(s.data(), 1, s.size(), stdout);
  }

  std::string format_;
  std::shared_ptr<const runtime::Schema> schema_;
  runtime::JsonRowEncoder json_;
  std::vector<std::vector<std::string>> table_;
};

std::shared_ptr<const runtime::Schema> SchemaOf(const sql::PlanNode& plan) {
  std::vector<runtime::Field> fields;
  for (const auto& c : plan.schema) fields.push_back({c.name, c.type});
  return std::make_shared<const runtime::Schema>(std::move(fields));
}

store::SinkLocation LocationOf(const sql::SinkPath& path) {
  store::SinkLocation loc;
  if (path.kind == sql::SinkPath::Kind::kLocal) {
    loc.kind = store::SinkLocation::Kind::kLocal;
    loc.local_dir = path.local_dir;
  } else {
    loc.kind = store::SinkLocation::Kind::kObjectStore;
    loc.bucket = path.bucket;
    loc.prefix = path.prefix;
  }
  return loc;
}

int Run(const QueryFlags& f) {
  if (f.format != "table" && f.format != "csv" && f.format != "json") {
    return Fail("--format must be table, csv or json, not '" + f.format + "'");
  }
  ServeConfig config;
  if (!f.config_file.empty()) {
    Status s = LoadConfigFile(f.config_file, config);
    if (!s.ok()) return Fail(s.message());
  }
  if (!f.data_dir.empty()) config.data_dir = f.data_dir;

  sql::Catalog catalog;
  std::vector<std::string> pipelines = f.pipelines;
  if (pipelines.empty() && !f.no_pipeline) {
    const std::string dir = server::FindShippedPipelinesDir();
    if (dir.empty()) {
      return Fail("the shipped pipeline (" + std::string(server::kShippedPipelineFile) +
                  ") was not found; name the pipeline files with --pipeline, or use "
                  "--no-pipeline and CREATE TABLE in the query");
    }
    pipelines.push_back(dir + "/" + server::kShippedPipelineFile);
  }
  for (const std::string& p : pipelines) {
    Status s = LoadTables(p, &catalog);
    if (!s.ok()) return Fail(s.message());
  }
  std::string text;
  if (!f.file.empty()) {
    auto file = ReadFile(f.file);
    if (!file.ok()) return Fail(file.status().message());
    text = *file;
  }
  if (!f.sql.empty()) {
    if (!text.empty()) text += "\n;\n";
    text += f.sql;
  }
  if (text.find_first_not_of(" \t\r\n;") == std::string::npos) {
    return Fail("no query: give the SQL as an argument or with --file");
  }
  sql::BindOptions bind_options;
  bind_options.batch = true;
  auto bound = sql::BindSql(text, &catalog, bind_options);
  if (!bound.ok()) return Fail(bound.status().message());
  for (const auto& n : bound->notices) std::fprintf(stderr, "notice: %s\n", n.ToString().c_str());
  if (!bound->pipelines.empty()) {
    return Fail(
        "INSERT INTO is not supported by fluxgate query (it only reads); submit "
        "pipelines with `fluxgate sql`");
  }
  for (const std::string& e : bound->explains) std::printf("%s\n", e.c_str());
  if (bound->queries.empty() && bound->explains.empty()) {
    return Fail("no SELECT to run");
  }

  store::SinkStoreOpener opener(config.store, config.data_dir);
  jobs::BatchQueryOptions options;
  options.data_dir = config.data_dir;
  options.max_state_bytes = f.max_state_bytes ? f.max_state_bytes : config.jobs.max_state_bytes;
  options.limit = f.limit;
  options.open_store = [&](const sql::TableDef& table) -> Result<jobs::OpenedTableStore> {
    const sql::SinkPath& path = table.connector.path;
    FG_ASSIGN_OR_RETURN(store::SinkStore s, opener.Open(LocationOf(path)));
    jobs::OpenedTableStore out;
    out.store = s.store;
    out.location.store = s.store.get();
    out.location.bucket = s.bucket;
    out.location.prefix = s.prefix.empty() ? "" : s.prefix + "/";
    out.location.display = path.kind == sql::SinkPath::Kind::kLocal
                               ? path.local_dir
                               : "s3://" + path.bucket + "/" + path.prefix;
    return out;
  };
  bool first = true;
  for (const sql::AdHocQuery& q : bound->queries) {
    if (!first && f.format == "table") std::printf("\n");
    first = false;
    ResultPrinter printer(f.format, SchemaOf(*q.plan));
    auto stats = jobs::RunBatchQuery(
        q.plan, options, [&](const runtime::RecordBatch& rows) { return printer.Rows(rows); });
    std::fflush(stdout);
    if (!stats.ok()) return Fail(stats.status().message());
    printer.Finish();
    std::fflush(stdout);
    if (f.stats) {
      std::fprintf(stderr,
                   "query: %llu rows out; %llu objects listed, %llu pruned, %llu read (%llu "
                   "bytes, %llu rows, %llu unparsable lines skipped); peak state %zu bytes\n",
                   static_cast<unsigned long long>(stats->rows_out),
                   static_cast<unsigned long long>(stats->files.objects_listed),
                   static_cast<unsigned long long>(stats->files.objects_pruned),
                   static_cast<unsigned long long>(stats->files.objects_read),
                   static_cast<unsigned long long>(stats->files.bytes_read),
                   static_cast<unsigned long long>(stats->files.rows),
                   static_cast<unsigned long long>(stats->files.skipped_lines),
                   stats->peak_state_bytes);
    }
  }
  return 0;
}

}  // namespace

void RegisterQueryCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<QueryFlags>();
  CLI::App* cmd = app.add_subcommand(
      "query", "Run SQL in batch mode over the archive (the pipelines' file/S3 tables)");
  cmd->add_option("sql", flags->sql,
                  "SQL: SELECT ... (CREATE TABLE / VIEW statements may come first, separated "
                  "by ';')");
  cmd->add_option("--pipeline", flags->pipelines,
                  "pipeline file whose CREATE TABLE statements define the tables (repeatable; "
                  "default: the shipped pipelines/iot-analytics.sql)");
  cmd->add_flag("--no-pipeline", flags->no_pipeline,
                "define no tables from pipeline files (only --file and the query's own)");
  cmd->add_option("--file", flags->file, "a SQL file run before the query argument");
  cmd->add_option("--config", flags->config_file,
                  "TOML config (data_dir, [store.s3], [jobs] max_state_bytes)");
  cmd->add_option("--data-dir", flags->data_dir,
                  "data directory: s3:// tables without [store.s3] are under <dir>/objects/");
  cmd->add_option("--format", flags->format, "output: table (default), csv or json (JSON Lines)");
  cmd->add_option("--limit", flags->limit, "at most this many rows per query (0: all)");
  cmd->add_option("--max-state-bytes", flags->max_state_bytes,
                  "memory for group state and results (default: [jobs] max_state_bytes, 1 GiB)");
  cmd->add_flag("--stats", flags->stats, "print objects and rows read to stderr");
  cmd->callback([flags, exit_code] { *exit_code = Run(*flags); });
}

}  // namespace fluxgate::cli
