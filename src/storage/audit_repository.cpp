#include <fmt/format.h>
#include <soci/soci.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <string_view>

#include "common/error.hpp"
#include "storage/sql_query.hpp"
#include "storage/sql_tx.hpp"

namespace allervers::storage {
namespace {

constexpr int kVerifyBatch = 5000;

void AddField(std::string& out, std::string_view value) {
  out += std::to_string(value.size());
  out += ':';
  out += value;
  out += '\n';
}

/// SHA-256 in hex over the previous row's hash and every column but the id, each written as
/// its length, a colon and its bytes, so that no two different rows give the same input.
std::string RowHash(std::string_view prev_hash, long long at, const std::optional<long long>& actor,
                    const service::AuditEvent& e) {
  std::string input = "allervers-audit-v1\n";
  AddField(input, prev_hash);
  AddField(input, std::to_string(at));
  AddField(input, actor ? std::to_string(*actor) : std::string());
  AddField(input, e.actor_label);
  AddField(input, e.action);
  AddField(input, e.record_type);
  AddField(input, e.record_id);
  AddField(input, e.outcome);
  AddField(input, e.request_id);
  AddField(input, e.ip);
  AddField(input, e.detail);
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(input.data()),
                     input.size());
  std::array<char, crypto_hash_sha256_BYTES * 2 + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  return {hex.data()};
}

struct Head {
  long long last_id = 0;
  std::string last_hash;
  std::string base_hash;
  long long purged_before_id = 0;
};

class SqlAuditRepository final : public ChainedAuditRepository {
 public:
  SqlAuditRepository(soci::session& sql, Backend backend) : sql_(sql), backend_(backend) {}

  void Append(const service::AuditEvent& e) override { pending_.push_back(e); }

  bool HasPending() const override { return !pending_.empty(); }

  void Flush() override {
    if (pending_.empty()) {
      return;
    }
    // The head is locked until commit (PostgreSQL; SQLite holds the write lock already), so
    // rows are chained one transaction after the other, in the order of their ids.
    Head head = ReadHead(true);
    for (const auto& e : pending_) {
      const long long at = ToEpoch(e.at);
      const std::optional<long long> actor =
          e.actor_user_id ? std::optional<long long>(*e.actor_user_id) : std::nullopt;
      const long long actor_value = actor.value_or(0);
      soci::indicator actor_ind = actor ? soci::i_ok : soci::i_null;
      const std::string prev = head.last_hash;
      const std::string hash = RowHash(prev, at, actor, e);
      long long id = 0;
      Query q(sql_,
              "INSERT INTO audit_event (at, actor_user_id, actor_label, action, record_type, "
              "record_id, outcome, request_id, ip, detail, prev_hash, row_hash) VALUES (:at, "
              ":actor, :label, :action, :rtype, :rid, :outcome, :request, :ip, :detail, :prev, "
              ":hash) RETURNING id");
      q.Into(id);
      q.Use(at)
          .Use(actor_value, actor_ind)
          .Use(e.actor_label)
          .Use(e.action)
          .Use(e.record_type)
          .Use(e.record_id);
      q.Use(e.outcome).Use(e.request_id).Use(e.ip).Use(e.detail).Use(prev).Use(hash);
      q.One();
      head.last_id = id;
      head.last_hash = hash;
    }
    pending_.clear();
    Query q(sql_, "UPDATE audit_chain SET last_id = :id, last_hash = :hash WHERE id = 1");
    q.Use(head.last_id).Use(head.last_hash);
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

  std::vector<service::CaseConsultation> Consultations(domain::PersonId person,
                                                       domain::StructureId structure,
                                                       int limit) override {
    std::vector<service::CaseConsultation> out;
    service::CaseConsultation c;
    long long at = 0;
    std::string label;
    std::string name;
    std::string role;
    std::string structure_name;
    soci::indicator name_ind = soci::i_ok;
    soci::indicator role_ind = soci::i_ok;
    soci::indicator structure_ind = soci::i_ok;
    const std::string person_id = std::to_string(person);
    const long long p = person;
    const long long s1 = structure;
    const long long s2 = structure;
    const long long p2 = person;
    const long long s3 = structure;
    // What counts as consulting the file: opening a page of it (actions "*.read"), printing
    // one of its letters, copying the person's data. The team sees its own members' openings
    // of the person and anyone's of its cases, never another team's.
    Query q(sql_,
            "SELECT a.at, a.actor_label, u.display_name, u.role, st.name, a.action, a.detail "
            "FROM audit_event a LEFT JOIN app_user u ON u.id = a.actor_user_id "
            "LEFT JOIN structure st ON st.id = u.structure_id "
            "WHERE (a.action LIKE '%.read' OR a.action IN ('appointment.letter', "
            "'referral.closure_letter', 'person.access_export', 'person.privacy_notice_print')) "
            "AND ((a.record_type = 'person' AND a.record_id = :person AND u.structure_id = :s1) "
            "OR (a.record_type = 'referral' AND a.record_id IN (SELECT CAST(r.id AS TEXT) FROM "
            "referral r WHERE r.person_id = :p AND r.operator_id = :s2)) "
            "OR (a.record_type = 'appointment' AND a.record_id IN (SELECT CAST(ap.id AS TEXT) "
            "FROM appointment ap JOIN referral r2 ON r2.id = ap.referral_id WHERE r2.person_id "
            "= :p2 AND r2.operator_id = :s3))) "
            "ORDER BY a.id DESC LIMIT :limit");
    q.Into(at)
        .Into(label)
        .Into(name, name_ind)
        .Into(role, role_ind)
        .Into(structure_name, structure_ind)
        .Into(c.action)
        .Into(c.detail);
    q.Use(person_id).Use(s1).Use(p).Use(s2).Use(p2).Use(s3).Use(limit);
    q.ForEach([&] {
      c.at = FromEpoch(at);
      c.who = name_ind == soci::i_null ? label : name;
      c.role = role_ind == soci::i_null ? std::string() : role;
      c.structure = structure_ind == soci::i_null ? std::string() : structure_name;
      out.push_back(c);
    });
    return out;
  }

  service::AuditChainReport Verify() override {
    service::AuditChainReport report;
    const Head head = ReadHead(false);
    report.purged_before_id = head.purged_before_id;
    std::string expected_prev = head.base_hash;
    long long cursor = 0;
    bool started = false;
    const auto fail = [&](long long id, std::string problem) {
      report.intact = false;
      report.broken_at_id = id;
      report.problem = std::move(problem);
    };
    for (bool more = true; more && report.intact;) {
      service::AuditEvent e;
      long long id = 0;
      long long at = 0;
      long long actor = 0;
      std::string prev;
      std::string hash;
      soci::indicator actor_ind = soci::i_ok;
      soci::indicator prev_ind = soci::i_ok;
      soci::indicator hash_ind = soci::i_ok;
      const int batch = kVerifyBatch;
      Query q(sql_,
              "SELECT id, at, actor_user_id, actor_label, action, record_type, record_id, "
              "outcome, request_id, ip, detail, prev_hash, row_hash FROM audit_event WHERE id > "
              ":cursor ORDER BY id LIMIT :batch");
      q.Into(id).Into(at).Into(actor, actor_ind).Into(e.actor_label).Into(e.action);
      q.Into(e.record_type).Into(e.record_id).Into(e.outcome).Into(e.request_id).Into(e.ip);
      q.Into(e.detail).Into(prev, prev_ind).Into(hash, hash_ind);
      q.Use(cursor).Use(batch);
      int rows = 0;
      q.ForEach([&] {
        ++rows;
        cursor = id;
        if (!report.intact) {
          return;
        }
        if (hash_ind == soci::i_null || prev_ind == soci::i_null) {
          if (!started) {
            ++report.legacy_rows;
            return;
          }
          fail(id, fmt::format("La ligne n° {} n’a pas d’empreinte : elle a été ajoutée en dehors "
                               "de l’application.",
                               id));
          return;
        }
        if (!started) {
          report.first_id = id;
          started = true;
        }
        const std::optional<long long> actor_id = Nullable(actor, actor_ind);
        if (RowHash(prev, at, actor_id, e) != hash) {
          fail(id, fmt::format("Le contenu de la ligne n° {} a été modifié après son "
                               "enregistrement.",
                               id));
          return;
        }
        if (prev != expected_prev) {
          fail(id, fmt::format("La ligne n° {} ne suit pas la ligne gardée avant elle : une ou "
                               "plusieurs lignes ont été supprimées ou réécrites juste avant.",
                               id));
          return;
        }
        expected_prev = hash;
        report.last_id = id;
        ++report.rows_checked;
      });
      more = rows == batch;
    }
    // Rows are expected up to the head unless nothing was ever chained or all was purged.
    const bool rows_expected = head.last_id >= std::max<long long>(head.purged_before_id, 1);
    if (report.intact && rows_expected && report.last_id < head.last_id) {
      fail(head.last_id,
           fmt::format("Les dernières lignes manquent : le journal devait aller jusqu’à la ligne "
                       "n° {}, il s’arrête à la ligne n° {}.",
                       head.last_id, report.last_id));
    } else if (report.intact &&
               (expected_prev != head.last_hash || (!rows_expected && report.rows_checked > 0))) {
      fail(report.last_id,
           "La tête de la chaîne (table audit_chain) ne correspond pas à la dernière ligne : "
           "l’une ou l’autre a été modifiée.");
    }
    report.last_hash = expected_prev;
    return report;
  }

  long long PurgeBefore(Instant cutoff) override {
    const long long before = ToEpoch(cutoff);
    Head head = ReadHead(true);
    // Only a prefix of the chain can go: the rows before the first one to keep.
    long long keep_from = 0;
    soci::indicator keep_ind = soci::i_ok;
    {
      Query q(sql_, "SELECT MIN(id) FROM audit_event WHERE at >= :before");
      q.Into(keep_from, keep_ind).Use(before);
      q.One();
    }
    const bool keep_none = keep_ind == soci::i_null;
    long long deleted = 0;
    std::string new_base = head.last_hash;
    if (!keep_none) {
      std::string prev;
      soci::indicator prev_ind = soci::i_ok;
      Query q(sql_, "SELECT prev_hash FROM audit_event WHERE id = :id");
      q.Into(prev, prev_ind).Use(keep_from);
      q.One();
      // A row from before the chain has no hash: the base stays until it is purged too.
      new_base = prev_ind == soci::i_null ? head.base_hash : prev;
    } else {
      keep_from = head.last_id + 1;
    }
    sql_ << "UPDATE audit_chain SET purging = 1 WHERE id = 1";
    {
      Query q(sql_, "DELETE FROM audit_event WHERE id < :keep");
      q.Use(keep_from);
      deleted = q.Run();
    }
    if (deleted == 0) {
      new_base = head.base_hash;
    }
    const long long purged_before =
        deleted > 0 ? std::max(head.purged_before_id, keep_from) : head.purged_before_id;
    Query q(sql_,
            "UPDATE audit_chain SET purging = 0, base_hash = :base, purged_before_id = :before "
            "WHERE id = 1");
    q.Use(new_base).Use(purged_before);
    q.Run();
    return deleted;
  }

 private:
  Head ReadHead(bool lock) {
    Head head;
    Query q(sql_, std::string("SELECT last_id, last_hash, base_hash, purged_before_id FROM "
                              "audit_chain WHERE id = 1") +
                      (lock && backend_ == Backend::kPostgres ? " FOR UPDATE" : ""));
    q.Into(head.last_id).Into(head.last_hash).Into(head.base_hash).Into(head.purged_before_id);
    if (!q.One()) {
      throw Error(ErrorCode::kInternal, "Erreur interne", "audit_chain has no head row");
    }
    return head;
  }

  soci::session& sql_;
  Backend backend_;
  std::vector<service::AuditEvent> pending_;
};

}  // namespace

std::unique_ptr<ChainedAuditRepository> MakeAuditRepository(soci::session& sql, Backend backend) {
  return std::make_unique<SqlAuditRepository>(sql, backend);
}

}  // namespace allervers::storage
