#include "store/part_file_writer.h"

#include <algorithm>
#include <set>

#include "common/logging.h"
#include "store/part_file_name.h"
#include "store/part_file_state.h"

namespace fluxgate::store {
namespace {

std::string TrimSlashes(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  size_t i = 0;
  while (i < s.size() && s[i] == '/') ++i;
  return s.substr(i);
}

}  // namespace

Result<std::unique_ptr<PartFileWriter>> PartFileWriter::Create(ObjectStore* store,
                                                               std::string bucket,
                                                               std::string base_prefix,
                                                               PartFileWriterOptions options,
                                                               int64_t now_ms) {
  if (store == nullptr) return Status::InvalidArgument("PartFileWriter needs an object store");
  base_prefix = TrimSlashes(std::move(base_prefix));
  FG_RETURN_IF_ERROR(ValidateKey(base_prefix, true));
  if (options.uuid.empty()) options.uuid = RandomUuid();
  FG_RETURN_IF_ERROR(ValidateNamePart("part file uuid", options.uuid, false));
  FG_RETURN_IF_ERROR(ValidateNamePart("part file suffix", options.suffix, true));
  FG_RETURN_IF_ERROR(ValidateNamePart("success file name", options.success_file_name, false));
  if (options.suffix.ends_with(LocalObjectStore::kStagedSuffix)) {
    return Status::InvalidArgument("part file suffix may not end in '.inprogress'");
  }
  if (options.max_file_bytes == 0) return Status::InvalidArgument("max file bytes must be > 0");
  if (options.max_open_files == 0) return Status::InvalidArgument("max open files must be > 0");
  return std::unique_ptr<PartFileWriter>(new PartFileWriter(
      store, std::move(bucket), std::move(base_prefix), std::move(options), now_ms));
}

PartFileWriter::PartFileWriter(ObjectStore* store, std::string bucket, std::string base_prefix,
                               PartFileWriterOptions options, int64_t now_ms)
    : store_(store),
      bucket_(std::move(bucket)),
      base_prefix_(std::move(base_prefix)),
      options_(std::move(options)),
      now_ms_(now_ms) {}

PartFileWriter::~PartFileWriter() = default;

std::string PartFileWriter::KeyFor(std::string_view partition, uint64_t counter) const {
  return JoinPath(JoinPath(base_prefix_, partition),
                  PartFileName(options_.uuid, options_.task, counter, options_.suffix));
}

std::string PartFileWriter::StagedPrefix() const {
  return base_prefix_.empty() ? std::string() : base_prefix_ + "/";
}

Status PartFileWriter::Fail(Status st) {
  if (failed_.ok() && !st.ok()) {
    failed_ = st;
    GetLogger("store")->error(
        "file sink writer {} task {} failed, restore from the last checkpoint: {}", options_.uuid,
        options_.task, st.ToString());
  }
  return st;
}

bool PartFileWriter::Pristine() const {
  return !started_ && open_.empty() && pending_.empty() && counter_ == 0;
}

Status PartFileWriter::OpenFor(std::string_view partition) {
  FG_RETURN_IF_ERROR(ValidateKey(partition, true));
  if (!partition.empty() && partition.back() == '/') {
    return Status::InvalidArgument("partition ends in '/': " + std::string(partition));
  }
  if (open_.size() >= options_.max_open_files) {
    if (options_.on_open_file_limit == PartFileWriterOptions::OpenFileLimit::kFail) {
      return Status::LimitExceeded("file sink task " + std::to_string(options_.task) + " has " +
                                   std::to_string(open_.size()) +
                                   " open part files (max_open_files); cannot open one for '" +
                                   std::string(partition) + "'");
    }
    auto lru = std::min_element(open_.begin(), open_.end(), [](const auto& a, const auto& b) {
      return a.second.last_write_ms < b.second.last_write_ms;
    });
    FG_RETURN_IF_ERROR(Roll(lru, RollReason::kOpenFileLimit));
  }
  const uint64_t counter = counter_;
  auto writer = store_->BeginStaged(bucket_, KeyFor(partition, counter));
  if (!writer.ok()) return Fail(writer.status());
  ++counter_;  // only after success: a failed open leaves no gap the state could not explain
  OpenFile f;
  f.counter = counter;
  f.writer = std::move(writer).value();
  FG_RETURN_IF_ERROR(NewEncoder(f));
  f.opened_at_ms = now_ms_;
  f.last_write_ms = now_ms_;
  open_.emplace(std::string(partition), std::move(f));
  ++stats_.files_opened;
  return Status::Ok();
}

Status PartFileWriter::Roll(std::map<std::string, OpenFile, std::less<>>::iterator it,
                            RollReason why) {
  if (it->second.encoder) {
    scratch_.clear();
    Status st = it->second.encoder->Finish(scratch_);
    if (st.ok() && !scratch_.empty()) st = it->second.writer->Append(scratch_);
    if (!st.ok()) return Fail(st);
  }
  auto handle = it->second.writer->CloseForPublish();
  if (!handle.ok()) return Fail(handle.status());
  pending_.push_back(
      PendingFile{std::nullopt, it->first, it->second.counter, std::move(handle).value()});
  open_.erase(it);
  switch (why) {
    case RollReason::kSize:
      ++stats_.rolled_size;
      break;
    case RollReason::kRollover:
      ++stats_.rolled_rollover;
      break;
    case RollReason::kInactivity:
      ++stats_.rolled_inactivity;
      break;
    case RollReason::kOpenFileLimit:
      ++stats_.rolled_open_file_limit;
      break;
    case RollReason::kClose:
      ++stats_.rolled_close;
      break;
    case RollReason::kCheckpoint:
      ++stats_.rolled_checkpoint;
      break;
  }
  return Status::Ok();
}

Status PartFileWriter::NewEncoder(OpenFile& f) {
  if (!options_.encoder) return Status::Ok();
  auto encoder = options_.encoder();
  if (!encoder.ok()) return Fail(encoder.status());
  f.encoder = std::move(encoder).value();
  return Status::Ok();
}

uint64_t PartFileWriter::FileSize(const OpenFile& f) const {
  return f.writer->size() + (f.encoder ? f.encoder->buffered_bytes() : 0);
}

Status PartFileWriter::WriteEncoded(std::map<std::string, OpenFile, std::less<>>::iterator it,
                                    std::string_view bytes, size_t counted) {
  OpenFile& f = it->second;
  if (!bytes.empty()) {
    Status st = f.writer->Append(bytes);
    if (!st.ok()) return Fail(st);
  }
  f.last_write_ms = now_ms_;
  stats_.bytes_written += counted;
  ++stats_.appends;
  if (FileSize(f) >= options_.max_file_bytes) FG_RETURN_IF_ERROR(Roll(it, RollReason::kSize));
  return Status::Ok();
}

Status PartFileWriter::Append(std::string_view partition, std::string_view bytes) {
  FG_RETURN_IF_ERROR(failed_);
  started_ = true;
  if (bytes.empty()) return Status::Ok();
  if (options_.encoder) {
    return AppendEncoded(
        partition, [&](PartFileEncoder& e, std::string& out) { return e.Encode(bytes, out); });
  }
  auto it = open_.find(partition);
  // Roll first when these bytes would carry a non-empty file past the size limit, so
  // files stay within max_file_bytes unless one append alone is larger.
  if (it != open_.end()) {
    uint64_t size = it->second.writer->size();
    if (size > 0 && size + bytes.size() > options_.max_file_bytes) {
      FG_RETURN_IF_ERROR(Roll(it, RollReason::kSize));
      it = open_.end();
    }
  }
  if (it == open_.end()) {
    FG_RETURN_IF_ERROR(OpenFor(partition));
    it = open_.find(partition);
  }
  return WriteEncoded(it, bytes, bytes.size());
}

Status PartFileWriter::AppendEncoded(std::string_view partition, const EncodeFn& encode) {
  FG_RETURN_IF_ERROR(failed_);
  started_ = true;
  if (!options_.encoder) {
    return Status::InvalidArgument("AppendEncoded on a part file writer without an encoder");
  }
  auto it = open_.find(partition);
  if (it == open_.end()) {
    FG_RETURN_IF_ERROR(OpenFor(partition));
    it = open_.find(partition);
  }
  scratch_.clear();
  Status st = encode(*it->second.encoder, scratch_);
  if (!st.ok()) return Fail(st);  // the encoder's state is unknown now
  return WriteEncoded(it, scratch_, scratch_.size());
}

Status PartFileWriter::OnTime(int64_t now_ms) {
  FG_RETURN_IF_ERROR(failed_);
  now_ms_ = std::max(now_ms_, now_ms);
  for (auto it = open_.begin(); it != open_.end();) {
    auto next = std::next(it);
    const OpenFile& f = it->second;
    if (options_.rollover_interval_ms > 0 &&
        now_ms_ - f.opened_at_ms >= options_.rollover_interval_ms) {
      FG_RETURN_IF_ERROR(Roll(it, RollReason::kRollover));
    } else if (options_.inactivity_interval_ms > 0 &&
               now_ms_ - f.last_write_ms >= options_.inactivity_interval_ms) {
      FG_RETURN_IF_ERROR(Roll(it, RollReason::kInactivity));
    }
    it = next;
  }
  return Status::Ok();
}

Status PartFileWriter::CloseAll() {
  FG_RETURN_IF_ERROR(failed_);
  while (!open_.empty()) FG_RETURN_IF_ERROR(Roll(open_.begin(), RollReason::kClose));
  return Status::Ok();
}

Result<std::string> PartFileWriter::PrepareCommit(uint64_t checkpoint_id) {
  FG_RETURN_IF_ERROR(failed_);
  started_ = true;
  PartFileWriterState s;
  s.checkpoint_id = checkpoint_id;
  s.uuid = options_.uuid;
  s.task = options_.task;
  s.suffix = options_.suffix;
  s.next_counter = counter_;
  if (options_.roll_on_checkpoint) {
    while (!open_.empty()) FG_RETURN_IF_ERROR(Roll(open_.begin(), RollReason::kCheckpoint));
    s.next_counter = counter_;
  }
  s.in_progress.reserve(open_.size());
  for (auto& [partition, f] : open_) {
    if (f.encoder) {
      scratch_.clear();
      Status st = f.encoder->Sync(scratch_);
      if (st.ok() && !scratch_.empty()) st = f.writer->Append(scratch_);
      if (!st.ok()) return Fail(st);
    }
    auto handle = f.writer->Persist();
    if (!handle.ok()) return Fail(handle.status());
    s.in_progress.push_back({partition, f.counter, f.opened_at_ms, std::move(handle).value()});
  }
  s.pending.reserve(pending_.size());
  for (PendingFile& p : pending_) {
    if (!p.checkpoint_id) p.checkpoint_id = checkpoint_id;
    s.pending.push_back({*p.checkpoint_id, p.partition, p.counter, p.handle});
  }
  return EncodePartFileWriterState(s);
}

Status PartFileWriter::Commit(uint64_t checkpoint_id) {
  // A failed writer may still publish what a durable checkpoint covers: those files are
  // closed and complete, and publishing is idempotent.
  Status result;
  size_t kept = 0;
  for (size_t i = 0; i < pending_.size(); ++i) {
    PendingFile& p = pending_[i];
    bool covered = p.checkpoint_id && *p.checkpoint_id <= checkpoint_id;
    if (covered && result.ok()) {
      Status st = store_->PublishStaged(p.handle);
      if (st.ok()) {
        ++stats_.files_published;
        continue;
      }
      result = st;  // keep it and the rest pending; a later Commit or Restore retries
    }
    if (kept != i) pending_[kept] = std::move(p);
    ++kept;
  }
  pending_.resize(kept);
  return result;
}

Status PartFileWriter::Restore(std::string_view state) {
  FG_RETURN_IF_ERROR(failed_);
  if (!Pristine()) return Status::ResourceBusy("Restore on a file sink writer that has started");
  FG_ASSIGN_OR_RETURN(PartFileWriterState s, DecodePartFileWriterState(state));
  if (s.task != options_.task) {
    return Status::InvalidArgument("file sink state belongs to task " + std::to_string(s.task) +
                                   ", not task " + std::to_string(options_.task) +
                                   " (changing a sink's parallelism is not supported)");
  }
  if (s.suffix != options_.suffix) {
    return Status::InvalidArgument("file sink state has part file suffix '" + s.suffix +
                                   "', the sink now writes '" + options_.suffix + "'");
  }
  FG_RETURN_IF_ERROR(ValidateNamePart("part file uuid", s.uuid, false));
  if (options_.roll_on_checkpoint && !s.in_progress.empty()) {
    return Status::InvalidArgument(
        "file sink state holds open part files, but the sink now writes a bulk format that "
        "rolls on every checkpoint");
  }
  auto ours = [&](const StagedObject& h) {
    return h.bucket == bucket_ && std::string_view(h.key).starts_with(StagedPrefix());
  };
  std::vector<const StagedObject*> handles;
  for (const auto& f : s.in_progress) handles.push_back(&f.handle);
  for (const auto& f : s.pending) handles.push_back(&f.handle);
  for (const StagedObject* h : handles) {
    if (!ours(*h)) {
      return Status::InvalidArgument("file sink state holds '" + h->bucket + "/" + h->key +
                                     "', outside the sink's path (changed?)");
    }
  }
  started_ = true;
  options_.uuid = s.uuid;
  counter_ = s.next_counter;

  // 1. Checkpoint s.checkpoint_id completed, so its pending files are output now.
  for (const auto& p : s.pending) {
    Status st = store_->PublishStaged(p.handle);
    if (st.IsNotFound()) {
      // Neither staged nor published: a staged file of a checkpoint is only ever removed
      // by publishing it, so it was published (by Commit) and removed since — by lifecycle
      // expiry or compaction (docs/design/store.md "Lifecycle"), or by hand. Not a loss.
      GetLogger("store")->warn(
          "file sink {} task {}: pending file {} of checkpoint {} was published and has been "
          "removed since (lifecycle?); not publishing it again",
          options_.uuid, options_.task, p.handle.key, s.checkpoint_id);
      ++stats_.pending_gone;
      continue;
    }
    if (!st.ok()) return Fail(st);
    ++stats_.files_published;
  }
  // 2. Open files continue from their checkpointed length.
  std::set<std::string> keep;
  for (const auto& f : s.in_progress) {
    auto writer = store_->ResumeStaged(f.handle);
    if (!writer.ok()) return Fail(writer.status());
    keep.insert(f.handle.key);
    OpenFile of;
    of.counter = f.counter;
    of.writer = std::move(writer).value();
    FG_RETURN_IF_ERROR(NewEncoder(of));  // the resumed bytes end at a Sync point
    of.opened_at_ms = f.opened_at_ms;
    of.last_write_ms = now_ms_;
    open_.emplace(f.partition, std::move(of));
  }
  // 3. Everything else this (uuid, task) staged was written after the checkpoint.
  auto staged = store_->ListStaged(bucket_, StagedPrefix());
  if (!staged.ok()) return Fail(staged.status());
  uint64_t aborted = 0;
  for (const StagedObject& h : *staged) {
    if (keep.count(h.key)) continue;
    auto id = ParsePartFileName(BaseName(h.key), options_.suffix);
    if (!id || id->uuid != options_.uuid || id->task != options_.task) continue;
    Status st = store_->AbortStaged(h);
    if (!st.ok()) return Fail(st);
    ++aborted;
  }
  stats_.staged_aborted += aborted;
  GetLogger("store")->info(
      "file sink {} task {} restored from checkpoint {}: {} published, {} resumed, {} stale "
      "staged files removed",
      options_.uuid, options_.task, s.checkpoint_id, s.pending.size(), s.in_progress.size(),
      aborted);
  return Status::Ok();
}

Status PartFileWriter::StartFresh() {
  FG_RETURN_IF_ERROR(failed_);
  if (!Pristine()) return Status::ResourceBusy("StartFresh on a file sink writer that has started");
  started_ = true;
  auto aborted = AbortAll(store_, bucket_, base_prefix_,
                          StagedSelector{options_.uuid, options_.task, options_.suffix});
  if (!aborted.ok()) return Fail(aborted.status());
  stats_.staged_aborted += *aborted;
  // An earlier run of the same uuid may have published files: never reuse their names.
  auto published = store_->List(bucket_, StagedPrefix());
  if (!published.ok()) return Fail(published.status());
  for (const ObjectInfo& o : *published) {
    auto id = ParsePartFileName(BaseName(o.key), options_.suffix);
    if (id && id->uuid == options_.uuid && id->task == options_.task) {
      counter_ = std::max(counter_, id->counter + 1);
    }
  }
  return Status::Ok();
}

Result<uint64_t> PartFileWriter::AbortAll(ObjectStore* store, std::string_view bucket,
                                          std::string_view base_prefix,
                                          const StagedSelector& selector) {
  std::string prefix = TrimSlashes(std::string(base_prefix));
  if (!prefix.empty()) prefix += '/';
  FG_ASSIGN_OR_RETURN(auto staged, store->ListStaged(bucket, prefix));
  uint64_t n = 0;
  for (const StagedObject& h : staged) {
    auto id = ParsePartFileName(BaseName(h.key), selector.suffix);
    if (!id) continue;
    if (!selector.uuid.empty() && id->uuid != selector.uuid) continue;
    if (selector.task && id->task != *selector.task) continue;
    FG_RETURN_IF_ERROR(store->AbortStaged(h));
    ++n;
  }
  return n;
}

Status PartFileWriter::WriteSuccessFile(std::string_view partition) {
  FG_RETURN_IF_ERROR(ValidateKey(partition, true));
  return store_->Put(bucket_,
                     JoinPath(JoinPath(base_prefix_, partition), options_.success_file_name), "");
}

PartFileWriterStats PartFileWriter::stats() const {
  PartFileWriterStats s = stats_;
  s.open_files = open_.size();
  s.pending_files = pending_.size();
  return s;
}

}  // namespace fluxgate::store
