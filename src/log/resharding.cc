// SplitShard, MergeShards, UpdateShardCount.
//
// All three hold the stream lock exclusively, which waits out in-flight Appends and keeps
// new ones out, then wait until the parents' queued records are durable, so a parent
// closes at an end offset that every reader will eventually see. Child directories are
// created first and the metadata write is the commit point; children left behind by a
// failure are removed at the next start.
#include <algorithm>

#include "common/logging.h"
#include "log/hash_key.h"
#include "log/log_manager_impl.h"
#include "log/meta_store.h"

namespace fluxgate::log {
namespace {

Status OpenShardError(uint32_t index) {
  return Status::InvalidArgument("Shard " + ShardIdFor(index) + " is not open");
}

}  // namespace

Status LogManagerImpl::Reshard(Stream& s, const std::vector<uint32_t>& parents,
                               std::vector<ShardMeta> children) {
  std::vector<Shard*> parent_shards;
  for (uint32_t p : parents) parent_shards.push_back(s.shards.at(p).get());
  WaitResolved(parent_shards);

  const int64_t now = Now();
  StreamMeta m = s.meta;
  std::map<uint32_t, std::shared_ptr<Shard>> opened;
  RecoveryReport ignored;
  for (ShardMeta& c : children) {
    c.index = m.next_shard_index++;
    c.created_ms = now;
    FG_ASSIGN_OR_RETURN(auto shard, Shard::Open(env_, options_, ShardDir(s.dir, c.index), c.index,
                                                std::nullopt, &ignored));
    opened[c.index] = std::move(shard);
  }
  for (ShardMeta& sm : m.shards) {
    if (std::find(parents.begin(), parents.end(), sm.index) == parents.end()) continue;
    sm.end_offset = s.shards.at(sm.index)->Bounds().second;
    sm.closed_ms = now;
  }
  for (ShardMeta& c : children) m.shards.push_back(c);
  FG_RETURN_IF_ERROR(WriteStreamMeta(env_, s.dir, m));

  for (uint32_t p : parents) s.shards.at(p)->Close();
  for (auto& [i, sh] : opened) s.shards[i] = std::move(sh);
  s.meta = std::move(m);
  s.RebuildRoutes();
  std::string kids;
  for (const ShardMeta& c : children) kids.append(" ").append(ShardIdFor(c.index));
  logger_->info("stream {}: resharded {} parent(s) into{}", s.name, parents.size(), kids);
  return Status::Ok();
}

Status LogManagerImpl::SplitShard(const std::string& name, uint32_t shard, u128 key) {
  auto s = FindStream(name);
  if (!s) return Status::NotFound("Stream " + name + " not found");
  std::unique_lock<std::shared_mutex> lock(s->mu);
  if (s->deleted) return Status::NotFound("Stream " + name + " not found");
  const ShardMeta* p = s->FindMeta(shard);
  if (p == nullptr) return Status::NotFound("Shard " + ShardIdFor(shard) + " not found");
  if (!p->open()) return OpenShardError(shard);
  // Both children must be non-empty: start < key <= end.
  if (key <= p->starting_hash_key || key > p->ending_hash_key) {
    return Status::InvalidArgument("NewStartingHashKey " + U128ToString(key) +
                                   " is not inside the range of " + ShardIdFor(shard));
  }
  ShardMeta lo, hi;
  lo.starting_hash_key = p->starting_hash_key;
  lo.ending_hash_key = key - 1;
  hi.starting_hash_key = key;
  hi.ending_hash_key = p->ending_hash_key;
  lo.parent = hi.parent = shard;
  return Reshard(*s, {shard}, {lo, hi});
}

Status LogManagerImpl::MergeShards(const std::string& name, uint32_t shard, uint32_t adjacent) {
  auto s = FindStream(name);
  if (!s) return Status::NotFound("Stream " + name + " not found");
  std::unique_lock<std::shared_mutex> lock(s->mu);
  if (s->deleted) return Status::NotFound("Stream " + name + " not found");
  const ShardMeta* a = s->FindMeta(shard);
  const ShardMeta* b = s->FindMeta(adjacent);
  if (a == nullptr) return Status::NotFound("Shard " + ShardIdFor(shard) + " not found");
  if (b == nullptr) return Status::NotFound("Shard " + ShardIdFor(adjacent) + " not found");
  if (!a->open()) return OpenShardError(shard);
  if (!b->open()) return OpenShardError(adjacent);
  const ShardMeta* first = a->starting_hash_key < b->starting_hash_key ? a : b;
  const ShardMeta* second = first == a ? b : a;
  if (shard == adjacent || first->ending_hash_key == kMaxHashKey ||
      first->ending_hash_key + 1 != second->starting_hash_key) {
    return Status::InvalidArgument("Shards " + ShardIdFor(shard) + " and " + ShardIdFor(adjacent) +
                                   " are not adjacent");
  }
  ShardMeta child;
  child.starting_hash_key = first->starting_hash_key;
  child.ending_hash_key = second->ending_hash_key;
  child.parent = shard;
  child.adjacent_parent = adjacent;
  return Reshard(*s, {shard, adjacent}, {child});
}

Status LogManagerImpl::UpdateShardCount(const std::string& name, uint32_t target) {
  if (target < 1) return Status::InvalidArgument("target shard count must be at least 1");
  auto s = FindStream(name);
  if (!s) return Status::NotFound("Stream " + name + " not found");
  std::unique_lock<std::shared_mutex> lock(s->mu);
  if (s->deleted) return Status::NotFound("Stream " + name + " not found");
  // Open shards always tile the whole key space, so the uniform ranges of `target`
  // shards replace them exactly.
  std::vector<const ShardMeta*> open;
  for (const ShardMeta& sm : s->meta.shards) {
    if (sm.open()) open.push_back(&sm);
  }
  std::vector<uint32_t> parents;
  for (const ShardMeta* p : open) parents.push_back(p->index);
  std::vector<ShardMeta> children;
  for (const auto& [start, end] : UniformHashRanges(target)) {
    ShardMeta c;
    c.starting_hash_key = start;
    c.ending_hash_key = end;
    // Overlap sizes minus one (a full-range overlap is 2^128, one more than u128 holds).
    std::vector<std::pair<u128, uint32_t>> overlaps;
    for (const ShardMeta* p : open) {
      u128 lo = std::max(start, p->starting_hash_key);
      u128 hi = std::min(end, p->ending_hash_key);
      if (lo <= hi) overlaps.emplace_back(hi - lo, p->index);
    }
    std::sort(overlaps.begin(), overlaps.end(), [](const auto& x, const auto& y) {
      return x.first != y.first ? x.first > y.first : x.second < y.second;
    });
    if (!overlaps.empty()) c.parent = overlaps[0].second;
    if (overlaps.size() > 1) c.adjacent_parent = overlaps[1].second;
    children.push_back(c);
  }
  return Reshard(*s, parents, std::move(children));
}

}  // namespace fluxgate::log
