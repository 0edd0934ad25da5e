#include "kinesis/errors.h"

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
    default:
      return ApiError::Internal(status.message());
  }
}

}  // namespace fluxgate::kinesis
