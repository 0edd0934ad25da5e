// Operation name → handler. Built once; lookups are a hash of the name.
#include <string_view>
#include <unordered_map>

#include "kinesis/context.h"

namespace fluxgate::kinesis {

const OpEntry* FindOperation(std::string_view name) {
  static const auto* table = new std::unordered_map<std::string_view, OpEntry>{
      {"CreateStream", {CreateStream, nullptr}},
      {"DeleteStream", {DeleteStream, nullptr}},
      {"DescribeStream", {DescribeStream, nullptr}},
      {"DescribeStreamSummary", {DescribeStreamSummary, nullptr}},
      {"ListStreams", {ListStreams, nullptr}},
      {"IncreaseStreamRetentionPeriod", {IncreaseStreamRetentionPeriod, nullptr}},
      {"DecreaseStreamRetentionPeriod", {DecreaseStreamRetentionPeriod, nullptr}},
      {"DescribeLimits", {DescribeLimits, nullptr}},
      {"ListShards", {ListShards, nullptr}},
      {"SplitShard", {SplitShard, nullptr}},
      {"MergeShards", {MergeShards, nullptr}},
      {"UpdateShardCount", {UpdateShardCount, nullptr}},
      {"PutRecord", {nullptr, PutRecord}},
      {"PutRecords", {nullptr, PutRecords}},
      {"GetShardIterator", {GetShardIterator, nullptr}},
      {"GetRecords", {GetRecords, nullptr}},
      {"AddTagsToStream", {AddTagsToStream, nullptr}},
      {"RemoveTagsFromStream", {RemoveTagsFromStream, nullptr}},
      {"ListTagsForStream", {ListTagsForStream, nullptr}},
      {"ListTagsForResource", {ListTagsForResource, nullptr}},
      {"TagResource", {TagResource, nullptr}},
      {"UntagResource", {UntagResource, nullptr}},
      {"EnableEnhancedMonitoring", {EnableEnhancedMonitoring, nullptr}},
      {"DisableEnhancedMonitoring", {DisableEnhancedMonitoring, nullptr}},
      {"StartStreamEncryption", {StartStreamEncryption, nullptr}},
      {"StopStreamEncryption", {StopStreamEncryption, nullptr}},
      {"UpdateStreamMode", {UpdateStreamMode, nullptr}},
      {"ListStreamConsumers", {ListStreamConsumers, nullptr}},
      {"RegisterStreamConsumer", {FanOutNotSupported, nullptr}},
      {"DescribeStreamConsumer", {FanOutNotSupported, nullptr}},
      {"DeregisterStreamConsumer", {FanOutNotSupported, nullptr}},
      {"SubscribeToShard", {FanOutNotSupported, nullptr}},
      {"PutResourcePolicy", {NotSupported, nullptr}},
      {"GetResourcePolicy", {NotSupported, nullptr}},
      {"DeleteResourcePolicy", {NotSupported, nullptr}},
      {"DescribeAccountSettings", {NotSupported, nullptr}},
      {"UpdateAccountSettings", {NotSupported, nullptr}},
      {"UpdateMaxRecordSize", {NotSupported, nullptr}},
      {"UpdateStreamWarmThroughput", {NotSupported, nullptr}},
  };
  auto it = table->find(name);
  return it == table->end() ? nullptr : &it->second;
}

}  // namespace fluxgate::kinesis
