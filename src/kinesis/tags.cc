#include "kinesis/tags.h"

#include <fmt/format.h>

#include "kinesis/json_args.h"

namespace fluxgate::kinesis {

ApiResult<std::map<std::string, std::string>> ParseTagMap(simdjson::dom::object obj,
                                                          std::string_view member, Validator& v) {
  std::map<std::string, std::string> tags;
  std::optional<ApiError> error;
  for (auto field : obj) {
    auto value =
        field.value.is_null() ? std::optional<std::string_view>("") : AsString(field.value, &error);
    if (error) return *error;
    const std::string key_member = fmt::format("{}.key", member);
    if (!v.Length(key_member, field.key, 1, 128)) continue;
    if (!v.Length(fmt::format("{}.value", member), *value, 0, 256)) continue;
    tags[std::string(field.key)] = std::string(*value);
  }
  v.Count(member, obj.size(), 1, kMaxTagsPerStream);
  return tags;
}

bool ValidTagText(std::string_view s) {
  for (unsigned char c : s) {
    if (c >= 0x80) continue;  // non-ASCII: Unicode letters (not checked more closely)
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == ' ' || c == '\t' || c == '_' || c == '.' || c == '/' || c == '=' ||
                    c == '+' || c == '-' || c == '%' || c == '@' || c == ':';
    if (!ok) return false;
  }
  return true;
}

ApiError InvalidTagCharacters() {
  return ApiError::InvalidArgument(
      "Some tags contain invalid characters. Valid characters: Unicode letters, digits, white "
      "space, _ . / = + - % @.");
}

}  // namespace fluxgate::kinesis
