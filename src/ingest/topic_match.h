// MQTT topic filter matching (MQTT 3.1.1 section 4.7): which messages a subscription's
// filter covers, and topic levels by index for partition keys and topic fields.
// Pure functions over views; safe from any thread.
#pragma once

#include <optional>
#include <string_view>

namespace fluxgate::ingest {

// True if `topic` (a topic name, no wildcards) matches `filter` (a valid filter, see
// ValidateTopicFilter): '+' matches exactly one level (also an empty one), a trailing '#'
// matches the parent level and any number of levels below it ("a/#" matches "a" and
// "a/b/c"), and a topic starting with '$' is not matched by a filter starting with a
// wildcard (so "#" does not see "$SYS/...").
bool TopicMatches(std::string_view filter, std::string_view topic);

// Level `index` (0-based) of `topic` split at '/', or nullopt past the last level.
// "a//b": level 1 is "" (an empty level is a level).
std::optional<std::string_view> TopicLevel(std::string_view topic, size_t index);

}  // namespace fluxgate::ingest
