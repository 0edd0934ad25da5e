#include "auth/permissions.h"

#include <utility>

#include "common/ascii.h"

namespace fluxgate::auth {
namespace {

char Fold(char c, bool ignore_case) { return ignore_case ? AsciiLower(c) : c; }

}  // namespace

// Iterative matcher with one backtrack point (the last '*'): linear in practice and never
// exponential, whatever the pattern, since patterns come from the config file.
bool GlobMatch(std::string_view pattern, std::string_view text, bool ignore_case) {
  size_t p = 0, t = 0;
  size_t star = std::string_view::npos, star_t = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      star_t = t;
    } else if (p < pattern.size() &&
               (pattern[p] == '?' || Fold(pattern[p], ignore_case) == Fold(text[t], ignore_case))) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++star_t;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

Permissions::Permissions(std::vector<std::string> allow, std::vector<std::string> streams)
    : allow_(std::move(allow)), streams_(std::move(streams)) {}

bool Permissions::AllowsAction(std::string_view action) const {
  for (const std::string& pattern : allow_)
    if (GlobMatch(pattern, action, /*ignore_case=*/true)) return true;
  return false;
}

bool Permissions::AllowsStream(std::string_view name, std::string_view stream_arn) const {
  if (streams_.empty()) return true;
  for (const std::string& pattern : streams_) {
    const bool arn = pattern.rfind("arn:", 0) == 0;
    if (GlobMatch(pattern, arn ? stream_arn : name)) return true;
  }
  return false;
}

}  // namespace fluxgate::auth
