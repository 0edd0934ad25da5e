// Opening the object store a sink (or the CLI) writes to, from the [store] config:
// with [store.s3] set, s3:// locations go to that S3-compatible service; otherwise they
// stay in the embedded local store under <data_dir>/objects/ exactly as ResolveLocalSink
// lays them out. Plain directories (and file://) are always local.
//
// Thread-safety: the free functions are pure apart from reading the environment and the
// shared credentials file; SinkStoreOpener::Open may be called from several threads.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "common/config_store.h"
#include "common/status.h"
#include "store/aws_credentials.h"
#include "store/object_store.h"
#include "store/s3_object_store.h"
#include "store/sink_location.h"

namespace fluxgate::store {

// Where a sink's objects go: keys are `prefix` + "/" + name (just name when prefix is
// empty) in `bucket` of `store`.
struct SinkStore {
  // shared_ptr: one S3 store (its connection pool) serves every sink of a node, and
  // lives as long as the last sink holding it.
  std::shared_ptr<ObjectStore> store;
  std::string bucket;     // empty for a plain local directory
  std::string prefix;     // no leading or trailing '/'; may be empty
  bool remote = false;    // true: S3
  std::string local_dir;  // local only: the directory files land in (LocalSinkTarget::dir)
};

// S3Options from [store.s3] plus the credential/region chain (aws_credentials.h): endpoint
// empty means https://s3.<region>.amazonaws.com. InvalidArgument when no credentials are
// found anywhere; the message never holds a secret.
Result<S3Options> S3OptionsFromConfig(const StoreConfig::S3& config,
                                      const EnvLookup& env = ProcessEnv());

// A new S3ObjectStore for [store.s3]; InvalidArgument when `config.s3` is unset.
Result<std::shared_ptr<ObjectStore>> OpenS3Store(const StoreConfig& config,
                                                 const EnvLookup& env = ProcessEnv());

// The store for one sink location; opens a new S3ObjectStore each call (use
// SinkStoreOpener to share one). InvalidArgument for a bad bucket or prefix.
Result<SinkStore> OpenSinkStore(const SinkLocation& location, std::string_view data_dir,
                                const StoreConfig& config);

// OpenSinkStore sharing one S3ObjectStore (created on first use) and one
// LocalObjectStore for the <data_dir>/objects tree across every sink of a node.
class SinkStoreOpener {
 public:
  SinkStoreOpener(StoreConfig config, std::string data_dir, EnvLookup env = ProcessEnv());
  Result<SinkStore> Open(const SinkLocation& location);

 private:
  const StoreConfig config_;
  const std::string data_dir_;
  const EnvLookup env_;
  std::mutex mu_;
  std::shared_ptr<ObjectStore> s3_;     // GUARDED_BY(mu_)
  std::shared_ptr<ObjectStore> local_;  // GUARDED_BY(mu_): the <data_dir>/objects store
};

}  // namespace fluxgate::store
