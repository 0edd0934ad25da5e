// ParseHostPort and ParseUrl: the address forms accepted in flags, config and URLs.
#include <cctype>
#include <charconv>
#include <string_view>

#include "common/ascii.h"
#include "http/client.h"
#include "http/server.h"

namespace fluxgate::http {

namespace {

Result<uint16_t> ParsePort(std::string_view s, const std::string& whole) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || value > 65535)
    return Status::InvalidArgument("invalid port '" + std::string(s) + "' in '" + whole +
                                   "' (want 0-65535)");
  return static_cast<uint16_t>(value);
}

// Splits "host:port" or "[v6]:port" (port required); `what` names the input in errors.
Result<std::pair<std::string, uint16_t>> SplitHostPort(std::string_view s,
                                                       const std::string& whole) {
  std::string host;
  std::string_view rest;
  if (!s.empty() && s.front() == '[') {
    auto close = s.find(']');
    if (close == std::string_view::npos)
      return Status::InvalidArgument("missing ']' in '" + whole + "'");
    host = std::string(s.substr(1, close - 1));
    rest = s.substr(close + 1);
    if (rest.empty() || rest.front() != ':')
      return Status::InvalidArgument("missing ':PORT' after ']' in '" + whole + "'");
    rest.remove_prefix(1);
  } else {
    auto colon = s.rfind(':');
    if (colon == std::string_view::npos)
      return Status::InvalidArgument("missing ':PORT' in '" + whole + "' (want HOST:PORT)");
    host = std::string(s.substr(0, colon));
    if (host.find(':') != std::string::npos)
      return Status::InvalidArgument("IPv6 address needs brackets in '" + whole +
                                     "' (want [ADDR]:PORT)");
    rest = s.substr(colon + 1);
  }
  if (host.empty()) return Status::InvalidArgument("missing host in '" + whole + "'");
  auto port = ParsePort(rest, whole);
  if (!port.ok()) return port.status();
  return std::make_pair(std::move(host), *port);
}

}  // namespace

Result<std::pair<std::string, uint16_t>> ParseHostPort(const std::string& s) {
  return SplitHostPort(s, s);
}

Result<Url> ParseUrl(const std::string& url) {
  auto sep = url.find("://");
  if (sep == std::string::npos)
    return Status::InvalidArgument("missing scheme in URL '" + url +
                                   "' (want http://HOST:PORT/PATH or https://...)");
  const std::string scheme = AsciiToLower(url.substr(0, sep));
  if (scheme != "http" && scheme != "https")
    return Status::InvalidArgument("unsupported scheme '" + scheme + "' in URL '" + url + "'");
  std::string_view rest = std::string_view(url).substr(sep + 3);
  auto slash = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, slash);
  Url out;
  out.scheme = scheme;
  // "http://h?q" has the path "/?q". Built by appending: g++ 12 warns falsely
  // (-Wrestrict) on string::insert at position 0.
  if (slash == std::string_view::npos || rest[slash] != '/') out.path.push_back('/');
  if (slash != std::string_view::npos) out.path.append(rest.substr(slash));
  if (auto hash = out.path.find('#'); hash != std::string::npos) out.path.resize(hash);
  if (authority.find('@') != std::string_view::npos)
    return Status::InvalidArgument("user info in URL '" + url + "' is not supported");
  // The port is optional in a URL; a bracketed v6 host or a name without ':' uses the
  // scheme's default.
  const bool has_port = !authority.empty() && authority.back() != ']' &&
                        authority.find(':', authority.front() == '[' ? authority.find(']') : 0) !=
                            std::string_view::npos;
  if (has_port) {
    auto hp = SplitHostPort(authority, url);
    if (!hp.ok()) return hp.status();
    out.host = std::move(hp->first);
    out.port = hp->second;
  } else {
    std::string_view host = authority;
    if (!host.empty() && host.front() == '[') {
      if (host.back() != ']') return Status::InvalidArgument("missing ']' in URL '" + url + "'");
      host = host.substr(1, host.size() - 2);
    }
    out.host = std::string(host);
    out.port = scheme == "https" ? 443 : 80;
  }
  if (out.host.empty()) return Status::InvalidArgument("missing host in URL '" + url + "'");
  return out;
}

}  // namespace fluxgate::http
