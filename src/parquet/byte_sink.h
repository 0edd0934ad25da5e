// ByteSink: where a parquet::Writer (or MergeFiles) puts the bytes of a file, in order.
//
// The writer appends each finished row group as a few large Append() calls and the footer
// on Close(), so a sink can stream them on (e.g. stage S3 multipart parts) instead of
// holding the file. A sink is used by one writer on one thread.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace fluxgate::parquet {

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  // Appends bytes at the end of the file; an error aborts the file (the writer stops).
  virtual Status Append(std::string_view bytes) = 0;
};

// Collects the file in memory (tests, small files, MergeFiles output).
class StringSink final : public ByteSink {
 public:
  Status Append(std::string_view bytes) override {
    data_.append(bytes);
    return Status::Ok();
  }
  const std::string& data() const { return data_; }
  std::string Take() { return std::move(data_); }

 private:
  std::string data_;
};

}  // namespace fluxgate::parquet
