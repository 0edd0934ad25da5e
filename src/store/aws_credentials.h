// Where S3 credentials and the region come from when [store.s3] does not give them: the
// chain the AWS SDKs and CLI use, minus the instance/container metadata services.
//
//   credentials: [store.s3] access_key_id + secret_access_key
//                else AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN)
//                else the shared credentials file ($AWS_SHARED_CREDENTIALS_FILE or
//                ~/.aws/credentials), profile $AWS_PROFILE or "default"
//   region:      [store.s3] region, else AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1
//
// Errors and the returned `source` never contain a secret.
// Thread-safety: pure functions over the environment lookup they are given.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "auth/sigv4.h"
#include "common/status.h"

namespace fluxgate::store {

// Reads an environment variable; the default one reads the process environment.
using EnvLookup = std::function<std::optional<std::string>(const char* name)>;
EnvLookup ProcessEnv();

struct ResolvedCredentials {
  sigv4::Credentials credentials;
  // Where they came from, for logs: "config", "environment", or
  // "shared credentials file /home/u/.aws/credentials [profile default]".
  std::string source;
};

// The first complete set along the chain. InvalidArgument naming every place looked in
// when none has a key pair; InvalidArgument for a named profile missing from the file.
Result<ResolvedCredentials> ResolveAwsCredentials(std::string_view access_key_id,
                                                  std::string_view secret_access_key,
                                                  const EnvLookup& env = ProcessEnv());

std::string ResolveAwsRegion(std::string_view configured, const EnvLookup& env = ProcessEnv());

// One profile of a shared credentials file (INI: "[name]" sections, "key = value" lines,
// '#' or ';' comments): aws_access_key_id, aws_secret_access_key, aws_session_token.
// NotFound when the profile is absent; InvalidArgument when it lacks either key.
Result<sigv4::Credentials> ParseSharedCredentials(std::string_view text, std::string_view profile);

}  // namespace fluxgate::store
