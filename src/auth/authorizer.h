// Authorizer: who may call the Kinesis API and the HTTP API, built from the [auth] section.
//
// With no [[auth.principals]] it is disabled and lets everything in, signed or not (the
// local default, announced at startup). With principals, every request must carry a valid
// SigV4 signature of one of them (service "kinesis" on the Kinesis listener, "fluxgate" on
// the HTTP listener, the [kinesis] region on both), and the principal's `allow` / `streams`
// must cover the action and the stream(s) the request touches. docs/design/auth.md.
//
// Refusals are logged on the "auth" logger (at most one line a second, with a count of
// the lines left out); secrets and signatures never are.
//
// Thread-safety: every method may be called concurrently from any I/O thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/refusal.h"
#include "auth/verifier.h"
#include "common/config_auth.h"
#include "http/message.h"

namespace fluxgate::auth {

inline constexpr std::string_view kKinesisService = "kinesis";
inline constexpr std::string_view kHttpService = "fluxgate";

struct AuthorizerOptions {
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  std::chrono::seconds max_skew{300};
};

class Authorizer {
 public:
  // `config` should have passed ValidateAuthConfig; secrets are copied in.
  Authorizer(const AuthConfig& config, AuthorizerOptions options);

  bool enabled() const { return verifier_.principal_count() > 0; }
  // One line for the startup log, without secrets.
  std::string Summary() const;

  // The signature check. `service` is kKinesisService or kHttpService.
  Verdict Authenticate(const http::Request& request, std::string_view service,
                       std::chrono::system_clock::time_point now) const;

  // Whether `principal` may perform `action` ("kinesis:PutRecords") on every stream in
  // `streams`; empty `streams` (ListStreams, or a request naming no stream) checks the action
  // alone. nullopt when allowed, else AccessDeniedException in AWS's words.
  std::optional<Refusal> Authorize(const Principal& principal, std::string_view action,
                                   const std::vector<std::string>& streams) const;

  // The whole check for a request on the HTTP listener (see http_actions.h): nullopt when
  // it may proceed (always when disabled), else the refusal with http_status 403.
  std::optional<Refusal> CheckHttp(const http::Request& request,
                                   std::chrono::system_clock::time_point now) const;

  std::string StreamArn(std::string_view stream) const;

 private:
  // `context` says what was refused and whose request it was (never a secret).
  void LogRefusal(const std::string& context, const Refusal& r) const;

  AuthorizerOptions options_;
  SigV4Verifier verifier_;
  mutable std::atomic<int64_t> next_log_ms_{0};
  mutable std::atomic<uint64_t> unlogged_{0};
};

}  // namespace fluxgate::auth
