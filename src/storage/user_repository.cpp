#include <soci/soci.h>

#include "storage/sql_query.hpp"
#include "storage/sql_tx.hpp"

namespace allervers::storage {
namespace {

using domain::User;
using domain::UserId;

constexpr const char* kSelect =
    "SELECT u.id, u.email, u.display_name, u.role, u.structure_id, s.name, s.kind, u.fte, "
    "u.active, "
    "u.must_change_password, u.created_at, u.last_sign_in_at "
    "FROM app_user u LEFT JOIN structure s ON s.id = u.structure_id ";

struct Row {
  long long id = 0;
  std::string email, display_name, role;
  long long structure_id = 0;
  soci::indicator structure_ind = soci::i_ok;
  std::string structure_name;
  soci::indicator structure_name_ind = soci::i_ok;
  std::string structure_kind;
  soci::indicator structure_kind_ind = soci::i_ok;
  double fte = 0;
  soci::indicator fte_ind = soci::i_ok;
  int active = 1;
  int must_change = 0;
  long long created_at = 0;
  long long last_sign_in = 0;
  soci::indicator last_sign_in_ind = soci::i_ok;

  void Bind(Query& q) {
    q.Into(id).Into(email).Into(display_name).Into(role).Into(structure_id, structure_ind);
    q.Into(structure_name, structure_name_ind)
        .Into(structure_kind, structure_kind_ind)
        .Into(fte, fte_ind);
    q.Into(active).Into(must_change).Into(created_at).Into(last_sign_in, last_sign_in_ind);
  }

  User ToUser() const {
    User u;
    u.id = id;
    u.email = email;
    u.display_name = display_name;
    u.role = domain::ParseRole(role).value_or(domain::Role::kIntervenant);
    if (structure_ind == soci::i_ok) {
      u.structure_id = structure_id;
      u.structure_name = structure_name_ind == soci::i_ok ? structure_name : "";
      if (structure_kind_ind == soci::i_ok) {
        u.structure_kind = domain::ParseStructureKind(structure_kind);
      }
    }
    u.fte = Nullable(fte, fte_ind);
    u.active = active != 0;
    u.must_change_password = must_change != 0;
    u.created_at = FromEpoch(created_at);
    if (last_sign_in_ind == soci::i_ok) {
      u.last_sign_in_at = FromEpoch(last_sign_in);
    }
    return u;
  }
};

class SqlUserRepository final : public service::UserRepository {
 public:
  explicit SqlUserRepository(soci::session& sql) : sql_(sql) {}

  UserId Insert(const service::NewUserRecord& rec) override {
    long long id = 0;
    const std::string role(domain::RoleCode(rec.role));
    const long long structure_id = rec.structure_id.value_or(0);
    soci::indicator structure_ind = rec.structure_id ? soci::i_ok : soci::i_null;
    const double fte = rec.fte.value_or(0);
    soci::indicator fte_ind = rec.fte ? soci::i_ok : soci::i_null;
    const int must_change = rec.must_change_password ? 1 : 0;
    const long long created = ToEpoch(rec.created_at);
    Query q(sql_,
            "INSERT INTO app_user (email, display_name, role, structure_id, fte, active, "
            "must_change_password, password_hash, password_changed_at, created_at) "
            "VALUES (:email, :name, :role, :structure, :fte, TRUE, :must_change, :hash, :changed, "
            ":created) "
            "RETURNING id");
    q.Use(rec.email)
        .Use(rec.display_name)
        .Use(role)
        .Use(structure_id, structure_ind)
        .Use(fte, fte_ind);
    q.Use(must_change).Use(rec.password_hash).Use(created).Use(created).Into(id);
    q.One();
    return id;
  }

  void Update(UserId id, const service::UserUpdate& upd) override {
    const std::string role(domain::RoleCode(upd.role));
    const long long structure_id = upd.structure_id.value_or(0);
    soci::indicator structure_ind = upd.structure_id ? soci::i_ok : soci::i_null;
    const double fte = upd.fte.value_or(0);
    soci::indicator fte_ind = upd.fte ? soci::i_ok : soci::i_null;
    const long long key = id;
    Query q(sql_,
            "UPDATE app_user SET email = :email, display_name = :name, role = :role, "
            "structure_id = :structure, fte = :fte WHERE id = :id");
    q.Use(upd.email)
        .Use(upd.display_name)
        .Use(role)
        .Use(structure_id, structure_ind)
        .Use(fte, fte_ind);
    q.Use(key);
    q.Run();
  }

  void SetActive(UserId id, bool active) override {
    const int flag = active ? 1 : 0;
    const long long key = id;
    Query q(sql_, "UPDATE app_user SET active = :active WHERE id = :id");
    q.Use(flag).Use(key);
    q.Run();
  }

  void SetPassword(UserId id, const std::string& hash, bool must_change, Instant now) override {
    const int flag = must_change ? 1 : 0;
    const long long changed = ToEpoch(now);
    const long long key = id;
    Query q(sql_,
            "UPDATE app_user SET password_hash = :hash, must_change_password = :must, "
            "password_changed_at = :changed WHERE id = :id");
    q.Use(hash).Use(flag).Use(changed).Use(key);
    q.Run();
  }

  void RecordSignIn(UserId id, Instant now) override {
    const long long at = ToEpoch(now);
    const long long key = id;
    Query q(sql_, "UPDATE app_user SET last_sign_in_at = :at WHERE id = :id");
    q.Use(at).Use(key);
    q.Run();
  }

  std::optional<User> FindById(UserId id) override {
    const long long key = id;
    Row r;
    Query q(sql_, std::string(kSelect) + "WHERE u.id = :id");
    r.Bind(q);
    q.Use(key);
    return q.One() ? std::optional(r.ToUser()) : std::nullopt;
  }

  std::optional<User> FindByEmail(std::string_view normalized_email) override {
    const std::string key(normalized_email);
    Row r;
    Query q(sql_, std::string(kSelect) + "WHERE u.email = :email");
    r.Bind(q);
    q.Use(key);
    return q.One() ? std::optional(r.ToUser()) : std::nullopt;
  }

  std::optional<std::string> PasswordHash(UserId id) override {
    const long long key = id;
    std::string hash;
    Query q(sql_, "SELECT password_hash FROM app_user WHERE id = :id");
    q.Into(hash).Use(key);
    return q.One() ? std::optional(hash) : std::nullopt;
  }

  std::vector<User> List(const service::UserFilter& filter) override {
    std::vector<User> out;
    Row r;
    const long long structure_id = filter.structure_id.value_or(0);
    const int all = filter.structure_id ? 0 : 1;
    Query q(sql_, std::string(kSelect) +
                      "WHERE (:all = 1 OR u.structure_id = :structure) "
                      "ORDER BY u.active DESC, u.display_name, u.id");
    r.Bind(q);
    q.Use(all).Use(structure_id);
    q.ForEach([&] { out.push_back(r.ToUser()); });
    return out;
  }

 private:
  soci::session& sql_;
};

}  // namespace

std::unique_ptr<service::UserRepository> MakeUserRepository(soci::session& sql) {
  return std::make_unique<SqlUserRepository>(sql);
}

}  // namespace allervers::storage
