// The dashboard's front end (ui/), bundled at build time and compiled into the binary by
// cmake/EmbedAssets.cmake (docs/design/dashboard.md, "Building the front end"). The
// definitions live in a generated file of the fg_dashboard_assets library.
//
// Thread-safety: immutable data.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

namespace fluxgate::web {

struct EmbeddedAsset {
  const char* path;          // "/index.html", "/app.js", ...
  const char* content_type;  // "text/html; charset=utf-8", ...
  const unsigned char* data;
  size_t size;
  const char* etag;  // quoted, from the content's SHA-256: "\"3f2a...\""

  std::string_view body() const { return {reinterpret_cast<const char*>(data), size}; }
};

// Every embedded file, sorted by path.
std::span<const EmbeddedAsset> DashboardAssets();

}  // namespace fluxgate::web
