#include "runtime/json_encoder.h"

#include <charconv>
#include <cmath>

#include "common/json_writer.h"
#include "runtime/decimal.h"
#include "runtime/expr_kernels.h"
#include "runtime/timestamp_text.h"

namespace fluxgate::runtime {

void AppendJsonDouble(double v, std::string& out) {
  if (std::isnan(v)) {
    out += "\"NaN\"";
    return;
  }
  if (std::isinf(v)) {
    out += v > 0 ? "\"Infinity\"" : "\"-Infinity\"";
    return;
  }
  AppendJavaDouble(v, out);  // Jackson writes Double.toString: 95.0, 1.0E7, 1.0E-4
}

JsonRowEncoder::JsonRowEncoder(std::shared_ptr<const Schema> schema, JsonFormatOptions options)
    : schema_(std::move(schema)), options_(options) {
  for (size_t i = 0; i < schema_->size(); ++i) {
    std::string p = i == 0 ? "{\"" : ",\"";
    AppendJsonEscaped(schema_->field(i).name, p);
    p += "\":";
    member_prefixes_.push_back(std::move(p));
    identity_.push_back(static_cast<int>(i));
  }
}

void JsonRowEncoder::AppendRow(const RecordBatch& batch, size_t row, std::string& out) const {
  AppendRow(batch, identity_, row, out);
}

void JsonRowEncoder::AppendRow(const RecordBatch& batch, const std::vector<int>& columns,
                               size_t row, std::string& out) const {
  if (schema_->size() == 0) out += '{';
  for (size_t c = 0; c < schema_->size(); ++c) {
    out += member_prefixes_[c];
    const Column& col = batch.column(columns[c]);
    if (col.IsNull(row)) {
      out += "null";
      continue;
    }
    const sql::DataType& t = col.type();
    switch (t.kind) {
      case sql::TypeKind::kBoolean:
        out += col.Bool(row) ? "true" : "false";
        break;
      case sql::TypeKind::kDouble:
        AppendJsonDouble(col.Double(row), out);
        break;
      case sql::TypeKind::kDecimal:
        AppendDecimal(col.Decimal(row), t.scale, out);
        break;
      case sql::TypeKind::kString:
        out += '"';
        AppendJsonEscaped(col.String(row), out);
        out += '"';
        break;
      case sql::TypeKind::kTimestamp:
      case sql::TypeKind::kTimestampLtz:
        out += '"';
        AppendTimestamp(col.Int64(row), TimestampUnitPerSecond(t), t.precision,
                        options_.timestamp_style, /*trim_fraction=*/true,
                        t.kind == sql::TypeKind::kTimestampLtz, out);
        out += '"';
        break;
      default:
        AppendInt(col.Int64(row), out);
        break;
    }
  }
  out += '}';
}

void JsonRowEncoder::AppendJsonLines(const RecordBatch& batch, std::string& out) const {
  for (size_t r = 0; r < batch.num_rows(); ++r) {
    AppendRow(batch, r, out);
    out += '\n';
  }
}

}  // namespace fluxgate::runtime
