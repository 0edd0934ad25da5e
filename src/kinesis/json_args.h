// JsonArgs: typed access to the members of a request's JSON object (simdjson DOM).
//
// AWS's JSON protocol treats null as absent and a value of the wrong JSON type as a
// SerializationException; the getters implement exactly that. The first type error is kept
// and later getters become no-ops, so an operation reads all its members and then checks
// error() once. Views point into the parser's document: valid until the thread's next
// parse (see ParseRequestBody). Not thread-safe.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string_view>

#include "kinesis/errors.h"

namespace fluxgate::kinesis {

// Parses `body` with this thread's reusable parser; the returned object lives until the
// next call on the same thread. An empty body counts as {}. Errors: SerializationException.
ApiResult<simdjson::dom::object> ParseRequestBody(const std::string& body);

// Conversions of a single element; on a type mismatch fill *error and return nullopt.
std::optional<std::string_view> AsString(simdjson::dom::element e, std::optional<ApiError>* error);
std::optional<int64_t> AsInt(simdjson::dom::element e, std::optional<ApiError>* error);
// Epoch seconds in any JSON number form (integer, decimal, exponent) → milliseconds.
std::optional<int64_t> AsTimestampMs(simdjson::dom::element e, std::optional<ApiError>* error);

class JsonArgs {
 public:
  explicit JsonArgs(simdjson::dom::object obj) : obj_(obj) {}

  std::optional<std::string_view> String(std::string_view key);
  std::optional<int64_t> Int(std::string_view key);
  std::optional<bool> Bool(std::string_view key);
  std::optional<int64_t> TimestampMs(std::string_view key);
  std::optional<simdjson::dom::array> Array(std::string_view key);
  std::optional<simdjson::dom::object> Object(std::string_view key);

  bool ok() const { return !error_.has_value(); }
  const std::optional<ApiError>& error() const { return error_; }
  std::optional<ApiError>& mutable_error() { return error_; }
  simdjson::dom::object object() const { return obj_; }

 private:
  // The member's element, or nullopt if absent, null, or an error is already recorded.
  std::optional<simdjson::dom::element> Find(std::string_view key);
  simdjson::dom::object obj_;
  std::optional<ApiError> error_;
};

}  // namespace fluxgate::kinesis
