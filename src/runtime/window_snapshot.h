// The checkpoint framing shared by the window operators (tumble/hop/cumulate and session):
// a versioned header, then one entry per open window, each followed by its aggregate
// block (serialized by AggLayout). Keeping it in one place keeps both operators' formats
// and their restore checks identical.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace fluxgate::runtime {

inline constexpr uint8_t kWindowSnapshotVersion = 1;

struct WindowSnapshotHeader {
  uint32_t aggregates = 0;
  int64_t watermark = 0;
  uint64_t late_records = 0;
  uint64_t windows = 0;
};

struct WindowSnapshotEntry {
  uint32_t key = 0;
  int64_t start = 0;
  int64_t end = 0;
  bool fired = false;
  bool dirty = false;
};

void PutWindowSnapshotHeader(std::string& out, const WindowSnapshotHeader& h);
void PutWindowSnapshotEntry(std::string& out, const WindowSnapshotEntry& e);

// Reads and checks the header: version, and that the plan has `expected_aggregates`.
// `what` names the state in errors ("window state", "session state").
Status GetWindowSnapshotHeader(std::string_view& in, const char* what, uint32_t expected_aggregates,
                               WindowSnapshotHeader* h);
Status GetWindowSnapshotEntry(std::string_view& in, const char* what, WindowSnapshotEntry* e);

}  // namespace fluxgate::runtime
