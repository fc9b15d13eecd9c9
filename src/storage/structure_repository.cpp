#include <soci/soci.h>

#include "storage/sql_query.hpp"
#include "storage/sql_tx.hpp"

namespace allervers::storage {
namespace {

using domain::Structure;
using domain::StructureId;

constexpr const char* kSelect =
    "SELECT id, code, name, kind, territory, active, created_at FROM structure ";

struct Row {
  long long id = 0;
  std::string code, name, kind, territory;
  int active = 1;
  long long created_at = 0;

  void Bind(Query& q) {
    q.Into(id).Into(code).Into(name).Into(kind).Into(territory).Into(active).Into(created_at);
  }
  Structure ToStructure() const {
    Structure s;
    s.id = id;
    s.code = code;
    s.name = name;
    s.kind = domain::ParseStructureKind(kind).value_or(domain::StructureKind::kPartenaire);
    s.territory = territory;
    s.active = active != 0;
    s.created_at = FromEpoch(created_at);
    return s;
  }
};

class SqlStructureRepository final : public service::StructureRepository {
 public:
  explicit SqlStructureRepository(soci::session& sql) : sql_(sql) {}

  StructureId Insert(const domain::StructureInput& in, Instant now) override {
    long long id = 0;
    const long long created = ToEpoch(now);
    Query q(sql_,
            "INSERT INTO structure (code, name, kind, territory, active, created_at) "
            "VALUES (:code, :name, :kind, :territory, TRUE, :created) RETURNING id");
    q.Use(in.code).Use(in.name).Use(in.kind).Use(in.territory).Use(created).Into(id);
    q.One();
    return id;
  }

  void Update(StructureId id, const domain::StructureInput& in) override {
    const long long key = id;
    Query q(sql_,
            "UPDATE structure SET code = :code, name = :name, kind = :kind, territory = :territory "
            "WHERE id = :id");
    q.Use(in.code).Use(in.name).Use(in.kind).Use(in.territory).Use(key);
    q.Run();
  }

  void SetActive(StructureId id, bool active) override {
    const int flag = active ? 1 : 0;
    const long long key = id;
    Query q(sql_, "UPDATE structure SET active = :active WHERE id = :id");
    q.Use(flag).Use(key);
    q.Run();
  }

  std::optional<Structure> FindById(StructureId id) override {
    const long long key = id;
    Row r;
    Query q(sql_, std::string(kSelect) + "WHERE id = :id");
    r.Bind(q);
    q.Use(key);
    return q.One() ? std::optional(r.ToStructure()) : std::nullopt;
  }

  std::optional<Structure> FindByCode(std::string_view code) override {
    const std::string key(code);
    Row r;
    Query q(sql_, std::string(kSelect) + "WHERE code = :code");
    r.Bind(q);
    q.Use(key);
    return q.One() ? std::optional(r.ToStructure()) : std::nullopt;
  }

  std::vector<Structure> List() override {
    std::vector<Structure> out;
    Row r;
    Query q(sql_, std::string(kSelect) + "ORDER BY kind, name");
    r.Bind(q);
    q.ForEach([&] { out.push_back(r.ToStructure()); });
    return out;
  }

 private:
  soci::session& sql_;
};

}  // namespace

std::unique_ptr<service::StructureRepository> MakeStructureRepository(soci::session& sql) {
  return std::make_unique<SqlStructureRepository>(sql);
}

}  // namespace allervers::storage
