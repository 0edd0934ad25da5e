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
  std::vector<std::shared_ptr<EncodedKeys>> encoded(parts);
  for (size_t d = 0; d < parts; ++d) {
    selections_[d].clear();
    encoded[d] = std::make_shared<EncodedKeys>();
  }
  for (size_t r = 0; r < chunk.num_rows(); ++r) {
    scratch_.clear();
    EncodeKey(keys_->columns, r, scratch_);
    const uint64_t h = HashKey(scratch_);
    const size_t d = h % parts;
    selections_[d].push_back(static_cast<uint32_t>(r));
    EncodedKeys& k = *encoded[d];
    k.bytes += scratch_;
    k.ends.push_back(static_cast<uint32_t>(k.bytes.size()));
    k.hashes.push_back(h);
  }
  for (size_t d = 0; d < parts; ++d) {
    if (selections_[d].empty()) continue;
    Chunk part = selections_[d].size() == chunk.num_rows() ? std::move(chunk)
                                                           : SelectRows(chunk, selections_[d]);
    part.keys = std::move(encoded[d]);
    buffer_->chunks[d][src_].push_back(std::move(part));
  }
  return Status::Ok();
}

}  // namespace fluxgate::jobs
