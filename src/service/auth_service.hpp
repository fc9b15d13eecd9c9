#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.hpp"
#include "domain/field_error.hpp"
#include "domain/user.hpp"
#include "service/actor.hpp"
#include "service/ports.hpp"
#include "service/repositories.hpp"

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
};

enum class SignInStatus { kSuccess, kInvalidCredentials, kThrottled };

struct SignInOutcome {
  SignInStatus status = SignInStatus::kInvalidCredentials;
  std::string session_token;  // the cookie value, on success only
  domain::User user;
};

/// A signed-in request's session.
struct SessionContext {
  domain::User user;
  std::string csrf_token;
  std::string session_digest;
};

struct PasswordChangeResult {
  domain::FieldErrors errors;
  std::string session_token;  // a fresh session replacing all the user's sessions
};

/// Sign-in, sessions and the user's own password. Thread-safe.
class AuthService {
 public:
  AuthService(Store& store, const Clock& clock, const PasswordHasher& hasher,
              const PasswordPolicy& policy, const TokenService& tokens, AuthSettings settings);

  /// Checks credentials with throttling per account and per address. The outcome never
  /// tells whether the account exists: unknown, disabled and wrong password look alike.
  SignInOutcome SignIn(std::string_view email, std::string_view password, const Actor& requester);

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
  std::string IssueSession(Tx& tx, domain::UserId user_id, const std::string& ip, Instant now);
  const std::string& DummyHash() const;

  Store& store_;
  const Clock& clock_;
  const PasswordHasher& hasher_;
  const PasswordPolicy& policy_;
  const TokenService& tokens_;
  AuthSettings settings_;
  mutable std::once_flag dummy_once_;
  mutable std::string dummy_hash_;
};

}  // namespace allervers::service
