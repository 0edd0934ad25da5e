#include "jobs/side_output.h"

#include <filesystem>

#include "common/json_writer.h"
#include "common/logging.h"

namespace fluxgate::jobs {

namespace {
constexpr size_t kRecent = 100;

bool IsUtf8Text(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = s[i];
    size_t n;
    if (c < 0x80) {
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return false;
      n = 0;
    } else if ((c >> 5) == 6) {
      n = 1;
    } else if ((c >> 4) == 14) {
      n = 2;
    } else if ((c >> 3) == 30) {
      n = 3;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;
    for (size_t k = 1; k <= n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
    }
    i += n + 1;
  }
  return true;
}
}  // namespace

SideOutput::SideOutput(std::string dir, uint64_t max_file_bytes)
    : dir_(std::move(dir)), max_file_bytes_(max_file_bytes) {
  dead_.path = dir_ + "/dead-letters.jsonl";
  late_.path = dir_ + "/late-records.jsonl";
}

SideOutput::~SideOutput() {
  for (File* f : {&dead_, &late_}) {
    if (f->f) std::fclose(f->f);
  }
}

void SideOutput::Write(File& file, const std::string& line) {
  if (file.f == nullptr) {
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    file.f = std::fopen(file.path.c_str(), "ab");
    if (file.f == nullptr) {
      if (!warned_) {
        GetLogger("jobs")->error("cannot open {} for appending; side output kept in memory only",
                                 file.path);
        warned_ = true;
      }
      return;
    }
    file.bytes = static_cast<uint64_t>(std::ftell(file.f));
  }
  std::fwrite(line.data(), 1, line.size(), file.f);
  std::fputc('\n', file.f);
  file.bytes += line.size() + 1;
  if (file.bytes >= max_file_bytes_) {
    std::fclose(file.f);
    file.f = nullptr;
    std::error_code ec;
    std::filesystem::rename(file.path, file.path + ".1", ec);
  }
}

void SideOutput::DeadLetter(std::string_view stream, uint32_t shard,
                            std::string_view sequence_number, std::string_view reason,
                            std::string_view raw) {
  std::string line;
  JsonWriter w(line);
  w.BeginObject().Key("kind").String("dead-letter").Key("stream").String(stream);
  w.Key("shard").Uint(shard).Key("sequence_number").String(sequence_number);
  w.Key("reason").String(reason);
  if (IsUtf8Text(raw)) {
    w.Key("data").String(raw);
  } else {
    w.Key("data_base64").Base64(raw);
  }
  w.EndObject();
  std::lock_guard<std::mutex> lock(mu_);
  ++dead_count_;
  Write(dead_, line);
  recent_.push_back(std::move(line));
  if (recent_.size() > kRecent) recent_.pop_front();
}

void SideOutput::Late(std::string_view table, std::string_view row_json, std::string_view reason) {
  std::string line;
  JsonWriter w(line);
  w.BeginObject().Key("kind").String("late").Key("operator").String(table);
  w.Key("reason").String(reason).Key("row").Raw(row_json).EndObject();
  std::lock_guard<std::mutex> lock(mu_);
  ++late_count_;
  Write(late_, line);
  recent_.push_back(std::move(line));
  if (recent_.size() > kRecent) recent_.pop_front();
}

void SideOutput::Flush() {
  std::lock_guard<std::mutex> lock(mu_);
  for (File* f : {&dead_, &late_}) {
    if (f->f) std::fflush(f->f);
  }
}

uint64_t SideOutput::dead_letters() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dead_count_;
}

uint64_t SideOutput::late_records() const {
  std::lock_guard<std::mutex> lock(mu_);
  return late_count_;
}

std::deque<std::string> SideOutput::Recent() const {
  std::lock_guard<std::mutex> lock(mu_);
  return recent_;
}

}  // namespace fluxgate::jobs
