// SigV4Verifier: checks the AWS Signature Version 4 of an incoming request against the
// configured principals, answering with the principal that signed it or the refusal AWS
// would give (MissingAuthenticationToken, IncompleteSignature, InvalidSignature,
// UnrecognizedClient). It reuses the signing steps of auth/sigv4.h, so the server checks a
// signature exactly the way our own clients make one.
//
// What is checked, in order: an Authorization header in AWS4-HMAC-SHA256 form; X-Amz-Date
// present and in basic ISO-8601; the credential scope's date, region and service; host
// among the signed headers; a known access key and no session token (principals are
// long-term keys); the timestamp within `max_skew` of now (AWS: 5 minutes); a declared
// x-amz-content-sha256 equal to the body's hash; and the signature over the body's real
// hash, compared in constant time. Query-string (presigned) auth is not supported.
//
// Thread-safety: Verify may be called concurrently. The principals are immutable; the
// signing-key cache is guarded by its own mutex.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "auth/permissions.h"
#include "auth/refusal.h"
#include "http/message.h"

namespace fluxgate::auth {

struct Principal {
  std::string access_key_id;
  std::string secret_access_key;  // never logged, never put in a message
  Permissions permissions;
  std::string arn;  // "arn:aws:iam::ACCOUNT:user/ACCESS_KEY_ID", for AccessDenied messages
};

// The outcome of Verify: the principal, or why not.
struct Verdict {
  const Principal* principal = nullptr;  // owned by the verifier; null when refused
  Refusal refusal;
  bool ok() const { return principal != nullptr; }
};

struct VerifierOptions {
  std::string region = "us-east-1";  // the only region a credential scope may name
  std::chrono::seconds max_skew{300};
  size_t max_cached_keys = 4096;  // signing keys cached; the cache is cleared when full
};

class SigV4Verifier {
 public:
  SigV4Verifier(std::vector<Principal> principals, VerifierOptions options);

  // `service` is the scope the request must be signed for ("kinesis", "fluxgate").
  Verdict Verify(const http::Request& request, std::string_view service,
                 std::chrono::system_clock::time_point now) const;

  size_t principal_count() const { return principals_.size(); }
  const VerifierOptions& options() const { return options_; }

  // Signing keys derived so far (for tests of the cache).
  size_t cached_keys() const;

 private:
  std::string SigningKey(const Principal& p, const std::string& date,
                         std::string_view service) const;

  std::vector<std::unique_ptr<Principal>> principals_;
  std::unordered_map<std::string, const Principal*> by_key_;  // access key id -> principal
  VerifierOptions options_;
  mutable std::mutex mu_;
  // (access key, date, region, service) -> kSigning; a key changes daily per scope.
  mutable std::unordered_map<std::string, std::string> keys_;  // GUARDED_BY(mu_)
};

// "20150830T123600Z" -> time point; false if not exactly that shape or not a real date.
bool ParseAmzDate(std::string_view text, std::chrono::system_clock::time_point* out);

}  // namespace fluxgate::auth
