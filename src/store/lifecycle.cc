#include "store/lifecycle.h"

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "common/logging.h"
#include "parquet/byte_sink.h"
#include "parquet/merge.h"

namespace fluxgate::store {
namespace {

constexpr std::string_view kManifestPrefix = "_compaction-";
constexpr std::string_view kCompactedPrefix = "compacted-";
constexpr std::string_view kManifestMagic = "fluxgate-compaction 1";
// Longest first: ".json.gz" before ".json".
constexpr std::string_view kDataSuffixes[] = {".json.gz", ".json.zst", ".parquet", ".json"};
constexpr int64_t kHourMs = 3'600'000;
constexpr int64_t kDayMs = 24 * kHourMs;

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool ParseInt(std::string_view s, size_t min_digits, size_t max_digits, int64_t lo, int64_t hi,
              int64_t* out) {
  if (s.size() < min_digits || s.size() > max_digits) return false;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  if (v < lo || v > hi) return false;
  *out = v;
  return true;
}

std::string_view BaseOf(std::string_view key) {
  auto slash = key.rfind('/');
  return slash == std::string_view::npos ? key : key.substr(slash + 1);
}

std::string DirOf(std::string_view key) {
  auto slash = key.rfind('/');
  return slash == std::string_view::npos ? std::string() : std::string(key.substr(0, slash));
}

std::string_view DataSuffix(std::string_view name) {
  for (std::string_view s : kDataSuffixes) {
    if (name.size() > s.size() && name.ends_with(s)) return s;
  }
  return {};
}

uint64_t Fnv1a(std::string_view s, uint64_t h = 1469598103934665603ull) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string Hex16(uint64_t v) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4) out[i] = kHex[v & 15];
  return out;
}

// parquet::MergeFiles writes into the staged object.
class StagedByteSink final : public parquet::ByteSink {
 public:
  explicit StagedByteSink(StagedWriter* w) : w_(w) {}
  Status Append(std::string_view bytes) override { return w_->Append(bytes); }

 private:
  StagedWriter* w_;
};

struct Manifest {
  std::string output;
  std::vector<std::string> inputs;
};

std::string EncodeManifest(const Manifest& m) {
  std::string out(kManifestMagic);
  out += "\noutput " + m.output + "\n";
  for (const auto& k : m.inputs) out += "input " + k + "\n";
  return out;
}

Result<Manifest> DecodeManifest(std::string_view text, std::string_view key) {
  Manifest m;
  size_t start = 0;
  bool magic = false;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(start, nl - start);
    start = nl + 1;
    if (!magic) {
      if (line != kManifestMagic) break;
      magic = true;
    } else if (line.starts_with("output ")) {
      m.output = std::string(line.substr(7));
    } else if (line.starts_with("input ")) {
      m.inputs.emplace_back(line.substr(6));
    }
  }
  if (!magic || m.output.empty() || m.inputs.empty()) {
    return Status::Corruption("compaction manifest " + std::string(key) + " is malformed");
  }
  return m;
}

class Pass {
 public:
  Pass(ObjectStore* store, const LifecycleRule& rule, int64_t now_ms)
      : store_(store), rule_(rule), now_ms_(now_ms) {
    if (!rule.prefix.empty()) prefix_ = rule.prefix + "/";
  }

  Result<LifecycleStats> Run() {
    FG_ASSIGN_OR_RETURN(auto objects, store_->List(rule_.bucket, prefix_));
    FG_ASSIGN_OR_RETURN(bool recovered, Recover(objects));
    if (recovered) {
      FG_ASSIGN_OR_RETURN(objects, store_->List(rule_.bucket, prefix_));
    }
    if (rule_.expire_after_ms > 0) FG_RETURN_IF_ERROR(Expire(objects));
    if (rule_.compact) FG_RETURN_IF_ERROR(Compact(objects));
    return stats_;
  }

 private:
  Result<bool> Recover(const std::vector<ObjectInfo>& objects) {
    std::set<std::string, std::less<>> keys;
    for (const auto& o : objects) keys.insert(o.key);
    bool any = false;
    for (const auto& o : objects) {
      if (!BaseOf(o.key).starts_with(kManifestPrefix)) continue;
      any = true;
      FG_ASSIGN_OR_RETURN(std::string text, store_->Get(rule_.bucket, o.key));
      auto m = DecodeManifest(text, o.key);
      if (!m.ok()) {  // not ours to guess about: leave it, say so
        GetLogger("store")->warn("lifecycle: {}", m.status().message());
        continue;
      }
      if (keys.count(m->output)) {  // the merged file is published: finish the job
        for (const auto& in : m->inputs) FG_RETURN_IF_ERROR(store_->Delete(rule_.bucket, in));
        ++stats_.rolled_forward;
      } else {  // never published: the inputs are intact; drop the staged output
        FG_ASSIGN_OR_RETURN(auto staged, store_->ListStaged(rule_.bucket, m->output));
        for (const auto& h : staged) {
          if (h.key == m->output) FG_RETURN_IF_ERROR(store_->AbortStaged(h));
        }
        ++stats_.rolled_back;
      }
      FG_RETURN_IF_ERROR(store_->Delete(rule_.bucket, o.key));
    }
    return any;
  }

  // When the data of `o` ends: its partition's end, else its last-modified time.
  std::optional<int64_t> EndOf(const ObjectInfo& o) const {
    if (auto span = PartitionSpanOf(o.key)) return span->end_ms;
    if (o.last_modified_ms > 0) return o.last_modified_ms;
    return std::nullopt;
  }

  Status Expire(std::vector<ObjectInfo>& objects) {
    std::vector<ObjectInfo> kept;
    for (auto& o : objects) {
      auto end = EndOf(o);
      if (!end) {
        ++stats_.undated_kept;
      } else if (*end + rule_.expire_after_ms <= now_ms_) {
        FG_RETURN_IF_ERROR(store_->Delete(rule_.bucket, o.key));
        ++stats_.expired_objects;
        stats_.expired_bytes += o.size;
        continue;
      }
      kept.push_back(std::move(o));
    }
    objects = std::move(kept);
    return Status::Ok();
  }

  Status Compact(const std::vector<ObjectInfo>& objects) {
    // (directory, suffix) -> data files in key order (List is sorted).
    std::map<std::pair<std::string, std::string>, std::vector<const ObjectInfo*>> groups;
    for (const auto& o : objects) {
      const std::string_view name = BaseOf(o.key);
      if (!name.starts_with("part-") && !name.starts_with(kCompactedPrefix)) continue;
      const std::string_view suffix = DataSuffix(name);
      if (suffix.empty()) continue;
      auto span = PartitionSpanOf(o.key);
      if (!span || span->end_ms + rule_.compact_min_age_ms > now_ms_) continue;  // not closed
      groups[{DirOf(o.key), std::string(suffix)}].push_back(&o);
    }
    for (const auto& [where, files] : groups) {
      if (files.size() < rule_.compact_min_files) continue;
      std::vector<const ObjectInfo*> run;
      uint64_t run_bytes = 0;
      auto flush = [&]() -> Status {
        if (run.size() >= 2) FG_RETURN_IF_ERROR(Merge(where.first, where.second, run));
        run.clear();
        run_bytes = 0;
        return Status::Ok();
      };
      for (const ObjectInfo* f : files) {
        if (f->size >= rule_.compact_target_bytes) {  // big enough already
          FG_RETURN_IF_ERROR(flush());
          continue;
        }
        if (!run.empty() && run_bytes + f->size > rule_.compact_target_bytes) {
          FG_RETURN_IF_ERROR(flush());
        }
        run.push_back(f);
        run_bytes += f->size;
      }
      FG_RETURN_IF_ERROR(flush());
    }
    return Status::Ok();
  }

  Status Merge(const std::string& dir, const std::string& suffix,
               const std::vector<const ObjectInfo*>& inputs) {
    Manifest m;
    uint64_t h = 1469598103934665603ull;
    uint64_t bytes = 0;
    for (const ObjectInfo* f : inputs) {
      m.inputs.push_back(f->key);
      h = Fnv1a(f->key, Fnv1a("\n", h));
      bytes += f->size;
    }
    const std::string id = Hex16(h);
    const std::string base = dir.empty() ? "" : dir + "/";
    m.output = base + std::string(kCompactedPrefix) + id + suffix;
    const std::string manifest_key = base + std::string(kManifestPrefix) + id;

    FG_RETURN_IF_ERROR(store_->Put(rule_.bucket, manifest_key, EncodeManifest(m)));
    FG_ASSIGN_OR_RETURN(auto writer, store_->BeginStaged(rule_.bucket, m.output));
    Status written = suffix == ".parquet" ? MergeParquet(m, writer.get()) : Concat(m, writer.get());
    if (!written.ok()) {
      // Inputs untouched: undo the staged output and the manifest, keep going.
      writer.reset();
      FG_ASSIGN_OR_RETURN(auto staged, store_->ListStaged(rule_.bucket, m.output));
      for (const auto& sh : staged) {
        if (sh.key == m.output) FG_RETURN_IF_ERROR(store_->AbortStaged(sh));
      }
      FG_RETURN_IF_ERROR(store_->Delete(rule_.bucket, manifest_key));
      if (written.IsInvalidArgument() || written.IsCorruption()) {
        GetLogger("store")->warn("lifecycle: not compacting {} files into {}: {}", m.inputs.size(),
                                 m.output, written.ToString());
        ++stats_.merge_failures;
        return Status::Ok();
      }
      return written;
    }
    FG_ASSIGN_OR_RETURN(StagedObject handle, writer->CloseForPublish());
    FG_RETURN_IF_ERROR(store_->PublishStaged(handle));
    for (const auto& in : m.inputs) FG_RETURN_IF_ERROR(store_->Delete(rule_.bucket, in));
    FG_RETURN_IF_ERROR(store_->Delete(rule_.bucket, manifest_key));
    ++stats_.compactions;
    stats_.compacted_inputs += m.inputs.size();
    stats_.compacted_bytes += bytes;
    return Status::Ok();
  }

  // Line files (plain, gzip members, zstd frames) concatenate into a valid file.
  Status Concat(const Manifest& m, StagedWriter* out) {
    for (const auto& in : m.inputs) {
      FG_ASSIGN_OR_RETURN(std::string data, store_->Get(rule_.bucket, in));
      if (!data.empty() && m.output.ends_with(".json") && data.back() != '\n') {
        return Status::Corruption(in + " does not end with a newline");
      }
      FG_RETURN_IF_ERROR(out->Append(data));
    }
    return Status::Ok();
  }

  Status MergeParquet(const Manifest& m, StagedWriter* out) {
    std::vector<std::string> data;
    data.reserve(m.inputs.size());
    for (const auto& in : m.inputs) {
      FG_ASSIGN_OR_RETURN(std::string d, store_->Get(rule_.bucket, in));
      data.push_back(std::move(d));
    }
    std::vector<std::string_view> views(data.begin(), data.end());
    StagedByteSink sink(out);
    return parquet::MergeFiles(views, &sink).status();
  }

  ObjectStore* store_;
  const LifecycleRule& rule_;
  const int64_t now_ms_;
  std::string prefix_;  // rule.prefix + "/", or ""
  LifecycleStats stats_;
};

}  // namespace

std::optional<PartitionSpan> PartitionSpanOf(std::string_view key) {
  int64_t year = -1, month = 0, day = 0, hour = -1;
  size_t start = 0;
  while (start < key.size()) {
    size_t slash = key.find('/', start);
    if (slash == std::string_view::npos) slash = key.size();
    std::string_view seg = key.substr(start, slash - start);
    start = slash + 1;
    auto eq = seg.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view k = seg.substr(0, eq), v = seg.substr(eq + 1);
    int64_t n;
    if (k == "year" && ParseInt(v, 4, 4, 1970, 9999, &n)) {
      year = n;
    } else if (k == "month" && ParseInt(v, 1, 2, 1, 12, &n)) {
      month = n;
    } else if (k == "day" && ParseInt(v, 1, 2, 1, 31, &n)) {
      day = n;
    } else if ((k == "hour" || k == "hr") && ParseInt(v, 1, 2, 0, 23, &n)) {
      hour = n;
    } else if ((k == "dt" || k == "date") && v.size() == 10 && v[4] == '-' && v[7] == '-') {
      int64_t y, mo, d;
      if (ParseInt(v.substr(0, 4), 4, 4, 1970, 9999, &y) &&
          ParseInt(v.substr(5, 2), 2, 2, 1, 12, &mo) && ParseInt(v.substr(8, 2), 2, 2, 1, 31, &d)) {
        year = y;
        month = mo;
        day = d;
      }
    }
  }
  if (year < 0) return std::nullopt;
  PartitionSpan s;
  if (month == 0) {  // a year
    s.start_ms = DaysFromCivil(year, 1, 1) * kDayMs;
    s.end_ms = DaysFromCivil(year + 1, 1, 1) * kDayMs;
  } else if (day == 0) {  // a month
    s.start_ms = DaysFromCivil(year, static_cast<unsigned>(month), 1) * kDayMs;
    s.end_ms = month == 12 ? DaysFromCivil(year + 1, 1, 1) * kDayMs
                           : DaysFromCivil(year, static_cast<unsigned>(month + 1), 1) * kDayMs;
  } else {
    s.start_ms =
        DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * kDayMs;
    s.end_ms = s.start_ms + kDayMs;
    if (hour >= 0) {
      s.start_ms += hour * kHourMs;
      s.end_ms = s.start_ms + kHourMs;
    }
  }
  return s;
}

Result<LifecycleStats> RunLifecycle(ObjectStore* store, const LifecycleRule& rule, int64_t now_ms) {
  if (store == nullptr) return Status::InvalidArgument("lifecycle needs an object store");
  FG_RETURN_IF_ERROR(ValidateKey(rule.prefix, true));
  return Pass(store, rule, now_ms).Run();
}

}  // namespace fluxgate::store
