// AWS Signature Version 4 (header auth), split into the documented steps so the same code
// signs outgoing requests (the Kinesis client, later S3) and verifies incoming ones on the
// server: canonical request -> string to sign -> signing key -> signature.
//
// All functions are pure (no clock, no I/O) and thread-safe. Secrets are only ever passed
// in; nothing here logs. Query (presigned) auth is not covered yet; the building blocks
// (CanonicalQueryString, UriEncode) are what it will need.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "http/message.h"

namespace fluxgate::sigv4 {

inline constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

struct Credentials {
  std::string access_key;
  std::string secret_key;
  std::string session_token;  // empty unless temporary credentials
};

// The credential scope "date/region/service/aws4_request".
struct Scope {
  std::string date;  // YYYYMMDD, must equal the first 8 chars of X-Amz-Date
  std::string region;
  std::string service;
  std::string ToString() const;
};

// --- Primitives -------------------------------------------------------------------------

std::string Sha256Hex(std::string_view data);
// Raw 32-byte HMAC-SHA256.
std::string HmacSha256(std::string_view key, std::string_view data);
std::string HexEncode(std::string_view bytes);
// Compares without early exit, so a verifier does not leak how many characters matched.
bool ConstantTimeEquals(std::string_view a, std::string_view b);
// "YYYYMMDDTHHMMSSZ" in UTC.
std::string FormatAmzDate(std::chrono::system_clock::time_point t);

// RFC 3986 percent-encoding as SigV4 wants it: unreserved chars (A-Z a-z 0-9 - _ . ~) kept,
// everything else %XX upper-case; '/' kept only when `keep_slash`.
std::string UriEncode(std::string_view s, bool keep_slash);

// --- Canonical request building blocks ---------------------------------------------------

// Canonical URI from the path as sent on the wire. Non-S3 services encode the (already
// encoded) path once more; S3 uses it as is (`double_encode` = false). Dot-segment
// normalisation is not done: our clients never send such paths.
std::string CanonicalUri(std::string_view wire_path, bool double_encode = true);

// Canonical query string: parameters decoded, re-encoded with UriEncode, sorted by name then
// value, joined with '&'. `query` is the part after '?', without it.
std::string CanonicalQueryString(std::string_view query);

// Header value with ends trimmed and inner runs of spaces collapsed to one.
std::string CanonicalHeaderValue(std::string_view value);

// Signed-header names as they appear in the Authorization header ("a;b;c"), lower-cased and
// sorted, from any list of names.
std::string SignedHeadersString(std::vector<std::string> names);
// Splits "a;b;c" into names (no validation beyond non-empty parts).
std::vector<std::string> SplitSignedHeaders(std::string_view signed_headers);

struct CanonicalRequestParts {
  std::string_view method;  // "POST"
  std::string_view target;  // path plus optional "?query", as on the wire
  // Every header of the request; names compared case-insensitively. Only those named in
  // `signed_headers` are used, repeated ones joined with ','.
  const std::vector<http::Header>* headers = nullptr;
  std::string_view signed_headers;  // "content-type;host;x-amz-date"
  std::string_view payload_hash;    // hex SHA-256 of the body
  bool double_encode_path = true;   // false for S3
};

// The canonical request text. InvalidArgument when a signed header is absent.
Result<std::string> BuildCanonicalRequest(const CanonicalRequestParts& parts);

// "AWS4-HMAC-SHA256\n<amz_date>\n<scope>\n<hex sha256 of canonical request>".
std::string BuildStringToSign(std::string_view amz_date, const Scope& scope,
                              std::string_view canonical_request);

// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request").
// Raw bytes; cacheable per (secret, scope) since it only changes daily.
std::string DeriveSigningKey(std::string_view secret_key, const Scope& scope);

// Hex HMAC of the string to sign under the signing key.
std::string ComputeSignature(std::string_view signing_key, std::string_view string_to_sign);

// --- Authorization header -----------------------------------------------------------------

struct Authorization {
  std::string access_key;
  Scope scope;
  std::string signed_headers;  // as sent, "a;b;c"
  std::string signature;       // hex
};

std::string FormatAuthorization(const Authorization& auth);
// Parses "AWS4-HMAC-SHA256 Credential=AK/date/region/service/aws4_request, SignedHeaders=..,
// Signature=..". InvalidArgument naming what is missing or malformed (the server maps it to
// IncompleteSignatureException).
Result<Authorization> ParseAuthorization(std::string_view header);

// --- Whole-request signing ----------------------------------------------------------------

// Signs a request in place: adds x-amz-date (and x-amz-security-token with a session
// token) and authorization. Signs every header present plus host, which the caller
// must include as it will be sent ("localhost:4567" with a non-default port).
// InvalidArgument if there is no host header.
Status SignRequest(const Credentials& creds, std::string_view region, std::string_view service,
                   std::chrono::system_clock::time_point now, std::string_view method,
                   std::string_view target, std::vector<http::Header>* headers,
                   std::string_view body);

// SignRequest with the payload hash given rather than computed from a body: S3 signs the
// hash it sends in x-amz-content-sha256 (the body's hex SHA-256, or "UNSIGNED-PAYLOAD"),
// which the caller adds to `headers` before signing so it is signed too. The request
// path is used as on the wire for service "s3" (S3 encodes it once), encoded again for
// every other service.
Status SignRequestWithPayloadHash(const Credentials& creds, std::string_view region,
                                  std::string_view service,
                                  std::chrono::system_clock::time_point now,
                                  std::string_view method, std::string_view target,
                                  std::vector<http::Header>* headers,
                                  std::string_view payload_hash);

}  // namespace fluxgate::sigv4
