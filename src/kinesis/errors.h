// ApiError: one Kinesis exception as it goes on the wire ({"__type","message"} + status).
//
// Operations return ApiResult<T>; the envelope turns an error into HTTP 400 (500 only for
// InternalFailure), exactly the names AWS SDKs map to typed exceptions and retry rules.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "common/status.h"

namespace fluxgate::kinesis {

struct ApiError {
  int http_status = 400;
  std::string type;  // e.g. "ResourceNotFoundException"
  std::string message;

  static ApiError Make(std::string_view type, std::string message, int status = 400) {
    return ApiError{status, std::string(type), std::move(message)};
  }
  static ApiError Serialization(std::string m) { return Make("SerializationException", m); }
  static ApiError Validation(std::string m) { return Make("ValidationException", m); }
  static ApiError InvalidArgument(std::string m) { return Make("InvalidArgumentException", m); }
  static ApiError ResourceNotFound(std::string m) {
    return Make("ResourceNotFoundException", std::move(m));
  }
  static ApiError ResourceInUse(std::string m) { return Make("ResourceInUseException", m); }
  static ApiError LimitExceeded(std::string m) { return Make("LimitExceededException", m); }
  static ApiError ExpiredIterator(std::string m) { return Make("ExpiredIteratorException", m); }
  static ApiError ExpiredNextToken(std::string m) {
    return Make("ExpiredNextTokenException", std::move(m));
  }
  static ApiError UnknownOperation(std::string m) {
    return Make("UnknownOperationException", std::move(m));
  }
  static ApiError Throughput(std::string m) {
    return Make("ProvisionedThroughputExceededException", std::move(m));
  }
  static ApiError Internal(std::string m) { return Make("InternalFailure", std::move(m), 500); }
};

// Maps a log Status onto the closest Kinesis exception. Callers that know better (e.g.
// NotFound → the AWS "Stream X under account Y not found." text) build the error themselves.
ApiError FromStatus(const Status& status);

// Either a value or an ApiError; the Kinesis layer's Result<T>.
template <typename T>
class [[nodiscard]] ApiResult {
 public:
  ApiResult(T value) : v_(std::move(value)) {}         // NOLINT: implicit by design
  ApiResult(ApiError error) : v_(std::move(error)) {}  // NOLINT: implicit by design
  bool ok() const { return v_.index() == 0; }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  ApiError& error() { return std::get<1>(v_); }
  const ApiError& error() const { return std::get<1>(v_); }
  T* operator->() { return &value(); }
  T& operator*() { return value(); }

 private:
  std::variant<T, ApiError> v_;
};

}  // namespace fluxgate::kinesis

#define FGK_CONCAT_INNER(a, b) a##b
#define FGK_CONCAT(a, b) FGK_CONCAT_INNER(a, b)
// Assigns the value of an ApiResult expression to lhs or returns its error.
#define FGK_ASSIGN_OR_RETURN(lhs, expr) \
  FGK_ASSIGN_OR_RETURN_IMPL(FGK_CONCAT(_fgk_, __LINE__), lhs, expr)
#define FGK_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return std::move(tmp.error());   \
  lhs = std::move(tmp.value())
