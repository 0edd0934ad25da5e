#include "store/open_store.h"

#include "common/logging.h"

namespace fluxgate::store {
namespace {

// Local: the sink as ResolveLocalSink lays it out. `shared_objects` is reused for
// s3:// locations kept under <data_dir>/objects when non-null.
Result<SinkStore> LocalSink(const SinkLocation& loc, std::string_view data_dir,
                            std::shared_ptr<ObjectStore>* shared_objects) {
  FG_ASSIGN_OR_RETURN(LocalSinkTarget t, ResolveLocalSink(loc, data_dir));
  SinkStore out;
  if (loc.kind == SinkLocation::Kind::kObjectStore && shared_objects != nullptr) {
    if (!*shared_objects) *shared_objects = std::make_shared<LocalObjectStore>(t.root);
    out.store = *shared_objects;
  } else {
    out.store = std::make_shared<LocalObjectStore>(t.root);
  }
  out.bucket = std::move(t.bucket);
  out.prefix = std::move(t.prefix);
  out.local_dir = std::move(t.dir);
  return out;
}

// S3: bucket and prefix checked the way ResolveLocalSink checks them.
Result<SinkStore> RemoteSink(const SinkLocation& loc, std::shared_ptr<ObjectStore> s3) {
  FG_ASSIGN_OR_RETURN(LocalSinkTarget t, ResolveLocalSink(loc, "/"));
  SinkStore out;
  out.store = std::move(s3);
  out.bucket = std::move(t.bucket);
  out.prefix = std::move(t.prefix);
  out.remote = true;
  return out;
}

}  // namespace

Result<S3Options> S3OptionsFromConfig(const StoreConfig::S3& config, const EnvLookup& env) {
  S3Options o;
  o.region = ResolveAwsRegion(config.region, env);
  o.endpoint =
      config.endpoint.empty() ? "https://s3." + o.region + ".amazonaws.com" : config.endpoint;
  while (o.endpoint.size() > 8 && o.endpoint.back() == '/') o.endpoint.pop_back();
  o.path_style = config.path_style;
  o.sse = config.sse;
  FG_ASSIGN_OR_RETURN(ResolvedCredentials rc,
                      ResolveAwsCredentials(config.access_key_id, config.secret_access_key, env));
  GetLogger("store")->info("S3 store at {} (region {}, {} addressing{}); credentials from {}",
                           o.endpoint, o.region, o.path_style ? "path-style" : "virtual-hosted",
                           o.sse.empty() ? "" : ", SSE " + o.sse, rc.source);
  o.credentials = std::move(rc.credentials);
  return o;
}

Result<std::shared_ptr<ObjectStore>> OpenS3Store(const StoreConfig& config, const EnvLookup& env) {
  if (!config.s3) return Status::InvalidArgument("no [store.s3] section in the config");
  FG_ASSIGN_OR_RETURN(S3Options o, S3OptionsFromConfig(*config.s3, env));
  FG_ASSIGN_OR_RETURN(auto s3, S3ObjectStore::Create(std::move(o)));
  return std::shared_ptr<ObjectStore>(std::move(s3));
}

Result<SinkStore> OpenSinkStore(const SinkLocation& location, std::string_view data_dir,
                                const StoreConfig& config) {
  if (location.kind == SinkLocation::Kind::kObjectStore && config.s3) {
    FG_ASSIGN_OR_RETURN(auto s3, OpenS3Store(config));
    return RemoteSink(location, std::move(s3));
  }
  return LocalSink(location, data_dir, nullptr);
}

SinkStoreOpener::SinkStoreOpener(StoreConfig config, std::string data_dir, EnvLookup env)
    : config_(std::move(config)), data_dir_(std::move(data_dir)), env_(std::move(env)) {}

Result<SinkStore> SinkStoreOpener::Open(const SinkLocation& location) {
  std::lock_guard<std::mutex> lock(mu_);
  if (location.kind == SinkLocation::Kind::kObjectStore && config_.s3) {
    if (!s3_) {
      FG_ASSIGN_OR_RETURN(s3_, OpenS3Store(config_, env_));
    }
    return RemoteSink(location, s3_);
  }
  return LocalSink(location, data_dir_, &local_);
}

}  // namespace fluxgate::store
