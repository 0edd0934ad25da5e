#include "common/config_auth.h"

#include <toml++/toml.h>

#include "common/config_reader.h"

namespace fluxgate {

using config_internal::TableReader;

Status LoadAuthConfig(const toml::table& table, const std::string& file, AuthConfig& out) {
  TableReader r(table, "auth.", file);
  if (const toml::array* entries = r.Tables("principals")) {
    out.principals.clear();
    for (size_t i = 0; i < entries->size(); ++i) {
      AuthConfig::Principal p;
      TableReader pr(*entries->get(i)->as_table(), "auth.principals[" + std::to_string(i) + "].",
                     file);
      pr.Read("access_key_id", p.access_key_id);
      pr.Read("secret_access_key", p.secret_access_key);
      pr.Read("allow", p.allow);
      pr.Read("streams", p.streams);
      FG_RETURN_IF_ERROR(pr.Finish());
      out.principals.push_back(std::move(p));
    }
  }
  return r.Finish();
}

Status LoadTlsConfig(const toml::table& table, const std::string& file, TlsConfig& out) {
  TableReader r(table, "tls.", file);
  r.Read("cert_file", out.cert_file);
  r.Read("key_file", out.key_file);
  return r.Finish();
}

Status ValidateAuthConfig(const AuthConfig& auth) {
  (void)auth;
  return Status::Ok();
}

Status ValidateTlsConfig(const TlsConfig& tls) {
  if (tls.cert_file.empty() != tls.key_file.empty())
    return Status::InvalidArgument("tls.cert_file and tls.key_file must be set together");
  return Status::Ok();
}

}  // namespace fluxgate
