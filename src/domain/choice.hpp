#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace allervers::domain {

/// One value of a list (a code stored in the database, a French label shown on screens).
struct Choice {
  std::string code;
  std::string label;
};

/// A closed list of values, loaded from data/ (vocabularies.json).
struct Vocabulary {
  std::string name;
  std::vector<Choice> items;

  const Choice* Find(std::string_view code) const;
  /// The label of `code`, or the code itself when unknown (data kept from an older version).
  std::string Label(std::string_view code) const;
  bool Contains(std::string_view code) const { return Find(code) != nullptr; }
};

}  // namespace allervers::domain
