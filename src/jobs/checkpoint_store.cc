#include "jobs/checkpoint_store.h"

#include <algorithm>
#include <cstdio>

#include "common/logging.h"
#include "jobs/wire.h"
#include "log/crc32c.h"
#include "log/env.h"

namespace fluxgate::jobs {

namespace {
constexpr uint32_t kMagic = 0x4b434746;  // "FGCK"
constexpr uint32_t kVersion = 1;
}  // namespace

std::string CheckpointStore::Encode(const CheckpointData& d) {
  std::string out;
  PutU32(out, kMagic);
  PutU32(out, kVersion);
  PutU64(out, d.id);
  PutI64(out, d.taken_at_ms);
  PutBytes(out, d.job);
  PutBytes(out, d.fingerprint);
  PutU32(out, d.parallelism);
  PutU32(out, static_cast<uint32_t>(d.scans.size()));
  for (const auto& [table, scan] : d.scans) {
    PutBytes(out, table);
    PutU32(out, static_cast<uint32_t>(scan.offsets.size()));
    for (const auto& [shard, offset] : scan.offsets) {
      PutU32(out, shard);
      PutU64(out, offset);
    }
    PutBytes(out, scan.watermarks);
  }
  PutU32(out, static_cast<uint32_t>(d.operators.size()));
  for (const auto& [key, state] : d.operators) {
    PutBytes(out, key);
    PutBytes(out, state);
  }
  PutU32(out, log::Crc32c(out));
  return out;
}

Result<CheckpointData> CheckpointStore::Decode(std::string_view bytes) {
  if (bytes.size() < 12) return Status::Corruption("checkpoint too short");
  std::string_view body = bytes.substr(0, bytes.size() - 4);
  Reader tail(bytes.substr(bytes.size() - 4));
  if (tail.U32() != log::Crc32c(body)) return Status::Corruption("checkpoint CRC mismatch");
  Reader r(body);
  if (r.U32() != kMagic) return Status::Corruption("not a fluxgate checkpoint");
  uint32_t version = r.U32();
  if (version != kVersion) {
    return Status::Corruption("checkpoint format version " + std::to_string(version) +
                              " is not supported (this build reads version 1)");
  }
  CheckpointData d;
  d.id = r.U64();
  d.taken_at_ms = r.I64();
  d.job = std::string(r.Bytes());
  d.fingerprint = std::string(r.Bytes());
  d.parallelism = r.U32();
  uint32_t scans = r.U32();
  for (uint32_t i = 0; i < scans && r.ok(); ++i) {
    std::string table(r.Bytes());
    CheckpointData::Scan& scan = d.scans[table];
    uint32_t n = r.U32();
    for (uint32_t k = 0; k < n && r.ok(); ++k) {
      uint32_t shard = r.U32();
      scan.offsets[shard] = r.U64();
    }
    scan.watermarks = std::string(r.Bytes());
  }
  uint32_t ops = r.U32();
  for (uint32_t i = 0; i < ops && r.ok(); ++i) {
    std::string key(r.Bytes());
    d.operators[key] = std::string(r.Bytes());
  }
  if (!r.ok() || !r.done()) return Status::Corruption("checkpoint truncated or malformed");
  return d;
}

std::string CheckpointStore::PathFor(uint64_t id) const {
  char name[32];
  std::snprintf(name, sizeof name, "chk-%012llu", static_cast<unsigned long long>(id));
  return dir_ + "/" + name;
}

std::vector<uint64_t> CheckpointStore::ListIds() {
  std::vector<uint64_t> ids;
  auto names = log::DefaultEnv()->ListDir(dir_);
  if (!names.ok()) return ids;
  for (const std::string& n : *names) {
    if (n.size() == 16 && n.rfind("chk-", 0) == 0 &&
        n.find_first_not_of("0123456789", 4) == std::string::npos) {
      ids.push_back(std::stoull(n.substr(4)));
    }
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

Result<uint64_t> CheckpointStore::Write(const CheckpointData& data) {
  log::Env* env = log::DefaultEnv();
  FG_RETURN_IF_ERROR(env->CreateDir(dir_));
  std::string bytes = Encode(data);
  FG_RETURN_IF_ERROR(env->WriteFileAtomic(PathFor(data.id), bytes));
  std::vector<uint64_t> ids = ListIds();
  for (size_t i = 0; i + retain_ < ids.size(); ++i) {
    if (ids[i] >= data.id) break;
    (void)env->DeleteFile(PathFor(ids[i]));
  }
  return static_cast<uint64_t>(bytes.size());
}

Result<std::optional<CheckpointData>> CheckpointStore::LoadLatest() {
  std::vector<uint64_t> ids = ListIds();
  for (auto it = ids.rbegin(); it != ids.rend(); ++it) {
    std::string bytes;
    Status s = log::DefaultEnv()->ReadFile(PathFor(*it), &bytes);
    if (s.ok()) {
      auto decoded = Decode(bytes);
      if (decoded.ok()) return std::optional<CheckpointData>(std::move(decoded).value());
      s = decoded.status();
    }
    GetLogger("jobs")->error("skipping checkpoint {}: {}", PathFor(*it), s.ToString());
  }
  return std::optional<CheckpointData>();
}

}  // namespace fluxgate::jobs
