#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "domain/field_error.hpp"
#include "domain/user.hpp"
#include "service/actor.hpp"
#include "service/ports.hpp"
#include "service/repositories.hpp"

namespace allervers::service {

/// What the account page says of the user's second factor.
struct TwoFactorStatus {
  bool enrolled = false;
  std::optional<Instant> enrolled_at;
  int recovery_codes_left = 0;
  bool required = false;  // mandatory for this account (role and security.totp_required)
};

/// What the enrolment page shows: the secret to scan or type, never stored in clear.
struct EnrolmentStart {
  std::string secret;       // base32
  std::string otpauth_uri;  // otpauth://totp/Allervers:<e-mail>?secret=…&issuer=Allervers
};

struct EnrolmentResult {
  domain::FieldErrors errors;
  std::vector<std::string> recovery_codes;  // shown once, on success
};

/// How a typed code was received.
enum class CodeCheck {
  kAccepted,          // the authenticator's code of a step not used yet
  kAcceptedRecovery,  // an unused recovery code, now used
  kMalformed,         // neither 6 digits nor a recovery code's shape: nothing was checked
  kWrong,
  kReused,  // the right code, but of a step already accepted
};

struct CodeOutcome {
  CodeCheck check = CodeCheck::kWrong;
  int recovery_codes_left = 0;  // after a recovery code was used
};

/// Two-factor sign-in (RFC 6238 TOTP and recovery codes): enrolment, the check of a code
/// (for AuthService), the administrator's reset. Secrets are sealed by the key file
/// (SecretSealer); recovery codes are stored as digests; nothing secret is audited or logged.
/// Thread-safe.
class TwoFactorService {
 public:
  static constexpr int kRecoveryCodeCount = 10;

  TwoFactorService(Store& store, const Clock& clock, const SecretSealer& sealer,
                   const OneTimePasswords& otp, const TokenService& tokens)
      : store_(store), clock_(clock), sealer_(sealer), otp_(otp), tokens_(tokens) {}

  /// Is a second factor mandatory for `user` (a role that sees persons, the setting on)?
  static bool Required(Tx& tx, const domain::User& user);

  TwoFactorStatus Status(const Actor& actor);

  /// The secret the actor is to enrol: the pending one when there is one, else a new one.
  /// Throws Error(kConflict) when the account is already enrolled.
  EnrolmentStart BeginEnrolment(const Actor& actor);

  /// Checks the first code of the pending secret; on success the account is enrolled and
  /// the ten recovery codes returned (shown once). Audited, failures too.
  EnrolmentResult ConfirmEnrolment(const Actor& actor, std::string_view code);

  /// Removes the second factor of account `user_id` and closes its sessions: at its next
  /// sign-in it enrols again (when mandatory). Admin only (Permission::kResetTwoFactor);
  /// audited in the same transaction.
  void Reset(const Actor& actor, domain::UserId user_id);

  /// Whether account `user_id` is enrolled, for the administrator's account page.
  bool IsEnrolled(const Actor& actor, domain::UserId user_id);

  /// Checks `code` (6 digits, or a recovery code) for `user_id` within `tx`, and records it
  /// as used when accepted (the step, or the recovery code). Throws Error(kUnavailable) when
  /// the stored secret cannot be opened with the key ring (key file lost or replaced).
  CodeOutcome Check(Tx& tx, domain::UserId user_id, std::string_view code, Instant now) const;

 private:
  std::string RecoveryDigest(domain::UserId user_id, std::string_view normalized) const;

  Store& store_;
  const Clock& clock_;
  const SecretSealer& sealer_;
  const OneTimePasswords& otp_;
  const TokenService& tokens_;
};

}  // namespace allervers::service
