// Operations fluxgate accepts without implementing: they answer with a plausible result
// (enhanced monitoring: nothing enabled; no consumers) or a clear InvalidArgumentException,
// so tools that probe them don't fail on UnknownOperationException.
#include <fmt/format.h>

#include "kinesis/context.h"

namespace fluxgate::kinesis {
namespace {

ApiResult<std::string> Monitoring(ApiContext& api, JsonArgs& args) {
  Validator v;
  const std::string name = api.StreamArg(args, v);
  auto metrics = args.Array("ShardLevelMetrics");
  if (!args.ok()) return *args.error();
  if (!metrics) v.Null("shardLevelMetrics");
  if (auto e = v.Finish()) return *e;
  FGK_ASSIGN_OR_RETURN(auto meta, api.Load(name));
  // Metrics are never collected, so both the current and desired sets stay empty.
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  w.Key("StreamName").String(name);
  w.Key("CurrentShardLevelMetrics").BeginArray().EndArray();
  w.Key("DesiredShardLevelMetrics").BeginArray().EndArray();
  w.Key("StreamARN").String(api.StreamArn(name));
  w.EndObject();
  return out;
}

}  // namespace

ApiResult<std::string> EnableEnhancedMonitoring(ApiContext& api, JsonArgs& args) {
  return Monitoring(api, args);
}

ApiResult<std::string> DisableEnhancedMonitoring(ApiContext& api, JsonArgs& args) {
  return Monitoring(api, args);
}

ApiResult<std::string> StartStreamEncryption(ApiContext&, JsonArgs&) {
  return ApiError::InvalidArgument(
      "Server-side encryption is not supported by fluxgate; streams stay EncryptionType NONE.");
}

ApiResult<std::string> StopStreamEncryption(ApiContext& api, JsonArgs& args) {
  // Already unencrypted: stopping is a no-op, as long as the stream exists.
  Validator v;
  const std::string name = api.StreamArg(args, v);
  if (!args.ok()) return *args.error();
  if (auto e = v.Finish()) return *e;
  FGK_ASSIGN_OR_RETURN(auto meta, api.Load(name));
  return std::string();
}

ApiResult<std::string> UpdateStreamMode(ApiContext&, JsonArgs&) {
  return ApiError::InvalidArgument(
      "UpdateStreamMode is not supported by fluxgate; create a new stream with the wanted mode.");
}

ApiResult<std::string> ListStreamConsumers(ApiContext&, JsonArgs& args) {
  auto arn = args.String("StreamARN");
  if (!args.ok()) return *args.error();
  Validator v;
  if (!arn) v.Null("streamARN");
  if (auto e = v.Finish()) return *e;
  return std::string("{\"Consumers\":[]}");
}

ApiResult<std::string> FanOutNotSupported(ApiContext&, JsonArgs&) {
  return ApiError::InvalidArgument(
      "Enhanced fan-out (stream consumers, SubscribeToShard) is not supported by fluxgate yet; "
      "use GetRecords polling (KCL: PollingConfig).");
}

ApiResult<std::string> NotSupported(ApiContext&, JsonArgs&) {
  return ApiError::InvalidArgument("This operation is not supported by fluxgate.");
}

}  // namespace fluxgate::kinesis
