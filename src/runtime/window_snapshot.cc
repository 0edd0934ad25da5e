#include "runtime/window_snapshot.h"

#include "runtime/agg_common.h"

namespace fluxgate::runtime {
namespace {
Status Truncated(const char* what) {
  return Status::Corruption(std::string(what) + " checkpoint is truncated");
}
}  // namespace

void PutWindowSnapshotHeader(std::string& out, const WindowSnapshotHeader& h) {
  agg::Put<uint8_t>(out, kWindowSnapshotVersion);
  agg::Put(out, h.aggregates);
  agg::Put(out, h.watermark);
  agg::Put(out, h.late_records);
  agg::Put(out, h.windows);
}

void PutWindowSnapshotEntry(std::string& out, const WindowSnapshotEntry& e) {
  agg::Put(out, e.key);
  agg::Put(out, e.start);
  agg::Put(out, e.end);
  agg::Put<uint8_t>(out, static_cast<uint8_t>(e.fired | (e.dirty << 1)));
}

Status GetWindowSnapshotHeader(std::string_view& in, const char* what, uint32_t expected_aggregates,
                               WindowSnapshotHeader* h) {
  uint8_t version;
  if (!agg::Get(in, &version)) return Truncated(what);
  if (version != kWindowSnapshotVersion) {
    return Status::Corruption(std::string(what) + " checkpoint has version " +
                              std::to_string(version) + ", this build reads version " +
                              std::to_string(kWindowSnapshotVersion));
  }
  if (!agg::Get(in, &h->aggregates) || !agg::Get(in, &h->watermark) ||
      !agg::Get(in, &h->late_records) || !agg::Get(in, &h->windows)) {
    return Truncated(what);
  }
  if (h->aggregates != expected_aggregates) {
    return Status::InvalidArgument(std::string(what) + " checkpoint has " +
                                   std::to_string(h->aggregates) + " aggregates, the plan has " +
                                   std::to_string(expected_aggregates));
  }
  return Status::Ok();
}

Status GetWindowSnapshotEntry(std::string_view& in, const char* what, WindowSnapshotEntry* e) {
  uint8_t flags;
  if (!agg::Get(in, &e->key) || !agg::Get(in, &e->start) || !agg::Get(in, &e->end) ||
      !agg::Get(in, &flags)) {
    return Truncated(what);
  }
  e->fired = flags & 1;
  e->dirty = (flags >> 1) & 1;
  return Status::Ok();
}

}  // namespace fluxgate::runtime
