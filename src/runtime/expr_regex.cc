// REGEXP, REGEXP_REPLACE and REGEXP_EXTRACT kernels of the expression evaluator (see
// expr_program.h), with Flink's semantics (SqlFunctionUtils / StringFunctions):
//   REGEXP(s, p)             TRUE if some substring of s matches p (Matcher.find); an
//                            empty pattern is FALSE.
//   REGEXP_REPLACE(s, p, r)  every match replaced by r taken literally
//                            (Matcher.quoteReplacement: '$1' is not a group reference).
//   REGEXP_EXTRACT(s, p[, i]) group i (default 1) of the first match; NULL when nothing
//                            matches, the group did not take part, or i is out of range.
// A pattern the regex engine rejects gives NULL per row (Flink logs and returns NULL); a
// constant one is compiled once at Compile() and rejected there instead.
//
// The engine is std::regex (ECMAScript grammar), not java.util.regex. They agree on the
// common syntax (classes, \d \w \s, groups, alternation, greedy and lazy quantifiers,
// lookahead, backreferences, anchors), and a leading (?i) is honoured as case-insensitive
// matching, but Java-only syntax differs in corners: possessive quantifiers, lookbehind,
// named groups, \p{...} classes, \A / \Z and other inline flags are rejected or mean
// something else; '.' and classes match single bytes, not UTF-16 characters.
#include <iterator>
#include <regex>

#include "runtime/expr_kernels.h"

namespace fluxgate::runtime {
namespace {

struct CompiledRegex {
  bool ok = false;
  std::regex re;
};

// Compiles a Java-style pattern; false if std::regex rejects it.
bool CompileJavaRegex(std::string_view pattern, CompiledRegex* out) {
  auto flags = std::regex::ECMAScript;
  if (pattern.substr(0, 4) == "(?i)") {
    flags |= std::regex::icase;
    pattern.remove_prefix(4);
  }
  try {
    out->re.assign(pattern.data(), pattern.size(), flags);
    out->ok = true;
  } catch (const std::regex_error&) {
    out->ok = false;
  }
  return out->ok;
}

struct RegexState final : ExprState {
  bool has_fixed = false;
  CompiledRegex fixed;
  // Non-constant patterns: the last one seen, recompiled only when the text changes.
  bool has_cached = false;
  std::string cached_text;
  CompiledRegex cached;
  std::cmatch match;  // reused across rows
  // The replacement as an ECMAScript format string that means the text literally.
  bool has_format = false;
  std::string format_source, format;

  const std::string& LiteralFormat(std::string_view replacement) {
    if (!has_format || replacement != format_source) {
      has_format = true;
      format_source.assign(replacement);
      format.clear();
      for (char c : replacement) {
        if (c == '$') format += '$';  // "$$" is a literal '$'
        format += c;
      }
    }
    return format;
  }

  const CompiledRegex& For(std::string_view text) {
    if (has_fixed) return fixed;
    if (!has_cached || text != cached_text) {
      has_cached = true;
      cached_text.assign(text);
      CompileJavaRegex(text, &cached);
    }
    return cached;
  }
};

}  // namespace

std::unique_ptr<ExprState> MakeRegexState(const std::string* pattern, std::string* error) {
  auto s = std::make_unique<RegexState>();
  if (pattern != nullptr) {
    if (!CompileJavaRegex(*pattern, &s->fixed)) {
      *error = "invalid regular expression '" + *pattern + "' (std::regex ECMAScript syntax)";
      return nullptr;
    }
    s->has_fixed = true;
  }
  return s;
}

size_t RunRegexKernel(const ExprInstr& ins, const std::vector<const Column*>& regs, Column& out,
                      size_t n, const uint8_t* /*guard*/, std::string& buf) {
  auto& st = *static_cast<RegexState*>(ins.state.get());
  const Column& str = *regs[ins.in[0]];
  const Column& pat = *regs[ins.in[1]];
  const Column* third = ins.in.size() > 2 ? regs[ins.in[2]] : nullptr;
  for (size_t i = 0; i < n; ++i) {
    if (str.IsNull(i) || pat.IsNull(i) || (third != nullptr && third->IsNull(i))) {
      out.AppendNull();
      continue;
    }
    const std::string_view s = str.String(i);
    const std::string_view p = pat.String(i);
    if (ins.sub == kRegexpMatch && p.empty()) {
      out.AppendBool(false);
      continue;
    }
    const CompiledRegex& re = st.For(p);
    if (!re.ok) {
      if (ins.sub == kRegexpMatch) {
        out.AppendBool(false);
      } else {
        out.AppendNull();
      }
      continue;
    }
    const char* b = s.data();
    const char* e = s.data() + s.size();
    switch (ins.sub) {
      case kRegexpMatch:
        out.AppendBool(std::regex_search(b, e, st.match, re.re));
        break;
      case kRegexpReplace: {
        const std::string& fmt = st.LiteralFormat(third->String(i));
        buf.clear();
        std::regex_replace(std::back_inserter(buf), b, e, re.re, fmt);
        out.AppendString(buf);
        break;
      }
      default: {  // kRegexpExtract
        const int64_t group = third == nullptr ? 1 : third->Int64(i);
        if (!std::regex_search(b, e, st.match, re.re) || group < 0 ||
            static_cast<size_t>(group) >= st.match.size() || !st.match[group].matched) {
          out.AppendNull();
          break;
        }
        out.AppendString(std::string_view(st.match[group].first, st.match[group].length()));
        break;
      }
    }
  }
  return kNoError;
}

}  // namespace fluxgate::runtime
