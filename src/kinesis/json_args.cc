#include "kinesis/json_args.h"

#include <cmath>
#include <string>

namespace fluxgate::kinesis {
namespace {

using simdjson::dom::element_type;

// Jackson's token names, which is what AWS puts in these messages.
const char* TokenName(element_type t) {
  switch (t) {
    case element_type::STRING:
      return "STRING_VALUE";
    case element_type::INT64:
    case element_type::UINT64:
      return "NUMBER_VALUE";
    case element_type::DOUBLE:
      return "DECIMAL_VALUE";
    case element_type::BOOL:
      return "BOOLEAN_VALUE";
    default:
      return "VALUE";
  }
}

ApiError Mismatch(element_type t, const char* target) {
  if (t == element_type::OBJECT)
    return ApiError::Serialization("Start of structure or map found where not expected.");
  if (t == element_type::ARRAY)
    return ApiError::Serialization("Start of list found where not expected");
  return ApiError::Serialization(std::string(TokenName(t)) + " can not be converted to " + target);
}

}  // namespace

ApiResult<simdjson::dom::object> ParseRequestBody(const std::string& body) {
  // One parser per thread: it keeps its buffers between requests, so parsing does not
  // allocate once warmed up. The DOM stays valid until this thread parses again.
  thread_local simdjson::dom::parser parser;
  static const std::string kEmpty = "{}";
  const std::string& text = body.empty() ? kEmpty : body;
  simdjson::dom::element root;
  if (parser.parse(text).get(root) != simdjson::SUCCESS)
    return ApiError::Serialization("Unable to parse the request body as JSON.");
  simdjson::dom::object obj;
  if (root.get(obj) != simdjson::SUCCESS)
    return ApiError::Serialization("The request body must be a JSON object.");
  return obj;
}

std::optional<std::string_view> AsString(simdjson::dom::element e, std::optional<ApiError>* error) {
  std::string_view s;
  if (e.get(s) == simdjson::SUCCESS) return s;
  *error = Mismatch(e.type(), "a String");
  return std::nullopt;
}

std::optional<int64_t> AsInt(simdjson::dom::element e, std::optional<ApiError>* error) {
  int64_t v;
  if (e.type() == element_type::INT64 && e.get(v) == simdjson::SUCCESS) {
    // The model's integers are 32-bit; a bigger value is a serialization error in AWS.
    if (v >= INT32_MIN && v <= INT32_MAX) return v;
    *error = ApiError::Serialization("NUMBER_VALUE can not be converted to an Integer");
    return std::nullopt;
  }
  *error = Mismatch(e.type(), "an Integer");
  return std::nullopt;
}

std::optional<int64_t> AsTimestampMs(simdjson::dom::element e, std::optional<ApiError>* error) {
  double secs = 0;
  switch (e.type()) {
    case element_type::INT64:
      secs = static_cast<double>(int64_t(e));
      break;
    case element_type::UINT64:
      secs = static_cast<double>(uint64_t(e));
      break;
    case element_type::DOUBLE:
      secs = double(e);
      break;
    default:
      *error = Mismatch(e.type(), "a Timestamp");
      return std::nullopt;
  }
  // Keep far inside int64 milliseconds; anything this large is nonsense anyway.
  if (!std::isfinite(secs) || std::fabs(secs) > 9.0e12) {
    *error = ApiError::Serialization("Timestamp value out of range");
    return std::nullopt;
  }
  return static_cast<int64_t>(std::llround(secs * 1000.0));
}

std::optional<simdjson::dom::element> JsonArgs::Find(std::string_view key) {
  if (error_) return std::nullopt;
  simdjson::dom::element e;
  if (obj_.at_key(key).get(e) != simdjson::SUCCESS) return std::nullopt;
  if (e.is_null()) return std::nullopt;  // null means absent in AWS's JSON protocol
  return e;
}

std::optional<std::string_view> JsonArgs::String(std::string_view key) {
  auto e = Find(key);
  return e ? AsString(*e, &error_) : std::nullopt;
}

std::optional<int64_t> JsonArgs::Int(std::string_view key) {
  auto e = Find(key);
  return e ? AsInt(*e, &error_) : std::nullopt;
}

std::optional<bool> JsonArgs::Bool(std::string_view key) {
  auto e = Find(key);
  if (!e) return std::nullopt;
  bool b;
  if (e->get(b) == simdjson::SUCCESS) return b;
  error_ = Mismatch(e->type(), "a Boolean");
  return std::nullopt;
}

std::optional<int64_t> JsonArgs::TimestampMs(std::string_view key) {
  auto e = Find(key);
  return e ? AsTimestampMs(*e, &error_) : std::nullopt;
}

std::optional<simdjson::dom::array> JsonArgs::Array(std::string_view key) {
  auto e = Find(key);
  if (!e) return std::nullopt;
  simdjson::dom::array a;
  if (e->get(a) == simdjson::SUCCESS) return a;
  error_ = ApiError::Serialization(std::string("Expected list or null"));
  return std::nullopt;
}

std::optional<simdjson::dom::object> JsonArgs::Object(std::string_view key) {
  auto e = Find(key);
  if (!e) return std::nullopt;
  simdjson::dom::object o;
  if (e->get(o) == simdjson::SUCCESS) return o;
  error_ = ApiError::Serialization(std::string("Expected map or null"));
  return std::nullopt;
}

}  // namespace fluxgate::kinesis
