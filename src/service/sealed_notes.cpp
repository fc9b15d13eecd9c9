#include "service/sealed_notes.hpp"

#include <fmt/format.h>

namespace allervers::service {
namespace {

// Sealed inside the box, before the text: secretbox has no associated data.
std::string Context(domain::ReferralId referral, domain::UserId author) {
  return fmt::format("note:{}:{}\n", referral, author);
}

}  // namespace

std::string SealNote(const SecretSealer& sealer, domain::ReferralId referral, domain::UserId author,
                     std::string_view body) {
  std::string plain = Context(referral, author);
  plain += body;
  return sealer.Seal(plain);
}

std::string OpenNote(const SecretSealer& sealer, domain::ReferralId referral, domain::UserId author,
                     std::string_view stored) {
  if (stored.empty()) {
    return {};
  }
  if (!sealer.KeyIdOf(stored)) {
    return std::string(stored);  // written before notes were sealed
  }
  const auto plain = sealer.Open(stored);
  const std::string context = Context(referral, author);
  if (!plain || !plain->starts_with(context)) {
    return std::string(kUnreadableNote);
  }
  return plain->substr(context.size());
}

}  // namespace allervers::service
