#include "runtime/json_encoder.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include "common/json_writer.h"
#include "runtime/char_buffer.h"
#include "runtime/decimal.h"
#include "runtime/expr_kernels.h"
#include "runtime/timestamp_text.h"

namespace fluxgate::runtime {

namespace {

// Jackson writes Double.toString (95.0, 1.0E7, 1.0E-4), and NaN / infinities as strings.
// `dst` has room for kMaxJavaDoubleText bytes; returns the length written.
size_t WriteJsonDouble(double v, char* dst) {
  if (std::isnan(v) || std::isinf(v)) {
    const std::string_view text =
        std::isnan(v) ? "\"NaN\"" : (v > 0 ? "\"Infinity\"" : "\"-Infinity\"");
    std::memcpy(dst, text.data(), text.size());
    return text.size();
  }
  return WriteJavaDouble(v, dst);
}

}  // namespace

void AppendJsonDouble(double v, std::string& out) {
  char buf[kMaxJavaDoubleText];
  out.append(buf, WriteJsonDouble(v, buf));
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

// A row is assembled in a stack buffer and appended to `out` once (or in a few pieces for
// very long strings): one append per row instead of one per member and value.
void JsonRowEncoder::AppendRow(const RecordBatch& batch, const std::vector<int>& columns,
                               size_t row, std::string& out) const {
  char buf[2048];
  size_t n = 0;
  auto room = [&](size_t k) {
    if (n + k > sizeof(buf)) {
      out.append(buf, n);
      n = 0;
    }
  };
  auto put = [&](std::string_view s) {
    room(s.size());
    if (s.size() > sizeof(buf)) {
      out.append(s);
      return;
    }
    SmallCopy(buf + n, s.data(), s.size());
    n += s.size();
  };
  if (schema_->size() == 0) put("{");
  for (size_t c = 0; c < schema_->size(); ++c) {
    put(member_prefixes_[c]);
    const Column& col = batch.column(columns[c]);
    if (col.IsNull(row)) {
      put("null");
      continue;
    }
    const sql::DataType& t = col.type();
    switch (t.kind) {
      case sql::TypeKind::kBoolean:
        put(col.Bool(row) ? "true" : "false");
        break;
      case sql::TypeKind::kDouble:
        room(kMaxJavaDoubleText);
        n += WriteJsonDouble(col.Double(row), buf + n);
        break;
      case sql::TypeKind::kDecimal:
        // Rare in telemetry: written straight to `out` after what is buffered.
        out.append(buf, n);
        n = 0;
        AppendDecimal(col.Decimal(row), t.scale, out);
        break;
      case sql::TypeKind::kString: {
        const std::string_view v = col.String(row);
        if (6 * v.size() + 2 > sizeof(buf)) {
          out.append(buf, n);
          n = 0;
          out += '"';
          AppendJsonEscaped(v, out);
          out += '"';
          break;
        }
        room(6 * v.size() + 2);
        buf[n++] = '"';
        n += WriteJsonEscaped(v, buf + n);
        buf[n++] = '"';
        break;
      }
      case sql::TypeKind::kTimestamp:
      case sql::TypeKind::kTimestampLtz:
        room(kMaxTimestampText + 2);
        buf[n++] = '"';
        n += WriteTimestamp(col.Int64(row), TimestampUnitPerSecond(t), t.precision,
                            options_.timestamp_style, /*trim_fraction=*/true,
                            t.kind == sql::TypeKind::kTimestampLtz, buf + n);
        buf[n++] = '"';
        break;
      default:
        room(24);
        n = static_cast<size_t>(std::to_chars(buf + n, buf + sizeof(buf), col.Int64(row)).ptr -
                                buf);
        break;
    }
  }
  put("}");
  out.append(buf, n);
}

void JsonRowEncoder::AppendJsonLines(const RecordBatch& batch, std::string& out) const {
  for (size_t r = 0; r < batch.num_rows(); ++r) {
    AppendRow(batch, r, out);
    out += '\n';
  }
}

}  // namespace fluxgate::runtime
