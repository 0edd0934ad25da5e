#include "auth/verifier.h"

#include <ctime>
#include <utility>

#include "auth/sigv4.h"

namespace fluxgate::auth {
namespace {

constexpr char kSignatureMismatch[] =
    "The request signature we calculated does not match the signature you provided. Check "
    "your AWS Secret Access Key and signing method. Consult the service documentation for "
    "details.";

bool AllDigits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

int Num(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

bool HasSignedHeader(std::string_view signed_headers, std::string_view name) {
  for (const std::string& h : sigv4::SplitSignedHeaders(signed_headers))
    if (h == name) return true;
  return false;
}

}  // namespace

bool ParseAmzDate(std::string_view text, std::chrono::system_clock::time_point* out) {
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z' || !AllDigits(text.substr(0, 8)) ||
      !AllDigits(text.substr(9, 6)))
    return false;
  std::tm tm{};
  tm.tm_year = Num(text.substr(0, 4)) - 1900;
  tm.tm_mon = Num(text.substr(4, 2)) - 1;
  tm.tm_mday = Num(text.substr(6, 2));
  tm.tm_hour = Num(text.substr(9, 2));
  tm.tm_min = Num(text.substr(11, 2));
  tm.tm_sec = Num(text.substr(13, 2));
  if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
      tm.tm_sec > 60)
    return false;
  // system_clock counts nanoseconds in 64 bits (years 1678-2262): a date outside that
  // would overflow the conversion, and no client signs with one anyway.
  if (tm.tm_year < 70 || tm.tm_year > 300) return false;
  *out = std::chrono::system_clock::from_time_t(timegm(&tm));
  return true;
}

SigV4Verifier::SigV4Verifier(std::vector<Principal> principals, VerifierOptions options)
    : options_(std::move(options)) {
  for (Principal& p : principals) {
    principals_.push_back(std::make_unique<Principal>(std::move(p)));
    by_key_.emplace(principals_.back()->access_key_id, principals_.back().get());
  }
}

size_t SigV4Verifier::cached_keys() const {
  std::lock_guard<std::mutex> lock(mu_);
  return keys_.size();
}

std::string SigV4Verifier::SigningKey(const Principal& p, const std::string& date,
                                      std::string_view service) const {
  std::string cache_key;
  cache_key.reserve(p.access_key_id.size() + date.size() + options_.region.size() + 32);
  cache_key.append(p.access_key_id).push_back('\0');
  cache_key.append(date).push_back('\0');
  cache_key.append(options_.region).push_back('\0');
  cache_key.append(service);
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = keys_.find(cache_key);
    if (it != keys_.end()) return it->second;
  }
  std::string key = sigv4::DeriveSigningKey(
      p.secret_access_key, sigv4::Scope{date, options_.region, std::string(service)});
  std::lock_guard<std::mutex> lock(mu_);
  // Keys only ever change with the date, so a full cache is simply started afresh.
  if (keys_.size() >= options_.max_cached_keys) keys_.clear();
  keys_.emplace(std::move(cache_key), key);
  return key;
}

Verdict SigV4Verifier::Verify(const http::Request& request, std::string_view service,
                              std::chrono::system_clock::time_point now) const {
  auto refuse = [](Refusal r) { return Verdict{nullptr, std::move(r)}; };
  const std::string_view header = request.Get("authorization");
  if (header.empty()) {
    if (request.target.find("X-Amz-Credential=") != std::string::npos)
      return refuse(Refusal::Incomplete(
          "Query-string (presigned) authentication is not supported; sign the request with "
          "an Authorization header."));
    return refuse(Refusal::MissingToken());
  }
  auto parsed = sigv4::ParseAuthorization(header);
  if (!parsed.ok()) return refuse(Refusal::Incomplete(parsed.status().message()));
  const sigv4::Authorization& auth = *parsed;

  const std::string_view amz_date = request.Get("x-amz-date");
  if (amz_date.empty())
    return refuse(Refusal::Incomplete(
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header "
        "(only X-Amz-Date is supported)."));
  std::chrono::system_clock::time_point signed_at;
  if (!ParseAmzDate(amz_date, &signed_at))
    return refuse(
        Refusal::Incomplete("X-Amz-Date must be in ISO-8601 basic format "
                            "(YYYYMMDDTHHMMSSZ), got '" +
                            std::string(amz_date) + "'."));
  if (auth.scope.date != amz_date.substr(0, 8))
    return refuse(Refusal::InvalidSignature(
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
        "HTTP: '" +
        auth.scope.date + "' != '" + std::string(amz_date.substr(0, 8)) + "', from '" +
        std::string(amz_date) + "'."));
  if (auth.scope.region != options_.region)
    return refuse(Refusal::InvalidSignature("Credential should be scoped to a valid region, not '" +
                                            auth.scope.region + "'."));
  if (auth.scope.service != service)
    return refuse(Refusal::InvalidSignature("Credential should be scoped to correct service: '" +
                                            std::string(service) + "'."));
  if (!HasSignedHeader(auth.signed_headers, "host"))
    return refuse(Refusal::Incomplete(
        "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."));

  auto it = by_key_.find(auth.access_key);
  if (it == by_key_.end()) return refuse(Refusal::UnrecognizedClient());
  const Principal& principal = *it->second;
  // Principals are long-term keys: a session token can only belong to someone else's
  // temporary credentials, which AWS would not accept here either.
  if (request.Has("x-amz-security-token")) return refuse(Refusal::UnrecognizedClient());

  if (signed_at < now - options_.max_skew || signed_at > now + options_.max_skew) {
    const bool expired = signed_at < now;
    const auto bound = expired ? now - options_.max_skew : now + options_.max_skew;
    const std::string minutes =
        std::to_string(std::chrono::duration_cast<std::chrono::minutes>(options_.max_skew).count());
    const std::string now_text = sigv4::FormatAmzDate(now);
    if (expired)
      return refuse(Refusal::InvalidSignature(
          "Signature expired: " + std::string(amz_date) + " is now earlier than " +
          sigv4::FormatAmzDate(bound) + " (" + now_text + " - " + minutes + " min.)"));
    return refuse(Refusal::InvalidSignature("Signature not yet current: " + std::string(amz_date) +
                                            " is still later than " + sigv4::FormatAmzDate(bound) +
                                            " (" + now_text + " + " + minutes + " min.)"));
  }

  const std::string payload_hash = sigv4::Sha256Hex(request.body);
  const std::string_view declared = request.Get("x-amz-content-sha256");
  if (!declared.empty() && declared != payload_hash)
    return refuse(Refusal::InvalidSignature(
        "The provided 'x-amz-content-sha256' header does not match what was computed."));

  sigv4::CanonicalRequestParts parts;
  parts.method = request.method;
  parts.target = request.target;
  parts.headers = &request.headers;
  parts.signed_headers = auth.signed_headers;
  parts.payload_hash = payload_hash;  // the body as received: a changed body fails below
  parts.double_encode_path = service != "s3";  // S3 signs the path as sent (encoded once)
  auto canonical = sigv4::BuildCanonicalRequest(parts);
  if (!canonical.ok()) return refuse(Refusal::InvalidSignature(kSignatureMismatch));

  const std::string key = SigningKey(principal, auth.scope.date, service);
  const std::string expected =
      sigv4::ComputeSignature(key, sigv4::BuildStringToSign(amz_date, auth.scope, *canonical));
  if (!sigv4::ConstantTimeEquals(expected, auth.signature))
    return refuse(Refusal::InvalidSignature(kSignatureMismatch));
  return Verdict{&principal, {}};
}

}  // namespace fluxgate::auth
