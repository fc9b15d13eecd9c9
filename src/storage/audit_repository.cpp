#include <soci/soci.h>

#include "storage/sql_query.hpp"
#include "storage/sql_tx.hpp"

namespace allervers::storage {
namespace {

class SqlAuditRepository final : public service::AuditRepository {
 public:
  explicit SqlAuditRepository(soci::session& sql) : sql_(sql) {}

  void Append(const service::AuditEvent& e) override {
    const long long at = ToEpoch(e.at);
    const long long actor = e.actor_user_id.value_or(0);
    soci::indicator actor_ind = e.actor_user_id ? soci::i_ok : soci::i_null;
    Query q(
        sql_,
        "INSERT INTO audit_event (at, actor_user_id, actor_label, action, record_type, record_id, "
        "outcome, request_id, ip, detail) VALUES (:at, :actor, :label, :action, :rtype, :rid, "
        ":outcome, :request, :ip, :detail)");
    q.Use(at)
        .Use(actor, actor_ind)
        .Use(e.actor_label)
        .Use(e.action)
        .Use(e.record_type)
        .Use(e.record_id);
    q.Use(e.outcome).Use(e.request_id).Use(e.ip).Use(e.detail);
    q.Run();
  }

  std::vector<service::AuditEvent> List(const service::AuditFilter& filter) override {
    std::vector<service::AuditEvent> out;
    service::AuditEvent e;
    long long id = 0;
    long long at = 0;
    long long actor = 0;
    soci::indicator actor_ind = soci::i_ok;
    const std::string rtype = filter.record_type.value_or("");
    const int any_rtype = filter.record_type ? 0 : 1;
    const std::string rid = filter.record_id.value_or("");
    const int any_rid = filter.record_id ? 0 : 1;
    const long long actor_filter = filter.actor_user_id.value_or(0);
    const int any_actor = filter.actor_user_id ? 0 : 1;
    const int limit = filter.limit;
    const int offset = filter.offset;
    Query q(sql_,
            "SELECT id, at, actor_user_id, actor_label, action, record_type, record_id, outcome, "
            "request_id, ip, detail FROM audit_event "
            "WHERE (:any_rtype = 1 OR record_type = :rtype) AND (:any_rid = 1 OR record_id = :rid) "
            "AND (:any_actor = 1 OR actor_user_id = :actor) ORDER BY id DESC LIMIT :limit OFFSET "
            ":offset");
    q.Into(id)
        .Into(at)
        .Into(actor, actor_ind)
        .Into(e.actor_label)
        .Into(e.action)
        .Into(e.record_type);
    q.Into(e.record_id).Into(e.outcome).Into(e.request_id).Into(e.ip).Into(e.detail);
    q.Use(any_rtype)
        .Use(rtype)
        .Use(any_rid)
        .Use(rid)
        .Use(any_actor)
        .Use(actor_filter)
        .Use(limit)
        .Use(offset);
    q.ForEach([&] {
      e.id = id;
      e.at = FromEpoch(at);
      e.actor_user_id = Nullable(actor, actor_ind);
      out.push_back(e);
    });
    return out;
  }

 private:
  soci::session& sql_;
};

}  // namespace

std::unique_ptr<service::AuditRepository> MakeAuditRepository(soci::session& sql) {
  return std::make_unique<SqlAuditRepository>(sql);
}

}  // namespace allervers::storage
