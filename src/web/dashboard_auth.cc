#include "web/dashboard_auth.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <string>

#include "common/ascii.h"
#include "web/http_util.h"

namespace fluxgate::web {

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  unsigned char da[SHA256_DIGEST_LENGTH], db[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(a.data()), a.size(), da);
  SHA256(reinterpret_cast<const unsigned char*>(b.data()), b.size(), db);
  return CRYPTO_memcmp(da, db, sizeof(da)) == 0;
}

std::string CookieValue(std::string_view header, std::string_view name) {
  size_t pos = 0;
  while (pos < header.size()) {
    size_t end = header.find(';', pos);
    if (end == std::string_view::npos) end = header.size();
    std::string_view part = header.substr(pos, end - pos);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    size_t eq = part.find('=');
    if (eq != std::string_view::npos && part.substr(0, eq) == name) {
      std::string_view v = part.substr(eq + 1);
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      return PercentDecode(v);
    }
    pos = end + 1;
  }
  return {};
}

TokenCheck CheckBearerToken(const http::Request& req, std::string_view token) {
  std::string_view auth = req.Get("authorization");
  constexpr std::string_view kBearer = "bearer ";
  if (auth.size() >= kBearer.size() &&
      AsciiEqualsIgnoreCase(auth.substr(0, kBearer.size()), kBearer)) {
    std::string_view given = auth.substr(kBearer.size());
    while (!given.empty() && given.front() == ' ') given.remove_prefix(1);
    while (!given.empty() && given.back() == ' ') given.remove_suffix(1);
    return ConstantTimeEquals(given, token) ? TokenCheck::kValid : TokenCheck::kInvalid;
  }
  if (!auth.empty()) return TokenCheck::kAbsent;  // another scheme (SigV4): not ours to judge
  if (req.method == "GET" || req.method == "HEAD") {
    for (const http::Header& h : req.headers) {
      if (h.name != "cookie") continue;
      std::string v = CookieValue(h.value, kTokenCookie);
      if (!v.empty())
        return ConstantTimeEquals(v, token) ? TokenCheck::kValid : TokenCheck::kInvalid;
    }
  }
  return TokenCheck::kAbsent;
}

}  // namespace fluxgate::web
