#include "jobs/keyed_operator.h"

namespace fluxgate::jobs {

Status KeyedOperator::InitKeyed(const std::vector<sql::BoundExprPtr>& keys,
                                const std::vector<sql::AggregateCall>& aggregates,
                                std::shared_ptr<const runtime::Schema> input, std::string label,
                                SideOutput* side) {
  label_ = std::move(label);
  side_ = side;
  input_ = std::move(input);
  FG_ASSIGN_OR_RETURN(keys_, CompileKeys(keys, *input_));
  FG_ASSIGN_OR_RETURN(aggs_, CompileAggregates(aggregates, *input_));
  interner_ = std::make_unique<KeyInterner>(keys_.types);
  late_encoder_ = std::make_unique<runtime::JsonRowEncoder>(input_, runtime::JsonFormatOptions{});
  return Status::Ok();
}

Status KeyedOperator::PrepareBatch(const Chunk& chunk) {
  if (chunk.keys) {
    interner_->InternEncoded(*chunk.keys, &ids_);
  } else {
    FG_RETURN_IF_ERROR(keys_.Evaluate(chunk.batch));
    interner_->Intern(keys_.columns, chunk.num_rows(), &ids_);
  }
  return aggs_.Evaluate(chunk.batch);
}

}  // namespace fluxgate::jobs
