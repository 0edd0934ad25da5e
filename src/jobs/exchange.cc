#include "jobs/exchange.h"

#include "jobs/key_interner.h"

namespace fluxgate::jobs {

Status FanOut::Emit(Chunk chunk) {
  for (size_t i = 0; i + 1 < targets_.size(); ++i) {
    FG_RETURN_IF_ERROR(targets_[i]->Emit(chunk));
  }
  if (!targets_.empty()) return targets_.back()->Emit(std::move(chunk));
  return Status::Ok();
}

Status ExchangeOutput::Emit(Chunk chunk) {
  const size_t parts = buffer_->chunks.size();
  if (chunk.num_rows() == 0) return Status::Ok();
  if (!keys_ || parts == 1) {
    size_t dest = keys_ ? 0 : static_cast<size_t>(src_);
    buffer_->chunks[dest][src_].push_back(std::move(chunk));
    return Status::Ok();
  }
  FG_RETURN_IF_ERROR(keys_->Evaluate(chunk.batch));
  selections_.resize(parts);
  for (auto& s : selections_) s.clear();
  for (size_t r = 0; r < chunk.num_rows(); ++r) {
    scratch_.clear();
    EncodeKey(keys_->columns, r, scratch_);
    selections_[HashKey(scratch_) % parts].push_back(static_cast<uint32_t>(r));
  }
  for (size_t d = 0; d < parts; ++d) {
    if (selections_[d].empty()) continue;
    if (selections_[d].size() == chunk.num_rows()) {
      buffer_->chunks[d][src_].push_back(std::move(chunk));
      break;
    }
    buffer_->chunks[d][src_].push_back(SelectRows(chunk, selections_[d]));
  }
  return Status::Ok();
}

}  // namespace fluxgate::jobs
