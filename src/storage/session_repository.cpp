#include <soci/soci.h>

#include "storage/sql_query.hpp"
#include "storage/sql_tx.hpp"

namespace allervers::storage {
namespace {

class SqlSessionRepository final : public service::SessionRepository {
 public:
  explicit SqlSessionRepository(soci::session& sql) : sql_(sql) {}

  void Insert(const service::SessionRecord& rec) override {
    const long long user = rec.user_id;
    const long long created = ToEpoch(rec.created_at);
    const long long seen = ToEpoch(rec.last_seen_at);
    Query q(
        sql_,
        "INSERT INTO user_session (id_digest, user_id, csrf_token, created_at, last_seen_at, ip) "
        "VALUES (:id, :user, :csrf, :created, :seen, :ip)");
    q.Use(rec.id_digest).Use(user).Use(rec.csrf_token).Use(created).Use(seen).Use(rec.ip);
    q.Run();
  }

  std::optional<service::SessionRecord> Find(std::string_view id_digest) override {
    const std::string key(id_digest);
    service::SessionRecord rec;
    long long user = 0;
    long long created = 0;
    long long seen = 0;
    Query q(sql_,
            "SELECT id_digest, user_id, csrf_token, created_at, last_seen_at, ip FROM user_session "
            "WHERE id_digest = :id");
    q.Into(rec.id_digest)
        .Into(user)
        .Into(rec.csrf_token)
        .Into(created)
        .Into(seen)
        .Into(rec.ip)
        .Use(key);
    if (!q.One()) {
      return std::nullopt;
    }
    rec.user_id = user;
    rec.created_at = FromEpoch(created);
    rec.last_seen_at = FromEpoch(seen);
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

}  // namespace

std::unique_ptr<service::SessionRepository> MakeSessionRepository(soci::session& sql) {
  return std::make_unique<SqlSessionRepository>(sql);
}

std::unique_ptr<service::ThrottleRepository> MakeThrottleRepository(soci::session& sql) {
  return std::make_unique<SqlThrottleRepository>(sql);
}

}  // namespace allervers::storage
