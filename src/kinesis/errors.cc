#include "kinesis/errors.h"

#include "common/logging.h"

namespace fluxgate::kinesis {

ApiError FromStatus(const Status& status) {
  using Code = Status::Code;
  switch (status.code()) {
    case Code::kNotFound:
      return ApiError::ResourceNotFound(status.message());
    case Code::kAlreadyExists:
    case Code::kResourceBusy:
      return ApiError::ResourceInUse(status.message());
    case Code::kInvalidArgument:
      return ApiError::InvalidArgument(status.message());
    case Code::kLimitExceeded:
      return ApiError::LimitExceeded(status.message());
    case Code::kThrottled:
      return ApiError::Throughput(status.message());
    case Code::kExpired:
      return ApiError::ExpiredIterator(status.message());
    default: {
      // Storage and internal errors name files and paths on the server: log the detail for
      // the operator, tell the client only that the failure is on our side.
      GetLogger("kinesis")->error("request failed: {}", status.ToString());
      return ApiError::Internal(std::string("Internal service failure (") +
                                CodeName(status.code()) + "); see the server log.");
    }
  }
}

}  // namespace fluxgate::kinesis
