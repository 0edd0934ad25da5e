// Tagging: AddTagsToStream, RemoveTagsFromStream, ListTagsForStream, and the
// ResourceARN-based TagResource / UntagResource / ListTagsForResource on top of them.
#include <fmt/format.h>

#include "kinesis/context.h"
#include "kinesis/tags.h"

namespace fluxgate::kinesis {
namespace {

// Tag changes need ACTIVE or UPDATING, like AWS.
ApiResult<log::StreamMeta> LoadTaggable(ApiContext& api, const std::string& name) {
  FGK_ASSIGN_OR_RETURN(auto meta, api.Load(name));
  const StreamStatus s = api.states.StatusOf(name, api.now_ms());
  if (s != StreamStatus::kActive && s != StreamStatus::kUpdating) return api.NotActive(name, s);
  return meta;
}

// The stream named by a ResourceARN (only stream ARNs are taggable here).
std::string ResourceArg(JsonArgs& args, Validator& v) {
  auto arn = args.String("ResourceARN");
  if (!arn) {
    v.Null("resourceARN");
    return {};
  }
  std::string_view name;
  if (!v.Length("resourceARN", *arn, 1, 2048) ||
      !v.Pattern("resourceARN", *arn, ParseStreamArn(*arn, nullptr, nullptr, &name),
                 kStreamArnPattern))
    return {};
  return std::string(name);
}

ApiResult<std::string> AddTags(ApiContext& api, const std::string& name,
                               const std::map<std::string, std::string>& tags) {
  for (const auto& [k, val] : tags)
    if (!ValidTagText(k) || !ValidTagText(val)) return InvalidTagCharacters();
  FGK_ASSIGN_OR_RETURN(auto meta, LoadTaggable(api, name));
  size_t total = meta.tags.size();
  for (const auto& [k, val] : tags) total += meta.tags.count(k) == 0;
  if (total > kMaxTagsPerStream) {
    return ApiError::InvalidArgument(fmt::format(
        "Failed to add tags to stream {} under account {} because a given stream cannot have "
        "more than {} tags.",
        name, api.options.account_id, kMaxTagsPerStream));
  }
  Status st = api.log->AddTags(name, tags);
  if (!st.ok()) return st.IsNotFound() ? api.StreamNotFound(name) : FromStatus(st);
  return std::string();
}

ApiResult<std::vector<std::string>> ParseTagKeys(JsonArgs& args, Validator& v) {
  auto keys = args.Array("TagKeys");
  if (!args.ok()) return *args.error();
  std::vector<std::string> out;
  if (!keys) {
    v.Null("tagKeys");
    return out;
  }
  std::optional<ApiError> error;
  for (auto e : *keys) {
    auto k = AsString(e, &error);
    if (error) return *error;
    if (v.Length("tagKeys.member", *k, 1, 128)) out.emplace_back(*k);
  }
  v.Count("tagKeys", keys->size(), 1, kMaxTagsPerStream);
  return out;
}

ApiResult<std::string> RemoveTags(ApiContext& api, const std::string& name,
                                  const std::vector<std::string>& keys) {
  FGK_ASSIGN_OR_RETURN(auto meta, LoadTaggable(api, name));
  Status st = api.log->RemoveTags(name, keys);
  if (!st.ok()) return st.IsNotFound() ? api.StreamNotFound(name) : FromStatus(st);
  return std::string();
}

void WriteTags(JsonWriter& w, const std::map<std::string, std::string>& tags,
               std::map<std::string, std::string>::const_iterator from, size_t limit, bool* more) {
  w.Key("Tags").BeginArray();
  size_t n = 0;
  *more = false;
  for (auto it = from; it != tags.end(); ++it) {
    if (n == limit) {
      *more = true;
      break;
    }
    w.BeginObject().Key("Key").String(it->first).Key("Value").String(it->second).EndObject();
    ++n;
  }
  w.EndArray();
}

}  // namespace

ApiResult<std::string> AddTagsToStream(ApiContext& api, JsonArgs& args) {
  Validator v;
  const std::string name = api.StreamArg(args, v);
  auto obj = args.Object("Tags");
  if (!args.ok()) return *args.error();
  std::map<std::string, std::string> tags;
  if (!obj) {
    v.Null("tags");
  } else {
    FGK_ASSIGN_OR_RETURN(tags, ParseTagMap(*obj, "tags", v));
  }
  if (auto e = v.Finish()) return *e;
  return AddTags(api, name, tags);
}

ApiResult<std::string> RemoveTagsFromStream(ApiContext& api, JsonArgs& args) {
  Validator v;
  const std::string name = api.StreamArg(args, v);
  FGK_ASSIGN_OR_RETURN(auto keys, ParseTagKeys(args, v));
  if (auto e = v.Finish()) return *e;
  return RemoveTags(api, name, keys);
}

ApiResult<std::string> ListTagsForStream(ApiContext& api, JsonArgs& args) {
  Validator v;
  const std::string name = api.StreamArg(args, v);
  auto start = args.String("ExclusiveStartTagKey");
  auto limit = args.Int("Limit");
  if (!args.ok()) return *args.error();
  if (start) v.Length("exclusiveStartTagKey", *start, 1, 128);
  if (limit) v.Range("limit", *limit, 1, 50);
  if (auto e = v.Finish()) return *e;
  FGK_ASSIGN_OR_RETURN(auto meta, api.Load(name));

  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  bool more = false;
  auto from = start ? meta.tags.upper_bound(std::string(*start)) : meta.tags.cbegin();
  WriteTags(w, meta.tags, from, static_cast<size_t>(limit.value_or(50)), &more);
  w.Key("HasMoreTags").Bool(more);
  w.EndObject();
  return out;
}

ApiResult<std::string> ListTagsForResource(ApiContext& api, JsonArgs& args) {
  Validator v;
  const std::string name = ResourceArg(args, v);
  if (!args.ok()) return *args.error();
  if (auto e = v.Finish()) return *e;
  FGK_ASSIGN_OR_RETURN(auto meta, api.Load(name));
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  bool more = false;
  WriteTags(w, meta.tags, meta.tags.cbegin(), kMaxTagsPerStream, &more);
  w.EndObject();
  return out;
}

ApiResult<std::string> TagResource(ApiContext& api, JsonArgs& args) {
  Validator v;
  const std::string name = ResourceArg(args, v);
  auto obj = args.Object("Tags");
  if (!args.ok()) return *args.error();
  std::map<std::string, std::string> tags;
  if (!obj) {
    v.Null("tags");
  } else {
    FGK_ASSIGN_OR_RETURN(tags, ParseTagMap(*obj, "tags", v));
  }
  if (auto e = v.Finish()) return *e;
  return AddTags(api, name, tags);
}

ApiResult<std::string> UntagResource(ApiContext& api, JsonArgs& args) {
  Validator v;
  const std::string name = ResourceArg(args, v);
  FGK_ASSIGN_OR_RETURN(auto keys, ParseTagKeys(args, v));
  if (auto e = v.Finish()) return *e;
  return RemoveTags(api, name, keys);
}

}  // namespace fluxgate::kinesis
