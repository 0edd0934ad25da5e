#include "sql/catalog.h"

#include "sql/ast_query.h"
#include "sql/bind_error.h"

namespace fluxgate::sql {

int TableDef::FindColumn(const std::string& name) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

const TableDef* Catalog::FindTable(const std::string& name) const {
  auto it = tables_.find(name);
  return it == tables_.end() ? nullptr : it->second.get();
}

std::shared_ptr<const TableDef> Catalog::SharedTable(const std::string& name) const {
  auto it = tables_.find(name);
  return it == tables_.end() ? nullptr : it->second;
}

const ViewDef* Catalog::FindView(const std::string& name) const {
  auto it = views_.find(name);
  return it == views_.end() ? nullptr : it->second.get();
}

std::string Catalog::SimilarName(const std::string& name) const {
  std::vector<std::string> names;
  for (const auto& [n, t] : tables_) names.push_back(n);
  for (const auto& [n, v] : views_) names.push_back(n);
  return ClosestName(name, names);
}

void Catalog::PutTable(std::shared_ptr<const TableDef> table) {
  tables_[table->name] = std::move(table);
}

void Catalog::PutView(std::shared_ptr<const ViewDef> view) { views_[view->name] = std::move(view); }

bool Catalog::DropTable(const std::string& name) { return tables_.erase(name) > 0; }
bool Catalog::DropView(const std::string& name) { return views_.erase(name) > 0; }

}  // namespace fluxgate::sql
