#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace allervers::domain {

/// Normalises a phone number typed in any usual French way ("06 12 34 56 78", "06.12.34.56.78",
/// "+33 6 12 34 56 78", "0033612345678", "+33 (0)6…") to E.164 ("+33612345678").
/// Foreign numbers must start with + or 00. Returns nothing when it is not a phone number.
std::optional<std::string> NormalizePhone(std::string_view typed);

/// True for French mobile numbers (+336…, +337…), the only ones that receive SMS reminders.
bool IsFrenchMobile(std::string_view e164);

/// "+33612345678" → "06 12 34 56 78"; other numbers are returned as they are.
std::string FormatPhoneFr(std::string_view e164);

}  // namespace allervers::domain
