#include "common/status.h"

#include <cstring>

namespace fluxgate {

Status Status::FromErrno(std::string_view what, int err) {
  std::string msg(what);
  msg += ": ";
  msg += std::strerror(err);
  return IOError(msg);
}

const std::string& Status::message() const {
  static const std::string kEmpty;
  return rep_ ? rep_->message : kEmpty;
}

const char* CodeName(Status::Code code) {
  switch (code) {
    case Status::Code::kOk:
      return "OK";
    case Status::Code::kNotFound:
      return "NotFound";
    case Status::Code::kCorruption:
      return "Corruption";
    case Status::Code::kIOError:
      return "IOError";
    case Status::Code::kInvalidArgument:
      return "InvalidArgument";
    case Status::Code::kAlreadyExists:
      return "AlreadyExists";
    case Status::Code::kResourceBusy:
      return "ResourceBusy";
    case Status::Code::kLimitExceeded:
      return "LimitExceeded";
    case Status::Code::kThrottled:
      return "Throttled";
    case Status::Code::kExpired:
      return "Expired";
    case Status::Code::kUnavailable:
      return "Unavailable";
    case Status::Code::kInternal:
      return "Internal";
  }
  return "Unknown";
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  return std::string(CodeName(code())) + ": " + message();
}

}  // namespace fluxgate
