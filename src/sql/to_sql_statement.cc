// Canonical SQL for statements (ToSql in ast_statement.h): one column, option or clause
// per line, so EXPLAIN output and test expectations stay readable.
#include "sql/ast_statement.h"
#include "sql/keywords.h"

namespace fluxgate::sql {

namespace {

std::string Names(const std::vector<std::string>& names, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) out += sep;
    out += QuoteIdentifier(names[i]);
  }
  return out;
}

std::string ColumnSql(const ColumnDef& c) {
  std::string out = QuoteIdentifier(c.name);
  switch (c.kind) {
    case ColumnDef::Kind::kPhysical:
      out += " " + c.type.ToString();
      break;
    case ColumnDef::Kind::kComputed:
      out += " AS " + ToSql(*c.expr);
      break;
    case ColumnDef::Kind::kMetadata:
      out += " " + c.type.ToString() + " METADATA";
      if (!c.metadata_key.empty()) out += " FROM " + QuoteString(c.metadata_key);
      if (c.is_virtual) out += " VIRTUAL";
      break;
  }
  if (!c.comment.empty()) out += " COMMENT " + QuoteString(c.comment);
  return out;
}

std::string CreateTableSql(const CreateTableStatement& s) {
  std::string out = s.temporary ? "CREATE TEMPORARY TABLE " : "CREATE TABLE ";
  if (s.if_not_exists) out += "IF NOT EXISTS ";
  out += Names(s.name, ".") + " (";
  std::vector<std::string> elements;
  for (const ColumnDef& c : s.columns) elements.push_back(ColumnSql(c));
  if (s.watermark) {
    elements.push_back("WATERMARK FOR " + QuoteIdentifier(s.watermark->column) + " AS " +
                       ToSql(*s.watermark->expr));
  }
  if (s.primary_key) {
    std::string pk;
    if (!s.primary_key->constraint_name.empty()) {
      pk = "CONSTRAINT " + QuoteIdentifier(s.primary_key->constraint_name) + " ";
    }
    elements.push_back(pk + "PRIMARY KEY (" + Names(s.primary_key->columns, ", ") +
                       ") NOT ENFORCED");
  }
  for (size_t i = 0; i < elements.size(); ++i) {
    out += "\n  " + elements[i] + (i + 1 < elements.size() ? "," : "");
  }
  out += "\n)";
  if (!s.comment.empty()) out += "\nCOMMENT " + QuoteString(s.comment);
  if (!s.partitioned_by.empty()) out += "\nPARTITIONED BY (" + Names(s.partitioned_by, ", ") + ")";
  if (!s.options.empty()) {
    out += "\nWITH (";
    for (size_t i = 0; i < s.options.size(); ++i) {
      out += "\n  " + QuoteString(s.options[i].key) + " = " + QuoteString(s.options[i].value) +
             (i + 1 < s.options.size() ? "," : "");
    }
    out += "\n)";
  }
  return out;
}

std::string InsertSql(const InsertStatement& s) {
  std::string out = s.overwrite ? "INSERT OVERWRITE " : "INSERT INTO ";
  out += Names(s.table, ".");
  if (!s.partition.empty()) {
    out += " PARTITION (";
    for (size_t i = 0; i < s.partition.size(); ++i) {
      if (i) out += ", ";
      out += QuoteIdentifier(s.partition[i].column) + " = " + ToSql(*s.partition[i].value);
    }
    out += ")";
  }
  if (!s.columns.empty()) out += " (" + Names(s.columns, ", ") + ")";
  return out + "\n" + ToSql(*s.query, /*multiline=*/true);
}

}  // namespace

std::string ToSql(const Statement& statement) {
  switch (statement.kind) {
    case StatementKind::kQuery:
      return ToSql(*statement.As<QueryStatement>().query, /*multiline=*/true);
    case StatementKind::kCreateTable:
      return CreateTableSql(statement.As<CreateTableStatement>());
    case StatementKind::kCreateView: {
      const auto& s = statement.As<CreateViewStatement>();
      std::string out = s.temporary ? "CREATE TEMPORARY VIEW " : "CREATE VIEW ";
      if (s.if_not_exists) out += "IF NOT EXISTS ";
      out += Names(s.name, ".");
      if (!s.columns.empty()) out += " (" + Names(s.columns, ", ") + ")";
      if (!s.comment.empty()) out += " COMMENT " + QuoteString(s.comment);
      return out + " AS\n" + ToSql(*s.query, /*multiline=*/true);
    }
    case StatementKind::kDropTable:
    case StatementKind::kDropView: {
      const auto& s = statement.As<DropStatement>();
      std::string out = "DROP ";
      if (s.temporary) out += "TEMPORARY ";
      out += statement.kind == StatementKind::kDropTable ? "TABLE " : "VIEW ";
      if (s.if_exists) out += "IF EXISTS ";
      return out + Names(s.name, ".");
    }
    case StatementKind::kInsert:
      return InsertSql(statement.As<InsertStatement>());
    case StatementKind::kStatementSet: {
      // Both spellings print as the EXECUTE form, which is what Flink documents today.
      std::string out = "EXECUTE STATEMENT SET\nBEGIN\n";
      for (const auto& insert : statement.As<StatementSetStatement>().inserts) {
        std::string sql = InsertSql(*insert);
        out += "  ";
        // Indent the lines of the INSERT, but not inside a string literal or a quoted
        // identifier: a newline there is part of the value (a doubled quote toggles out
        // and back in, so it needs no special case).
        char quote = 0;
        for (char c : sql) {
          out += c;
          if (quote == 0 && (c == '\'' || c == '`')) {
            quote = c;
          } else if (c == quote) {
            quote = 0;
          } else if (c == '\n' && quote == 0) {
            out += "  ";
          }
        }
        out += ";\n";
      }
      return out + "END";
    }
    case StatementKind::kExplain: {
      const auto& s = statement.As<ExplainStatement>();
      std::string out = "EXPLAIN";
      if (s.plan_for) out += " PLAN FOR";
      for (size_t i = 0; i < s.details.size(); ++i) out += (i ? ", " : " ") + s.details[i];
      return out + "\n" + ToSql(*s.statement);
    }
    case StatementKind::kSet: {
      const auto& s = statement.As<SetStatement>();
      if (s.list) return "SET";
      return "SET " + QuoteString(s.key) + " = " + QuoteString(s.value);
    }
    case StatementKind::kReset: {
      const auto& s = statement.As<ResetStatement>();
      return s.key.empty() ? "RESET" : "RESET " + QuoteString(s.key);
    }
  }
  return "?";
}

}  // namespace fluxgate::sql
