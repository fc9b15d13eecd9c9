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
#include "service/identity_provider.hpp"
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

enum class ExternalSignInStatus {
  kSuccess,
  kNoAccount,    // the provider vouched for an e-mail that no active account has
  kRefused,      // a check failed, the sign-in expired or was replayed, or was cancelled
  kUnavailable,  // the provider could not be reached
};

struct ExternalSignInOutcome {
  ExternalSignInStatus status = ExternalSignInStatus::kRefused;
  std::string session_token;  // on success only
  domain::User user;
  SessionStage stage = SessionStage::kFull;
  std::string return_to;  // the page asked for before the sign-in
  std::string email;      // kNoAccount: the e-mail the provider vouched for, to say it back
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
              const TwoFactorService& two_factor, AuthSettings settings,
              IdentityProvider* identity_provider = nullptr);

  /// The identity provider (ProConnect) when one is configured.
  const IdentityProvider* identity_provider() const { return identity_provider_; }

  /// Starts a sign-in through the identity provider: remembers it (state, nonce, PKCE
  /// verifier) for kExternalSignInTimeout and returns the provider's authorization address.
  /// Throws Error(kNotFound) when no provider is configured, Error(kUnavailable) when it
  /// cannot be reached.
  std::string StartExternalSignIn(std::string_view return_to, const Actor& requester);

  /// The provider's answer (the `state`, `code` and `error` of its redirection). The sign-in
  /// under way is taken, so that a replayed answer finds nothing; the identity is checked by
  /// the provider (IdentityProvider::Redeem) and its e-mail matched to an active account;
  /// nobody signs themselves up. The session waits for the second factor as after a password,
  /// unless the provider checked one itself. Every outcome is audited, without the e-mail.
  ExternalSignInOutcome FinishExternalSignIn(std::string_view state, std::string_view code,
                                             std::string_view error, const Actor& requester);

  static constexpr std::chrono::minutes kExternalSignInTimeout{10};

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

  /// Ends the session. Returns the identity provider's logout address when the session was
  /// opened through it (the browser goes there to end that session too), else empty.
  std::string SignOut(std::string_view session_token, const Actor& actor);

  /// Changes the actor's own password; every session of the user is revoked and a new one
  /// returned.
  PasswordChangeResult ChangePassword(const Actor& actor, std::string_view current,
                                      std::string_view replacement, std::string_view confirmation);

  /// Deletes expired sessions; returns how many.
  int PurgeExpiredSessions();

  const AuthSettings& settings() const { return settings_; }

 private:
  std::string IssueSession(Tx& tx, domain::UserId user_id, const std::string& ip, Instant now,
                           SessionStage stage = SessionStage::kFull,
                           const std::string& idp_id_token = {});
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
  IdentityProvider* identity_provider_;
  mutable std::once_flag dummy_once_;
  mutable std::string dummy_hash_;
};

}  // namespace allervers::service
