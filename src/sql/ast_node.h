// The base every AST node family shares (Expr, TableRef, QueryBody, Statement): a kind tag
// to switch on, the source position, and a checked-by-kind downcast.
#pragma once

#include "sql/source_pos.h"

namespace fluxgate::sql {

template <typename Kind>
struct AstNode {
  AstNode(Kind k, SourcePos p) : kind(k), pos(p) {}
  virtual ~AstNode() = default;
  AstNode(const AstNode&) = delete;
  AstNode& operator=(const AstNode&) = delete;

  // The caller has switched on `kind`; T must be the node type for it.
  template <typename T>
  const T& As() const {
    return static_cast<const T&>(*this);
  }
  template <typename T>
  T& As() {
    return static_cast<T&>(*this);
  }

  const Kind kind;
  SourcePos pos;
};

}  // namespace fluxgate::sql
