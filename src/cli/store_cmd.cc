// `fluxgate store`: the object store a config points at, from the command line — to check
// an S3 setup (endpoint, credentials, addressing, SSE) before pipelines write there, and to
// look at what sinks wrote. It opens the store exactly as sinks do (store/open_store.h):
// with [store.s3] in --config, s3:// URLs go to S3; otherwise to the embedded local store
// under <data-dir>/objects.
//
//   fluxgate store ls  [--config F] s3://BUCKET/PREFIX      KEY<TAB>SIZE<TAB>MTIME per line
//   fluxgate store put [--config F] FILE s3://BUCKET/KEY   multipart when FILE >= 8 MiB
//   fluxgate store get [--config F] s3://BUCKET/KEY [FILE]  stdout without FILE
//   fluxgate store rm  [--config F] s3://BUCKET/KEY
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "cli/commands.h"
#include "common/config.h"
#include "store/open_store.h"

namespace fluxgate::cli {
namespace {

struct StoreFlags {
  std::string config;
  std::string data_dir;
  std::string url;
  std::string file;
  bool multipart = false;
  bool single = false;
};

int Fail(const std::string& what, const Status& st) {
  std::fprintf(stderr, "fluxgate store %s: %s\n", what.c_str(), st.message().c_str());
  return 1;
}

// The store and bucket for an s3:// URL, plus the key (or prefix) it names, unnormalised.
struct Target {
  store::SinkStore sink;
  std::string key;
};

Result<Target> Open(const StoreFlags& f) {
  ServeConfig config;
  if (!f.config.empty()) {
    FG_RETURN_IF_ERROR(LoadConfigFile(f.config, config));
    FG_RETURN_IF_ERROR(ValidateStoreConfig(config.store));
  }
  if (!f.data_dir.empty()) config.data_dir = f.data_dir;
  FG_ASSIGN_OR_RETURN(store::SinkLocation loc, store::ParseSinkLocation(f.url));
  if (loc.kind != store::SinkLocation::Kind::kObjectStore)
    return Status::InvalidArgument("want an s3://BUCKET/KEY URL, not '" + f.url + "'");
  Target t;
  t.key = loc.prefix;
  loc.prefix.clear();
  FG_ASSIGN_OR_RETURN(t.sink, store::OpenSinkStore(loc, config.data_dir, config.store));
  return t;
}

int RunLs(const StoreFlags& f) {
  auto t = Open(f);
  if (!t.ok()) return Fail("ls", t.status());
  auto list = t->sink.store->List(t->sink.bucket, t->key);
  if (!list.ok()) return Fail("ls", list.status());
  for (const auto& o : *list) {
    std::printf("%s\t%llu\t%lld\n", o.key.c_str(), static_cast<unsigned long long>(o.size),
                static_cast<long long>(o.last_modified_ms));
  }
  return 0;
}

int RunPut(const StoreFlags& f) {
  auto t = Open(f);
  if (!t.ok()) return Fail("put", t.status());
  std::ifstream in(f.file, std::ios::binary);
  if (!in) return Fail("put", Status::NotFound("cannot open " + f.file));
  std::ostringstream buf;
  buf << in.rdbuf();
  const std::string data = std::move(buf).str();
  store::ObjectStore& s = *t->sink.store;
  const bool multipart = !f.single && (f.multipart || data.size() >= store::S3Options{}.part_size);
  const auto start = std::chrono::steady_clock::now();
  if (multipart) {
    // The sinks' path: a staged object, appended in 1 MiB writes, persisted, published.
    auto w = s.BeginStaged(t->sink.bucket, t->key);
    if (!w.ok()) return Fail("put", w.status());
    constexpr size_t kChunk = 1 << 20;
    for (size_t off = 0; off < data.size(); off += kChunk) {
      Status st = (*w)->Append(std::string_view(data).substr(off, kChunk));
      if (!st.ok()) return Fail("put", st);
    }
    auto h = (*w)->CloseForPublish();
    if (!h.ok()) return Fail("put", h.status());
    Status st = s.PublishStaged(*h);
    if (!st.ok()) return Fail("put", st);
  } else {
    Status st = s.Put(t->sink.bucket, t->key, data);
    if (!st.ok()) return Fail("put", st);
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr, "put s3://%s/%s: %zu bytes in %.3f s (%.1f MB/s, %s)\n",
               t->sink.bucket.c_str(), t->key.c_str(), data.size(), secs,
               secs > 0 ? data.size() / secs / 1e6 : 0.0, multipart ? "multipart" : "single PUT");
  return 0;
}

int RunGet(const StoreFlags& f) {
  auto t = Open(f);
  if (!t.ok()) return Fail("get", t.status());
  auto data = t->sink.store->Get(t->sink.bucket, t->key);
  if (!data.ok()) return Fail("get", data.status());
  if (f.file.empty() || f.file == "-") {
    std::fwrite(data->data(), 1, data->size(), stdout);
    return 0;
  }
  std::ofstream out(f.file, std::ios::binary | std::ios::trunc);
  out.write(data->data(), static_cast<std::streamsize>(data->size()));
  if (!out) return Fail("get", Status::IOError("cannot write " + f.file));
  return 0;
}

int RunRm(const StoreFlags& f) {
  auto t = Open(f);
  if (!t.ok()) return Fail("rm", t.status());
  Status st = t->sink.store->Delete(t->sink.bucket, t->key);
  return st.ok() ? 0 : Fail("rm", st);
}

void CommonFlags(CLI::App* sub, StoreFlags* f) {
  sub->add_option("--config", f->config,
                  "Serve config file; its [store.s3] section selects S3 (else the local store)");
  sub->add_option("--data-dir", f->data_dir,
                  "Data directory of the embedded local store (default: the config's)");
}

}  // namespace

void RegisterStoreCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<StoreFlags>();
  CLI::App* cmd = app.add_subcommand(
      "store", "List, upload, download and delete objects in the configured object store");
  cmd->require_subcommand(1);

  CLI::App* ls = cmd->add_subcommand("ls", "List objects under s3://BUCKET/PREFIX");
  CommonFlags(ls, flags.get());
  ls->add_option("url", flags->url, "s3://BUCKET/PREFIX")->required();
  ls->callback([flags, exit_code] { *exit_code = RunLs(*flags); });

  CLI::App* put = cmd->add_subcommand("put", "Upload FILE to s3://BUCKET/KEY");
  CommonFlags(put, flags.get());
  put->add_option("file", flags->file, "Local file")->required();
  put->add_option("url", flags->url, "s3://BUCKET/KEY")->required();
  put->add_flag("--multipart", flags->multipart,
                "Upload as a staged (multipart) object whatever the size");
  put->add_flag("--single", flags->single, "Upload with one PUT whatever the size");
  put->callback([flags, exit_code] { *exit_code = RunPut(*flags); });

  CLI::App* get = cmd->add_subcommand("get", "Download s3://BUCKET/KEY to FILE or stdout");
  CommonFlags(get, flags.get());
  get->add_option("url", flags->url, "s3://BUCKET/KEY")->required();
  get->add_option("file", flags->file, "Local file (default: stdout)");
  get->callback([flags, exit_code] { *exit_code = RunGet(*flags); });

  CLI::App* rm = cmd->add_subcommand("rm", "Delete s3://BUCKET/KEY");
  CommonFlags(rm, flags.get());
  rm->add_option("url", flags->url, "s3://BUCKET/KEY")->required();
  rm->callback([flags, exit_code] { *exit_code = RunRm(*flags); });
}

}  // namespace fluxgate::cli
