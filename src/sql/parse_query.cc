// Queries: WITH, set operations, SELECT blocks, VALUES, GROUP BY, ORDER BY, LIMIT.
#include "sql/keywords.h"
#include "sql/parser_impl.h"

namespace fluxgate::sql {

bool Parser::PeekQueryStart(size_t ahead) const {
  while (PeekSymbol("(", ahead)) ++ahead;  // a loop, not recursion: input may be hostile
  const Token& t = Peek(ahead);
  return t.Is("SELECT") || t.Is("WITH") || t.Is("VALUES");
}

std::unique_ptr<Query> Parser::ParseQuery() {
  DepthGuard guard(*this);
  auto q = std::make_unique<Query>();
  q->pos = Peek().pos;
  if (Accept("WITH")) {
    do {
      CommonTableExpr cte;
      cte.pos = Peek().pos;
      cte.name = ParseIdentifier("a name for the WITH query");
      if (PeekSymbol("(")) cte.columns = ParseIdentifierList();
      Expect("AS");
      ExpectSymbol("(");
      cte.query = ParseQuery();
      ExpectSymbol(")");
      q->ctes.push_back(std::move(cte));
    } while (AcceptSymbol(","));
  }
  q->body = ParseSetOperation();
  if (Accept("ORDER")) {
    Expect("BY");
    q->order_by = ParseOrderByList();
  }
  if (Accept("LIMIT")) q->limit = ParseAdditive();
  if (Accept("OFFSET")) {
    q->offset = ParseAdditive();
    if (!Accept("ROWS")) Accept("ROW");
  }
  return q;
}

// UNION and EXCEPT bind looser than INTERSECT, as in standard SQL.
QueryBodyPtr Parser::ParseSetOperation() {
  QueryBodyPtr left = ParseQueryTerm();
  while (PeekIs("UNION") || PeekIs("EXCEPT") || PeekIs("MINUS")) {
    auto op = std::make_unique<SetOperationBody>(Peek().pos);
    op->op = PeekIs("UNION") ? SetOp::kUnion : SetOp::kExcept;
    Next();
    if (Accept("ALL")) {
      op->all = true;
    } else {
      Accept("DISTINCT");
    }
    op->left = std::move(left);
    op->right = ParseQueryTerm();
    left = std::move(op);
  }
  return left;
}

QueryBodyPtr Parser::ParseQueryTerm() {
  QueryBodyPtr left = ParseQueryPrimary();
  while (PeekIs("INTERSECT")) {
    auto op = std::make_unique<SetOperationBody>(Next().pos);
    op->op = SetOp::kIntersect;
    if (Accept("ALL")) {
      op->all = true;
    } else {
      Accept("DISTINCT");
    }
    op->left = std::move(left);
    op->right = ParseQueryPrimary();
    left = std::move(op);
  }
  return left;
}

QueryBodyPtr Parser::ParseQueryPrimary() {
  if (PeekIs("SELECT")) return ParseSelect();
  if (PeekIs("VALUES")) return ParseValues();
  if (PeekSymbol("(") && PeekQueryStart()) {
    DepthGuard guard(*this);
    auto nested = std::make_unique<NestedBody>(Next().pos);
    nested->query = ParseQuery();
    ExpectSymbol(")");
    return nested;
  }
  FailExpected("SELECT, VALUES or '('");
}

QueryBodyPtr Parser::ParseValues() {
  auto v = std::make_unique<ValuesBody>(Expect("VALUES").pos);
  do {
    ExpectSymbol("(");
    std::vector<ExprPtr> row;
    do {
      row.push_back(ParseExpr());
    } while (AcceptSymbol(","));
    ExpectSymbol(")");
    v->rows.push_back(std::move(row));
  } while (AcceptSymbol(","));
  return v;
}

QueryBodyPtr Parser::ParseSelect() {
  auto s = std::make_unique<SelectBody>(Expect("SELECT").pos);
  if (Accept("DISTINCT")) {
    s->distinct = true;
  } else {
    Accept("ALL");
  }
  for (;;) {
    s->items.push_back(ParseSelectItem());
    if (AcceptSymbol(",")) continue;
    // Two names in a row after a complete item: `SELECT a AS x y` or `SELECT a b c`.
    if (PeekIdentifier()) {
      Fail(Peek().pos, "expected ',' or FROM but found " + Peek().Describe() +
                           " (is a comma missing between the select items?)");
    }
    break;
  }
  if (Accept("FROM")) s->from = ParseFrom();
  if (Accept("WHERE")) s->where = ParseExpr();
  if (Accept("GROUP")) {
    Expect("BY");
    s->group_by = ParseGroupBy();
  }
  if (Accept("HAVING")) s->having = ParseExpr();
  if (Accept("WINDOW")) {
    do {
      NamedWindow w;
      w.pos = Peek().pos;
      w.name = ParseIdentifier("a window name");
      Expect("AS");
      ExpectSymbol("(");
      w.spec = ParseWindowSpecBody();
      ExpectSymbol(")");
      s->windows.push_back(std::move(w));
    } while (AcceptSymbol(","));
  }
  return s;
}

SelectItem Parser::ParseSelectItem() {
  SelectItem item;
  item.pos = Peek().pos;
  if (PeekSymbol("*")) {
    item.expr = std::make_unique<StarExpr>(Next().pos);
    return item;
  }
  if (PeekIs("FROM")) FailExpected("an expression in the select list");
  item.expr = ParseExpr();
  if (item.expr->kind != ExprKind::kStar) item.alias = ParseAlias();
  return item;
}

std::vector<ExprPtr> Parser::ParseGroupBy() {
  std::vector<ExprPtr> out;
  do {
    out.push_back(ParseGroupingElement());
  } while (AcceptSymbol(","));
  return out;
}

ExprPtr Parser::ParseGroupingElement() {
  const Token& t = Peek();
  GroupingSetsExpr::Form form;
  if (t.Is("GROUPING") && PeekIs("SETS", 1)) {
    form = GroupingSetsExpr::Form::kGroupingSets;
    Next();
  } else if (t.Is("ROLLUP") && PeekSymbol("(", 1)) {
    form = GroupingSetsExpr::Form::kRollup;
  } else if (t.Is("CUBE") && PeekSymbol("(", 1)) {
    form = GroupingSetsExpr::Form::kCube;
  } else {
    return ParseExpr();
  }
  auto g = std::make_unique<GroupingSetsExpr>(t.pos);
  g->form = form;
  Next();  // SETS, ROLLUP or CUBE
  ExpectSymbol("(");
  do {
    std::vector<ExprPtr> set;
    if (AcceptSymbol("(")) {
      if (!PeekSymbol(")")) {
        do {
          set.push_back(ParseExpr());
        } while (AcceptSymbol(","));
      }
      ExpectSymbol(")");
    } else {
      set.push_back(ParseExpr());
    }
    g->sets.push_back(std::move(set));
  } while (AcceptSymbol(","));
  ExpectSymbol(")");
  return g;
}

std::vector<OrderItem> Parser::ParseOrderByList() {
  std::vector<OrderItem> out;
  do {
    OrderItem item;
    item.pos = Peek().pos;
    item.expr = ParseExpr();
    if (Accept("DESC")) {
      item.descending = true;
    } else {
      Accept("ASC");
    }
    if (Accept("NULLS")) {
      if (Accept("FIRST")) {
        item.nulls = OrderItem::Nulls::kFirst;
      } else if (Accept("LAST")) {
        item.nulls = OrderItem::Nulls::kLast;
      } else {
        FailExpected("FIRST or LAST after NULLS");
      }
    }
    out.push_back(std::move(item));
  } while (AcceptSymbol(","));
  return out;
}

}  // namespace fluxgate::sql
