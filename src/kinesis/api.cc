// The request envelope: method, X-Amz-Target, Content-Type, body parsing, dispatch, and
// the reply (200 + body, or the error object), all with an x-amzn-RequestId.
#include "kinesis/api.h"

#include <algorithm>
#include <chrono>
#include <string_view>
#include <vector>

#include "auth/authorizer.h"
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

ApiError FromRefusal(const auth::Refusal& r) {
  return ApiError::Make(r.type, r.message, r.http_status);
}

// The streams a request touches, for the permission check: StreamName and the streams named
// by StreamARN, ResourceARN, ConsumerARN or GetRecords' iterator. Read through a separate
// JsonArgs so a type error is left for the operation itself to report.
std::vector<std::string> RequestStreams(const ApiContext& ctx, std::string_view op,
                                        simdjson::dom::object object) {
  JsonArgs probe(object);
  std::vector<std::string> out;
  auto add = [&out](std::string_view name) {
    if (!name.empty() && std::find(out.begin(), out.end(), name) == out.end())
      out.emplace_back(name);
  };
  if (auto name = probe.String("StreamName")) add(*name);
  for (const char* key : {"StreamARN", "ResourceARN", "ConsumerARN"}) {
    std::string_view name;
    auto arn = probe.String(key);
    if (arn && ParseStreamArn(*arn, nullptr, nullptr, &name)) add(name.substr(0, name.find('/')));
  }
  if (op == "GetRecords") {
    if (auto iterator = probe.String("ShardIterator")) {
      auto pos = ctx.iterators.Decode(*iterator, ctx.now_ms());
      if (pos.ok()) add(pos->stream);
    }
  }
  return out;
}

}  // namespace

struct KinesisApi::Impl : ApiContext {
  using ApiContext::ApiContext;
};

KinesisApi::KinesisApi(log::LogManager* log, KinesisOptions options)
    : impl_(std::make_unique<Impl>(log, std::move(options))) {}

KinesisApi::~KinesisApi() = default;

const KinesisMetrics& KinesisApi::metrics() const { return impl_->metrics; }

void KinesisApi::Handle(http::Request&& request, http::Responder respond) {
  // Replies use the request's content type (CBOR or a JSON flavour); anything else gets
  // JSON.
  const std::string_view media = MediaType(request.Get("content-type"));
  const bool plain_json = media == kPlainJson;
  const bool cbor = media == kAmzCbor;
  Reply reply(std::move(respond), cbor ? kAmzCbor : plain_json ? kPlainJson : kAmzJson,
              NewRequestId());

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
  // A missing Content-Type is accepted as JSON (curl-style tests); other types are not.
  if (!media.empty() && media != kAmzJson && !plain_json && !cbor) {
    return reply.Fail(ApiError::UnknownOperation("Unsupported Content-Type."));
  }
  const std::string_view op_name = target.substr(kTargetPrefix.size());
  const OpEntry* op = FindOperation(op_name);
  if (op == nullptr) return reply.Fail(ApiError::UnknownOperation(""));

  // The signature is checked before the body is parsed, the permissions once the body says
  // which stream the request touches (docs/design/auth.md).
  const auth::Authorizer* authz = impl_->options.authorizer.get();
  const auth::Principal* principal = nullptr;
  if (authz != nullptr && authz->enabled()) {
    auth::Verdict verdict =
        authz->Authenticate(request, auth::kKinesisService, std::chrono::system_clock::now());
    if (!verdict.ok()) return reply.Fail(FromRefusal(verdict.refusal));
    principal = verdict.principal;
  }

  // CBOR is transcoded to JSON (cbor_json.h), so every operation serves both.
  auto body = cbor ? ParseCborRequestBody(request.body) : ParseRequestBody(request.body);
  if (!body.ok()) return reply.Fail(body.error());
  JsonArgs args(body.value());
  if (principal != nullptr) {
    auto refusal = authz->Authorize(*principal, "kinesis:" + std::string(op_name),
                                    RequestStreams(*impl_, op_name, body.value()));
    if (refusal) return reply.Fail(FromRefusal(*refusal));
  }
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
