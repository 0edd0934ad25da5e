#include "store/part_file_name.h"

#include <charconv>
#include <random>

namespace fluxgate::store {
namespace {

bool ParseDigits(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

std::string PartFileName(std::string_view uuid, uint32_t task, uint64_t counter,
                         std::string_view suffix) {
  std::string name = "part-";
  name += uuid;
  name += '-';
  name += std::to_string(task);
  name += '-';
  name += std::to_string(counter);
  name += suffix;
  return name;
}

std::optional<PartFileId> ParsePartFileName(std::string_view name, std::string_view suffix) {
  constexpr std::string_view kPrefix = "part-";
  if (!name.starts_with(kPrefix) || !name.ends_with(suffix)) return std::nullopt;
  std::string_view mid = name.substr(kPrefix.size(), name.size() - kPrefix.size() - suffix.size());
  auto c = mid.rfind('-');
  if (c == std::string_view::npos || c == 0) return std::nullopt;
  auto t = mid.rfind('-', c - 1);
  if (t == std::string_view::npos || t == 0) return std::nullopt;
  PartFileId id;
  uint64_t task = 0;
  if (!ParseDigits(mid.substr(t + 1, c - t - 1), &task) || task > UINT32_MAX) return std::nullopt;
  if (!ParseDigits(mid.substr(c + 1), &id.counter)) return std::nullopt;
  id.task = static_cast<uint32_t>(task);
  id.uuid = std::string(mid.substr(0, t));
  return id;
}

std::string RandomUuid() {
  std::random_device rd;
  std::mt19937_64 gen((static_cast<uint64_t>(rd()) << 32) ^ rd());
  uint64_t hi = gen(), lo = gen();
  hi = (hi & ~0xF000ull) | 0x4000ull;                  // version 4
  lo = (lo & ~(0xC000ull << 48)) | (0x8000ull << 48);  // variant 10xx
  return FormatUuid(hi, lo);
}

std::string FormatUuid(uint64_t hi, uint64_t lo) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  auto put = [&](uint64_t v, int nibbles) {
    for (int i = nibbles - 1; i >= 0; --i) out += kHex[(v >> (4 * i)) & 0xF];
  };
  put(hi >> 32, 8);
  out += '-';
  put(hi >> 16, 4);
  out += '-';
  put(hi, 4);
  out += '-';
  put(lo >> 48, 4);
  out += '-';
  put(lo, 12);
  return out;
}

Status ValidateNamePart(std::string_view what, std::string_view value, bool allow_empty) {
  if (value.empty() && !allow_empty)
    return Status::InvalidArgument(std::string(what) + " is empty");
  for (char c : value) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) {
      return Status::InvalidArgument(std::string(what) + " '" + std::string(value) +
                                     "' may only hold letters, digits, '.', '_' and '-'");
    }
  }
  return Status::Ok();
}

}  // namespace fluxgate::store
