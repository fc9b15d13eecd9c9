#include "service/auth_service.hpp"

#include <cctype>

#include "common/error.hpp"
#include "service/audit.hpp"

namespace allervers::service {
namespace {

constexpr std::size_t kMaxPasswordBytes = 1024;

// Records one more failure in a throttle window and blocks the key when it reaches `max`.
ThrottleState CountFailure(std::optional<ThrottleState> state, Instant now, const AuthSettings& s,
                           int max) {
  ThrottleState next = state.value_or(ThrottleState{0, now, Instant{}});
  if (now - next.window_start > s.failure_window) {
    next.failures = 0;
    next.window_start = now;
  }
  ++next.failures;
  if (next.failures >= max) {
    next.blocked_until = now + s.block_duration;
  }
  return next;
}

bool IsBlocked(const std::optional<ThrottleState>& state, Instant now) {
  return state && state->blocked_until > now;
}

}  // namespace

AuthService::AuthService(Store& store, const Clock& clock, const PasswordHasher& hasher,
                         const PasswordPolicy& policy, const TokenService& tokens,
                         const TwoFactorService& two_factor, AuthSettings settings,
                         IdentityProvider* identity_provider)
    : store_(store),
      clock_(clock),
      hasher_(hasher),
      policy_(policy),
      tokens_(tokens),
      two_factor_(two_factor),
      settings_(settings),
      identity_provider_(identity_provider) {}

const std::string& AuthService::DummyHash() const {
  // Computed on first need rather than at start-up: it costs one full hash.
  std::call_once(dummy_once_, [this] { dummy_hash_ = hasher_.Hash(tokens_.NewToken(16)); });
  return dummy_hash_;
}

std::string AuthService::IssueSession(Tx& tx, domain::UserId user_id, const std::string& ip,
                                      Instant now, SessionStage stage,
                                      const std::string& idp_id_token) {
  std::string token = tokens_.NewToken(32);
  SessionRecord rec;
  rec.id_digest = tokens_.Digest(token);
  rec.user_id = user_id;
  rec.csrf_token = tokens_.NewToken(32);
  rec.created_at = now;
  rec.last_seen_at = now;
  rec.ip = ip;
  rec.stage = stage;
  rec.idp_id_token = idp_id_token;
  tx.sessions().Insert(rec);
  return token;
}

SignInOutcome AuthService::SignIn(std::string_view email, std::string_view password,
                                  const Actor& requester) {
  const Instant now = clock_.Now();
  const std::string normalized = domain::NormalizeEmail(email);
  const std::string account_key = "acct:" + tokens_.Digest(normalized);
  const std::string address_key = "ip:" + requester.ip;

  std::optional<domain::User> user;
  std::optional<std::string> hash;
  bool blocked = false;
  store_.Read([&](Tx& tx) {
    blocked = IsBlocked(tx.throttle().Get(account_key), now) ||
              IsBlocked(tx.throttle().Get(address_key), now);
    if (!blocked) {
      user = tx.users().FindByEmail(normalized);
      if (user) {
        hash = tx.users().PasswordHash(user->id);
      }
    }
  });

  if (blocked) {
    store_.Write([&](Tx& tx) {
      tx.audit().Append(MakeAuditEvent(requester, now, "auth.sign_in", "user", "", "failure",
                                       "reason=throttled"));
    });
    return SignInOutcome{SignInStatus::kThrottled, {}, {}};
  }

  // Hash outside any transaction: it takes tens of milliseconds.
  const bool usable = password.size() <= kMaxPasswordBytes;
  bool valid = false;
  if (user && hash && usable) {
    valid = hasher_.Verify(*hash, password);
  } else {
    (void)hasher_.Verify(DummyHash(), usable ? password : password.substr(0, kMaxPasswordBytes));
  }
  const bool success = valid && user->active;

  SignInOutcome outcome;
  store_.Write([&](Tx& tx) {
    if (!success) {
      tx.throttle().Put(account_key, CountFailure(tx.throttle().Get(account_key), now, settings_,
                                                  settings_.account_max_failures));
      tx.throttle().Put(address_key, CountFailure(tx.throttle().Get(address_key), now, settings_,
                                                  settings_.address_max_failures));
      std::string reason = !user ? "unknown_account" : (!valid ? "bad_password" : "disabled");
      tx.audit().Append(MakeAuditEvent(requester, now, "auth.sign_in", "user",
                                       user ? std::to_string(user->id) : "", "failure",
                                       "reason=" + reason));
      outcome.status = SignInStatus::kInvalidCredentials;
      return;
    }
    if (hasher_.NeedsRehash(*hash)) {
      tx.users().SetPassword(user->id, hasher_.Hash(password), user->must_change_password, now);
    }
    const auto totp = tx.two_factor().Find(user->id);
    if (totp && totp->confirmed_at) {
      outcome.stage = SessionStage::kSecondFactor;
    } else if (TwoFactorService::Required(tx, *user)) {
      outcome.stage = SessionStage::kEnrolment;
    }
    Actor signed_in = Actor::ForUser(*user, requester.request_id, requester.ip);
    outcome.session_token = IssueSession(tx, user->id, requester.ip, now, outcome.stage);
    if (outcome.stage == SessionStage::kFull) {
      tx.throttle().Clear(account_key);
      tx.users().RecordSignIn(user->id, now);
      tx.audit().Append(
          MakeAuditEvent(signed_in, now, "auth.sign_in", "user", std::to_string(user->id)));
    } else {
      // The account's throttling is cleared only once the second step is passed, so that a
      // known password does not reset the count of wrong codes.
      tx.audit().Append(MakeAuditEvent(signed_in, now, "auth.password", "user",
                                       std::to_string(user->id), "success",
                                       "next=" + std::string(SessionStageCode(outcome.stage))));
    }
    outcome.status = SignInStatus::kSuccess;
    outcome.user = *user;
  });
  return outcome;
}

std::optional<SessionContext> AuthService::Authenticate(std::string_view session_token) {
  if (session_token.empty() || session_token.size() > 128) {
    return std::nullopt;
  }
  const Instant now = clock_.Now();
  const std::string digest = tokens_.Digest(session_token);
  std::optional<SessionRecord> session;
  std::optional<domain::User> user;
  store_.Read([&](Tx& tx) {
    session = tx.sessions().Find(digest);
    if (session) {
      user = tx.users().FindById(session->user_id);
    }
  });
  if (!session) {
    return std::nullopt;
  }
  const bool expired = now - session->last_seen_at >= settings_.idle_timeout ||
                       now - session->created_at >= settings_.absolute_timeout ||
                       (session->stage != SessionStage::kFull &&
                        now - session->created_at >= settings_.pending_timeout);
  if (expired || !user || !user->active) {
    store_.Write([&](Tx& tx) { tx.sessions().Delete(digest); });
    return std::nullopt;
  }
  if (now - session->last_seen_at >= settings_.touch_interval) {
    store_.Write([&](Tx& tx) { tx.sessions().Touch(digest, now); });
  }
  return SessionContext{*user, session->csrf_token, digest, session->stage};
}

std::optional<std::pair<SessionRecord, domain::User>> AuthService::PendingSession(
    std::string_view session_token, SessionStage stage, Instant now) {
  if (session_token.empty() || session_token.size() > 128) {
    return std::nullopt;
  }
  const std::string digest = tokens_.Digest(session_token);
  std::optional<std::pair<SessionRecord, domain::User>> out;
  store_.Read([&](Tx& tx) {
    auto session = tx.sessions().Find(digest);
    if (!session || session->stage != stage ||
        now - session->created_at >= settings_.pending_timeout ||
        now - session->last_seen_at >= settings_.idle_timeout) {
      return;
    }
    auto user = tx.users().FindById(session->user_id);
    if (user && user->active) {
      out.emplace(std::move(*session), std::move(*user));
    }
  });
  return out;
}

SecondFactorOutcome AuthService::VerifySecondFactor(std::string_view session_token,
                                                    std::string_view code, const Actor& requester) {
  const Instant now = clock_.Now();
  const auto pending = PendingSession(session_token, SessionStage::kSecondFactor, now);
  if (!pending) {
    throw Error(ErrorCode::kUnauthenticated, "Veuillez vous connecter.");
  }
  // Named references rather than a structured binding: the lambdas below capture them.
  const SessionRecord& session = pending->first;
  const domain::User& user = pending->second;
  const std::string account_key = "acct:" + tokens_.Digest(user.email);
  const std::string address_key = "ip:" + requester.ip;
  const Actor actor = Actor::ForUser(user, requester.request_id, requester.ip);
  const std::string user_id = std::to_string(user.id);

  SecondFactorOutcome outcome;
  outcome.user = user;
  bool blocked = false;
  store_.Read([&](Tx& tx) {
    blocked = IsBlocked(tx.throttle().Get(account_key), now) ||
              IsBlocked(tx.throttle().Get(address_key), now);
  });
  if (blocked) {
    store_.Write([&](Tx& tx) {
      tx.audit().Append(MakeAuditEvent(actor, now, "auth.second_factor", "user", user_id, "failure",
                                       "reason=throttled"));
    });
    outcome.status = SecondFactorStatus::kThrottled;
    return outcome;
  }
  store_.Write([&](Tx& tx) {
    const CodeOutcome check = two_factor_.Check(tx, user.id, code, now);
    switch (check.check) {
      case CodeCheck::kMalformed:
        outcome.status = SecondFactorStatus::kMalformed;
        return;
      case CodeCheck::kWrong:
      case CodeCheck::kReused: {
        const bool reused = check.check == CodeCheck::kReused;
        tx.throttle().Put(account_key, CountFailure(tx.throttle().Get(account_key), now, settings_,
                                                    settings_.account_max_failures));
        tx.throttle().Put(address_key, CountFailure(tx.throttle().Get(address_key), now, settings_,
                                                    settings_.address_max_failures));
        tx.audit().Append(MakeAuditEvent(actor, now, "auth.second_factor", "user", user_id,
                                         "failure",
                                         reused ? "reason=reused_code" : "reason=wrong_code"));
        outcome.status = reused ? SecondFactorStatus::kReusedCode : SecondFactorStatus::kWrongCode;
        return;
      }
      case CodeCheck::kAccepted:
      case CodeCheck::kAcceptedRecovery:
        break;
    }
    outcome.used_recovery_code = check.check == CodeCheck::kAcceptedRecovery;
    outcome.recovery_codes_left = check.recovery_codes_left;
    tx.throttle().Clear(account_key);
    tx.sessions().Delete(session.id_digest);
    tx.users().RecordSignIn(user.id, now);
    outcome.session_token =
        IssueSession(tx, user.id, requester.ip, now, SessionStage::kFull, session.idp_id_token);
    tx.audit().Append(MakeAuditEvent(
        actor, now, "auth.second_factor", "user", user_id, "success",
        outcome.used_recovery_code
            ? "method=recovery_code left=" + std::to_string(outcome.recovery_codes_left)
            : "method=totp"));
    tx.audit().Append(MakeAuditEvent(actor, now, "auth.sign_in", "user", user_id));
    outcome.status = SecondFactorStatus::kSuccess;
  });
  return outcome;
}

std::string AuthService::CompleteEnrolment(std::string_view session_token, const Actor& actor) {
  const Instant now = clock_.Now();
  const auto pending = PendingSession(session_token, SessionStage::kEnrolment, now);
  if (!pending || pending->second.id != actor.user_id) {
    throw Error(ErrorCode::kUnauthenticated, "Veuillez vous connecter.");
  }
  // Named references rather than a structured binding: the lambdas below capture them.
  const SessionRecord& session = pending->first;
  const domain::User& user = pending->second;
  std::string token;
  store_.Write([&](Tx& tx) {
    // Only an enrolment finished after this session's password step opens it.
    const auto totp = tx.two_factor().Find(user.id);
    if (!totp || !totp->confirmed_at || *totp->confirmed_at < session.created_at) {
      throw Error(ErrorCode::kUnauthenticated, "Veuillez vous connecter.");
    }
    tx.throttle().Clear("acct:" + tokens_.Digest(user.email));
    tx.sessions().Delete(session.id_digest);
    tx.users().RecordSignIn(user.id, now);
    token = IssueSession(tx, user.id, actor.ip, now, SessionStage::kFull, session.idp_id_token);
    tx.audit().Append(MakeAuditEvent(actor, now, "auth.sign_in", "user", std::to_string(user.id),
                                     "success", "after=enrolment"));
  });
  return token;
}

std::string AuthService::SignOut(std::string_view session_token, const Actor& actor) {
  const Instant now = clock_.Now();
  const std::string digest = tokens_.Digest(session_token);
  std::string id_token;
  store_.Write([&](Tx& tx) {
    if (const auto rec = tx.sessions().Find(digest)) {
      id_token = rec->idp_id_token;
    }
    tx.sessions().Delete(digest);
    tx.audit().Append(MakeAuditEvent(actor, now, "auth.sign_out", "user",
                                     actor.is_user() ? std::to_string(actor.user_id) : ""));
  });
  if (id_token.empty() || identity_provider_ == nullptr) {
    return {};
  }
  try {
    return identity_provider_->LogoutUrl(id_token, tokens_.NewToken(16));
  } catch (const Error&) {
    return {};  // the provider is unreachable: signed out here at least
  }
}

std::string AuthService::StartExternalSignIn(std::string_view return_to, const Actor& requester) {
  if (identity_provider_ == nullptr) {
    throw Error(ErrorCode::kNotFound,
                "La connexion par un fournisseur d’identité n’est pas "
                "activée sur cette plateforme.");
  }
  const Instant now = clock_.Now();
  OidcLogin login;
  const std::string state = tokens_.NewToken(32);
  login.state_digest = tokens_.Digest(state);
  login.nonce = tokens_.NewToken(32);
  login.code_verifier = tokens_.NewToken(48);  // 64 characters, RFC 7636 §4.1
  login.return_to = std::string(return_to);
  login.created_at = now;
  std::string url = identity_provider_->AuthorizationUrl(state, login.nonce, login.code_verifier);
  store_.Write([&](Tx& tx) {
    tx.oidc_logins().DeleteOlderThan(now - kExternalSignInTimeout);
    tx.oidc_logins().Insert(login);
    tx.audit().Append(MakeAuditEvent(requester, now, "auth.external_start", "user", ""));
  });
  return url;
}

ExternalSignInOutcome AuthService::FinishExternalSignIn(std::string_view state,
                                                        std::string_view code,
                                                        std::string_view error,
                                                        const Actor& requester) {
  ExternalSignInOutcome outcome;
  const Instant now = clock_.Now();
  const auto refuse = [&](ExternalSignInStatus status, const std::string& reason,
                          const std::string& user_id = {}) {
    store_.Write([&](Tx& tx) {
      tx.audit().Append(MakeAuditEvent(requester, now, "auth.sign_in", "user", user_id, "failure",
                                       "method=external reason=" + reason));
    });
    outcome.status = status;
    return outcome;
  };
  if (identity_provider_ == nullptr) {
    return refuse(ExternalSignInStatus::kRefused, "not_configured");
  }
  std::optional<OidcLogin> login;
  if (!state.empty() && state.size() <= 256) {
    store_.Write([&](Tx& tx) { login = tx.oidc_logins().Take(tokens_.Digest(state)); });
  }
  if (!login || login->created_at < now - kExternalSignInTimeout) {
    return refuse(ExternalSignInStatus::kRefused, login ? "expired" : "unknown_state");
  }
  outcome.return_to = login->return_to;
  if (!error.empty() || code.empty() || code.size() > 2048) {
    return refuse(ExternalSignInStatus::kRefused, error.empty() ? "no_code" : "provider_error");
  }
  ExternalIdentity identity;
  try {
    identity = identity_provider_->Redeem(code, login->code_verifier, login->nonce);
  } catch (const Error& e) {
    // The audit row names the failed check (signature, audience, expiry, nonce…) for the
    // administrator, kept to a short word list: it never holds a token.
    const bool unreachable = e.code() == ErrorCode::kUnavailable;
    std::string check = e.what();
    if (check.starts_with("openid: ")) {
      check.erase(0, 8);
    }
    check = check.substr(0, 80);
    for (char& ch : check) {
      const bool plain = std::isalnum(static_cast<unsigned char>(ch)) != 0 || ch == ' ' ||
                         ch == '_' || ch == ':' || ch == '.' || ch == '-';
      ch = plain ? (ch == ' ' ? '_' : ch) : '?';
    }
    return refuse(unreachable ? ExternalSignInStatus::kUnavailable : ExternalSignInStatus::kRefused,
                  std::string(unreachable ? "unavailable" : "invalid_token") + " check=" + check);
  }
  std::optional<domain::User> user;
  store_.Read(
      [&](Tx& tx) { user = tx.users().FindByEmail(domain::NormalizeEmail(identity.email)); });
  if (!user || !user->active) {
    outcome.email = identity.email;
    return refuse(ExternalSignInStatus::kNoAccount, user ? "disabled" : "unknown_account",
                  user ? std::to_string(user->id) : "");
  }
  store_.Write([&](Tx& tx) {
    if (!identity.multi_factor) {
      const auto totp = tx.two_factor().Find(user->id);
      if (totp && totp->confirmed_at) {
        outcome.stage = SessionStage::kSecondFactor;
      } else if (TwoFactorService::Required(tx, *user)) {
        outcome.stage = SessionStage::kEnrolment;
      }
    }
    const Actor signed_in = Actor::ForUser(*user, requester.request_id, requester.ip);
    outcome.session_token =
        IssueSession(tx, user->id, requester.ip, now, outcome.stage, identity.id_token);
    const std::string detail = std::string("method=external mfa=") +
                               (identity.multi_factor ? "1" : "0") +
                               " next=" + std::string(SessionStageCode(outcome.stage));
    if (outcome.stage == SessionStage::kFull) {
      tx.users().RecordSignIn(user->id, now);
    }
    tx.audit().Append(MakeAuditEvent(
        signed_in, now, outcome.stage == SessionStage::kFull ? "auth.sign_in" : "auth.external",
        "user", std::to_string(user->id), "success", detail));
  });
  outcome.user = *user;
  outcome.status = ExternalSignInStatus::kSuccess;
  return outcome;
}

PasswordChangeResult AuthService::ChangePassword(const Actor& actor, std::string_view current,
                                                 std::string_view replacement,
                                                 std::string_view confirmation) {
  if (!actor.is_user()) {
    throw Error(ErrorCode::kUnauthenticated, "Veuillez vous connecter.");
  }
  PasswordChangeResult result;
  std::optional<domain::User> user;
  std::optional<std::string> hash;
  store_.Read([&](Tx& tx) {
    user = tx.users().FindById(actor.user_id);
    hash = tx.users().PasswordHash(actor.user_id);
  });
  if (!user || !hash) {
    throw Error(ErrorCode::kUnauthenticated, "Veuillez vous connecter.");
  }
  if (current.empty() || current.size() > kMaxPasswordBytes || !hasher_.Verify(*hash, current)) {
    result.errors.push_back({"current_password", "Le mot de passe actuel est incorrect."});
  }
  if (replacement.size() > kMaxPasswordBytes) {
    result.errors.push_back({"new_password", "Le nouveau mot de passe est trop long."});
  } else if (auto refusal = policy_.Check(replacement, {user->email, user->display_name})) {
    result.errors.push_back({"new_password", *refusal});
  } else if (replacement == current) {
    result.errors.push_back({"new_password", "Choisissez un mot de passe différent de l’actuel."});
  }
  if (replacement != confirmation) {
    result.errors.push_back(
        {"confirm_password", "Les deux saisies du nouveau mot de passe diffèrent."});
  }
  if (!result.errors.empty()) {
    return result;
  }
  const std::string new_hash = hasher_.Hash(replacement);
  const Instant now = clock_.Now();
  store_.Write([&](Tx& tx) {
    tx.users().SetPassword(actor.user_id, new_hash, false, now);
    tx.sessions().DeleteForUser(actor.user_id);
    result.session_token = IssueSession(tx, actor.user_id, actor.ip, now);
    tx.audit().Append(
        MakeAuditEvent(actor, now, "user.change_password", "user", std::to_string(actor.user_id)));
  });
  return result;
}

int AuthService::PurgeExpiredSessions() {
  const Instant now = clock_.Now();
  int removed = 0;
  store_.Write([&](Tx& tx) {
    removed =
        tx.sessions().DeleteExpired(now - settings_.idle_timeout, now - settings_.absolute_timeout);
  });
  return removed;
}

}  // namespace allervers::service
