// Validator: collects model-constraint violations and renders them the way AWS does.
//
//   1 validation error detected: Value 'a b' at 'streamName' failed to satisfy constraint:
//   Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+
//
// Several violations are joined with "; " under "N validation errors detected: ". Member
// paths are lowerCamel ("records.1.member.partitionKey", 1-based like AWS). At most one
// violation is reported per member (the first failing check), in the order checked.
// The pattern checks are hand-written matchers for the few regexes the model uses.
// Not thread-safe; one per request.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kinesis/errors.h"

namespace fluxgate::kinesis {

inline constexpr std::string_view kNamePattern = "[a-zA-Z0-9_.-]+";
inline constexpr std::string_view kHashKeyPattern = "0|([1-9]\\d{0,38})";
inline constexpr std::string_view kSequencePattern = "0|([1-9]\\d{0,128})";
inline constexpr std::string_view kStreamArnPattern = "arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+";

bool MatchesNamePattern(std::string_view s);                        // [a-zA-Z0-9_.-]+
bool MatchesDecimalPattern(std::string_view s, size_t max_digits);  // 0|([1-9]\d{0,max-1})
// arn:aws*:kinesis:<region>:<12 digits>:stream/<name>; fills the parts when it matches.
bool ParseStreamArn(std::string_view arn, std::string_view* region, std::string_view* account,
                    std::string_view* name);

class Validator {
 public:
  // A required member is absent.
  void Null(std::string_view member);
  // Generic failure: `value` is rendered between quotes as given.
  void Fail(std::string_view member, std::string_view value, std::string_view constraint);

  // String checks; each returns false (and records) on the first violation.
  bool Length(std::string_view member, std::string_view value, size_t min, size_t max);
  bool Pattern(std::string_view member, std::string_view value, bool matches,
               std::string_view pattern);
  bool Name(std::string_view member, std::string_view value);  // 1..128 + kNamePattern
  bool Range(std::string_view member, int64_t value, int64_t min, int64_t max);
  // A list/map member's element count, rendered as "Value '[...]'".
  bool Count(std::string_view member, size_t count, size_t min, size_t max);
  bool Enum(std::string_view member, std::string_view value,
            std::initializer_list<std::string_view> allowed);

  bool ok() const { return count_ == 0; }
  // The ValidationException for everything recorded, or nullopt when nothing was.
  std::optional<ApiError> Finish() const;

 private:
  void Append(std::string_view text);
  std::string text_;
  int count_ = 0;
};

}  // namespace fluxgate::kinesis
