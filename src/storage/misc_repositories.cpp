#include <soci/soci.h>

#include <algorithm>
#include <sstream>

#include "storage/sql_query.hpp"
#include "storage/sql_tx.hpp"

namespace allervers::storage {
namespace {

std::vector<std::string> SplitSpaces(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (ss >> item) {
    out.push_back(item);
  }
  return out;
}

class SqlApiTokenRepository final : public service::ApiTokenRepository {
 public:
  explicit SqlApiTokenRepository(soci::session& sql) : sql_(sql) {}

  std::int64_t Insert(const service::ApiTokenRecord& rec, const std::string& digest) override {
    long long id = 0;
    const long long st = rec.structure_id;
    std::string scopes;
    for (const auto& s : rec.scopes) {
      scopes += (scopes.empty() ? "" : " ") + s;
    }
    const long long at = ToEpoch(rec.created_at);
    Query q(sql_,
            "INSERT INTO api_token (structure_id, label, token_digest, token_hint, scopes, "
            "created_at, created_by) "
            "VALUES (:st, :l, :d, :h, :sc, :at, :by) RETURNING id");
    q.Use(st)
        .Use(rec.label)
        .Use(digest)
        .Use(rec.hint)
        .Use(scopes)
        .Use(at)
        .Use(rec.created_by)
        .Into(id);
    q.One();
    return id;
  }

  std::optional<service::ApiTokenRecord> FindByDigest(std::string_view digest) override {
    const std::string d(digest);
    auto all = Select("WHERE t.token_digest = :d", [&](Query& q) { q.Use(d); });
    return all.empty() ? std::nullopt : std::optional(all.front());
  }

  std::optional<service::ApiTokenRecord> Find(std::int64_t id) override {
    const long long key = id;
    auto all = Select("WHERE t.id = :id", [&](Query& q) { q.Use(key); });
    return all.empty() ? std::nullopt : std::optional(all.front());
  }

  std::vector<service::ApiTokenRecord> List() override {
    return Select("ORDER BY t.revoked_at IS NOT NULL, t.created_at DESC", [](Query&) {});
  }

  void Revoke(std::int64_t id, Instant now) override {
    const long long key = id;
    const long long at = ToEpoch(now);
    Query q(sql_, "UPDATE api_token SET revoked_at = :at WHERE id = :id AND revoked_at IS NULL");
    q.Use(at).Use(key);
    q.Run();
  }

  void Touch(std::int64_t id, Instant now) override {
    const long long key = id;
    const long long at = ToEpoch(now);
    Query q(sql_, "UPDATE api_token SET last_used_at = :at WHERE id = :id");
    q.Use(at).Use(key);
    q.Run();
  }

 private:
  template <class BindUses>
  std::vector<service::ApiTokenRecord> Select(const std::string& tail, BindUses bind_uses) {
    std::vector<service::ApiTokenRecord> out;
    service::ApiTokenRecord r;
    long long id = 0, st = 0, created = 0, used = 0, revoked = 0;
    soci::indicator used_ind = soci::i_ok, revoked_ind = soci::i_ok;
    std::string scopes;
    Query q(sql_,
            "SELECT t.id, t.structure_id, s.code, s.name, t.label, t.token_hint, t.scopes, "
            "t.created_at, "
            "t.created_by, t.last_used_at, t.revoked_at FROM api_token t JOIN structure s ON s.id "
            "= t.structure_id " +
                tail);
    q.Into(id)
        .Into(st)
        .Into(r.structure_code)
        .Into(r.structure_name)
        .Into(r.label)
        .Into(r.hint)
        .Into(scopes);
    q.Into(created).Into(r.created_by).Into(used, used_ind).Into(revoked, revoked_ind);
    bind_uses(q);
    q.ForEach([&] {
      r.id = id;
      r.structure_id = st;
      r.scopes = SplitSpaces(scopes);
      r.created_at = FromEpoch(created);
      r.last_used_at = used_ind == soci::i_ok ? std::optional(FromEpoch(used)) : std::nullopt;
      r.revoked_at = revoked_ind == soci::i_ok ? std::optional(FromEpoch(revoked)) : std::nullopt;
      out.push_back(r);
    });
    return out;
  }

  soci::session& sql_;
};

class SqlIdempotencyRepository final : public service::IdempotencyRepository {
 public:
  explicit SqlIdempotencyRepository(soci::session& sql) : sql_(sql) {}

  std::optional<service::IdempotentResponse> Find(std::int64_t token_id,
                                                  std::string_view key) override {
    const long long t = token_id;
    const std::string k(key);
    service::IdempotentResponse r;
    Query q(sql_,
            "SELECT request_digest, status, body, location FROM idempotency_record WHERE token_id "
            "= :t AND idem_key = :k");
    q.Into(r.request_digest).Into(r.status).Into(r.body).Into(r.location).Use(t).Use(k);
    return q.One() ? std::optional(r) : std::nullopt;
  }

  void Insert(std::int64_t token_id, std::string_view key, const service::IdempotentResponse& r,
              Instant now) override {
    const long long t = token_id;
    const std::string k(key);
    const long long at = ToEpoch(now);
    Query q(sql_,
            "INSERT INTO idempotency_record (token_id, idem_key, request_digest, status, body, "
            "location, created_at) "
            "VALUES (:t, :k, :d, :s, :b, :l, :at)");
    q.Use(t).Use(k).Use(r.request_digest).Use(r.status).Use(r.body).Use(r.location).Use(at);
    q.Run();
  }

 private:
  soci::session& sql_;
};

// The columns of an outbox message, in the order OutboxRow binds them.
constexpr const char* kOutboxColumns =
    "id, channel, recipient, subject, body, dedupe_key, status, attempts, next_attempt_at, "
    "last_error, related_type, related_id, created_at, sent_at, lease_owner, lease_until";

// Receives one outbox row at a time (static binding, nullable columns with indicators).
struct OutboxRow {
  service::OutboxMessage m;
  long long id = 0, next = 0, created = 0, sent = 0, until = 0;
  std::string owner;
  soci::indicator sent_ind = soci::i_ok, owner_ind = soci::i_ok, until_ind = soci::i_ok;

  void Bind(Query& q) {
    q.Into(id).Into(m.channel).Into(m.recipient).Into(m.subject).Into(m.body).Into(m.dedupe_key);
    q.Into(m.status).Into(m.attempts).Into(next).Into(m.last_error).Into(m.related_type);
    q.Into(m.related_id).Into(created).Into(sent, sent_ind).Into(owner, owner_ind);
    q.Into(until, until_ind);
  }

  service::OutboxMessage Get() const {
    service::OutboxMessage out = m;
    out.id = id;
    out.next_attempt_at = FromEpoch(next);
    out.created_at = FromEpoch(created);
    out.sent_at = sent_ind == soci::i_ok ? std::optional(FromEpoch(sent)) : std::nullopt;
    out.lease_owner = owner_ind == soci::i_ok ? owner : std::string();
    out.lease_until = until_ind == soci::i_ok ? std::optional(FromEpoch(until)) : std::nullopt;
    return out;
  }
};

// Number of characters (code points) of a UTF-8 string, as SQL substr() counts them.
long long Utf8Length(std::string_view s) {
  long long n = 0;
  for (const char c : s) {
    n += (static_cast<unsigned char>(c) & 0xC0U) != 0x80U ? 1 : 0;
  }
  return n;
}

class SqlOutboxRepository final : public service::OutboxRepository {
 public:
  explicit SqlOutboxRepository(soci::session& sql) : sql_(sql) {}

  bool Enqueue(const service::OutboxMessage& m) override {
    const long long next = ToEpoch(m.next_attempt_at);
    const long long created = ToEpoch(m.created_at);
    Query q(sql_,
            "INSERT INTO outbox_message (channel, recipient, subject, body, dedupe_key, status, "
            "attempts, "
            "next_attempt_at, related_type, related_id, created_at) VALUES (:c, :r, :s, :b, :d, "
            "'pending', 0, :n, "
            ":rt, :ri, :at) ON CONFLICT (dedupe_key) DO NOTHING");
    q.Use(m.channel).Use(m.recipient).Use(m.subject).Use(m.body).Use(m.dedupe_key).Use(next);
    q.Use(m.related_type).Use(m.related_id).Use(created);
    return q.Run() == 1;
  }

  std::vector<service::OutboxMessage> ForRelated(std::string_view type,
                                                 std::string_view id) override {
    const std::string t(type);
    const std::string i(id);
    return Select("WHERE related_type = :t AND related_id = :i ORDER BY id",
                  [&](Query& q) { q.Use(t).Use(i); });
  }

  std::vector<service::OutboxMessage> LeaseDue(Instant now, std::string_view owner,
                                               std::chrono::seconds lease, int limit,
                                               const std::vector<std::string>& channels) override {
    if (channels.empty() || limit <= 0) {
      return {};
    }
    const std::string o(owner);
    const long long at = ToEpoch(now);
    const long long expired_before = at;
    const long long until = at + lease.count();
    const int n = limit;
    std::string in;
    for (std::size_t i = 0; i < channels.size(); ++i) {
      in += (i == 0 ? ":c" : ", :c") + std::to_string(i);
    }
    // PostgreSQL: SKIP LOCKED lets concurrent dispatchers lease disjoint rows without waiting;
    // a row another transaction just leased fails the re-checked WHERE. SQLite: the caller's
    // BEGIN IMMEDIATE serialises the whole statement.
    const bool postgres = sql_.get_backend_name() == "postgresql";
    const std::string text =
        std::string("UPDATE outbox_message SET status = 'sending', lease_owner = :o, ") +
        "lease_until = :u, attempts = attempts + 1 WHERE id IN (SELECT id FROM outbox_message " +
        "WHERE channel IN (" + in + ") AND ((status = 'pending' AND next_attempt_at <= :now) " +
        "OR (status = 'sending' AND lease_until <= :expired)) ORDER BY next_attempt_at, id " +
        "LIMIT :n" + (postgres ? " FOR UPDATE SKIP LOCKED" : "") + ") RETURNING " + kOutboxColumns;
    std::vector<service::OutboxMessage> out;
    OutboxRow row;
    Query q(sql_, text);
    row.Bind(q);
    q.Use(o).Use(until);
    for (const std::string& c : channels) {
      q.Use(c);
    }
    q.Use(at).Use(expired_before).Use(n);
    q.ForEach([&] { out.push_back(row.Get()); });
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return a.id < b.id; });  // RETURNING is unordered
    return out;
  }

  bool MarkSent(std::int64_t id, std::string_view owner, Instant now) override {
    const long long key = id;
    const std::string o(owner);
    const long long at = ToEpoch(now);
    // A message cancelled while it was being sent still ends 'sent': it was.
    Query q(sql_,
            "UPDATE outbox_message SET status = 'sent', sent_at = :at, last_error = '', "
            "lease_owner = NULL, lease_until = NULL "
            "WHERE id = :id AND lease_owner = :o AND status IN ('sending', 'cancelled')");
    q.Use(at).Use(key).Use(o);
    return q.Run() == 1;
  }

  bool MarkRetry(std::int64_t id, std::string_view owner, std::string_view error,
                 Instant next_attempt_at) override {
    const long long key = id;
    const std::string o(owner);
    const std::string e(error);
    const long long next = ToEpoch(next_attempt_at);
    Query q(sql_,
            "UPDATE outbox_message SET status = 'pending', next_attempt_at = :n, last_error = :e, "
            "lease_owner = NULL, lease_until = NULL "
            "WHERE id = :id AND lease_owner = :o AND status = 'sending'");
    q.Use(next).Use(e).Use(key).Use(o);
    return q.Run() == 1;
  }

  bool MarkFailed(std::int64_t id, std::string_view owner, std::string_view error) override {
    const long long key = id;
    const std::string o(owner);
    const std::string e(error);
    Query q(sql_,
            "UPDATE outbox_message SET status = 'failed', last_error = :e, lease_owner = NULL, "
            "lease_until = NULL WHERE id = :id AND lease_owner = :o AND status = 'sending'");
    q.Use(e).Use(key).Use(o);
    return q.Run() == 1;
  }

  bool Release(std::int64_t id, std::string_view owner) override {
    const long long key = id;
    const std::string o(owner);
    Query q(sql_,
            "UPDATE outbox_message SET status = 'pending', attempts = attempts - 1, "
            "lease_owner = NULL, lease_until = NULL "
            "WHERE id = :id AND lease_owner = :o AND status = 'sending' AND attempts > 0");
    q.Use(key).Use(o);
    return q.Run() == 1;
  }

  int CancelPending(std::string_view related_type, std::string_view related_id,
                    std::string_view dedupe_prefix) override {
    const std::string t(related_type);
    const std::string i(related_id);
    const std::string p(dedupe_prefix);
    const long long length = Utf8Length(p);
    // substr() rather than LIKE, whose wildcards a prefix could contain.
    Query q(sql_,
            "UPDATE outbox_message SET status = 'cancelled' WHERE related_type = :t AND "
            "related_id = :i AND status IN ('pending', 'sending') "
            "AND substr(dedupe_key, 1, :len) = :p");
    q.Use(t).Use(i).Use(length).Use(p);
    return static_cast<int>(q.Run());
  }

  service::OutboxCounts Counts() override {
    service::OutboxCounts counts;
    std::string status;
    long long n = 0;
    Query q(sql_, "SELECT status, COUNT(*) FROM outbox_message GROUP BY status");
    q.Into(status).Into(n);
    q.ForEach([&] {
      if (status == "pending") {
        counts.pending = n;
      } else if (status == "sending") {
        counts.sending = n;
      } else if (status == "sent") {
        counts.sent = n;
      } else if (status == "failed") {
        counts.failed = n;
      } else if (status == "cancelled") {
        counts.cancelled = n;
      }
    });
    return counts;
  }

  long long CountPending(std::string_view channel) override {
    const std::string c(channel);
    long long n = 0;
    Query q(sql_, "SELECT COUNT(*) FROM outbox_message WHERE status = 'pending' AND channel = :c");
    q.Into(n).Use(c);
    q.One();
    return n;
  }

  std::vector<service::OutboxMessage> List(std::string_view status, int limit) override {
    const std::string s(status);
    const int n = limit;
    if (s.empty()) {
      return Select("ORDER BY id DESC LIMIT :n", [&](Query& q) { q.Use(n); });
    }
    return Select("WHERE status = :s ORDER BY id DESC LIMIT :n",
                  [&](Query& q) { q.Use(s).Use(n); });
  }

  std::optional<service::OutboxMessage> Find(std::int64_t id) override {
    const long long key = id;
    auto all = Select("WHERE id = :id", [&](Query& q) { q.Use(key); });
    return all.empty() ? std::nullopt : std::optional(all.front());
  }

 private:
  template <class BindUses>
  std::vector<service::OutboxMessage> Select(const std::string& tail, BindUses bind_uses) {
    std::vector<service::OutboxMessage> out;
    OutboxRow row;
    Query q(sql_, std::string("SELECT ") + kOutboxColumns + " FROM outbox_message " + tail);
    row.Bind(q);
    bind_uses(q);
    q.ForEach([&] { out.push_back(row.Get()); });
    return out;
  }

  soci::session& sql_;
};

class SqlImportRepository final : public service::ImportRepository {
 public:
  explicit SqlImportRepository(soci::session& sql) : sql_(sql) {}

  std::int64_t Insert(const service::ImportBatch& b) override {
    long long id = 0;
    const long long user = b.user_id;
    const long long st = b.structure_id;
    const long long at = ToEpoch(b.created_at);
    Query q(sql_,
            "INSERT INTO import_batch (user_id, structure_id, filename, content, created_at) "
            "VALUES (:u, :s, :f, :c, :at) RETURNING id");
    q.Use(user).Use(st).Use(b.filename).Use(b.content).Use(at).Into(id);
    q.One();
    return id;
  }

  std::optional<service::ImportBatch> Find(std::int64_t id) override {
    const long long key = id;
    service::ImportBatch b;
    long long user = 0, st = 0, at = 0;
    Query q(sql_,
            "SELECT id, user_id, structure_id, filename, content, created_at FROM import_batch "
            "WHERE id = :id");
    q.Into(b.id).Into(user).Into(st).Into(b.filename).Into(b.content).Into(at).Use(key);
    if (!q.One()) {
      return std::nullopt;
    }
    b.user_id = user;
    b.structure_id = st;
    b.created_at = FromEpoch(at);
    return b;
  }

  void Delete(std::int64_t id) override {
    const long long key = id;
    Query q(sql_, "DELETE FROM import_batch WHERE id = :id");
    q.Use(key);
    q.Run();
  }

  int DeleteOlderThan(Instant before) override {
    const long long at = ToEpoch(before);
    Query q(sql_, "DELETE FROM import_batch WHERE created_at < :at");
    q.Use(at);
    return static_cast<int>(q.Run());
  }

 private:
  soci::session& sql_;
};

class SqlSettingRepository final : public service::SettingRepository {
 public:
  explicit SqlSettingRepository(soci::session& sql) : sql_(sql) {}

  std::optional<std::string> Get(std::string_view key) override {
    const std::string k(key);
    std::string value;
    Query q(sql_, "SELECT value FROM setting WHERE key = :k");
    q.Into(value).Use(k);
    return q.One() ? std::optional(value) : std::nullopt;
  }

  void Put(std::string_view key, std::string_view value, Instant now,
           std::string_view by) override {
    const std::string k(key);
    const std::string v(value);
    const std::string b(by);
    const long long at = ToEpoch(now);
    Query q(sql_,
            "INSERT INTO setting (key, value, updated_at, updated_by) VALUES (:k, :v, :at, :b) ON "
            "CONFLICT (key) DO "
            "UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = "
            "excluded.updated_by");
    q.Use(k).Use(v).Use(at).Use(b);
    q.Run();
  }

 private:
  soci::session& sql_;
};

class SqlJobLeaseRepository final : public service::JobLeaseRepository {
 public:
  explicit SqlJobLeaseRepository(soci::session& sql) : sql_(sql) {}

  bool TryTake(std::string_view name, std::string_view owner, Instant now, Instant until) override {
    const std::string job(name);
    const std::string who(owner);
    const long long at = ToEpoch(now);
    const long long end = ToEpoch(until);
    // One statement: the row's lock (PostgreSQL) or the write lock (SQLite) makes it atomic.
    Query q(sql_,
            "UPDATE job_lease SET owner = :o, lease_until = :u WHERE name = :n AND "
            "(lease_until <= :now OR owner = :same)");
    q.Use(who).Use(end).Use(job).Use(at).Use(who);
    return q.Run() == 1;
  }

  void Release(std::string_view name, std::string_view owner) override {
    const std::string job(name);
    const std::string who(owner);
    Query q(sql_,
            "UPDATE job_lease SET owner = '', lease_until = 0 WHERE name = :n AND owner = :o");
    q.Use(job).Use(who);
    q.Run();
  }

 private:
  soci::session& sql_;
};

}  // namespace

std::unique_ptr<service::ApiTokenRepository> MakeApiTokenRepository(soci::session& sql) {
  return std::make_unique<SqlApiTokenRepository>(sql);
}
std::unique_ptr<service::IdempotencyRepository> MakeIdempotencyRepository(soci::session& sql) {
  return std::make_unique<SqlIdempotencyRepository>(sql);
}
std::unique_ptr<service::OutboxRepository> MakeOutboxRepository(soci::session& sql) {
  return std::make_unique<SqlOutboxRepository>(sql);
}
std::unique_ptr<service::ImportRepository> MakeImportRepository(soci::session& sql) {
  return std::make_unique<SqlImportRepository>(sql);
}
std::unique_ptr<service::SettingRepository> MakeSettingRepository(soci::session& sql) {
  return std::make_unique<SqlSettingRepository>(sql);
}

std::unique_ptr<service::JobLeaseRepository> MakeJobLeaseRepository(soci::session& sql) {
  return std::make_unique<SqlJobLeaseRepository>(sql);
}

}  // namespace allervers::storage
