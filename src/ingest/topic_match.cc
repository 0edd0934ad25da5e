#include "ingest/topic_match.h"

namespace fluxgate::ingest {

namespace {

// Splits the next level off `s`; `done` is set once the last level has been taken.
std::string_view NextLevel(std::string_view& s, bool& done) {
  size_t slash = s.find('/');
  if (slash == std::string_view::npos) {
    std::string_view level = s;
    s = {};
    done = true;
    return level;
  }
  std::string_view level = s.substr(0, slash);
  s.remove_prefix(slash + 1);
  return level;
}

}  // namespace

bool TopicMatches(std::string_view filter, std::string_view topic) {
  if (filter.empty() || topic.empty()) return false;
  if (topic[0] == '$' && (filter[0] == '+' || filter[0] == '#')) return false;
  bool filter_done = false, topic_done = false;
  while (!filter_done) {
    std::string_view f = NextLevel(filter, filter_done);
    if (f == "#") return true;  // '#' is last (validated): this level and everything below
    if (topic_done) {
      // The topic has no level here; only "parent/#" still matches the parent.
      return false;
    }
    std::string_view t = NextLevel(topic, topic_done);
    if (f != "+" && f != t) return false;
    if (topic_done && !filter_done) {
      // Topic exhausted: match only if what is left of the filter is exactly "#".
      return filter == "#";
    }
  }
  return topic_done;
}

std::optional<std::string_view> TopicLevel(std::string_view topic, size_t index) {
  bool done = false;
  for (size_t i = 0;; ++i) {
    std::string_view level = NextLevel(topic, done);
    if (i == index) return level;
    if (done) return std::nullopt;
  }
}

}  // namespace fluxgate::ingest
