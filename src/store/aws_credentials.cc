#include "store/aws_credentials.h"

#include <cstdlib>

#include "store/file_system.h"

namespace fluxgate::store {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

std::string Env(const EnvLookup& env, const char* name) {
  auto v = env(name);
  return v ? *v : std::string();
}

}  // namespace

EnvLookup ProcessEnv() {
  return [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

Result<sigv4::Credentials> ParseSharedCredentials(std::string_view text, std::string_view profile) {
  sigv4::Credentials c;
  bool in_profile = false, found = false;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = Trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[') {
      size_t close = line.find(']');
      std::string_view name = Trim(
          line.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1));
      in_profile = name == profile;
      found |= in_profile;
      continue;
    }
    if (!in_profile) continue;
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = Trim(line.substr(0, eq)), value = Trim(line.substr(eq + 1));
    if (key == "aws_access_key_id") {
      c.access_key = std::string(value);
    } else if (key == "aws_secret_access_key") {
      c.secret_key = std::string(value);
    } else if (key == "aws_session_token") {
      c.session_token = std::string(value);
    }
  }
  if (!found) return Status::NotFound("no profile [" + std::string(profile) + "]");
  if (c.access_key.empty() || c.secret_key.empty())
    return Status::InvalidArgument("profile [" + std::string(profile) +
                                   "] lacks aws_access_key_id or aws_secret_access_key");
  return c;
}

Result<ResolvedCredentials> ResolveAwsCredentials(std::string_view access_key_id,
                                                  std::string_view secret_access_key,
                                                  const EnvLookup& env) {
  ResolvedCredentials out;
  if (!access_key_id.empty() && !secret_access_key.empty()) {
    out.credentials.access_key = std::string(access_key_id);
    out.credentials.secret_key = std::string(secret_access_key);
    out.source = "config";
    return out;
  }
  std::string ak = Env(env, "AWS_ACCESS_KEY_ID"), sk = Env(env, "AWS_SECRET_ACCESS_KEY");
  if (!ak.empty() && !sk.empty()) {
    out.credentials.access_key = std::move(ak);
    out.credentials.secret_key = std::move(sk);
    out.credentials.session_token = Env(env, "AWS_SESSION_TOKEN");
    out.source = "environment";
    return out;
  }
  std::string file = Env(env, "AWS_SHARED_CREDENTIALS_FILE");
  if (file.empty()) {
    std::string home = Env(env, "HOME");
    if (!home.empty()) file = home + "/.aws/credentials";
  }
  std::string profile = Env(env, "AWS_PROFILE");
  const bool profile_named = !profile.empty();
  if (!profile_named) profile = "default";
  if (!file.empty()) {
    auto text = DefaultFileSystem()->ReadFile(file);
    if (text.ok()) {
      auto c = ParseSharedCredentials(*text, profile);
      if (c.ok()) {
        out.credentials = std::move(*c);
        out.source = "shared credentials file " + file + " [profile " + profile + "]";
        return out;
      }
      if (!c.status().IsNotFound() || profile_named)
        return Status::InvalidArgument("shared credentials file " + file + ": " +
                                       std::string(c.status().message()));
    } else if (!text.status().IsNotFound()) {
      return Status::InvalidArgument("cannot read shared credentials file " + file + ": " +
                                     std::string(text.status().message()));
    }
  }
  return Status::InvalidArgument(
      "no S3 credentials: set store.s3.access_key_id and store.s3.secret_access_key, or "
      "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile in " +
      (file.empty() ? std::string("~/.aws/credentials") : file));
}

std::string ResolveAwsRegion(std::string_view configured, const EnvLookup& env) {
  if (!configured.empty()) return std::string(configured);
  for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    std::string v = Env(env, name);
    if (!v.empty()) return v;
  }
  return "us-east-1";
}

}  // namespace fluxgate::store
