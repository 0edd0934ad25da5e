// A position in SQL source text, carried by every token and AST node.
#pragma once

namespace fluxgate::sql {

// 1-based line and column; the column counts characters (UTF-8 code points), not bytes,
// so a caret printed under the source line lands on the right character. {0, 0} marks a
// node the parser synthesized rather than read.
struct SourcePos {
  int line = 0;
  int column = 0;
};

}  // namespace fluxgate::sql
