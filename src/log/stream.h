// Stream: one stream's metadata, its shards, and the routing table of its open shards.
//
// Threading: `mu` is a reader/writer lock. Shared: Append (for the whole batch, so a
// reshard cannot close a shard under it), lookups by readers. Exclusive: metadata
// changes, resharding, deletion. `meta`, `shards`, `routes` and `deleted` are guarded
// by `mu`; `name` and `dir` are immutable.
#pragma once

#include <algorithm>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

#include "log/shard.h"
#include "log/types.h"

namespace fluxgate::log {

struct ShardRoute {
  u128 start = 0;
  u128 end = 0;            // inclusive
  Shard* shard = nullptr;  // owned by Stream::shards; valid while `mu` is held
};

struct Stream {
  Stream(std::string n, std::string d) : name(std::move(n)), dir(std::move(d)) {}

  const std::string name;
  const std::string dir;

  mutable std::shared_mutex mu;
  StreamMeta meta;
  // shared_ptr: the commit thread's dirty list and in-flight readers keep a shard alive
  // after DeleteStream or retention has removed it from here.
  std::map<uint32_t, std::shared_ptr<Shard>> shards;  // open and closed
  std::vector<ShardRoute> routes;                     // open shards by starting key
  bool deleted = false;

  // Rebuilds `routes` from `meta` (call with `mu` held exclusively).
  void RebuildRoutes() {
    routes.clear();
    for (const ShardMeta& s : meta.shards) {
      if (!s.open()) continue;
      routes.push_back({s.starting_hash_key, s.ending_hash_key, shards.at(s.index).get()});
    }
    std::sort(routes.begin(), routes.end(),
              [](const ShardRoute& a, const ShardRoute& b) { return a.start < b.start; });
  }

  // Position in `routes` of the open shard holding `key`, or -1.
  int RouteFor(u128 key) const {
    auto it = std::upper_bound(routes.begin(), routes.end(), key,
                               [](u128 k, const ShardRoute& r) { return k < r.start; });
    if (it == routes.begin()) return -1;
    --it;
    return key <= it->end ? static_cast<int>(it - routes.begin()) : -1;
  }

  const ShardMeta* FindMeta(uint32_t index) const {
    for (const ShardMeta& s : meta.shards) {
      if (s.index == index) return &s;
    }
    return nullptr;
  }
};

}  // namespace fluxgate::log
