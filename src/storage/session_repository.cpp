#include <soci/soci.h>

#include "storage/sql_query.hpp"
#include "storage/sql_tx.hpp"

namespace allervers::storage {
namespace {

class SqlOidcLoginRepository final : public service::OidcLoginRepository {
 public:
  explicit SqlOidcLoginRepository(soci::session& sql) : sql_(sql) {}

  void Insert(const service::OidcLogin& login) override {
    const long long at = ToEpoch(login.created_at);
    Query q(sql_,
            "INSERT INTO oidc_login (state_digest, nonce, code_verifier, return_to, created_at) "
            "VALUES (:s, :n, :v, :r, :c)");
    q.Use(login.state_digest)
        .Use(login.nonce)
        .Use(login.code_verifier)
        .Use(login.return_to)
        .Use(at);
    q.Run();
  }

  std::optional<service::OidcLogin> Take(std::string_view state_digest) override {
    const std::string key(state_digest);
    service::OidcLogin login;
    long long at = 0;
    Query q(sql_,
            "SELECT state_digest, nonce, code_verifier, return_to, created_at FROM oidc_login "
            "WHERE state_digest = :s");
    q.Into(login.state_digest)
        .Into(login.nonce)
        .Into(login.code_verifier)
        .Into(login.return_to)
        .Into(at)
        .Use(key);
    if (!q.One()) {
      return std::nullopt;
    }
    // Two answers at once: only the one whose DELETE removed the row goes on.
    Query d(sql_, "DELETE FROM oidc_login WHERE state_digest = :s");
    d.Use(key);
    if (d.Run() != 1) {
      return std::nullopt;
    }
    login.created_at = FromEpoch(at);
    return login;
  }

  int DeleteOlderThan(Instant before) override {
    const long long at = ToEpoch(before);
    Query q(sql_, "DELETE FROM oidc_login WHERE created_at < :c");
    q.Use(at);
    return static_cast<int>(q.Run());
  }

 private:
  soci::session& sql_;
};

class SqlSessionRepository final : public service::SessionRepository {
 public:
  explicit SqlSessionRepository(soci::session& sql) : sql_(sql) {}

  void Insert(const service::SessionRecord& rec) override {
    const long long user = rec.user_id;
    const long long created = ToEpoch(rec.created_at);
    const long long seen = ToEpoch(rec.last_seen_at);
    const std::string stage(service::SessionStageCode(rec.stage));
    Query q(sql_,
            "INSERT INTO user_session (id_digest, user_id, csrf_token, created_at, last_seen_at, "
            "ip, stage, idp_id_token) VALUES (:id, :user, :csrf, :created, :seen, :ip, :stage, "
            ":idp)");
    q.Use(rec.id_digest)
        .Use(user)
        .Use(rec.csrf_token)
        .Use(created)
        .Use(seen)
        .Use(rec.ip)
        .Use(stage)
        .Use(rec.idp_id_token);
    q.Run();
  }

  std::optional<service::SessionRecord> Find(std::string_view id_digest) override {
    const std::string key(id_digest);
    service::SessionRecord rec;
    long long user = 0;
    long long created = 0;
    long long seen = 0;
    std::string stage;
    Query q(sql_,
            "SELECT id_digest, user_id, csrf_token, created_at, last_seen_at, ip, stage, "
            "idp_id_token FROM user_session WHERE id_digest = :id");
    q.Into(rec.id_digest)
        .Into(user)
        .Into(rec.csrf_token)
        .Into(created)
        .Into(seen)
        .Into(rec.ip)
        .Into(stage)
        .Into(rec.idp_id_token)
        .Use(key);
    if (!q.One()) {
      return std::nullopt;
    }
    rec.user_id = user;
    rec.created_at = FromEpoch(created);
    rec.last_seen_at = FromEpoch(seen);
    rec.stage = service::ParseSessionStage(stage);
    return rec;
  }

  void Touch(std::string_view id_digest, Instant now) override {
    const std::string key(id_digest);
    const long long seen = ToEpoch(now);
    Query q(sql_, "UPDATE user_session SET last_seen_at = :seen WHERE id_digest = :id");
    q.Use(seen).Use(key);
    q.Run();
  }

  void Delete(std::string_view id_digest) override {
    const std::string key(id_digest);
    Query q(sql_, "DELETE FROM user_session WHERE id_digest = :id");
    q.Use(key);
    q.Run();
  }

  void DeleteForUser(domain::UserId user_id) override {
    const long long key = user_id;
    Query q(sql_, "DELETE FROM user_session WHERE user_id = :user");
    q.Use(key);
    q.Run();
  }

  int DeleteExpired(Instant idle_before, Instant created_before) override {
    const long long idle = ToEpoch(idle_before);
    const long long created = ToEpoch(created_before);
    Query q(sql_, "DELETE FROM user_session WHERE last_seen_at < :idle OR created_at < :created");
    q.Use(idle).Use(created);
    return static_cast<int>(q.Run());
  }

 private:
  soci::session& sql_;
};

class SqlThrottleRepository final : public service::ThrottleRepository {
 public:
  explicit SqlThrottleRepository(soci::session& sql) : sql_(sql) {}

  std::optional<service::ThrottleState> Get(std::string_view key) override {
    const std::string k(key);
    int failures = 0;
    long long window = 0;
    long long blocked = 0;
    Query q(
        sql_,
        "SELECT failures, window_start, blocked_until FROM login_throttle WHERE throttle_key = :k");
    q.Into(failures).Into(window).Into(blocked).Use(k);
    if (!q.One()) {
      return std::nullopt;
    }
    return service::ThrottleState{failures, FromEpoch(window), FromEpoch(blocked)};
  }

  void Put(std::string_view key, const service::ThrottleState& state) override {
    const std::string k(key);
    const long long window = ToEpoch(state.window_start);
    const long long blocked = ToEpoch(state.blocked_until);
    Query q(sql_,
            "INSERT INTO login_throttle (throttle_key, failures, window_start, blocked_until) "
            "VALUES (:k, :f, :w, :b) ON CONFLICT (throttle_key) DO UPDATE SET "
            "failures = excluded.failures, window_start = excluded.window_start, "
            "blocked_until = excluded.blocked_until");
    q.Use(k).Use(state.failures).Use(window).Use(blocked);
    q.Run();
  }

  void Clear(std::string_view key) override {
    const std::string k(key);
    Query q(sql_, "DELETE FROM login_throttle WHERE throttle_key = :k");
    q.Use(k);
    q.Run();
  }

 private:
  soci::session& sql_;
};

class SqlTwoFactorRepository final : public service::TwoFactorRepository {
 public:
  explicit SqlTwoFactorRepository(soci::session& sql) : sql_(sql) {}

  std::optional<service::TotpRecord> Find(domain::UserId user_id) override {
    const long long user = user_id;
    service::TotpRecord rec;
    long long confirmed = 0;
    soci::indicator confirmed_ind = soci::i_null;
    long long last_step = 0;
    long long created = 0;
    Query q(sql_,
            "SELECT secret_sealed, confirmed_at, last_step, created_at FROM user_totp "
            "WHERE user_id = :user");
    q.Into(rec.secret_sealed).Into(confirmed, confirmed_ind).Into(last_step).Into(created);
    q.Use(user);
    if (!q.One()) {
      return std::nullopt;
    }
    rec.user_id = user_id;
    if (confirmed_ind == soci::i_ok) {
      rec.confirmed_at = FromEpoch(confirmed);
    }
    rec.last_step = last_step;
    rec.created_at = FromEpoch(created);
    return rec;
  }

  void PutPending(domain::UserId user_id, const std::string& secret_sealed, Instant now) override {
    const long long user = user_id;
    const long long created = ToEpoch(now);
    Query q(sql_,
            "INSERT INTO user_totp (user_id, secret_sealed, confirmed_at, last_step, created_at) "
            "VALUES (:user, :secret, NULL, 0, :created) ON CONFLICT (user_id) DO UPDATE SET "
            "secret_sealed = excluded.secret_sealed, confirmed_at = NULL, last_step = 0, "
            "created_at = excluded.created_at WHERE user_totp.confirmed_at IS NULL");
    q.Use(user).Use(secret_sealed).Use(created);
    q.Run();
  }

  bool Confirm(domain::UserId user_id, std::int64_t step, Instant now) override {
    const long long user = user_id;
    const long long s = step;
    const long long at = ToEpoch(now);
    Query q(sql_,
            "UPDATE user_totp SET confirmed_at = :at, last_step = :step "
            "WHERE user_id = :user AND confirmed_at IS NULL");
    q.Use(at).Use(s).Use(user);
    return q.Run() == 1;
  }

  bool AdvanceStep(domain::UserId user_id, std::int64_t step) override {
    const long long user = user_id;
    const long long s = step;
    Query q(sql_,
            "UPDATE user_totp SET last_step = :step "
            "WHERE user_id = :user AND last_step < :step2 AND confirmed_at IS NOT NULL");
    q.Use(s).Use(user).Use(s);
    return q.Run() == 1;
  }

  void Delete(domain::UserId user_id) override {
    const long long user = user_id;
    Query codes(sql_, "DELETE FROM user_recovery_code WHERE user_id = :user");
    codes.Use(user);
    codes.Run();
    Query q(sql_, "DELETE FROM user_totp WHERE user_id = :user");
    q.Use(user);
    q.Run();
  }

  void ReplaceRecoveryCodes(domain::UserId user_id, const std::vector<std::string>& digests,
                            Instant now) override {
    const long long user = user_id;
    const long long created = ToEpoch(now);
    Query clear(sql_, "DELETE FROM user_recovery_code WHERE user_id = :user");
    clear.Use(user);
    clear.Run();
    for (const auto& digest : digests) {
      Query q(sql_,
              "INSERT INTO user_recovery_code (user_id, code_digest, created_at) "
              "VALUES (:user, :digest, :created)");
      q.Use(user).Use(digest).Use(created);
      q.Run();
    }
  }

  bool UseRecoveryCode(domain::UserId user_id, std::string_view digest, Instant now) override {
    const long long user = user_id;
    const std::string d(digest);
    const long long at = ToEpoch(now);
    long long id = 0;
    Query find(sql_,
               "SELECT id FROM user_recovery_code "
               "WHERE user_id = :user AND code_digest = :digest AND used_at IS NULL");
    find.Into(id).Use(user).Use(d);
    if (!find.One()) {
      return false;
    }
    Query q(sql_, "UPDATE user_recovery_code SET used_at = :at WHERE id = :id AND used_at IS NULL");
    q.Use(at).Use(id);
    return q.Run() == 1;
  }

  int UnusedRecoveryCodes(domain::UserId user_id) override {
    const long long user = user_id;
    long long count = 0;
    Query q(sql_,
            "SELECT COUNT(*) FROM user_recovery_code WHERE user_id = :user AND used_at IS NULL");
    q.Into(count).Use(user);
    q.One();
    return static_cast<int>(count);
  }

  std::vector<domain::UserId> EnrolledUsers() override {
    long long user = 0;
    std::vector<domain::UserId> out;
    Query q(sql_, "SELECT user_id FROM user_totp WHERE confirmed_at IS NOT NULL ORDER BY user_id");
    q.Into(user);
    q.ForEach([&] { out.push_back(user); });
    return out;
  }

 private:
  soci::session& sql_;
};

}  // namespace

std::unique_ptr<service::OidcLoginRepository> MakeOidcLoginRepository(soci::session& sql) {
  return std::make_unique<SqlOidcLoginRepository>(sql);
}

std::unique_ptr<service::TwoFactorRepository> MakeTwoFactorRepository(soci::session& sql) {
  return std::make_unique<SqlTwoFactorRepository>(sql);
}

std::unique_ptr<service::SessionRepository> MakeSessionRepository(soci::session& sql) {
  return std::make_unique<SqlSessionRepository>(sql);
}

std::unique_ptr<service::ThrottleRepository> MakeThrottleRepository(soci::session& sql) {
  return std::make_unique<SqlThrottleRepository>(sql);
}

}  // namespace allervers::storage
