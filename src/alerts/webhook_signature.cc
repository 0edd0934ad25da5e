#include "alerts/webhook_signature.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace fluxgate::alerts {

std::string HmacSha256Hex(std::string_view key, std::string_view message) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &len);
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * len);
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kDigits[mac[i] >> 4]);
    out.push_back(kDigits[mac[i] & 0xf]);
  }
  return out;
}

std::string WebhookSignature(std::string_view secret, int64_t unix_seconds, std::string_view body) {
  std::string message = std::to_string(unix_seconds);
  message.push_back('.');
  message.append(body);
  return "v1=" + HmacSha256Hex(secret, message);
}

}  // namespace fluxgate::alerts
