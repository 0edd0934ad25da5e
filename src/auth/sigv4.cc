#include "auth/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <utility>

#include "common/ascii.h"

namespace fluxgate::sigv4 {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding for query parameters; malformed escapes are kept literally, and '+' is
// kept as '+' (SigV4 does not treat it as a space).
std::string UriDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int hi = HexValue(s[i + 1]), lo = HexValue(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

}  // namespace

std::string Scope::ToString() const {
  std::string s;
  s.reserve(date.size() + region.size() + service.size() + 16);
  s.append(date).append("/").append(region).append("/").append(service).append("/aws4_request");
  return s;
}

std::string Sha256Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  return HexEncode(std::string_view(reinterpret_cast<const char*>(md), len));
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), md, &len);
  return std::string(reinterpret_cast<const char*>(md), len);
}

std::string HexEncode(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    auto b = static_cast<unsigned char>(bytes[i]);
    out[2 * i] = kDigits[b >> 4];
    out[2 * i + 1] = kDigits[b & 0xf];
  }
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i)
    diff |= static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i]);
  return diff == 0;
}

std::string FormatAmzDate(std::chrono::system_clock::time_point t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string UriEncode(std::string_view s, bool keep_slash) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' ||
        (keep_slash && c == '/')) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kDigits[c >> 4]);
      out.push_back(kDigits[c & 0xf]);
    }
  }
  return out;
}

std::string CanonicalUri(std::string_view wire_path, bool double_encode) {
  if (wire_path.empty()) return "/";
  if (!double_encode) return std::string(wire_path);
  return UriEncode(wire_path, /*keep_slash=*/true);
}

std::string CanonicalQueryString(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> params;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (part.empty()) continue;
    size_t eq = part.find('=');
    std::string_view name = part.substr(0, eq);
    std::string_view value =
        eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1);
    params.emplace_back(UriEncode(UriDecode(name), false), UriEncode(UriDecode(value), false));
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out.push_back('&');
    out.append(name).append("=").append(value);
  }
  return out;
}

std::string CanonicalHeaderValue(std::string_view value) {
  value = Trim(value);
  std::string out;
  out.reserve(value.size());
  bool in_space = false;
  for (char c : value) {
    if (c == ' ' || c == '\t') {
      if (!in_space) out.push_back(' ');
      in_space = true;
    } else {
      out.push_back(c);
      in_space = false;
    }
  }
  return out;
}

std::string SignedHeadersString(std::vector<std::string> names) {
  for (auto& n : names) n = AsciiToLower(n);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out.push_back(';');
    out.append(n);
  }
  return out;
}

std::vector<std::string> SplitSignedHeaders(std::string_view signed_headers) {
  std::vector<std::string> out;
  while (!signed_headers.empty()) {
    size_t semi = signed_headers.find(';');
    std::string_view part = signed_headers.substr(0, semi);
    if (!part.empty()) out.emplace_back(part);
    if (semi == std::string_view::npos) break;
    signed_headers.remove_prefix(semi + 1);
  }
  return out;
}

Result<std::string> BuildCanonicalRequest(const CanonicalRequestParts& parts) {
  if (parts.headers == nullptr) return Status::InvalidArgument("no headers to sign");
  std::string_view target = parts.target;
  size_t q = target.find('?');
  std::string_view path = target.substr(0, q);
  std::string_view query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);

  std::string out;
  out.reserve(256 + parts.headers->size() * 48);
  out.append(parts.method).push_back('\n');
  out.append(CanonicalUri(path, parts.double_encode_path)).push_back('\n');
  out.append(CanonicalQueryString(query)).push_back('\n');
  // Headers in the order the client listed them in SignedHeaders; AWS clients always send
  // that list sorted, and the signature must be over exactly what they listed.
  for (const std::string& name : SplitSignedHeaders(parts.signed_headers)) {
    std::string joined;
    bool found = false;
    for (const auto& h : *parts.headers) {
      if (!AsciiEqualsIgnoreCase(h.name, name)) continue;
      if (found) joined.push_back(',');
      joined.append(CanonicalHeaderValue(h.value));
      found = true;
    }
    if (!found) return Status::InvalidArgument("signed header '" + name + "' is not present");
    out.append(AsciiToLower(name)).append(":").append(joined).push_back('\n');
  }
  out.push_back('\n');
  out.append(parts.signed_headers).push_back('\n');
  out.append(parts.payload_hash);
  return out;
}

std::string BuildStringToSign(std::string_view amz_date, const Scope& scope,
                              std::string_view canonical_request) {
  std::string out(kAlgorithm);
  out.push_back('\n');
  out.append(amz_date).push_back('\n');
  out.append(scope.ToString()).push_back('\n');
  out.append(Sha256Hex(canonical_request));
  return out;
}

std::string DeriveSigningKey(std::string_view secret_key, const Scope& scope) {
  std::string k_secret = "AWS4";
  k_secret.append(secret_key);
  std::string k_date = HmacSha256(k_secret, scope.date);
  std::string k_region = HmacSha256(k_date, scope.region);
  std::string k_service = HmacSha256(k_region, scope.service);
  return HmacSha256(k_service, "aws4_request");
}

std::string ComputeSignature(std::string_view signing_key, std::string_view string_to_sign) {
  return HexEncode(HmacSha256(signing_key, string_to_sign));
}

std::string FormatAuthorization(const Authorization& auth) {
  std::string out(kAlgorithm);
  out.append(" Credential=").append(auth.access_key).append("/").append(auth.scope.ToString());
  out.append(", SignedHeaders=").append(auth.signed_headers);
  out.append(", Signature=").append(auth.signature);
  return out;
}

Result<Authorization> ParseAuthorization(std::string_view header) {
  header = Trim(header);
  if (header.substr(0, kAlgorithm.size()) != kAlgorithm ||
      (header.size() > kAlgorithm.size() && header[kAlgorithm.size()] != ' ')) {
    return Status::InvalidArgument("Authorization does not use AWS4-HMAC-SHA256");
  }
  header.remove_prefix(kAlgorithm.size());
  std::string_view credential, signed_headers, signature;
  // Components are comma-separated "Name=value"; botocore puts a space after each comma.
  while (!header.empty()) {
    size_t comma = header.find(',');
    std::string_view part = Trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    size_t eq = part.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view name = part.substr(0, eq), value = part.substr(eq + 1);
    if (name == "Credential")
      credential = value;
    else if (name == "SignedHeaders")
      signed_headers = value;
    else if (name == "Signature")
      signature = value;
  }
  if (credential.empty()) return Status::InvalidArgument("Authorization lacks Credential");
  if (signed_headers.empty()) return Status::InvalidArgument("Authorization lacks SignedHeaders");
  if (signature.empty()) return Status::InvalidArgument("Authorization lacks Signature");

  // Credential = AKID/date/region/service/aws4_request; the key itself has no '/'.
  std::vector<std::string_view> fields;
  while (true) {
    size_t slash = credential.find('/');
    fields.push_back(credential.substr(0, slash));
    if (slash == std::string_view::npos) break;
    credential.remove_prefix(slash + 1);
  }
  if (fields.size() != 5 || fields[4] != "aws4_request" || fields[0].empty() ||
      fields[1].size() != 8) {
    return Status::InvalidArgument(
        "Credential should be scoped to a valid region, like "
        "<key>/<YYYYMMDD>/<region>/<service>/aws4_request");
  }
  Authorization auth;
  auth.access_key = std::string(fields[0]);
  auth.scope = Scope{std::string(fields[1]), std::string(fields[2]), std::string(fields[3])};
  auth.signed_headers = std::string(signed_headers);
  auth.signature = std::string(signature);
  return auth;
}

Status SignRequest(const Credentials& creds, std::string_view region, std::string_view service,
                   std::chrono::system_clock::time_point now, std::string_view method,
                   std::string_view target, std::vector<http::Header>* headers,
                   std::string_view body) {
  return SignRequestWithPayloadHash(creds, region, service, now, method, target, headers,
                                    Sha256Hex(body));
}

Status SignRequestWithPayloadHash(const Credentials& creds, std::string_view region,
                                  std::string_view service,
                                  std::chrono::system_clock::time_point now,
                                  std::string_view method, std::string_view target,
                                  std::vector<http::Header>* headers,
                                  std::string_view payload_hash) {
  bool has_host = false;
  for (const auto& h : *headers) has_host |= AsciiEqualsIgnoreCase(h.name, "host");
  if (!has_host) return Status::InvalidArgument("SignRequest needs a host header");

  std::string amz_date = FormatAmzDate(now);
  headers->push_back({"x-amz-date", amz_date});
  if (!creds.session_token.empty())
    headers->push_back({"x-amz-security-token", creds.session_token});

  std::vector<std::string> names;
  names.reserve(headers->size());
  for (const auto& h : *headers) names.push_back(h.name);
  std::string signed_headers = SignedHeadersString(std::move(names));

  CanonicalRequestParts parts;
  parts.method = method;
  parts.target = target;
  parts.headers = headers;
  parts.signed_headers = signed_headers;
  parts.payload_hash = payload_hash;
  parts.double_encode_path = service != "s3";
  FG_ASSIGN_OR_RETURN(std::string canonical, BuildCanonicalRequest(parts));

  Scope scope{amz_date.substr(0, 8), std::string(region), std::string(service)};
  std::string string_to_sign = BuildStringToSign(amz_date, scope, canonical);
  std::string signature =
      ComputeSignature(DeriveSigningKey(creds.secret_key, scope), string_to_sign);
  headers->push_back(
      {"authorization", FormatAuthorization({creds.access_key, scope, signed_headers, signature})});
  return Status::Ok();
}

}  // namespace fluxgate::sigv4
