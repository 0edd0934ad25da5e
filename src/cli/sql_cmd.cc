// `fluxgate sql`: submit a pipeline file to a running server, or print the rows of an
// ad-hoc continuous query as they are produced (like the Flink SQL client's "+I[...]").
#include <signal.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/commands.h"
#include "cli/server_client.h"

namespace fluxgate::cli {
namespace {

struct SqlFlags {
  std::string file;
  std::string server = kDefaultServer;
  std::string ca_file;  // --ca-file; empty: $FLUXGATE_CA_FILE or the system store
  std::string name;     // default job name; empty: the file's name without extension
  std::string print;    // the query to print
  int64_t limit = 0;    // rows; 0: no limit
  double timeout = 0;   // seconds; 0: none
};

std::atomic<bool> g_interrupted{false};
void OnInterrupt(int) { g_interrupted.store(true); }

int Fail(const std::string& message) {
  std::fprintf(stderr, "fluxgate sql: %s\n", message.c_str());
  return 1;
}

void PrintStrings(simdjson::dom::element doc, const char* key, const char* prefix, FILE* out) {
  simdjson::dom::array items;
  if (doc[key].get_array().get(items) != simdjson::SUCCESS) return;
  for (simdjson::dom::element e : items) {
    std::string_view s;
    if (e.get_string().get(s) == simdjson::SUCCESS)
      std::fprintf(out, "%s%.*s\n", prefix, static_cast<int>(s.size()), s.data());
  }
}

int Submit(const SqlFlags& f) {
  std::ifstream in(f.file, std::ios::binary);
  if (!in) return Fail(f.file + ": cannot be read");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string name = f.name.empty() ? std::filesystem::path(f.file).stem().string() : f.name;
  auto client = ServerClient::Create(f.server, f.ca_file);
  if (!client.ok()) return Fail(client.status().message());
  auto doc = (*client)->Call("POST", "/v1/jobs?name=" + UrlEncode(name), ss.str());
  if (!doc.ok()) return Fail(doc.status().message());
  PrintStrings(*doc, "notices", "notice: ", stderr);
  simdjson::dom::array explains;
  if ((*doc)["explains"].get_array().get(explains) == simdjson::SUCCESS) {
    for (simdjson::dom::element e : explains) {
      std::string_view s;
      if (e.get_string().get(s) == simdjson::SUCCESS)
        std::printf("%.*s\n", static_cast<int>(s.size()), s.data());
    }
  }
  int rc = 0;
  simdjson::dom::array jobs;
  if ((*doc)["jobs"].get_array().get(jobs) == simdjson::SUCCESS) {
    for (simdjson::dom::element j : jobs) {
      const std::string job = JsonString(j, "name"), action = JsonString(j, "action");
      if (action == "failed") {
        std::printf("job %s: failed to start: %s\n", job.c_str(), JsonString(j, "error").c_str());
        rc = 1;
      } else {
        std::printf("job %s: %s\n", job.c_str(), action.c_str());
      }
    }
  }
  return rc;
}

int Print(const SqlFlags& f) {
  auto client = ServerClient::Create(f.server, f.ca_file);
  if (!client.ok()) return Fail(client.status().message());
  ServerClient& c = **client;
  auto started = c.Call("POST", "/v1/queries", f.print);
  if (!started.ok()) return Fail(started.status().message());
  const std::string id = JsonString(*started, "id");
  PrintStrings(*started, "notices", "notice: ", stderr);
  std::string columns;
  simdjson::dom::array cols;
  if ((*started)["columns"].get_array().get(cols) == simdjson::SUCCESS) {
    for (simdjson::dom::element e : cols) {
      std::string_view s;
      if (e.get_string().get(s) != simdjson::SUCCESS) continue;
      if (!columns.empty()) columns += ", ";
      columns += s;
    }
  }
  std::fprintf(stderr, "query %s: [%s]; Ctrl-C stops it\n", id.c_str(), columns.c_str());

  struct sigaction sa = {};
  sa.sa_handler = OnInterrupt;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);

  const auto deadline = f.timeout > 0
                            ? std::chrono::steady_clock::now() +
                                  std::chrono::milliseconds(static_cast<int64_t>(f.timeout * 1000))
                            : std::chrono::steady_clock::time_point::max();
  uint64_t after = 0;
  int64_t printed = 0;
  int rc = 0;
  std::string end = "stopped";
  while (!g_interrupted.load()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      end = "timeout reached";
      break;
    }
    auto page = c.Call("GET", "/v1/queries/" + UrlEncode(id) +
                                  "/rows?after=" + std::to_string(after) + "&wait_ms=1000");
    if (!page.ok()) {
      rc = Fail(page.status().message());
      end.clear();
      break;
    }
    if (int64_t dropped = JsonInt(*page, "dropped"); dropped > 0)
      std::fprintf(stderr,
                   "fluxgate sql: %lld rows were dropped: the server keeps a bounded buffer "
                   "per query and this terminal read too slowly\n",
                   static_cast<long long>(dropped));
    simdjson::dom::array rows;
    if ((*page)["rows"].get_array().get(rows) == simdjson::SUCCESS) {
      for (simdjson::dom::element e : rows) {
        std::string_view s;
        if (e.get_string().get(s) != simdjson::SUCCESS) continue;
        std::printf("%.*s\n", static_cast<int>(s.size()), s.data());
        ++after;
        if (f.limit > 0 && ++printed >= f.limit) break;
      }
      std::fflush(stdout);
    }
    after = static_cast<uint64_t>(JsonInt(*page, "next", static_cast<int64_t>(after)));
    if (f.limit > 0 && printed >= f.limit) {
      end = "limit reached";
      break;
    }
    const std::string state = JsonString(*page, "state");
    if (state == "FAILED") {
      rc = Fail("query " + id + " failed: " + JsonString(*page, "error"));
      break;
    }
    if (state == "STOPPED") break;
  }
  // Stop the query on the server; if this fails it expires after a minute without polls.
  (void)c.Call("DELETE", "/v1/queries/" + UrlEncode(id));
  if (!end.empty()) std::fprintf(stderr, "query %s: %s\n", id.c_str(), end.c_str());
  return rc;
}

int Run(const SqlFlags& f) {
  if (!f.print.empty() && !f.file.empty())
    return Fail("give either a pipeline FILE to submit or --print SQL to run, not both");
  if (!f.print.empty()) return Print(f);
  if (f.file.empty()) return Fail("give a pipeline FILE to submit, or --print \"SELECT ...\"");
  if (f.limit != 0 || f.timeout != 0) return Fail("--limit and --timeout go with --print");
  return Submit(f);
}

}  // namespace

void RegisterSqlCommand(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<SqlFlags>();
  CLI::App* cmd = app.add_subcommand(
      "sql", "Submit a SQL pipeline file to a running server, or print a query's rows");
  cmd->footer(
      "fluxgate sql FILE: starts one job per INSERT (or statement set) of FILE on the server,\n"
      "printing notices, EXPLAIN output and the jobs started. Jobs are named by 'pipeline.name'\n"
      "or else after FILE (--name overrides), and keep running across server restarts.\n"
      "fluxgate sql --print \"SELECT ...\": runs a continuous query on the server and prints\n"
      "its rows (+I[...]) until Ctrl-C, --limit or --timeout. Tables come from the query's own\n"
      "CREATE TABLE statements or from the scripts of the jobs already submitted.");
  cmd->add_option("file", f->file, "SQL pipeline file to submit");
  cmd->add_option("--server", f->server, "HTTP listener of the server (http:// or https://)")
      ->capture_default_str();
  cmd->add_option("--ca-file", f->ca_file,
                  "PEM file of CA certificates to trust for an https:// server (default: "
                  "$FLUXGATE_CA_FILE, else the system store)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--name", f->name,
                  "Job name for pipelines without 'pipeline.name' (default: FILE's name without "
                  "extension)");
  cmd->add_option("--print", f->print, "A SELECT to run and print (optionally after DDL)");
  cmd->add_option("--limit", f->limit, "With --print: stop after this many rows")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--timeout", f->timeout, "With --print: stop after this many seconds")
      ->check(CLI::NonNegativeNumber);
  cmd->callback([f, exit_code] { *exit_code = Run(*f); });
}

}  // namespace fluxgate::cli
