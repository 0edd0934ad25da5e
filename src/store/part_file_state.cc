#include "store/part_file_state.h"

namespace fluxgate::store {
namespace {

constexpr char kMagic[4] = {'F', 'G', 'P', 'W'};
// No string or count in a sink's state comes near this; a larger one is corruption.
constexpr uint32_t kMaxLen = 1u << 24;

void PutU32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}
void PutU64(std::string* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}
void PutStr(std::string* out, std::string_view s) {
  PutU32(out, static_cast<uint32_t>(s.size()));
  out->append(s);
}
void PutHandle(std::string* out, const StagedObject& h) {
  PutStr(out, h.bucket);
  PutStr(out, h.key);
  PutU64(out, h.length);
  PutStr(out, h.backend);
}

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool U32(uint32_t* v) {
    if (in_.size() < 4) return false;
    *v = 0;
    for (int i = 0; i < 4; ++i)
      *v |= static_cast<uint32_t>(static_cast<uint8_t>(in_[i])) << (8 * i);
    in_.remove_prefix(4);
    return true;
  }
  bool U64(uint64_t* v) {
    if (in_.size() < 8) return false;
    *v = 0;
    for (int i = 0; i < 8; ++i)
      *v |= static_cast<uint64_t>(static_cast<uint8_t>(in_[i])) << (8 * i);
    in_.remove_prefix(8);
    return true;
  }
  bool I64(int64_t* v) {
    uint64_t u;
    if (!U64(&u)) return false;
    *v = static_cast<int64_t>(u);
    return true;
  }
  bool Str(std::string* s) {
    uint32_t n;
    if (!U32(&n) || n > kMaxLen || in_.size() < n) return false;
    s->assign(in_.substr(0, n));
    in_.remove_prefix(n);
    return true;
  }
  bool Handle(StagedObject* h) {
    return Str(&h->bucket) && Str(&h->key) && U64(&h->length) && Str(&h->backend);
  }
  bool Count(uint32_t* n) { return U32(n) && *n <= kMaxLen; }
  bool Raw(size_t n, std::string_view* out) {
    if (in_.size() < n) return false;
    *out = in_.substr(0, n);
    in_.remove_prefix(n);
    return true;
  }
  bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

}  // namespace

std::string EncodePartFileWriterState(const PartFileWriterState& s) {
  std::string out(kMagic, sizeof(kMagic));
  PutU32(&out, PartFileWriterState::kVersion);
  PutU64(&out, s.checkpoint_id);
  PutStr(&out, s.uuid);
  PutU32(&out, s.task);
  PutStr(&out, s.suffix);
  PutU64(&out, s.next_counter);
  PutU32(&out, static_cast<uint32_t>(s.in_progress.size()));
  for (const auto& f : s.in_progress) {
    PutStr(&out, f.partition);
    PutU64(&out, f.counter);
    PutU64(&out, static_cast<uint64_t>(f.opened_at_ms));
    PutHandle(&out, f.handle);
  }
  PutU32(&out, static_cast<uint32_t>(s.pending.size()));
  for (const auto& f : s.pending) {
    PutU64(&out, f.checkpoint_id);
    PutStr(&out, f.partition);
    PutU64(&out, f.counter);
    PutHandle(&out, f.handle);
  }
  return out;
}

Result<PartFileWriterState> DecodePartFileWriterState(std::string_view bytes) {
  auto bad = [](std::string_view what) {
    return Status::Corruption("part file writer state: " + std::string(what));
  };
  Reader r(bytes);
  std::string_view magic;
  if (!r.Raw(sizeof(kMagic), &magic) || magic != std::string_view(kMagic, sizeof(kMagic))) {
    return bad("bad magic (not a file sink's state)");
  }
  uint32_t version;
  if (!r.U32(&version)) return bad("truncated header");
  if (version != PartFileWriterState::kVersion) {
    return bad("unsupported version " + std::to_string(version) + " (this build reads " +
               std::to_string(PartFileWriterState::kVersion) + ")");
  }
  PartFileWriterState s;
  uint32_t n;
  if (!r.U64(&s.checkpoint_id) || !r.Str(&s.uuid) || !r.U32(&s.task) || !r.Str(&s.suffix) ||
      !r.U64(&s.next_counter) || !r.Count(&n)) {
    return bad("truncated header");
  }
  // Entries are appended one by one, so a corrupt count cannot make Decode allocate more
  // than the input's size justifies.
  for (uint32_t i = 0; i < n; ++i) {
    PartFileWriterState::InProgress& f = s.in_progress.emplace_back();
    if (!r.Str(&f.partition) || !r.U64(&f.counter) || !r.I64(&f.opened_at_ms) ||
        !r.Handle(&f.handle)) {
      return bad("truncated in-progress file entry");
    }
    if (f.counter >= s.next_counter) return bad("in-progress file counter >= next counter");
  }
  if (!r.Count(&n)) return bad("truncated pending count");
  for (uint32_t i = 0; i < n; ++i) {
    PartFileWriterState::Pending& f = s.pending.emplace_back();
    if (!r.U64(&f.checkpoint_id) || !r.Str(&f.partition) || !r.U64(&f.counter) ||
        !r.Handle(&f.handle)) {
      return bad("truncated pending file entry");
    }
    if (f.counter >= s.next_counter) return bad("pending file counter >= next counter");
  }
  if (!r.done()) return bad("trailing bytes");
  return s;
}

}  // namespace fluxgate::store
