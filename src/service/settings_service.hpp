#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
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

/// The settings stored in the database (table `setting`), each audited when changed. Only the
/// The value of an integer setting of Definitions() in a unit of work, its default when unset
/// or out of range.
int IntSetting(Tx& tx, std::string_view key);

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

 private:
  Store& store_;
  const Clock& clock_;
};

}  // namespace allervers::service
