// AuthConfig: the [auth] and [tls] sections of the serve config — who may call the APIs
// (SigV4 principals and their permissions) and the certificate the listeners serve.
// docs/configuration.md.
#pragma once

#include <string>
#include <vector>

#include "common/config_toml_fwd.h"
#include "common/status.h"

namespace fluxgate {

struct AuthConfig {
  // One [[auth.principals]] table. Secrets are never logged.
  struct Principal {
    std::string access_key_id;
    std::string secret_access_key;
    std::vector<std::string> allow;    // actions: "kinesis:PutRecords", "kinesis:Get*", ...
    std::vector<std::string> streams;  // stream names or patterns ("*", "iot-*"); empty: all
  };
  std::vector<Principal> principals;  // empty: any signature accepted (local default)
};

// Both or neither. With both, the Kinesis API and HTTP listeners serve only HTTPS; there
// are no per-listener overrides (docs/configuration.md [tls]).
struct TlsConfig {
  std::string cert_file;  // PEM certificate chain; with key_file, every listener speaks TLS
  std::string key_file;   // PEM private key (unencrypted)
};

// Readers for the [auth] and [tls] tables (`file` only for error messages).
Status LoadAuthConfig(const toml::table& table, const std::string& file, AuthConfig& out);
Status LoadTlsConfig(const toml::table& table, const std::string& file, TlsConfig& out);
Status ValidateAuthConfig(const AuthConfig& auth);
// Both files set or neither, and each readable (errors name the key).
Status ValidateTlsConfig(const TlsConfig& tls);

}  // namespace fluxgate
