#include "pipeline_sql.h"

#include <cctype>
#include <utility>

namespace fluxgate::bench {
namespace {

using Options = std::vector<std::pair<std::string, std::string>>;

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// Removes -- and /* */ comments outside quotes ('...', `...`, "...").
std::string StripComments(const std::string& in) {
  std::string out;
  char quote = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (quote) {
      out += c;
      if (c == quote) quote = 0;  // '' inside a string closes and reopens: still right
      continue;
    }
    if (c == '\'' || c == '`' || c == '"') {
      quote = c;
      out += c;
    } else if (c == '-' && i + 1 < in.size() && in[i + 1] == '-') {
      while (i < in.size() && in[i] != '\n') ++i;
      out += '\n';
    } else if (c == '/' && i + 1 < in.size() && in[i + 1] == '*') {
      const auto end = in.find("*/", i + 2);
      i = end == std::string::npos ? in.size() : end + 1;
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

// Splits at ';' outside quotes and parentheses; drops empty statements.
std::vector<std::string> SplitStatements(const std::string& in) {
  std::vector<std::string> out;
  std::string cur;
  char quote = 0;
  int depth = 0;
  for (char c : in) {
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '`' || c == '"') {
      quote = c;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      --depth;
    } else if (c == ';' && depth == 0) {
      if (!Trim(cur).empty()) out.push_back(Trim(cur));
      cur.clear();
      continue;
    }
    cur += c;
  }
  if (!Trim(cur).empty()) out.push_back(Trim(cur));
  return out;
}

// Upper-case words of the statement's head, up to `n` of them.
std::vector<std::string> HeadWords(const std::string& s, size_t n) {
  std::vector<std::string> words;
  size_t i = 0;
  while (words.size() < n && i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    size_t b = i;
    while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i])) && s[i] != '(') ++i;
    if (i == b) break;
    std::string w = s.substr(b, i - b);
    for (char& c : w) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    words.push_back(w);
  }
  return words;
}

std::string Unquote(std::string id) {
  if (id.size() >= 2 && (id.front() == '`' || id.front() == '"') && id.back() == id.front()) {
    return id.substr(1, id.size() - 2);
  }
  return id;
}

// The identifier after the words `skip` (e.g. CREATE TABLE [IF NOT EXISTS] name).
std::string NameAfter(const std::string& s, size_t skip) {
  auto words = HeadWords(s, skip + 4);
  size_t k = skip;
  if (k + 2 < words.size() && words[k] == "IF" && words[k + 1] == "NOT" &&
      words[k + 2] == "EXISTS") {
    k += 3;
  }
  if (k >= words.size()) return "";
  // HeadWords upper-cased it; take the original spelling at the same position.
  size_t i = 0, seen = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    size_t b = i;
    while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i])) && s[i] != '(') ++i;
    if (seen++ == k) return Unquote(s.substr(b, i - b));
  }
  return "";
}

// [open, close] of the WITH ( ... ) option list at depth 0; npos when there is none.
std::pair<size_t, size_t> FindWithClause(const std::string& s) {
  char quote = 0;
  int depth = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (quote) {
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '\'' || c == '`' || c == '"') {
      quote = c;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      --depth;
    } else if (depth == 0 && (c == 'W' || c == 'w') && i + 4 <= s.size() &&
               Lower(s.substr(i, 4)) == "with" &&
               (i == 0 || std::isspace(static_cast<unsigned char>(s[i - 1])))) {
      size_t j = i + 4;
      while (j < s.size() && std::isspace(static_cast<unsigned char>(s[j]))) ++j;
      if (j >= s.size() || s[j] != '(') continue;
      int d = 0;
      char q = 0;
      for (size_t k = j; k < s.size(); ++k) {
        if (q) {
          if (s[k] == q) q = 0;
        } else if (s[k] == '\'') {
          q = '\'';
        } else if (s[k] == '(') {
          ++d;
        } else if (s[k] == ')' && --d == 0) {
          return {j, k};
        }
      }
      return {std::string::npos, std::string::npos};
    }
  }
  return {std::string::npos, std::string::npos};
}

// 'k' = 'v' pairs of an option list body ('' inside a literal is a quote).
Options ParseOptions(const std::string& body) {
  Options out;
  std::vector<std::string> literals;
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i] != '\'') continue;
    std::string lit;
    size_t j = i + 1;
    for (; j < body.size(); ++j) {
      if (body[j] == '\'') {
        if (j + 1 < body.size() && body[j + 1] == '\'') {
          lit += '\'';
          ++j;
          continue;
        }
        break;
      }
      lit += body[j];
    }
    literals.push_back(lit);
    i = j;
  }
  for (size_t k = 0; k + 1 < literals.size(); k += 2)
    out.emplace_back(literals[k], literals[k + 1]);
  return out;
}

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

std::string RenderOptions(const Options& options) {
  std::string out = "(\n";
  for (size_t i = 0; i < options.size(); ++i) {
    out += "    " + Quote(options[i].first) + " = " + Quote(options[i].second);
    out += i + 1 < options.size() ? ",\n" : "\n";
  }
  return out + ")";
}

void SetOption(Options* options, const std::string& key, const std::string& value) {
  for (auto& [k, v] : *options) {
    if (Lower(k) == key) {
      v = value;
      return;
    }
  }
  options->emplace_back(key, value);
}

bool IsFileConnector(const std::string& c) { return c == "s3" || c == "filesystem"; }
bool IsStreamConnector(const std::string& c) { return c == "kinesis" || c == "stream"; }

std::string RewriteTable(const SqlTable& table, SinkMode sinks) {
  const auto [open, close] = FindWithClause(table.text);
  if (open == std::string::npos) return table.text;
  Options options = ParseOptions(table.text.substr(open + 1, close - open - 1));
  if (IsStreamConnector(table.connector)) {
    SetOption(&options, "scan.stream.initpos", "TRIM_HORIZON");
  } else if (IsFileConnector(table.connector) && sinks == SinkMode::kPrint) {
    options = {{"connector", "print"}, {"print-identifier", table.name}};
  } else {
    return table.text;
  }
  return table.text.substr(0, open) + RenderOptions(options) + table.text.substr(close + 1);
}

}  // namespace

const SqlTable* PipelineSql::FindTable(const std::string& name) const {
  for (const SqlTable& t : tables) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

std::string TableOption(const std::string& create_table, const std::string& key) {
  const auto [open, close] = FindWithClause(create_table);
  if (open == std::string::npos) return "";
  for (const auto& [k, v] : ParseOptions(create_table.substr(open + 1, close - open - 1))) {
    if (Lower(k) == Lower(key)) return v;
  }
  return "";
}

bool ParsePipelineSql(const std::string& text, PipelineSql* out, std::string* error) {
  *out = PipelineSql{};
  for (std::string stmt : SplitStatements(StripComments(text))) {
    auto words = HeadWords(stmt, 3);
    if (words.empty()) continue;
    if (words.size() >= 3 && words[0] == "EXECUTE" && words[1] == "STATEMENT" &&
        words[2] == "SET") {
      // EXECUTE STATEMENT SET BEGIN <first INSERT>
      std::string upper = stmt;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      const auto begin = upper.find("BEGIN");
      if (begin == std::string::npos) {
        *error = "EXECUTE STATEMENT SET without BEGIN";
        return false;
      }
      stmt = Trim(stmt.substr(begin + 5));
      words = HeadWords(stmt, 3);
      if (words.empty()) continue;
    }
    if (words[0] == "SET") {
      out->settings.push_back(stmt);
    } else if (words.size() >= 2 && words[0] == "CREATE" && words[1] == "TABLE") {
      SqlTable t;
      t.name = NameAfter(stmt, 2);
      t.text = stmt;
      t.connector = Lower(TableOption(stmt, "connector"));
      if (t.name.empty()) {
        *error = "cannot find the table name in: " + stmt.substr(0, 60);
        return false;
      }
      out->tables.push_back(std::move(t));
    } else if (words.size() >= 2 && words[0] == "INSERT" && words[1] == "INTO") {
      out->inserts.push_back({NameAfter(stmt, 2), stmt});
    } else if (words[0] == "END") {
      continue;
    } else {
      *error = "unexpected statement in the pipeline file: " + stmt.substr(0, 60);
      return false;
    }
  }
  if (out->inserts.empty()) {
    *error = "the pipeline file has no INSERT";
    return false;
  }
  return true;
}

std::string BuildPipelineScript(const PipelineSql& sql, const std::vector<std::string>& targets,
                                SinkMode sinks) {
  std::string out;
  for (const std::string& s : sql.settings) out += s + ";\n";
  for (const SqlTable& t : sql.tables) out += RewriteTable(t, sinks) + ";\n";
  out += "EXECUTE STATEMENT SET\nBEGIN\n";
  for (const SqlInsert& ins : sql.inserts) {
    bool keep = targets.empty();
    for (const std::string& t : targets) keep |= t == ins.target;
    if (keep) out += ins.text + ";\n";
  }
  return out + "END;\n";
}

}  // namespace fluxgate::bench
