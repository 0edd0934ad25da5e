// `fluxgate streams`: manage streams of a running server through its Kinesis API.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/commands.h"
#include "kinesis/client.h"

namespace fluxgate::cli {
namespace {

struct StreamsFlags {
  std::string endpoint = "http://127.0.0.1:4567";
  std::string ca_file;  // --ca-file; empty: $FLUXGATE_CA_FILE or the system store
  std::string name;
  int shards = 2;
};

Result<std::unique_ptr<kinesis::KinesisClient>> Connect(const StreamsFlags& f) {
  kinesis::ClientOptions o;
  o.endpoint = f.endpoint;
  o.ca_file = f.ca_file;
  return kinesis::KinesisClient::Create(o);
}

int Fail(const Status& st) {
  std::fprintf(stderr, "fluxgate streams: %s\n", st.message().c_str());
  return 1;
}

int List(const StreamsFlags& f) {
  auto c = Connect(f);
  if (!c.ok()) return Fail(c.status());
  auto body = (*c)->Call("ListStreams", "{}");
  if (!body.ok()) return Fail(body.status());
  std::printf("%s\n", body->c_str());
  return 0;
}

int Create(const StreamsFlags& f) {
  auto c = Connect(f);
  if (!c.ok()) return Fail(c.status());
  if (Status st = (*c)->CreateStream(f.name, f.shards); !st.ok()) return Fail(st);
  if (Status st = (*c)->WaitForActive(f.name); !st.ok()) return Fail(st);
  std::printf("stream %s is ACTIVE with %d shards\n", f.name.c_str(), f.shards);
  return 0;
}

int Describe(const StreamsFlags& f) {
  auto c = Connect(f);
  if (!c.ok()) return Fail(c.status());
  auto s = (*c)->DescribeStreamSummary(f.name);
  if (!s.ok()) return Fail(s.status());
  std::printf("%s  %s  open shards %d  retention %d h\n  %s\n", s->stream_name.c_str(),
              s->status.c_str(), s->open_shard_count, s->retention_period_hours,
              s->stream_arn.c_str());
  auto shards = (*c)->ListShards(f.name);
  if (!shards.ok()) return Fail(shards.status());
  for (const auto& sh : *shards) {
    std::printf("  %s  hash [%s, %s]%s%s\n", sh.shard_id.c_str(), sh.starting_hash_key.c_str(),
                sh.ending_hash_key.c_str(), sh.ending_sequence_number.empty() ? "" : "  closed",
                sh.parent_shard_id.empty() ? "" : ("  parent " + sh.parent_shard_id).c_str());
  }
  return 0;
}

int Delete(const StreamsFlags& f) {
  auto c = Connect(f);
  if (!c.ok()) return Fail(c.status());
  std::string body = "{\"StreamName\":\"" + f.name + "\"}";
  auto r = (*c)->Call("DeleteStream", body);
  if (!r.ok()) return Fail(r.status());
  std::printf("stream %s is being deleted\n", f.name.c_str());
  return 0;
}

}  // namespace

void RegisterStreamsCommand(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<StreamsFlags>();
  CLI::App* cmd = app.add_subcommand(
      "streams", "List, create, describe and delete streams of a running server");
  cmd->require_subcommand(1);
  cmd->add_option("--endpoint", f->endpoint,
                  "Kinesis API endpoint of the server (http:// or https://)")
      ->capture_default_str();
  cmd->add_option("--ca-file", f->ca_file,
                  "PEM file of CA certificates to trust for an https:// endpoint (default: "
                  "$FLUXGATE_CA_FILE, else the system store)")
      ->check(CLI::ExistingFile);
  auto* list = cmd->add_subcommand("list", "List stream names (ListStreams)");
  list->callback([f, exit_code] { *exit_code = List(*f); });
  auto* create = cmd->add_subcommand("create", "Create a stream and wait until it is ACTIVE");
  create->add_option("name", f->name, "Stream name")->required();
  create->add_option("--shards", f->shards, "Shard count")->capture_default_str();
  create->callback([f, exit_code] { *exit_code = Create(*f); });
  auto* describe = cmd->add_subcommand("describe", "Show a stream's status and shards");
  describe->add_option("name", f->name, "Stream name")->required();
  describe->callback([f, exit_code] { *exit_code = Describe(*f); });
  auto* del = cmd->add_subcommand("delete", "Delete a stream and all its records");
  del->add_option("name", f->name, "Stream name")
      ->required()
      ->check(CLI::Validator(
          [](std::string& s) {
            return s.find_first_not_of(
                       "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                       "0123456789_.-") == std::string::npos
                       ? std::string()
                       : std::string("stream names use only [a-zA-Z0-9_.-]");
          },
          "STREAM"));
  del->callback([f, exit_code] { *exit_code = Delete(*f); });
}

}  // namespace fluxgate::cli
