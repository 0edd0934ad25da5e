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
  const StoreConfig::S3& s3 = *config.s3;
  if (s3.sse != "" && s3.sse != "AES256")
    return Status::InvalidArgument("store.s3.sse must be \"\" or \"AES256\", not \"" + s3.sse +
                                   "\"");
  if (!s3.endpoint.empty()) {
    // http(s)://HOST[:PORT] with nothing after but an optional '/'.
    const std::string_view e = s3.endpoint;
    const size_t sep = e.find("://");
    const std::string_view scheme = sep == std::string_view::npos ? "" : e.substr(0, sep);
    std::string_view rest = sep == std::string_view::npos ? "" : e.substr(sep + 3);
    if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
    if ((scheme != "http" && scheme != "https") || rest.empty() ||
        rest.find_first_of("/?#@ ") != std::string_view::npos) {
      return Status::InvalidArgument(
          "store.s3.endpoint must be http://HOST[:PORT] or "
          "https://HOST[:PORT] with no path, not \"" +
          s3.endpoint + "\"");
    }
  }
  if (s3.access_key_id.empty() != s3.secret_access_key.empty())
    return Status::InvalidArgument(
        "store.s3.access_key_id and store.s3.secret_access_key must be set together");
  return Status::Ok();
}

}  // namespace fluxgate
