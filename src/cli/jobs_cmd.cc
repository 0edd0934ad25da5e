// `fluxgate jobs`: list, stop, restart and remove the streaming jobs of a running server
// through its HTTP listener (/v1/jobs).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <ctime>

#include "cli/commands.h"
#include "cli/server_client.h"

namespace fluxgate::cli {
namespace {

struct JobsFlags {
  std::string server = kDefaultServer;
  std::string ca_file;  // --ca-file; empty: $FLUXGATE_CA_FILE or the system store
  std::string name;
};

int Fail(const Status& st) {
  std::fprintf(stderr, "fluxgate jobs: %s\n", st.message().c_str());
  return 1;
}

// "2026-11-25 23:11:46.851" (UTC), or "-".
std::string FormatMs(int64_t ms) {
  if (ms <= 0) return "-";
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d %02d:%02d:%02d.%03d", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

int List(const JobsFlags& f) {
  auto client = ServerClient::Create(f.server, f.ca_file);
  if (!client.ok()) return Fail(client.status());
  auto doc = (*client)->Call("GET", "/v1/jobs");
  if (!doc.ok()) return Fail(doc.status());
  simdjson::dom::array jobs;
  if ((*doc)["jobs"].get_array().get(jobs) != simdjson::SUCCESS || jobs.size() == 0) {
    std::printf("no jobs (submit one with `fluxgate sql FILE`)\n");
    return 0;
  }
  struct Row {
    std::string cells[9];
    std::string error;
  };
  std::vector<Row> rows;
  rows.push_back({{"NAME", "STATE", "PARALLELISM", "RECORDS IN", "RECORDS OUT", "DEAD LETTERS",
                   "LATE", "WATERMARK (UTC)", "LAST CHECKPOINT (UTC)"},
                  ""});
  for (simdjson::dom::element j : jobs) {
    Row r;
    r.cells[0] = JsonString(j, "name");
    r.cells[1] = JsonString(j, "state");
    r.cells[2] = std::to_string(JsonInt(j, "parallelism"));
    r.cells[3] = std::to_string(JsonInt(j, "records_in"));
    r.cells[4] = std::to_string(JsonInt(j, "records_out"));
    r.cells[5] = std::to_string(JsonInt(j, "dead_letters"));
    r.cells[6] = std::to_string(JsonInt(j, "late_records"));
    r.cells[7] = FormatMs(JsonInt(j, "watermark_ms", 0));
    const int64_t cp = JsonInt(j, "last_checkpoint_id");
    r.cells[8] =
        cp == 0 ? "-"
                : "#" + std::to_string(cp) + " " + FormatMs(JsonInt(j, "last_checkpoint_at_ms"));
    r.error = JsonString(j, "error");
    rows.push_back(std::move(r));
  }
  size_t width[9] = {};
  for (const Row& r : rows)
    for (int i = 0; i < 9; ++i) width[i] = std::max(width[i], r.cells[i].size());
  for (const Row& r : rows) {
    std::string line;
    for (int i = 0; i < 9; ++i) {
      std::string cell = r.cells[i];
      const bool numeric = i >= 2 && i <= 6;
      if (numeric)
        cell = std::string(width[i] - cell.size(), ' ') + cell;
      else if (i < 8)
        cell += std::string(width[i] - cell.size(), ' ');
      line += cell;
      if (i < 8) line += "  ";
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    std::printf("%s\n", line.c_str());
    if (!r.error.empty()) std::printf("    error: %s\n", r.error.c_str());
  }
  return 0;
}

int Act(const JobsFlags& f, const std::string& action) {
  auto client = ServerClient::Create(f.server, f.ca_file);
  if (!client.ok()) return Fail(client.status());
  const std::string target = "/v1/jobs/" + UrlEncode(f.name);
  auto doc = action == "remove" ? (*client)->Call("DELETE", target)
                                : (*client)->Call("POST", target + "/" + action);
  if (!doc.ok()) return Fail(doc.status());
  if (action == "remove") {
    std::printf("job %s: removed, with its checkpoints\n", f.name.c_str());
    return 0;
  }
  std::printf("job %s: %s\n", f.name.c_str(), JsonString(*doc, "state").c_str());
  if (std::string error = JsonString(*doc, "error"); !error.empty()) {
    std::printf("    error: %s\n", error.c_str());
    return 1;
  }
  return 0;
}

}  // namespace

void RegisterJobsCommand(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<JobsFlags>();
  CLI::App* cmd =
      app.add_subcommand("jobs", "List, stop, restart and remove the jobs of a running server");
  cmd->require_subcommand(1);
  auto server = [f](CLI::App* sub) {
    sub->add_option("--server", f->server, "HTTP listener of the server (http:// or https://)")
        ->capture_default_str();
    sub->add_option("--ca-file", f->ca_file,
                    "PEM file of CA certificates to trust for an https:// server (default: "
                    "$FLUXGATE_CA_FILE, else the system store)")
        ->check(CLI::ExistingFile);
  };
  auto* list = cmd->add_subcommand(
      "list",
      "Show every job: state, parallelism, records in/out, dead letters, late records, "
      "watermark, last checkpoint");
  server(list);
  list->callback([f, exit_code] { *exit_code = List(*f); });
  struct Action {
    const char* name;
    const char* help;
  };
  for (const Action& a : {Action{"stop",
                                 "Stop a job after a final checkpoint; it stays stopped "
                                 "across server restarts"},
                          Action{"restart",
                                 "Stop (if running) and start a job again from its "
                                 "last checkpoint"},
                          Action{"remove", "Stop a job and delete it with its checkpoints"}}) {
    auto* sub = cmd->add_subcommand(a.name, a.help);
    sub->add_option("name", f->name, "Job name ('pipeline.name')")->required();
    server(sub);
    const std::string action = a.name;
    sub->callback([f, exit_code, action] { *exit_code = Act(*f, action); });
  }
}

}  // namespace fluxgate::cli
