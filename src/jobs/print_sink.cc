// 'print' connector and ad-hoc query output.
#include <cstdio>
#include <mutex>

#include "jobs/sinks.h"
#include "sql/logical_plan.h"

namespace fluxgate::jobs {

namespace {

// stdout is shared by every print sink of the process: lines must not interleave.
std::mutex& StdioMutex() {
  static std::mutex mu;
  return mu;
}

class PrintSinkOp final : public Operator {
 public:
  PrintSinkOp(std::string job, std::string prefix, bool to_stderr, RowTextSink sink)
      : job_(std::move(job)),
        prefix_(std::move(prefix)),
        to_stderr_(to_stderr),
        sink_(std::move(sink)) {}

  Status Push(int, Chunk chunk) override {
    std::string text;
    for (size_t r = 0; r < chunk.num_rows(); ++r) {
      std::string line = prefix_ + RowText(chunk, r);
      if (sink_) {
        sink_(job_, line);
      } else {
        text += line;
        text += '\n';
      }
    }
    counters_.records_out += chunk.num_rows();
    if (!text.empty()) {
      std::lock_guard<std::mutex> lock(StdioMutex());
      std::FILE* f = to_stderr_ ? stderr : stdout;
      std::fwrite(text.data(), 1, text.size(), f);
      std::fflush(f);
    }
    return Status::Ok();
  }

 private:
  std::string job_;
  std::string prefix_;
  bool to_stderr_;
  RowTextSink sink_;
};

}  // namespace

std::string RowText(const Chunk& chunk, size_t row) {
  std::string s = runtime::RowKindText(chunk.kind(row));
  s += chunk.batch.RowToString(row);
  return s;
}

std::unique_ptr<Operator> MakePrintSink(const sql::SinkNode& node, const SinkEnv& env) {
  const auto& c = node.table->connector;
  std::string prefix = c.print_identifier.empty() ? "" : c.print_identifier + "> ";
  return std::make_unique<PrintSinkOp>(env.job, prefix, c.print_standard_error, env.print);
}

std::unique_ptr<Operator> MakeQueryPrintOperator(const std::string& job, RowTextSink rows) {
  return std::make_unique<PrintSinkOp>(job, "", false, std::move(rows));
}

}  // namespace fluxgate::jobs
