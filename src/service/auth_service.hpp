#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "common/clock.hpp"
#include "domain/field_error.hpp"
#include "domain/user.hpp"
#include "service/actor.hpp"
#include "service/ports.hpp"
#include "service/repositories.hpp"
#include "service/two_factor_service.hpp"

namespace allervers::service {

struct AuthSettings {
  std::chrono::seconds idle_timeout{std::chrono::minutes(30)};
  std::chrono::seconds absolute_timeout{std::chrono::hours(12)};
  int account_max_failures = 5;   // per account, within the window
  int address_max_failures = 30;  // per client address, within the window
  std::chrono::seconds failure_window{std::chrono::minutes(15)};
  std::chrono::seconds block_duration{std::chrono::minutes(15)};
  /// A session's last-seen time is written at most this often, to spare writes.
  std::chrono::seconds touch_interval{std::chrono::seconds(60)};
  /// A session waiting for its second factor or for enrolment ends this long after the
  /// password was typed.
  std::chrono::seconds pending_timeout{std::chrono::minutes(10)};
};

enum class SignInStatus { kSuccess, kInvalidCredentials, kThrottled };

struct SignInOutcome {
  SignInStatus status = SignInStatus::kInvalidCredentials;
  std::string session_token;  // the cookie value, on success only
  domain::User user;
  /// On success: kFull, or the step the session must pass before it opens any page.
  SessionStage stage = SessionStage::kFull;
};

/// A request's session. Only a kFull session is signed in; the others open nothing but the
/// step they wait for and sign-out (web/router.cpp).
struct SessionContext {
  domain::User user;
  std::string csrf_token;
  std::string session_digest;
  SessionStage stage = SessionStage::kFull;
};

enum class SecondFactorStatus {
  kSuccess,
  kMalformed,   // not a code's shape: nothing checked, nothing counted
  kWrongCode,   // counted in the sign-in throttling
  kReusedCode,  // a code already accepted once: counted too
  kThrottled,
};

struct SecondFactorOutcome {
  SecondFactorStatus status = SecondFactorStatus::kWrongCode;
  std::string session_token;  // the new, signed-in session, on success
  domain::User user;
  bool used_recovery_code = false;
  int recovery_codes_left = 0;  // when a recovery code was used
};

struct PasswordChangeResult {
  domain::FieldErrors errors;
  std::string session_token;  // a fresh session replacing all the user's sessions
};

/// Sign-in, sessions and the user's own password. Thread-safe.
class AuthService {
 public:
  AuthService(Store& store, const Clock& clock, const PasswordHasher& hasher,
              const PasswordPolicy& policy, const TokenService& tokens,
              const TwoFactorService& two_factor, AuthSettings settings);

  /// Checks credentials with throttling per account and per address. The outcome never
  /// tells whether the account exists: unknown, disabled and wrong password look alike.
  /// An enrolled account gets a session waiting for its second factor; an account that must
  /// enrol and has not, a session waiting for its enrolment.
  SignInOutcome SignIn(std::string_view email, std::string_view password, const Actor& requester);

  /// The second step of sign-in: `code` (6 digits or a recovery code) for the session waiting
  /// for it. On success that session is replaced by a signed-in one. Wrong and reused codes
  /// count in the same throttling as wrong passwords. Throws Error(kUnauthenticated) when the
  /// session does not wait for a second factor (expired, signed out).
  SecondFactorOutcome VerifySecondFactor(std::string_view session_token, std::string_view code,
                                         const Actor& requester);

  /// After the account finished its enrolment (TwoFactorService::ConfirmEnrolment), replaces
  /// the session waiting for it by a signed-in one; returns its token. Throws
  /// Error(kUnauthenticated) unless the session waits for enrolment and the account is
  /// enrolled.
  std::string CompleteEnrolment(std::string_view session_token, const Actor& actor);

  /// The session behind a cookie value, or nothing when unknown, expired or its user disabled.
  std::optional<SessionContext> Authenticate(std::string_view session_token);

  void SignOut(std::string_view session_token, const Actor& actor);

  /// Changes the actor's own password; every session of the user is revoked and a new one
  /// returned.
  PasswordChangeResult ChangePassword(const Actor& actor, std::string_view current,
                                      std::string_view replacement, std::string_view confirmation);

  /// Deletes expired sessions; returns how many.
  int PurgeExpiredSessions();

  const AuthSettings& settings() const { return settings_; }

 private:
  std::string IssueSession(Tx& tx, domain::UserId user_id, const std::string& ip, Instant now,
                           SessionStage stage = SessionStage::kFull);
  /// The pending session behind a token, with its user, when it is at `stage` and not expired.
  std::optional<std::pair<SessionRecord, domain::User>> PendingSession(
      std::string_view session_token, SessionStage stage, Instant now);
  const std::string& DummyHash() const;

  Store& store_;
  const Clock& clock_;
  const PasswordHasher& hasher_;
  const PasswordPolicy& policy_;
  const TokenService& tokens_;
  const TwoFactorService& two_factor_;
  AuthSettings settings_;
  mutable std::once_flag dummy_once_;
  mutable std::string dummy_hash_;
};

}  // namespace allervers::service
