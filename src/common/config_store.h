// StoreConfig: the [store] section of the serve config — where s3:// sink paths and the
// archive live. Without [store.s3] they stay in the embedded local store under
// <data-dir>/objects/ (docs/configuration.md "[store]", docs/design/store.md).
// Plain values and pure functions; safe from any thread.
#pragma once

#include <optional>
#include <string>

#include "common/config_toml_fwd.h"
#include "common/status.h"

namespace fluxgate {

struct StoreConfig {
  // [store.s3]: an S3-compatible object store. Unset: the embedded local store.
  struct S3 {
    // "https://s3.us-east-1.amazonaws.com", "http://127.0.0.1:4569"; empty: AWS S3 in the
    // region (https://s3.<region>.amazonaws.com). No path.
    std::string endpoint;
    // Empty: $AWS_REGION, then $AWS_DEFAULT_REGION, then "us-east-1".
    std::string region;
    std::string access_key_id;      // empty: AWS_* environment, then the shared credentials file
    std::string secret_access_key;  // never logged
    bool path_style = false;        // true: http://HOST/BUCKET/KEY; false: http://BUCKET.HOST/KEY
    std::string sse;                // "" or "AES256": x-amz-server-side-encryption on writes
  };
  std::optional<S3> s3;
};

// Reads the [store] table (and its [store.s3] sub-table) into `out`.
Status LoadStoreConfig(const toml::table& table, const std::string& file, StoreConfig& out);
// Checks values no type can (endpoint URL shape, sse names, credentials given in pairs).
Status ValidateStoreConfig(const StoreConfig& config);

}  // namespace fluxgate
