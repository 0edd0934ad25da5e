// 'alert' connector: every row becomes an alert on the sink's topic.
//
// The message is the 'message.template' with {column} placeholders replaced by the row's
// values (as CAST(... AS STRING) renders them: 95.0, sensor-1234), else a `message`
// column, else the row's JSON. `severity` and `subject` columns, when the table has them,
// set those fields; the event time is the `timestamp` column (or the first TIMESTAMP
// column). The row's JSON becomes the alert's attributes, and with topic and rule
// (the sink table's name) its deterministic id, so a row replayed after a restore
// produces the same id. Delivery is the AlertHub's business and never blocks the job.
#include "alerts/alert.h"
#include "alerts/alert_hub.h"
#include "common/ascii.h"
#include "jobs/sinks.h"
#include "runtime/json_encoder.h"
#include "sql/logical_plan.h"

namespace fluxgate::jobs {

namespace {

// The template cut into literal text and column references.
struct TemplatePart {
  std::string text;
  int column = -1;  // >= 0: substitute this column
};

Result<std::vector<TemplatePart>> ParseTemplate(const std::string& tmpl, const sql::Schema& schema,
                                                const std::string& table) {
  std::vector<TemplatePart> parts;
  size_t i = 0;
  while (i < tmpl.size()) {
    size_t open = tmpl.find('{', i);
    if (open == std::string::npos) {
      parts.push_back({tmpl.substr(i), -1});
      break;
    }
    if (open > i) parts.push_back({tmpl.substr(i, open - i), -1});
    size_t close = tmpl.find('}', open);
    if (close == std::string::npos) {
      return Status::InvalidArgument("alert table '" + table +
                                     "': 'message.template' has a '{' without a closing '}'");
    }
    std::string name = tmpl.substr(open + 1, close - open - 1);
    int col = -1;
    for (size_t c = 0; c < schema.size(); ++c) {
      if (schema[c].name == name) col = static_cast<int>(c);
    }
    if (col < 0) {
      std::string known;
      for (const auto& c : schema) known += (known.empty() ? "" : ", ") + c.name;
      return Status::InvalidArgument("alert table '" + table + "': 'message.template' refers to {" +
                                     name + "}, which is not one of its columns (" + known + ")");
    }
    parts.push_back({"", col});
    i = close + 1;
  }
  return parts;
}

int FindColumn(const sql::Schema& schema, const char* name) {
  for (size_t c = 0; c < schema.size(); ++c) {
    if (AsciiEqualsIgnoreCase(schema[c].name, name)) return static_cast<int>(c);
  }
  return -1;
}

class AlertSinkOp final : public Operator {
 public:
  AlertSinkOp(alerts::AlertHub* hub, const sql::SinkNode& node, std::vector<TemplatePart> tmpl)
      : hub_(hub),
        topic_(node.table->connector.topic),
        rule_(node.table->name),
        tmpl_(std::move(tmpl)),
        encoder_(std::make_shared<const runtime::Schema>([&] {
                   std::vector<runtime::Field> f;
                   for (const auto& c : node.schema) f.push_back({c.name, c.type});
                   return f;
                 }()),
                 runtime::JsonFormatOptions{}) {
    const sql::Schema& s = node.schema;
    message_col_ = FindColumn(s, "message");
    severity_col_ = FindColumn(s, "severity");
    subject_col_ = FindColumn(s, "subject");
    time_col_ = FindColumn(s, "timestamp");
    if (time_col_ >= 0 && s[time_col_].type.kind != sql::TypeKind::kTimestamp &&
        s[time_col_].type.kind != sql::TypeKind::kTimestampLtz) {
      time_col_ = -1;
    }
    for (size_t c = 0; time_col_ < 0 && c < s.size(); ++c) {
      if (s[c].type.kind == sql::TypeKind::kTimestamp ||
          s[c].type.kind == sql::TypeKind::kTimestampLtz) {
        time_col_ = static_cast<int>(c);
      }
    }
    if (time_col_ >= 0) time_precision_ = s[time_col_].type.precision;
  }

  Status Push(int, Chunk chunk) override {
    const runtime::RecordBatch& b = chunk.batch;
    std::vector<alerts::Alert> batch;
    batch.reserve(b.num_rows());
    for (size_t r = 0; r < b.num_rows(); ++r) {
      const runtime::RowKind kind = chunk.kind(r);
      if (kind != runtime::RowKind::kInsert && kind != runtime::RowKind::kUpdateAfter) {
        continue;  // retractions alert no one
      }
      alerts::Alert a;
      a.topic = topic_;
      a.rule = rule_;
      encoder_.AppendRow(b, r, a.attributes);
      if (!tmpl_.empty()) {
        for (const TemplatePart& p : tmpl_) {
          a.message += p.column < 0 ? p.text : b.ValueToString(p.column, r);
        }
      } else if (message_col_ >= 0 && b.column(message_col_).IsValid(r)) {
        a.message = b.ValueToString(message_col_, r);
      } else {
        a.message = a.attributes;
      }
      if (severity_col_ >= 0 && b.column(severity_col_).IsValid(r)) {
        a.severity = b.ValueToString(severity_col_, r);
      }
      if (subject_col_ >= 0 && b.column(subject_col_).IsValid(r)) {
        a.subject = b.ValueToString(subject_col_, r);
      }
      if (time_col_ >= 0 && b.column(time_col_).IsValid(r)) {
        int64_t t = b.column(time_col_).Int64(r);
        a.event_time_ms = time_precision_ > 3 ? t / 1000 : t;
      }
      batch.push_back(std::move(a));
    }
    hub_->Publish(std::move(batch));  // one outbox fsync per batch, not per alert
    counters_.records_out += b.num_rows();
    return Status::Ok();
  }

 private:
  alerts::AlertHub* hub_;
  std::string topic_;
  std::string rule_;
  std::vector<TemplatePart> tmpl_;
  runtime::JsonRowEncoder encoder_;
  int message_col_ = -1;
  int severity_col_ = -1;
  int subject_col_ = -1;
  int time_col_ = -1;
  int time_precision_ = 3;
};

}  // namespace

Result<std::unique_ptr<Operator>> MakeAlertSink(const sql::SinkNode& node, int /*partition*/,
                                                const SinkEnv& env) {
  if (env.alerts == nullptr) {
    return Status::InvalidArgument("alert table '" + node.table->name +
                                   "' needs the server's alert hub");
  }
  std::vector<TemplatePart> tmpl;
  if (!node.table->connector.message_template.empty()) {
    FG_ASSIGN_OR_RETURN(
        tmpl, ParseTemplate(node.table->connector.message_template, node.schema, node.table->name));
  }
  return std::unique_ptr<Operator>(new AlertSinkOp(env.alerts, node, std::move(tmpl)));
}

}  // namespace fluxgate::jobs
