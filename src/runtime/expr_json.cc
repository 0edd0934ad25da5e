// JSON_VALUE(json, path) kernel of the expression evaluator (see expr_program.h).
//
// The path is parsed once at Compile() ('$', '.name', '["name"]', "['name']", '[index]',
// an optional 'lax ' / 'strict ' mode prefix); the JSON text of each row is parsed with a
// reused simdjson DOM parser, so a warm kernel does not allocate per row. As Flink's
// default (NULL ON EMPTY, NULL ON ERROR): a missing member, a JSON null, an object or an
// array, and text that is not JSON all give NULL. Scalars come back as text (a string
// unquoted, true/false, an integer as written, a fraction as Java prints a double); the
// compiler casts that text to the RETURNING type with TRY_CAST semantics.
#include <simdjson.h>

#include <charconv>

#include "runtime/expr_kernels.h"

namespace fluxgate::runtime {
namespace {

struct PathStep {
  bool is_index = false;
  std::string key;
  size_t index = 0;
};

struct JsonPathState final : ExprState {
  std::vector<PathStep> steps;
  simdjson::dom::parser parser;
};

}  // namespace

std::unique_ptr<ExprState> MakeJsonPathState(std::string_view p, std::string* error) {
  auto s = std::make_unique<JsonPathState>();
  const std::string_view original = p;
  auto fail = [&](const char* why) {
    *error = std::string("JSON path '") + std::string(original) + "': " + why;
    return nullptr;
  };
  while (!p.empty() && p.front() == ' ') p.remove_prefix(1);
  for (std::string_view mode : {"lax ", "strict "}) {
    if (p.substr(0, mode.size()) == mode) {
      p.remove_prefix(mode.size());
      while (!p.empty() && p.front() == ' ') p.remove_prefix(1);
      break;
    }
  }
  if (p.empty() || p.front() != '$') return fail("must start with '$'");
  p.remove_prefix(1);
  while (!p.empty()) {
    PathStep step;
    if (p.front() == '.') {
      p.remove_prefix(1);
      size_t end = 0;
      while (end < p.size() && p[end] != '.' && p[end] != '[') ++end;
      if (end == 0) return fail("empty member name after '.'");
      if (p.substr(0, end) == "*") return fail("wildcards are not supported");
      step.key.assign(p.substr(0, end));
      p.remove_prefix(end);
    } else if (p.front() == '[') {
      p.remove_prefix(1);
      if (!p.empty() && (p.front() == '"' || p.front() == '\'')) {
        const char q = p.front();
        p.remove_prefix(1);
        size_t end = p.find(q);
        if (end == std::string_view::npos) return fail("unclosed quoted member name");
        step.key.assign(p.substr(0, end));
        p.remove_prefix(end + 1);
      } else {
        size_t end = 0;
        while (end < p.size() && p[end] >= '0' && p[end] <= '9') ++end;
        if (end == 0) return fail("expected an array index or a quoted name in [ ]");
        auto r = std::from_chars(p.data(), p.data() + end, step.index);
        if (r.ec != std::errc()) return fail("array index out of range");
        step.is_index = true;
        p.remove_prefix(end);
      }
      if (p.empty() || p.front() != ']') return fail("expected ']'");
      p.remove_prefix(1);
    } else {
      return fail("expected '.' or '['");
    }
    s->steps.push_back(std::move(step));
  }
  return s;
}

size_t RunJsonKernel(const ExprInstr& ins, const std::vector<const Column*>& regs, Column& out,
                     size_t n, const uint8_t* /*guard*/, std::string& buf) {
  auto& st = *static_cast<JsonPathState*>(ins.state.get());
  const Column& json = *regs[ins.in[0]];
  for (size_t i = 0; i < n; ++i) {
    if (json.IsNull(i)) {
      out.AppendNull();
      continue;
    }
    std::string_view text = json.String(i);
    simdjson::dom::element e;
    // realloc_if_needed: copies into the parser's padded buffer, reused across rows.
    if (st.parser.parse(text.data(), text.size(), true).get(e) != simdjson::SUCCESS) {
      out.AppendNull();
      continue;
    }
    bool found = true;
    for (const PathStep& step : st.steps) {
      simdjson::dom::element next;
      simdjson::error_code err =
          step.is_index
              ? (e.is_array() ? e.get_array().at(step.index).get(next) : simdjson::INCORRECT_TYPE)
              : (e.is_object() ? e.get_object().at_key(step.key).get(next)
                               : simdjson::INCORRECT_TYPE);
      if (err != simdjson::SUCCESS) {
        found = false;
        break;
      }
      e = next;
    }
    if (!found) {
      out.AppendNull();
      continue;
    }
    char num[32];
    switch (e.type()) {
      case simdjson::dom::element_type::STRING:
        out.AppendString(std::string_view(e.get_string().value_unsafe()));
        break;
      case simdjson::dom::element_type::BOOL:
        out.AppendString(e.get_bool().value_unsafe() ? "true" : "false");
        break;
      case simdjson::dom::element_type::INT64: {
        auto r = std::to_chars(num, num + sizeof num, e.get_int64().value_unsafe());
        out.AppendString(std::string_view(num, r.ptr - num));
        break;
      }
      case simdjson::dom::element_type::UINT64: {
        auto r = std::to_chars(num, num + sizeof num, e.get_uint64().value_unsafe());
        out.AppendString(std::string_view(num, r.ptr - num));
        break;
      }
      case simdjson::dom::element_type::DOUBLE:
        buf.clear();
        AppendJavaDouble(e.get_double().value_unsafe(), buf);
        out.AppendString(buf);
        break;
      default:  // null, object, array
        out.AppendNull();
        break;
    }
  }
  return kNoError;
}

}  // namespace fluxgate::runtime
