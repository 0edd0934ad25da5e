#include "log/meta_store.h"

#include <cstdio>
#include <sstream>
#include <vector>

#include "log/crc32c.h"

namespace fluxgate::log {
namespace {

constexpr std::string_view kMagicLine = "fluxgate-stream-meta 1";

// Tag keys and values may hold spaces or newlines; hex keeps the format line-based.
std::string Hex(std::string_view s) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(s.size() * 2 + 1);
  out.push_back('x');  // never empty, so fields never vanish between spaces
  for (unsigned char c : s) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xf]);
  }
  return out;
}

bool Unhex(std::string_view s, std::string* out) {
  if (s.empty() || s[0] != 'x' || s.size() % 2 != 1) return false;
  out->clear();
  auto val = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (size_t i = 1; i < s.size(); i += 2) {
    int hi = val(s[i]), lo = val(s[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
  }
  return true;
}

std::string OptU32(const std::optional<uint32_t>& v) {
  return v ? std::to_string(*v) : std::string("-");
}

template <typename T>
bool ParseInt(const std::string& s, T* out) {
  if (s.empty()) return false;
  std::istringstream in(s);
  in >> *out;
  return !in.fail() && in.eof();
}

template <typename T>
bool ParseOpt(const std::string& s, std::optional<T>* out) {
  if (s == "-") {
    out->reset();
    return true;
  }
  T v;
  if (!ParseInt(s, &v)) return false;
  *out = v;
  return true;
}

}  // namespace

std::string EncodeStreamMeta(const StreamMeta& m) {
  std::ostringstream o;
  o << kMagicLine << "\n";
  o << "name " << m.name << "\n";
  o << "mode " << (m.mode == StreamMode::kOnDemand ? "on_demand" : "provisioned") << "\n";
  o << "created_ms " << m.created_ms << "\n";
  o << "retention_hours " << m.retention_hours << "\n";
  o << "max_record_size_kib " << m.max_record_size_kib << "\n";
  o << "next_shard_index " << m.next_shard_index << "\n";
  for (const auto& [k, v] : m.tags) o << "tag " << Hex(k) << " " << Hex(v) << "\n";
  for (const ShardMeta& s : m.shards) {
    o << "shard " << s.index << " " << U128ToString(s.starting_hash_key) << " "
      << U128ToString(s.ending_hash_key) << " " << OptU32(s.parent) << " "
      << OptU32(s.adjacent_parent) << " " << s.created_ms << " "
      << (s.end_offset ? std::to_string(*s.end_offset) : std::string("-")) << " " << s.closed_ms
      << "\n";
  }
  std::string body = o.str();
  char crc[32];
  std::snprintf(crc, sizeof(crc), "crc32c %08x\n", Crc32c(body));
  return body + crc;
}

Result<StreamMeta> DecodeStreamMeta(std::string_view text) {
  auto bad = [](const std::string& why) { return Status::Corruption("stream.meta: " + why); };
  // The last line is the checksum of everything before it.
  if (text.empty() || text.back() != '\n') return bad("missing final newline (torn write?)");
  size_t last = text.rfind('\n', text.size() - 2);
  if (last == std::string_view::npos) return bad("too short");
  std::string_view body = text.substr(0, last + 1);
  std::string crc_line(text.substr(last + 1, text.size() - last - 2));
  unsigned int want = 0;
  if (std::sscanf(crc_line.c_str(), "crc32c %x", &want) != 1) return bad("no checksum line");
  if (want != Crc32c(body)) return bad("checksum mismatch");

  StreamMeta m;
  std::istringstream in{std::string(body)};
  std::string line;
  std::getline(in, line);
  if (line != kMagicLine) return bad("unknown format line '" + line + "'");
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::vector<std::string> f;
    for (std::string w; ls >> w;) f.push_back(w);
    if (f.empty()) continue;
    const std::string& key = f[0];
    bool ok = true;
    if (key == "name" && f.size() == 2) {
      m.name = f[1];
    } else if (key == "mode" && f.size() == 2) {
      if (f[1] == "on_demand")
        m.mode = StreamMode::kOnDemand;
      else if (f[1] == "provisioned")
        m.mode = StreamMode::kProvisioned;
      else
        ok = false;
    } else if (key == "created_ms" && f.size() == 2) {
      ok = ParseInt(f[1], &m.created_ms);
    } else if (key == "retention_hours" && f.size() == 2) {
      ok = ParseInt(f[1], &m.retention_hours);
    } else if (key == "max_record_size_kib" && f.size() == 2) {
      ok = ParseInt(f[1], &m.max_record_size_kib);
    } else if (key == "next_shard_index" && f.size() == 2) {
      ok = ParseInt(f[1], &m.next_shard_index);
    } else if (key == "tag" && f.size() == 3) {
      std::string k, v;
      ok = Unhex(f[1], &k) && Unhex(f[2], &v);
      if (ok) m.tags[k] = v;
    } else if (key == "shard" && f.size() == 9) {
      ShardMeta s;
      auto start = ParseU128(f[2]);
      auto end = ParseU128(f[3]);
      ok = ParseInt(f[1], &s.index) && start && end && ParseOpt(f[4], &s.parent) &&
           ParseOpt(f[5], &s.adjacent_parent) && ParseInt(f[6], &s.created_ms) &&
           ParseOpt(f[7], &s.end_offset) && ParseInt(f[8], &s.closed_ms);
      if (ok) {
        s.starting_hash_key = *start;
        s.ending_hash_key = *end;
        if (!m.shards.empty() && m.shards.back().index >= s.index) ok = false;
        m.shards.push_back(s);
      }
    } else {
      ok = false;
    }
    if (!ok) return bad("cannot parse line '" + line + "'");
  }
  if (m.name.empty()) return bad("no stream name");
  return m;
}

Status WriteStreamMeta(Env* env, const std::string& stream_dir, const StreamMeta& meta) {
  return env->WriteFileAtomic(stream_dir + "/" + kStreamMetaFile, EncodeStreamMeta(meta));
}

Result<StreamMeta> ReadStreamMeta(Env* env, const std::string& stream_dir) {
  std::string text;
  FG_RETURN_IF_ERROR(env->ReadFile(stream_dir + "/" + kStreamMetaFile, &text));
  return DecodeStreamMeta(text);
}

}  // namespace fluxgate::log
