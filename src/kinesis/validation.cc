#include "kinesis/validation.h"

#include <fmt/format.h>

namespace fluxgate::kinesis {

bool MatchesNamePattern(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool MatchesDecimalPattern(std::string_view s, size_t max_digits) {
  if (s.empty() || s.size() > max_digits) return false;
  if (s == "0") return true;
  if (s[0] < '1' || s[0] > '9') return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

bool ParseStreamArn(std::string_view arn, std::string_view* region, std::string_view* account,
                    std::string_view* name) {
  // arn : partition(aws*) : kinesis : region : account : stream/name
  std::string_view parts[6];
  std::string_view rest = arn;
  for (int i = 0; i < 5; ++i) {
    const size_t colon = rest.find(':');
    if (colon == std::string_view::npos) return false;
    parts[i] = rest.substr(0, colon);
    rest.remove_prefix(colon + 1);
  }
  parts[5] = rest;
  if (parts[0] != "arn" || parts[1].substr(0, 3) != "aws" || parts[2] != "kinesis") return false;
  if (parts[4].size() != 12) return false;
  for (char c : parts[4])
    if (c < '0' || c > '9') return false;
  if (parts[5].substr(0, 7) != "stream/" || parts[5].size() == 7) return false;
  for (char c : parts[5])
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') return false;
  if (region) *region = parts[3];
  if (account) *account = parts[4];
  if (name) *name = parts[5].substr(7);
  return true;
}

void Validator::Append(std::string_view text) {
  if (count_ > 0) text_.append("; ");
  text_.append(text);
  ++count_;
}

void Validator::Null(std::string_view member) {
  Append(fmt::format("Value null at '{}' failed to satisfy constraint: Member must not be null",
                     member));
}

void Validator::Fail(std::string_view member, std::string_view value, std::string_view constraint) {
  Append(fmt::format("Value '{}' at '{}' failed to satisfy constraint: {}", value, member,
                     constraint));
}

bool Validator::Length(std::string_view member, std::string_view value, size_t min, size_t max) {
  if (value.size() < min) {
    Fail(member, value, fmt::format("Member must have length greater than or equal to {}", min));
    return false;
  }
  if (value.size() > max) {
    Fail(member, value, fmt::format("Member must have length less than or equal to {}", max));
    return false;
  }
  return true;
}

bool Validator::Pattern(std::string_view member, std::string_view value, bool matches,
                        std::string_view pattern) {
  if (matches) return true;
  Fail(member, value, fmt::format("Member must satisfy regular expression pattern: {}", pattern));
  return false;
}

bool Validator::Name(std::string_view member, std::string_view value) {
  return Length(member, value, 1, 128) &&
         Pattern(member, value, MatchesNamePattern(value), kNamePattern);
}

bool Validator::Range(std::string_view member, int64_t value, int64_t min, int64_t max) {
  if (value < min) {
    Fail(member, fmt::to_string(value),
         fmt::format("Member must have value greater than or equal to {}", min));
    return false;
  }
  if (value > max) {
    Fail(member, fmt::to_string(value),
         fmt::format("Member must have value less than or equal to {}", max));
    return false;
  }
  return true;
}

bool Validator::Count(std::string_view member, size_t count, size_t min, size_t max) {
  if (count >= min && count <= max) return true;
  // AWS prints the collection itself; we print its size, which is what a user needs.
  const std::string shown = count == 0 ? "[]" : fmt::format("[... {} items]", count);
  if (count < min)
    Fail(member, shown, fmt::format("Member must have length greater than or equal to {}", min));
  else
    Fail(member, shown, fmt::format("Member must have length less than or equal to {}", max));
  return false;
}

bool Validator::Enum(std::string_view member, std::string_view value,
                     std::initializer_list<std::string_view> allowed) {
  for (auto a : allowed)
    if (a == value) return true;
  Fail(member, value,
       fmt::format("Member must satisfy enum value set: [{}]", fmt::join(allowed, ", ")));
  return false;
}

std::optional<ApiError> Validator::Finish() const {
  if (count_ == 0) return std::nullopt;
  return ApiError::Validation(
      fmt::format("{} validation error{} detected: {}", count_, count_ == 1 ? "" : "s", text_));
}

}  // namespace fluxgate::kinesis
