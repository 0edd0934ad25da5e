#include "web/dashboard_sse.h"

#include <charconv>

namespace fluxgate::web {

std::string SseEvent(uint64_t id, std::string_view event, std::string_view data, int retry_ms) {
  std::string out;
  out.reserve(data.size() + 64);
  if (retry_ms >= 0) out += "retry: " + std::to_string(retry_ms) + "\n";
  out += "id: " + std::to_string(id) + "\n";
  if (!event.empty()) {
    out += "event: ";
    out += event;
    out += "\n";
  }
  size_t start = 0;
  while (true) {
    size_t nl = data.find_first_of("\r\n", start);
    out += "data: ";
    out += data.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    out += "\n";
    if (nl == std::string_view::npos) break;
    start = nl + 1;
    if (data[nl] == '\r' && start < data.size() && data[start] == '\n') ++start;
    if (start == data.size()) break;  // a trailing newline adds no empty line
  }
  out += "\n";
  return out;
}

std::optional<uint64_t> ParseLastEventId(std::string_view header) {
  if (header.empty()) return std::nullopt;
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(header.data(), header.data() + header.size(), v);
  if (ec != std::errc() || p != header.data() + header.size()) return std::nullopt;
  return v;
}

}  // namespace fluxgate::web
