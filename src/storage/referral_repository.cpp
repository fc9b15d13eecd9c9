#include <soci/soci.h>

#include <map>

#include "common/error.hpp"
#include "storage/sql_query.hpp"
#include "storage/sql_tx.hpp"

namespace allervers::storage {
namespace {

using domain::ReferralId;
using domain::ReferralStatus;

// Kinds of coded lists in referral_item, and the member of ReferralData each fills.
constexpr std::pair<const char*, std::vector<std::string> domain::ReferralData::*> kItemKinds[] = {
    {"procedure", &domain::ReferralData::procedures},
    {"right", &domain::ReferralData::presumed_rights},
    {"situation", &domain::ReferralData::situations},
    {"difficulty", &domain::ReferralData::digital_difficulties},
};

std::optional<Instant> OptInstant(long long v, soci::indicator ind) {
  return ind == soci::i_ok ? std::optional(FromEpoch(v)) : std::nullopt;
}

struct Ts {
  long long value = 0;
  soci::indicator ind = soci::i_ok;
};

constexpr const char* kSelect =
    "SELECT r.id, r.number, r.status, r.source, r.structure_id, s.name, s.territory, "
    "r.operator_id, "
    "r.created_by_user_id, r.referrer_name, r.referrer_email, r.referrer_phone, "
    "r.referrer_function, r.person_id, "
    "r.identity_status, r.difficulties, r.reason, r.urgency, r.urgency_reason, "
    "r.tripartite_requested, "
    "r.tripartite_availability, r.consent_date, r.consent_how, r.draft_data, r.assigned_user_id, "
    "u.display_name, "
    "r.redirected_to_structure_id, rs.name, r.decision_reason, r.decision_message, r.received_at, "
    "r.accepted_at, "
    "r.first_contact_at, r.first_visit_at, r.closed_at, r.created_at, r.updated_at "
    "FROM referral r JOIN structure s ON s.id = r.structure_id "
    "LEFT JOIN app_user u ON u.id = r.assigned_user_id "
    "LEFT JOIN structure rs ON rs.id = r.redirected_to_structure_id ";

struct Row {
  long long id = 0;
  std::string number;
  soci::indicator number_ind = soci::i_ok;
  std::string status, source;
  long long structure_id = 0;
  std::string structure_name, territory;
  long long operator_id = 0;
  long long created_by = 0;
  soci::indicator created_by_ind = soci::i_ok;
  std::string referrer_name, referrer_email, referrer_phone, referrer_function;
  long long person_id = 0;
  soci::indicator person_ind = soci::i_ok;
  std::string identity_status, difficulties, reason;
  int urgency = 0;
  std::string urgency_reason;
  int tripartite = 0;
  std::string tripartite_availability;
  std::string consent_date;
  soci::indicator consent_date_ind = soci::i_ok;
  std::string consent_how, draft_data;
  long long assigned = 0;
  soci::indicator assigned_ind = soci::i_ok;
  std::string assigned_name;
  soci::indicator assigned_name_ind = soci::i_ok;
  long long redirected = 0;
  soci::indicator redirected_ind = soci::i_ok;
  std::string redirected_name;
  soci::indicator redirected_name_ind = soci::i_ok;
  std::string decision_reason, decision_message;
  Ts received, accepted, first_contact, first_visit, closed;
  long long created_at = 0, updated_at = 0;

  void Bind(Query& q) {
    q.Into(id)
        .Into(number, number_ind)
        .Into(status)
        .Into(source)
        .Into(structure_id)
        .Into(structure_name);
    q.Into(territory)
        .Into(operator_id)
        .Into(created_by, created_by_ind)
        .Into(referrer_name)
        .Into(referrer_email);
    q.Into(referrer_phone)
        .Into(referrer_function)
        .Into(person_id, person_ind)
        .Into(identity_status);
    q.Into(difficulties).Into(reason).Into(urgency).Into(urgency_reason).Into(tripartite);
    q.Into(tripartite_availability)
        .Into(consent_date, consent_date_ind)
        .Into(consent_how)
        .Into(draft_data);
    q.Into(assigned, assigned_ind)
        .Into(assigned_name, assigned_name_ind)
        .Into(redirected, redirected_ind);
    q.Into(redirected_name, redirected_name_ind).Into(decision_reason).Into(decision_message);
    q.Into(received.value, received.ind).Into(accepted.value, accepted.ind);
    q.Into(first_contact.value, first_contact.ind).Into(first_visit.value, first_visit.ind);
    q.Into(closed.value, closed.ind).Into(created_at).Into(updated_at);
  }

  service::ReferralRecord ToRecord() const {
    service::ReferralRecord r;
    r.id = id;
    r.number = number_ind == soci::i_ok ? number : "";
    r.status = domain::ParseStatus(status).value_or(ReferralStatus::kReceived);
    r.source = source;
    r.structure_id = structure_id;
    r.structure_name = structure_name;
    r.structure_territory = territory;
    r.operator_id = operator_id;
    r.created_by = Nullable(created_by, created_by_ind);
    r.data.referrer_name = referrer_name;
    r.data.referrer_email = referrer_email;
    r.data.referrer_phone = referrer_phone;
    r.data.referrer_function = referrer_function;
    r.person_id = Nullable(person_id, person_ind);
    r.identity_status = identity_status;
    r.data.difficulties = difficulties;
    r.data.reason = reason;
    r.data.urgency = urgency;
    r.data.urgency_reason = urgency_reason;
    r.data.tripartite_requested = tripartite != 0;
    r.data.tripartite_availability = tripartite_availability;
    if (consent_date_ind == soci::i_ok) {
      r.data.consent_date = ParseIsoDate(consent_date).value_or(LocalDate{});
    }
    r.data.consent_how = consent_how;
    r.draft_data = draft_data;
    r.assigned_user_id = Nullable(assigned, assigned_ind);
    r.assigned_name = assigned_name_ind == soci::i_ok ? assigned_name : "";
    r.redirected_to = Nullable(redirected, redirected_ind);
    r.redirected_to_name = redirected_name_ind == soci::i_ok ? redirected_name : "";
    r.decision_reason = decision_reason;
    r.decision_message = decision_message;
    r.received_at = OptInstant(received.value, received.ind);
    r.accepted_at = OptInstant(accepted.value, accepted.ind);
    r.first_contact_at = OptInstant(first_contact.value, first_contact.ind);
    r.first_visit_at = OptInstant(first_visit.value, first_visit.ind);
    r.closed_at = OptInstant(closed.value, closed.ind);
    r.created_at = FromEpoch(created_at);
    r.updated_at = FromEpoch(updated_at);
    return r;
  }
};

// The WHERE clause of a filter: every parameter bound, statuses and ids formatted by us.
struct Where {
  std::string sql;
  int any_operator = 1, any_structure = 1, any_author = 1, any_assigned = 1, any_territory = 1,
      any_procedure = 1;
  long long operator_id = 0, structure_id = 0, author = 0, assigned = 0;
  std::string territory, procedure;

  explicit Where(const service::ReferralFilter& f) {
    std::string statuses;
    for (auto s : f.statuses) {
      statuses +=
          std::string(statuses.empty() ? "" : ",") + "'" + std::string(domain::StatusCode(s)) + "'";
    }
    sql = "WHERE ";
    sql += statuses.empty() ? (f.include_drafts ? "1 = 1" : "r.status <> 'draft'")
                            : "r.status IN (" + statuses + ")";
    if (f.operator_id) {
      any_operator = 0;
      operator_id = *f.operator_id;
    }
    if (f.structure_id) {
      any_structure = 0;
      structure_id = *f.structure_id;
    }
    if (f.created_by) {
      any_author = 0;
      author = *f.created_by;
    }
    if (f.assigned_to) {
      any_assigned = 0;
      assigned = *f.assigned_to;
    }
    if (!f.territory.empty()) {
      any_territory = 0;
      territory = f.territory;
    }
    if (!f.procedure.empty()) {
      any_procedure = 0;
      procedure = f.procedure;
    }
    // Drafts are visible to their author only, whatever else the filter says.
    sql +=
        " AND (:any_op = 1 OR r.operator_id = :op) AND (:any_st = 1 OR r.structure_id = :st)"
        " AND (r.status <> 'draft' OR :any_au = 0 AND r.created_by_user_id = :au)"
        " AND (:any_as = 1 OR r.assigned_user_id = :as) AND (:any_te = 1 OR s.territory = :te)"
        " AND (:any_pr = 1 OR EXISTS (SELECT 1 FROM referral_item i WHERE i.referral_id = r.id"
        " AND i.kind = 'procedure' AND i.code = :pr)) ";
  }

  void Bind(Query& q) {
    q.Use(any_operator)
        .Use(operator_id)
        .Use(any_structure)
        .Use(structure_id)
        .Use(any_author)
        .Use(author);
    q.Use(any_assigned)
        .Use(assigned)
        .Use(any_territory)
        .Use(territory)
        .Use(any_procedure)
        .Use(procedure);
  }
};

class SqlReferralRepository final : public service::ReferralRepository {
 public:
  explicit SqlReferralRepository(soci::session& sql) : sql_(sql) {}

  int NextSequence(int year) override {
    Query up(sql_,
             "INSERT INTO referral_counter (year, last_value) VALUES (:y, 1) ON CONFLICT (year) DO "
             "UPDATE SET "
             "last_value = referral_counter.last_value + 1");
    up.Use(year);
    up.Run();
    int value = 0;
    Query get(sql_, "SELECT last_value FROM referral_counter WHERE year = :y");
    get.Into(value).Use(year);
    get.One();
    return value;
  }

  ReferralId InsertDraft(domain::StructureId structure, domain::StructureId operator_id,
                         domain::UserId author, const std::string& draft_data,
                         Instant now) override {
    long long id = 0;
    const long long st = structure;
    const long long op = operator_id;
    const long long au = author;
    const long long at = ToEpoch(now);
    Query q(
        sql_,
        "INSERT INTO referral (status, source, structure_id, operator_id, created_by_user_id, "
        "draft_data, "
        "created_at, updated_at) VALUES ('draft', 'form', :st, :op, :au, :d, :c, :u) RETURNING id");
    q.Use(st).Use(op).Use(au).Use(draft_data).Use(at).Use(at).Into(id);
    q.One();
    return id;
  }

  void UpdateDraft(ReferralId id, const std::string& draft_data, Instant now) override {
    const long long key = id;
    const long long at = ToEpoch(now);
    Query q(
        sql_,
        "UPDATE referral SET draft_data = :d, updated_at = :u WHERE id = :id AND status = 'draft'");
    q.Use(draft_data).Use(at).Use(key);
    q.Run();
  }

  void DeleteDraft(ReferralId id) override {
    const long long key = id;
    Query q(sql_, "DELETE FROM referral WHERE id = :id AND status = 'draft'");
    q.Use(key);
    q.Run();
  }

  ReferralId Store(std::optional<ReferralId> draft, const std::string& number,
                   const std::string& source, domain::StructureId structure,
                   domain::StructureId operator_id, std::optional<domain::UserId> author,
                   const domain::ReferralData& d, domain::PersonId person,
                   const std::string& identity_status, Instant now) override {
    long long id = draft.value_or(0);
    const long long st = structure;
    const long long op = operator_id;
    long long au = author.value_or(0);
    soci::indicator au_ind = author ? soci::i_ok : soci::i_null;
    const long long pe = person;
    const int tripartite = d.tripartite_requested ? 1 : 0;
    const std::string consent = ToIso(d.consent_date);
    const long long at = ToEpoch(now);
    const std::string status = "received";
    if (draft) {
      Query q(
          sql_,
          "UPDATE referral SET number = :n, status = :s, referrer_name = :rn, referrer_email = "
          ":re, "
          "referrer_phone = :rp, referrer_function = :rf, person_id = :p, identity_status = :is, "
          "difficulties = :di, reason = :rs, urgency = :ur, urgency_reason = :urr, "
          "tripartite_requested = :t, "
          "tripartite_availability = :ta, consent_date = :cd, consent_how = :ch, draft_data = '', "
          "received_at = :ra, updated_at = :u WHERE id = :id AND status = 'draft'");
      q.Use(number).Use(status).Use(d.referrer_name).Use(d.referrer_email).Use(d.referrer_phone);
      q.Use(d.referrer_function)
          .Use(pe)
          .Use(identity_status)
          .Use(d.difficulties)
          .Use(d.reason)
          .Use(d.urgency);
      q.Use(d.urgency_reason)
          .Use(tripartite)
          .Use(d.tripartite_availability)
          .Use(consent)
          .Use(d.consent_how);
      q.Use(at).Use(at).Use(id);
      if (q.Run() != 1) {
        throw Error(ErrorCode::kConflict, "Cette fiche a déjà été transmise.");
      }
    } else {
      Query q(sql_,
              "INSERT INTO referral (number, status, source, structure_id, operator_id, "
              "created_by_user_id, "
              "referrer_name, referrer_email, referrer_phone, referrer_function, person_id, "
              "identity_status, "
              "difficulties, reason, urgency, urgency_reason, tripartite_requested, "
              "tripartite_availability, "
              "consent_date, consent_how, received_at, created_at, updated_at) VALUES (:n, :s, "
              ":src, :st, :op, "
              ":au, :rn, :re, :rp, :rf, :p, :is, :di, :rs, :ur, :urr, :t, :ta, :cd, :ch, :ra, :c, "
              ":u) RETURNING id");
      q.Use(number).Use(status).Use(source).Use(st).Use(op).Use(au, au_ind).Use(d.referrer_name);
      q.Use(d.referrer_email)
          .Use(d.referrer_phone)
          .Use(d.referrer_function)
          .Use(pe)
          .Use(identity_status);
      q.Use(d.difficulties).Use(d.reason).Use(d.urgency).Use(d.urgency_reason).Use(tripartite);
      q.Use(d.tripartite_availability)
          .Use(consent)
          .Use(d.consent_how)
          .Use(at)
          .Use(at)
          .Use(at)
          .Into(id);
      q.One();
    }
    for (const auto& [kind, member] : kItemKinds) {
      for (const auto& code : d.*member) {
        const std::string k = kind;
        Query ins(sql_, "INSERT INTO referral_item (referral_id, kind, code) VALUES (:r, :k, :c)");
        ins.Use(id).Use(k).Use(code);
        ins.Run();
      }
    }
    return id;
  }

  std::optional<service::ReferralRecord> Find(ReferralId id) override {
    const long long key = id;
    Row r;
    Query q(sql_, std::string(kSelect) + "WHERE r.id = :id");
    r.Bind(q);
    q.Use(key);
    if (!q.One()) {
      return std::nullopt;
    }
    service::ReferralRecord rec = r.ToRecord();
    std::string kind;
    std::string code;
    Query items(sql_,
                "SELECT kind, code FROM referral_item WHERE referral_id = :id ORDER BY kind, code");
    items.Into(kind).Into(code).Use(key);
    items.ForEach([&] {
      for (const auto& [k, member] : kItemKinds) {
        if (kind == k) {
          (rec.data.*member).push_back(code);
        }
      }
    });
    return rec;
  }

  std::vector<service::ReferralSummary> List(const service::ReferralFilter& filter) override {
    Where where(filter);
    const std::string order = filter.order == service::ReferralFilter::Order::kInbox
                                  ? "ORDER BY r.urgency DESC, r.received_at ASC, r.id ASC "
                                  : "ORDER BY r.updated_at DESC, r.id DESC ";
    return Summaries(where.sql + order + "LIMIT :lim OFFSET :off", where, filter.limit,
                     filter.offset);
  }

  long long Count(const service::ReferralFilter& filter) override {
    Where where(filter);
    long long count = 0;
    Query q(sql_, "SELECT COUNT(*) FROM referral r JOIN structure s ON s.id = r.structure_id " +
                      where.sql);
    q.Into(count);
    where.Bind(q);
    q.One();
    return count;
  }

  std::vector<service::ReferralSummary> ForPerson(domain::PersonId person) override {
    service::ReferralFilter f;
    Where where(f);
    where.sql += " AND r.person_id = " + std::to_string(person) + " ";
    return Summaries(where.sql + "ORDER BY r.received_at DESC LIMIT :lim OFFSET :off", where, 100,
                     0);
  }

  void UpdateStatus(ReferralId id, const service::ReferralStatusUpdate& u) override {
    const long long key = id;
    const std::string status(domain::StatusCode(u.status));
    const long long at = ToEpoch(u.at);
    long long assigned = u.assigned_user_id.value_or(0);
    soci::indicator assigned_ind = u.assigned_user_id ? soci::i_ok : soci::i_null;
    long long redirected = u.redirected_to.value_or(0);
    soci::indicator redirected_ind = u.redirected_to ? soci::i_ok : soci::i_null;
    // Milestone dates are set once, at the first time the status is reached.
    Query q(sql_,
            "UPDATE referral SET status = :s, updated_at = :u, "
            "assigned_user_id = COALESCE(:as, assigned_user_id), "
            "redirected_to_structure_id = COALESCE(:rd, redirected_to_structure_id), "
            "decision_reason = CASE WHEN :dr1 = '' THEN decision_reason ELSE :dr2 END, "
            "decision_message = CASE WHEN :dm1 = '' THEN decision_message ELSE :dm2 END, "
            "accepted_at = CASE WHEN :s1 = 'accepted' AND accepted_at IS NULL THEN :a1 ELSE "
            "accepted_at END, "
            "closed_at = CASE WHEN :s2 IN ('closed', 'not_receivable', 'redirected', 'withdrawn') "
            "THEN :a2 "
            "WHEN :s3 = 'in_progress' THEN NULL ELSE closed_at END "
            "WHERE id = :id");
    q.Use(status).Use(at).Use(assigned, assigned_ind).Use(redirected, redirected_ind);
    q.Use(u.decision_reason).Use(u.decision_reason).Use(u.decision_message).Use(u.decision_message);
    q.Use(status).Use(at).Use(status).Use(at).Use(status).Use(key);
    q.Run();
  }

  void SetPerson(ReferralId id, domain::PersonId person, const std::string& identity_status,
                 Instant now) override {
    const long long key = id;
    const long long pe = person;
    const long long at = ToEpoch(now);
    Query q(sql_,
            "UPDATE referral SET person_id = :p, identity_status = :is, updated_at = :u WHERE id = "
            ":id");
    q.Use(pe).Use(identity_status).Use(at).Use(key);
    q.Run();
  }

  void MovePerson(domain::PersonId from, domain::PersonId into) override {
    const long long f = from;
    const long long i = into;
    Query q(sql_, "UPDATE referral SET person_id = :into WHERE person_id = :from");
    q.Use(i).Use(f);
    q.Run();
  }

  void AddEvent(ReferralId id, const service::ReferralEvent& e) override {
    const long long key = id;
    const long long at = ToEpoch(e.at);
    long long user = e.user_id.value_or(0);
    soci::indicator user_ind = e.user_id ? soci::i_ok : soci::i_null;
    Query q(sql_,
            "INSERT INTO referral_event (referral_id, at, user_id, actor_label, from_status, "
            "to_status, note) "
            "VALUES (:r, :at, :u, :l, :f, :t, :n)");
    q.Use(key)
        .Use(at)
        .Use(user, user_ind)
        .Use(e.actor_label)
        .Use(e.from_status)
        .Use(e.to_status)
        .Use(e.note);
    q.Run();
  }

  std::vector<service::ReferralEvent> Events(ReferralId id) override {
    std::vector<service::ReferralEvent> out;
    const long long key = id;
    service::ReferralEvent e;
    long long at = 0;
    long long user = 0;
    soci::indicator user_ind = soci::i_ok;
    Query q(sql_,
            "SELECT at, user_id, actor_label, from_status, to_status, note FROM referral_event "
            "WHERE referral_id = :r ORDER BY id");
    q.Into(at)
        .Into(user, user_ind)
        .Into(e.actor_label)
        .Into(e.from_status)
        .Into(e.to_status)
        .Into(e.note)
        .Use(key);
    q.ForEach([&] {
      e.at = FromEpoch(at);
      e.user_id = Nullable(user, user_ind);
      out.push_back(e);
    });
    return out;
  }

 private:
  std::vector<service::ReferralSummary> Summaries(const std::string& tail, Where& where, int limit,
                                                  int offset) {
    std::vector<service::ReferralSummary> out;
    service::ReferralSummary s;
    long long id = 0;
    std::string number;
    soci::indicator number_ind = soci::i_ok;
    std::string status;
    std::string birth_name, usage_name, first_names, postal_code, city;
    soci::indicator bn_ind = soci::i_ok, un_ind = soci::i_ok, fn_ind = soci::i_ok,
                    pc_ind = soci::i_ok, ci_ind = soci::i_ok;
    std::string assigned;
    soci::indicator assigned_ind = soci::i_ok;
    Ts received, first_contact;
    long long updated = 0;
    Query q(sql_,
            "SELECT r.id, r.number, r.status, r.urgency, s.name, p.birth_name, p.usage_name, "
            "p.first_names, "
            "p.postal_code, p.city, r.identity_status, u.display_name, r.received_at, "
            "r.first_contact_at, "
            "r.updated_at FROM referral r JOIN structure s ON s.id = r.structure_id "
            "LEFT JOIN person p ON p.id = r.person_id LEFT JOIN app_user u ON u.id = "
            "r.assigned_user_id " +
                tail);
    q.Into(id).Into(number, number_ind).Into(status).Into(s.urgency).Into(s.structure_name);
    q.Into(birth_name, bn_ind)
        .Into(usage_name, un_ind)
        .Into(first_names, fn_ind)
        .Into(postal_code, pc_ind);
    q.Into(city, ci_ind).Into(s.identity_status).Into(assigned, assigned_ind);
    q.Into(received.value, received.ind).Into(first_contact.value, first_contact.ind).Into(updated);
    where.Bind(q);
    q.Use(limit).Use(offset);
    q.ForEach([&] {
      s.id = id;
      s.number = number_ind == soci::i_ok ? number : "";
      s.status = domain::ParseStatus(status).value_or(ReferralStatus::kReceived);
      s.person_last_name =
          bn_ind == soci::i_ok
              ? ((un_ind == soci::i_ok && !usage_name.empty()) ? usage_name : birth_name)
              : "";
      s.person_first_names = fn_ind == soci::i_ok ? first_names : "";
      s.postal_code = pc_ind == soci::i_ok ? postal_code : "";
      s.city = ci_ind == soci::i_ok ? city : "";
      s.assigned_name = assigned_ind == soci::i_ok ? assigned : "";
      s.received_at = OptInstant(received.value, received.ind);
      s.first_contact_at = OptInstant(first_contact.value, first_contact.ind);
      s.updated_at = FromEpoch(updated);
      out.push_back(s);
    });
    if (!out.empty()) {
      std::map<long long, std::size_t> index;
      std::string list;
      for (std::size_t i = 0; i < out.size(); ++i) {
        index[out[i].id] = i;
        out[i].procedures.clear();
        list += (list.empty() ? "" : ",") + std::to_string(out[i].id);
      }
      long long rid = 0;
      std::string code;
      Query items(sql_,
                  "SELECT referral_id, code FROM referral_item WHERE kind = 'procedure' AND "
                  "referral_id IN (" +
                      list + ") ORDER BY code");
      items.Into(rid).Into(code);
      items.ForEach([&] { out[index[rid]].procedures.push_back(code); });
    }
    return out;
  }

  soci::session& sql_;
};

}  // namespace

std::unique_ptr<service::ReferralRepository> MakeReferralRepository(soci::session& sql) {
  return std::make_unique<SqlReferralRepository>(sql);
}

}  // namespace allervers::storage
