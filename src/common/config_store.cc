#include "common/config_store.h"

#include <toml++/toml.h>

#include "common/config_reader.h"

namespace fluxgate {

using config_internal::TableReader;

Status LoadStoreConfig(const toml::table& table, const std::string& file, StoreConfig& out) {
  TableReader r(table, "store.", file);
  if (const toml::table* t = r.Sub("s3")) {
    StoreConfig::S3 s3;
    TableReader sr(*t, "store.s3.", file);
    sr.Read("endpoint", s3.endpoint);
    sr.Read("region", s3.region);
    sr.Read("access_key_id", s3.access_key_id);
    sr.Read("secret_access_key", s3.secret_access_key);
    sr.Read("path_style", s3.path_style);
    sr.Read("sse", s3.sse);
    FG_RETURN_IF_ERROR(sr.Finish());
    out.s3 = std::move(s3);
  }
  return r.Finish();
}

Status ValidateStoreConfig(const StoreConfig& config) {
  if (!config.s3) return Status::Ok();
  if (config.s3->sse != "" && config.s3->sse != "AES256")
    return Status::InvalidArgument("store.s3.sse must be \"\" or \"AES256\"");
  return Status::Ok();
}

}  // namespace fluxgate
