#include "ingest/dead_letters.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include "common/base64.h"
#include "common/json_writer.h"
#include "common/posix_io.h"

namespace fluxgate::ingest {

DeadLetterFile::~DeadLetterFile() {
  if (fd_ >= 0) ::close(fd_);
}

void DeadLetterFile::Format(const DeadLetter& d, std::string* lines) {
  JsonWriter w(*lines);
  w.BeginObject();
  w.Key("time_ms").Int(d.time_ms);
  w.Key("client_id").String(d.client_id);
  w.Key("stream").String(d.stream);
  w.Key("topic").String(d.topic);
  w.Key("reason").String(d.reason);
  w.Key("payload_base64").Base64(d.payload);
  w.EndObject();
  lines->push_back('\n');
}

Status DeadLetterFile::Write(std::string_view lines) {
  std::lock_guard<std::mutex> lock(mu_);
  if (fd_ < 0) {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(path_).parent_path(), ec);
    if (ec) return Status::IOError("create directory for " + path_ + ": " + ec.message());
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd_ < 0) return Status::FromErrno("open " + path_, errno);
  }
  FG_RETURN_IF_ERROR(WriteFully(fd_, lines, path_));
  return DataSync(fd_, path_);
}

}  // namespace fluxgate::ingest
