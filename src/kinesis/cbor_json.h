// The Kinesis CBOR protocol (`application/x-amz-cbor-1.1`, the AWS Java SDK's default) as
// a transcoding layer around the JSON handlers: a CBOR request becomes the JSON the
// handlers already parse, and their JSON reply becomes CBOR.
//
// Mapping (the AWS SDKs' CBOR marshallers, v1 SdkCborGenerator / v2 AwsCborProtocolFactory):
//   request  byte string            -> base64 JSON string (blobs: Data)
//            tag 1 + number         -> epoch seconds (the SDKs send epoch MILLISECONDS
//                                      under tag 1, not RFC 8949's seconds)
//            other tags             -> the tagged item (tag dropped)
//            undefined              -> null
//   reply    "Data" string          -> byte string (base64-decoded)
//            timestamp members      -> tag 1 + integer epoch milliseconds (what the SDKs'
//                                      unmarshallers read: getLongValue / Long.parseLong)
//            everything else        -> the natural CBOR type; definite-length containers
// Errors are a CBOR map {"__type": ..., "message": ...} with the same HTTP status as JSON.
//
// Stateless functions; thread-safe (per-thread buffers and parsers).
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>

#include "common/status.h"
#include "kinesis/errors.h"

namespace fluxgate::kinesis {

inline constexpr std::string_view kCborContentType = "application/x-amz-cbor-1.1";

// CBOR request body -> compact JSON appended to `json`. The top-level item must be a map
// with text keys. InvalidArgument (with the byte offset) for malformed or unmappable CBOR.
Status CborRequestToJson(std::string_view cbor, std::string& json);

// ParseRequestBody (json_args.h) for a CBOR body: transcodes, then parses with this
// thread's parser; the same lifetime rules apply. An empty body counts as {}.
// Errors: SerializationException.
ApiResult<simdjson::dom::object> ParseCborRequestBody(const std::string& body);

// A handler's JSON reply -> CBOR appended to `cbor`, applying the reply mapping above.
// InvalidArgument if `json` does not parse (a bug in a handler).
Status JsonResponseToCbor(std::string_view json, std::string& cbor);

// {"__type": error.type, "message": error.message} as a CBOR map, appended to `cbor`.
void WriteCborError(const ApiError& error, std::string& cbor);

}  // namespace fluxgate::kinesis
