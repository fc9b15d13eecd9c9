#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.hpp"
#include "domain/field_error.hpp"
#include "service/actor.hpp"
#include "service/repositories.hpp"

namespace allervers::service {

/// One setting the product knows, with its rule and its default.
struct SettingDefinition {
  std::string key;
  std::string label;          // French, for the admin page and the CLI
  std::string default_value;  // what applies while it is not set
  bool integer = false;
  int min = 0;
  int max = 0;
  std::size_t max_length = 200;  // text settings
};

struct SettingValue {
  SettingDefinition definition;
  std::optional<std::string> value;  // nothing: the default applies
};

/// The value of an integer setting of Definitions() in a unit of work, its default when unset
/// or out of range.
int IntSetting(Tx& tx, std::string_view key);

/// The settings stored in the database (table `setting`), each audited when changed. Only the
/// keys of Definitions() exist; values are checked against their rule.
class SettingsService {
 public:
  SettingsService(Store& store, const Clock& clock) : store_(store), clock_(clock) {}

  static const std::vector<SettingDefinition>& Definitions();
  /// The default value of a known key ("" for an unknown one).
  static std::string Default(std::string_view key);

  std::vector<SettingValue> List(const Actor& actor);
  /// Throws Error(kInvalidArgument) with a French message for an unknown key or a bad value.
  void Set(const Actor& actor, const std::string& key, const std::string& value);
  /// Checks every value first, then saves those that changed in one transaction (each
  /// audited); nothing is saved when one is wrong. Errors name the keys.
  domain::FieldErrors SetMany(const Actor& actor,
                              const std::vector<std::pair<std::string, std::string>>& values);
  /// The value as it would be stored (trimmed, "\\n" as a line break); throws
  /// Error(kInvalidArgument) with a French message for an unknown key or a bad value.
  static std::string Validate(const std::string& key, const std::string& raw);

 private:
  Store& store_;
  const Clock& clock_;
};

}  // namespace allervers::service
