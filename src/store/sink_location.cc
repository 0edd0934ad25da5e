#include "store/sink_location.h"

#include "common/ascii.h"
#include "store/file_system.h"
#include "store/object_store.h"

namespace fluxgate::store {

Result<SinkLocation> ParseSinkLocation(std::string_view path) {
  if (path.empty()) return Status::InvalidArgument("empty sink path");
  SinkLocation loc;
  auto scheme_end = path.find("://");
  if (scheme_end == std::string_view::npos) {
    loc.local_dir = std::string(path);
    return loc;
  }
  std::string scheme = AsciiToLower(path.substr(0, scheme_end));
  std::string_view rest = path.substr(scheme_end + 3);
  if (scheme == "file") {
    if (rest.empty()) return Status::InvalidArgument("empty file:// path");
    loc.local_dir = std::string(rest);
    return loc;
  }
  if (scheme == "s3" || scheme == "s3a" || scheme == "s3n") {
    auto slash = rest.find('/');
    std::string_view bucket = rest.substr(0, slash);
    if (bucket.empty())
      return Status::InvalidArgument("no bucket in sink path: " + std::string(path));
    loc.kind = SinkLocation::Kind::kObjectStore;
    loc.bucket = std::string(bucket);
    if (slash != std::string_view::npos) {
      std::string_view prefix = rest.substr(slash + 1);
      while (!prefix.empty() && prefix.front() == '/') prefix.remove_prefix(1);
      loc.prefix = std::string(prefix);
    }
    return loc;
  }
  return Status::InvalidArgument("unsupported sink path scheme '" + scheme +
                                 "': " + std::string(path));
}

Result<LocalSinkTarget> ResolveLocalSink(const SinkLocation& loc, std::string_view data_dir) {
  LocalSinkTarget t;
  if (loc.kind == SinkLocation::Kind::kLocal) {
    if (loc.local_dir.empty()) return Status::InvalidArgument("empty sink directory");
    t.root = loc.local_dir;
    while (t.root.size() > 1 && t.root.back() == '/') t.root.pop_back();
    t.dir = t.root;
    return t;
  }
  if (loc.bucket.empty() || loc.bucket.front() == '.' ||
      loc.bucket.find('/') != std::string::npos) {
    return Status::InvalidArgument("bad bucket name: '" + loc.bucket + "'");
  }
  std::string prefix = loc.prefix;
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  FG_RETURN_IF_ERROR(ValidateKey(prefix, true));
  t.root = JoinPath(data_dir, "objects");
  t.bucket = loc.bucket;
  t.prefix = std::move(prefix);
  t.dir = JoinPath(JoinPath(t.root, t.bucket), t.prefix);
  return t;
}

}  // namespace fluxgate::store
