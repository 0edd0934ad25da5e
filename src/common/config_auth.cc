#include "common/config_auth.h"

#include <toml++/toml.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>
#include <string_view>

#include "common/config_reader.h"

namespace fluxgate {

using config_internal::TableReader;

Status LoadAuthConfig(const toml::table& table, const std::string& file, AuthConfig& out) {
  TableReader r(table, "auth.", file);
  FG_RETURN_IF_ERROR(
      r.ReadTables("principals", out.principals,
                   [](TableReader& pr, const toml::table&, AuthConfig::Principal& p) -> Status {
                     pr.Read("access_key_id", p.access_key_id);
                     pr.Read("secret_access_key", p.secret_access_key);
                     pr.Read("allow", p.allow);
                     pr.Read("streams", p.streams);
                     return pr.Finish();
                   }));
  return r.Finish();
}

Status LoadTlsConfig(const toml::table& table, const std::string& file, TlsConfig& out) {
  TableReader r(table, "tls.", file);
  r.Read("cert_file", out.cert_file);
  r.Read("key_file", out.key_file);
  return r.Finish();
}

namespace {

bool IsGlobChar(char c) { return c == '*' || c == '?'; }

// An action pattern: "*", or "kinesis:..." / "admin:..." with letters and wildcards.
bool ValidAction(std::string_view a) {
  if (a == "*") return true;
  const size_t colon = a.find(':');
  if (colon == std::string_view::npos) return false;
  const std::string_view service = a.substr(0, colon), name = a.substr(colon + 1);
  if (service != "kinesis" && service != "admin") return false;
  if (name.empty()) return false;
  for (char c : name)
    if (!std::isalpha(static_cast<unsigned char>(c)) && !IsGlobChar(c)) return false;
  return true;
}

// A stream name pattern ([a-zA-Z0-9_.-] plus wildcards) or an ARN pattern ("arn:...").
bool ValidStreamPattern(std::string_view s) {
  if (s.empty() || s.size() > 2048) return false;
  if (s.rfind("arn:", 0) == 0) {
    for (char c : s)
      if (std::isspace(static_cast<unsigned char>(c))) return false;
    return true;
  }
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-' &&
        !IsGlobChar(c))
      return false;
  return true;
}

}  // namespace

Status ValidateAuthConfig(const AuthConfig& auth) {
  // Messages name the key and, for access keys, the key id; never the secret.
  std::set<std::string> seen;
  for (size_t i = 0; i < auth.principals.size(); ++i) {
    const AuthConfig::Principal& p = auth.principals[i];
    const std::string key = "auth.principals[" + std::to_string(i) + "].";
    if (p.access_key_id.empty()) return Status::InvalidArgument(key + "access_key_id is required");
    for (char c : p.access_key_id) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.')
        return Status::InvalidArgument(key + "access_key_id '" + p.access_key_id +
                                       "' may only hold letters, digits, '_', '-' and '.'");
    }
    if (!seen.insert(p.access_key_id).second)
      return Status::InvalidArgument(key + "access_key_id '" + p.access_key_id +
                                     "' is used by an earlier principal");
    if (p.secret_access_key.empty())
      return Status::InvalidArgument(key + "secret_access_key is required (access key '" +
                                     p.access_key_id + "')");
    if (p.allow.empty())
      return Status::InvalidArgument(key + "allow is empty: access key '" + p.access_key_id +
                                     "' could call nothing (e.g. allow = [\"kinesis:*\"])");
    for (const std::string& a : p.allow) {
      if (!ValidAction(a))
        return Status::InvalidArgument(
            key + "allow: '" + a +
            "' is not an action; expected \"kinesis:Operation\" or \"admin:Action\" (wildcards "
            "* and ? allowed), or \"*\"");
    }
    for (const std::string& s : p.streams) {
      if (!ValidStreamPattern(s))
        return Status::InvalidArgument(key + "streams: '" + s +
                                       "' is not a stream name, pattern (iot-*) or ARN pattern");
    }
  }
  return Status::Ok();
}

namespace {

// A missing or unreadable file is refused here, naming the key; whether it holds a
// certificate and a matching key is checked when the listeners load it (http/tls.h).
Status CheckReadableFile(const std::string& path, const char* key) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr)
    return Status::InvalidArgument(std::string(key) + ": cannot read '" + path +
                                   "': " + std::strerror(errno));
  std::fclose(f);
  return Status::Ok();
}

}  // namespace

Status ValidateTlsConfig(const TlsConfig& tls) {
  if (tls.cert_file.empty() != tls.key_file.empty())
    return Status::InvalidArgument("tls.cert_file and tls.key_file must be set together");
  if (tls.cert_file.empty()) return Status::Ok();
  FG_RETURN_IF_ERROR(CheckReadableFile(tls.cert_file, "tls.cert_file"));
  return CheckReadableFile(tls.key_file, "tls.key_file");
}

}  // namespace fluxgate
