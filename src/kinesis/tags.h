// Tag maps in requests: parsing and the checks AWS applies to tag keys and values.
#pragma once

#include <simdjson.h>

#include <map>
#include <string>
#include <string_view>

#include "kinesis/errors.h"
#include "kinesis/validation.h"

namespace fluxgate::kinesis {

inline constexpr size_t kMaxTagsPerStream = 50;

// Reads a {"key":"value",...} member named `member` (lowerCamel, for messages). Non-string
// values are a SerializationException; size/length violations go to `v`.
ApiResult<std::map<std::string, std::string>> ParseTagMap(simdjson::dom::object obj,
                                                          std::string_view member, Validator& v);
// AWS allows Unicode letters, digits, white space and _ . / = + - % @ in tags.
bool ValidTagText(std::string_view s);
ApiError InvalidTagCharacters();

}  // namespace fluxgate::kinesis
