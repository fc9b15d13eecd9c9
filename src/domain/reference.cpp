#include "domain/reference.hpp"

namespace allervers::domain {

const Choice* Vocabulary::Find(std::string_view code) const {
  for (const auto& c : items) {
    if (c.code == code) {
      return &c;
    }
  }
  return nullptr;
}

std::string Vocabulary::Label(std::string_view code) const {
  const Choice* c = Find(code);
  return c ? c->label : std::string(code);
}

const Procedure* ProcedureCatalogue::Find(std::string_view code) const {
  for (const auto& p : procedures) {
    if (p.code == code) {
      return &p;
    }
  }
  return nullptr;
}

}  // namespace allervers::domain
