// Status and Result<T>: errors as values, cheap when OK.
//
// Every I/O, network and request path returns one of these; exceptions never cross a
// subsystem boundary. A Status is immutable once built and safe to copy between threads.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace fluxgate {

class [[nodiscard]] Status {
 public:
  enum class Code {
    kOk = 0,
    kNotFound,
    kCorruption,
    kIOError,
    kInvalidArgument,
    kAlreadyExists,
    kResourceBusy,   // the object exists but is in a state that forbids the call
    kLimitExceeded,  // a configured or documented limit was hit
    kThrottled,      // a rate limit was hit; retrying later may succeed
    kExpired,
    kUnavailable,
    kInternal,
  };

  Status() = default;  // OK

  static Status Ok() { return Status(); }
  static Status NotFound(std::string_view msg) { return Status(Code::kNotFound, msg); }
  static Status Corruption(std::string_view msg) { return Status(Code::kCorruption, msg); }
  static Status IOError(std::string_view msg) { return Status(Code::kIOError, msg); }
  static Status InvalidArgument(std::string_view msg) {
    return Status(Code::kInvalidArgument, msg);
  }
  static Status AlreadyExists(std::string_view msg) { return Status(Code::kAlreadyExists, msg); }
  static Status ResourceBusy(std::string_view msg) { return Status(Code::kResourceBusy, msg); }
  static Status LimitExceeded(std::string_view msg) { return Status(Code::kLimitExceeded, msg); }
  static Status Throttled(std::string_view msg) { return Status(Code::kThrottled, msg); }
  static Status Expired(std::string_view msg) { return Status(Code::kExpired, msg); }
  static Status Unavailable(std::string_view msg) { return Status(Code::kUnavailable, msg); }
  static Status Internal(std::string_view msg) { return Status(Code::kInternal, msg); }
  // An IOError carrying strerror(errno) for `what`.
  static Status FromErrno(std::string_view what, int err);
  // A status of `code` (not kOk) with `msg`: for code that maps codes from elsewhere.
  static Status WithCode(Code code, std::string_view msg) { return Status(code, msg); }
  // The same code with `prefix` put before the message (context such as the object or
  // table it happened in). OK stays OK.
  Status WithPrefix(std::string_view prefix) const {
    if (ok()) return *this;
    return Status(code(), std::string(prefix) + message());
  }

  bool ok() const { return rep_ == nullptr; }
  Code code() const { return rep_ ? rep_->code : Code::kOk; }
  const std::string& message() const;
  std::string ToString() const;

  bool IsNotFound() const { return code() == Code::kNotFound; }
  bool IsCorruption() const { return code() == Code::kCorruption; }
  bool IsInvalidArgument() const { return code() == Code::kInvalidArgument; }

 private:
  struct Rep {
    Code code;
    std::string message;
  };
  Status(Code code, std::string_view msg)
      : rep_(std::make_shared<const Rep>(Rep{code, std::string(msg)})) {}
  // shared_ptr: statuses are copied freely across threads and the Rep is immutable, so
  // sharing it is cheaper than deep copies and keeps the OK path a single null pointer.
  std::shared_ptr<const Rep> rep_;
};

const char* CodeName(Status::Code code);

// Result<T> holds either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace fluxgate

#define FG_RETURN_IF_ERROR(expr)        \
  do {                                  \
    ::fluxgate::Status _fg_st = (expr); \
    if (!_fg_st.ok()) return _fg_st;    \
  } while (0)

#define FG_CONCAT_INNER(a, b) a##b
#define FG_CONCAT(a, b) FG_CONCAT_INNER(a, b)
#define FG_ASSIGN_OR_RETURN(lhs, expr) \
  FG_ASSIGN_OR_RETURN_IMPL(FG_CONCAT(_fg_res_, __LINE__), lhs, expr)
#define FG_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return tmp.status();            \
  lhs = std::move(tmp).value()
