// Test fixture for the expression evaluator's function tests: expressions are bound by
// the real binder (CREATE TABLE + SELECT <expr> FROM t), compiled, and evaluated over a
// batch whose rows the test sets from text ("NULL"-free: nullptr is a NULL value).
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "runtime/decimal.h"
#include "runtime/expr_program.h"
#include "runtime/timestamp_text.h"
#include "sql/binder.h"

namespace fluxgate::runtime::testing {

// Columns: i INT, b BIGINT, d DOUBLE, m DECIMAL(10, 2), s STRING, t STRING,
// ts TIMESTAMP(3), us TIMESTAMP(6), lz TIMESTAMP_LTZ(3).
class ExprFunctionTest : public ::testing::Test {
 public:
  using V = std::vector<std::string>;
  using Row = std::vector<const char*>;  // one text per column; nullptr = NULL

 protected:
  static constexpr const char* kTable = R"(
CREATE TABLE t (
  i INT, b BIGINT, d DOUBLE, m DECIMAL(10, 2), s STRING, t STRING, ts TIMESTAMP(3),
  us TIMESTAMP(6), lz TIMESTAMP_LTZ(3)
) WITH ('connector' = 'kinesis', 'stream' = 'x', 'format' = 'json');
)";

  void SetUp() override {
    schema_ = std::make_shared<Schema>(std::vector<Field>{
        {"i", sql::DataType::Int()},
        {"b", sql::DataType::BigInt()},
        {"d", sql::DataType::Double()},
        {"m", sql::DataType::Decimal(10, 2)},
        {"s", sql::DataType::String()},
        {"t", sql::DataType::String()},
        {"ts", sql::DataType::Timestamp(3)},
        {"us", sql::DataType::Timestamp(6)},
        {"lz", sql::DataType::TimestampLtz(3)},
    });
    SetRows({Row(9, nullptr)});
  }

  void SetRows(const std::vector<Row>& rows) {
    RecordBatchBuilder bb(schema_);
    for (const Row& row : rows) {
      for (size_t c = 0; c < schema_->size(); ++c) {
        const char* v = c < row.size() ? row[c] : nullptr;
        Column& col = bb.column(c);
        if (v == nullptr) {
          col.AppendNull();
          continue;
        }
        const sql::DataType& type = schema_->field(c).type;
        switch (type.kind) {
          case sql::TypeKind::kInt:
          case sql::TypeKind::kBigInt:
            col.AppendInt64(std::stoll(v));
            break;
          case sql::TypeKind::kDouble:
            col.AppendDouble(std::stod(v));
            break;
          case sql::TypeKind::kDecimal: {
            int128 dec = 0;
            EXPECT_EQ(ParseDecimal(v, type.precision, type.scale, &dec), DecimalParse::kOk);
            col.AppendDecimal(dec);
            break;
          }
          case sql::TypeKind::kString:
            col.AppendString(v);
            break;
          default: {
            ParsedTimestamp p;
            EXPECT_EQ(ParseTimestamp(v, &p), nullptr) << v;
            col.AppendInt64(TimestampUnitPerSecond(type) == 1000 ? p.epoch_micros / 1000
                                                                 : p.epoch_micros);
            break;
          }
        }
      }
      bb.CommitRow();
    }
    batch_ = bb.Finish();
  }

  sql::BoundExprPtr Bind(const std::string& expr) {
    sql::Catalog catalog;
    auto bound = sql::BindSql(std::string(kTable) + "SELECT " + expr + " FROM t;", &catalog);
    EXPECT_TRUE(bound.ok()) << bound.status().message();
    if (!bound.ok()) return nullptr;
    const sql::PlanNode* n = bound->queries.at(0).plan.get();
    while (n->kind != sql::PlanKind::kProject) n = n->inputs.at(0).get();
    return n->As<sql::ProjectNode>().exprs.at(0);
  }

  Result<std::unique_ptr<ExprProgram>> CompileExpr(const std::string& expr,
                                                   const CompileOptions& options = {}) {
    sql::BoundExprPtr e = Bind(expr);
    if (!e) return Status::InvalidArgument("bind failed");
    return ExprProgram::Compile(*e, *schema_, options);
  }

  // The values of a column as SQL text, "NULL" for NULL.
  static V Texts(const Column& col) {
    auto out_schema = std::make_shared<Schema>(std::vector<Field>{{"x", col.type()}});
    RecordBatchBuilder bb(out_schema);
    for (size_t i = 0; i < col.size(); ++i) {
      AppendValueFrom(col, i, bb.column(0));
      bb.CommitRow();
    }
    RecordBatch rb = bb.Finish();
    V out;
    for (size_t i = 0; i < rb.num_rows(); ++i) out.push_back(rb.ValueToString(0, i));
    return out;
  }

  V Eval(const std::string& expr, const CompileOptions& options = {}) {
    auto p = CompileExpr(expr, options);
    EXPECT_TRUE(p.ok()) << expr << ": " << p.status().message();
    if (!p.ok()) return {};
    auto col = (*p)->Evaluate(batch_);
    EXPECT_TRUE(col.ok()) << expr << ": " << col.status().message();
    if (!col.ok()) return {};
    EXPECT_EQ((*col)->size(), batch_.num_rows());
    return Texts(**col);
  }

  // The value of `expr` in the first row.
  std::string One(const std::string& expr, const CompileOptions& options = {}) {
    V v = Eval(expr, options);
    return v.empty() ? "<error>" : v[0];
  }

  Status CompileError(const std::string& expr) {
    auto p = CompileExpr(expr);
    return p.ok() ? Status::Ok() : p.status();
  }

  std::shared_ptr<Schema> schema_;
  RecordBatch batch_;
};

}  // namespace fluxgate::runtime::testing
