// Where a filesystem sink's files go.
//
// A sink path as written in SQL ('path' = ...) is a plain directory, a file:// URL, or an
// s3://BUCKET/prefix URL. ParseSinkLocation mirrors sql::SinkPath (the binder's parse)
// without depending on fg_sql. ResolveLocalSink maps a location onto a LocalObjectStore
// root, bucket and key prefix; an s3:// location with no object store configured is kept
// on local disk under <data_dir>/objects/BUCKET/prefix, so the bucket/prefix layout is the
// one the S3 back end writes. Opening the store a location maps to under the [store]
// config (S3 when [store.s3] is set) is store/open_store.h's job.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace fluxgate::store {

struct SinkLocation {
  enum class Kind { kLocal, kObjectStore } kind = Kind::kLocal;
  std::string local_dir;  // kLocal: the directory, without file://
  std::string bucket;     // kObjectStore
  std::string prefix;     // kObjectStore: key prefix without leading '/', may be empty
};

// "/out", "out", "file:///out" -> kLocal; "s3://b/p/q", "s3a://b/p" -> kObjectStore.
// InvalidArgument for an empty path, an empty bucket, or another scheme.
Result<SinkLocation> ParseSinkLocation(std::string_view path);

// A LocalObjectStore root plus the bucket and prefix the sink's keys live under; files
// land in `dir` = root/bucket/prefix.
struct LocalSinkTarget {
  std::string root;
  std::string bucket;  // empty for a plain directory
  std::string prefix;  // no leading or trailing '/'; may be empty
  std::string dir;
};

// kLocal: root = the directory itself. kObjectStore: root = <data_dir>/objects.
// InvalidArgument for a prefix with "." / ".." / hidden segments.
Result<LocalSinkTarget> ResolveLocalSink(const SinkLocation& loc, std::string_view data_dir);

}  // namespace fluxgate::store
