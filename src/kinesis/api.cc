// The request envelope: method, X-Amz-Target, Content-Type, body parsing, dispatch, and
// the reply (200 + body, or the error object), all with an x-amzn-RequestId.
#include "kinesis/api.h"

#include <string_view>

#include "kinesis/context.h"
#include "kinesis/request_id.h"

namespace fluxgate::kinesis {
namespace {

constexpr std::string_view kTargetPrefix = "Kinesis_20131202.";
// Static so Reply can keep a view of whichever the request used.
constexpr std::string_view kAmzJson = "application/x-amz-json-1.1";
constexpr std::string_view kPlainJson = "application/json";
constexpr std::string_view kAmzCbor = "application/x-amz-cbor-1.1";

std::string_view MediaType(std::string_view content_type) {
  auto semi = content_type.find(';');
  std::string_view t = content_type.substr(0, semi);
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  return t;
}

}  // namespace

struct KinesisApi::Impl : ApiContext {
  using ApiContext::ApiContext;
};

KinesisApi::KinesisApi(log::LogManager* log, KinesisOptions options)
    : impl_(std::make_unique<Impl>(log, std::move(options))) {}

KinesisApi::~KinesisApi() = default;

void KinesisApi::Handle(http::Request&& request, http::Responder respond) {
  // Replies use the request's JSON flavour; anything else (CBOR too, for now) gets JSON.
  const std::string_view media = MediaType(request.Get("content-type"));
  const bool plain_json = media == kPlainJson;
  Reply reply(std::move(respond), plain_json ? kPlainJson : kAmzJson, NewRequestId());

  if (request.method != "POST") {
    return reply.Fail(
        ApiError::UnknownOperation("Kinesis requests must be POST with an X-Amz-Target header."));
  }
  const std::string_view target = request.Get("x-amz-target");
  if (target.empty()) {
    return reply.Fail(ApiError::UnknownOperation("Missing X-Amz-Target header."));
  }
  if (target.substr(0, kTargetPrefix.size()) != kTargetPrefix) {
    return reply.Fail(ApiError::UnknownOperation(
        "Unknown service in X-Amz-Target; expected Kinesis_20131202.<Operation>."));
  }
  if (media == kAmzCbor) {
    return reply.Fail(ApiError::UnknownOperation(
        "CBOR is not supported yet; disable it in the client (Java SDK v2: "
        "-Daws.cborEnabled=false, v1: AWS_CBOR_DISABLE=true)."));
  }
  // A missing Content-Type is accepted as JSON (curl-style tests); other types are not.
  if (!media.empty() && media != kAmzJson && !plain_json) {
    return reply.Fail(ApiError::UnknownOperation("Unsupported Content-Type."));
  }
  const std::string_view op_name = target.substr(kTargetPrefix.size());
  const OpEntry* op = FindOperation(op_name);
  if (op == nullptr) return reply.Fail(ApiError::UnknownOperation(""));

  auto body = ParseRequestBody(request.body);
  if (!body.ok()) return reply.Fail(body.error());
  JsonArgs args(body.value());
  if (op->async) return op->async(*impl_, args, std::move(reply));

  auto result = op->sync(*impl_, args);
  if (!result.ok()) {
    if (result.error().http_status >= 500)
      impl_->logger->error("{} failed: {}", op_name, result.error().message);
    return reply.Fail(result.error());
  }
  reply.Ok(std::move(result.value()));
}

}  // namespace fluxgate::kinesis
