#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "service/ports.hpp"

namespace allervers::security {

/// ANSSI / CNIL guidance (délibération 2022-100): at least 12 characters, no composition
/// rules, and refusal of common or easily guessed passwords. Guessability is estimated with
/// zxcvbn (Debian's libzxcvbn), fed with French words and the account's own data.
class ZxcvbnPasswordPolicy final : public service::PasswordPolicy {
 public:
  static constexpr std::size_t kMinLength = 12;
  static constexpr std::size_t kMaxBytes = 1024;
  static constexpr double kMinEntropyBits = 40.0;

  std::optional<std::string> Check(std::string_view password,
                                   const std::vector<std::string>& context) const override;
};

}  // namespace allervers::security
