#include <soci/soci.h>

#include <algorithm>
#include <map>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "common/text.hpp"
#include "common/time.hpp"
#include "service/indicator_service.hpp"
#include "storage/sql_query.hpp"
#include "storage/sql_tx.hpp"

namespace allervers::storage {
namespace {

using service::IndicatorScope;

// The distinct person of a referral, after merges (docs/indicators.md §1.3).
constexpr const char* kPersonKey = "COALESCE(p.merged_into_id, p.id, -r.id)";

// The filters of the scope, appended at the end of a WHERE on `referral r`; `worker_clause`
// says what the intervenant filter means for the rows counted. Bound by BindScope, in order.
// `team` is the column that holds the operator: the referral's, or the copy kept on the
// intervention or the appointment, whose index finds a team's rows of a period at once.
std::string ScopeSql(const IndicatorScope& s, const char* worker_clause,
                     const char* team = "r.operator_id") {
  std::string sql;
  if (s.operator_id) {
    sql += std::string(" AND ") + team + " = :scope_operator";
  }
  if (s.structure) {
    sql += " AND r.structure_id = :scope_structure";
  }
  if (!s.territory.empty()) {
    sql +=
        " AND r.structure_id IN (SELECT t.id FROM structure t WHERE t.territory = "
        ":scope_territory)";
  }
  if (s.worker) {
    sql += worker_clause;
  }
  return sql;
}

struct ScopeValues {
  explicit ScopeValues(const IndicatorScope& s)
      : op(s.operator_id.value_or(0)),
        structure(s.structure.value_or(0)),
        territory(s.territory),
        worker(s.worker.value_or(0)) {}
  long long op;
  long long structure;
  std::string territory;
  long long worker;
};

void BindScope(Query& q, const IndicatorScope& s, const ScopeValues& v) {
  if (s.operator_id) {
    q.Use(v.op);
  }
  if (s.structure) {
    q.Use(v.structure);
  }
  if (!s.territory.empty()) {
    q.Use(v.territory);
  }
  if (s.worker) {
    q.Use(v.worker);
  }
}

constexpr const char* kCaseWorker = " AND r.assigned_user_id = :scope_worker";
constexpr const char* kInterventionWorker =
    " AND EXISTS (SELECT 1 FROM intervention_worker sw WHERE sw.intervention_id = i.id AND "
    "sw.user_id = :scope_worker)";
constexpr const char* kAppointmentWorker =
    " AND EXISTS (SELECT 1 FROM appointment_worker sw WHERE sw.appointment_id = a.id AND "
    "sw.user_id = :scope_worker)";

std::optional<LocalDate> LocalDay(long long epoch, soci::indicator ind) {
  if (ind == soci::i_null) {
    return std::nullopt;
  }
  return paris::Today(FromEpoch(epoch));
}

std::optional<LocalDate> TextDay(const std::string& text, soci::indicator ind) {
  return ind == soci::i_null ? std::nullopt : ParseIsoDate(text);
}

std::optional<LocalDate> Earliest(std::optional<LocalDate> a, std::optional<LocalDate> b) {
  if (!a) {
    return b;
  }
  if (!b) {
    return a;
  }
  return std::min(*a, *b);
}

// Counts by code: rows, minutes and distinct persons, in the order of the codes.
class Groups {
 public:
  struct Group {
    long long n = 0;
    long long minutes = 0;
    std::unordered_set<long long> persons;
  };

  void Add(const std::string& code, long long person, long long minutes) {
    auto& g = groups_[code];
    ++g.n;
    g.minutes += minutes;
    g.persons.insert(person);
  }
  const Group* Find(const std::string& code) const {
    const auto it = groups_.find(code);
    return it == groups_.end() ? nullptr : &it->second;
  }
  bool empty() const { return groups_.empty(); }
  std::vector<service::CountRow> Rows() const {
    std::vector<service::CountRow> rows;
    for (const auto& [code, g] : groups_) {
      rows.push_back({code, g.n, g.minutes, static_cast<long long>(g.persons.size())});
    }
    return rows;
  }

 private:
  std::map<std::string, Group> groups_;
};

class SqlIndicatorRepository final : public service::IndicatorRepository {
 public:
  explicit SqlIndicatorRepository(soci::session& sql) : sql_(sql) {}

  std::vector<domain::CaseFacts> CaseFacts(const IndicatorScope& scope, Instant p0,
                                           Instant p1) override {
    const ScopeValues sv(scope);
    const long long from = ToEpoch(p0);
    const long long to = ToEpoch(p1);
    std::vector<domain::CaseFacts> out;
    std::map<long long, std::size_t> index;
    {
      long long id = 0;
      long long person = 0;
      std::string status;
      std::string reason;
      long long received = 0;
      long long contact = 0;
      soci::indicator contact_ind = soci::i_null;
      long long honoured = 0;
      soci::indicator honoured_ind = soci::i_null;
      std::string intervention;
      soci::indicator intervention_ind = soci::i_null;
      std::string bilan;
      soci::indicator bilan_ind = soci::i_null;
      std::string initial_level;
      std::string initial_on;
      soci::indicator initial_on_ind = soci::i_null;
      std::string final_level;
      std::string birth_date;
      soci::indicator birth_date_ind = soci::i_null;
      int birth_year = 0;
      soci::indicator birth_year_ind = soci::i_null;
      std::string gender;
      std::string postal_code;
      std::string city;
      Query q(sql_, std::string("SELECT r.id, ") + kPersonKey +
                        ", r.status, r.decision_reason, r.received_at, "
                        // The milestones kept on the referral (storage/case_milestones.hpp).
                        "r.reached_at, r.honoured_at, r.first_intervention_on, r.first_bilan_on, "
                        "r.initial_level, r.initial_on, r.final_level, p.birth_date, p.birth_year, "
                        "COALESCE(p.gender, ''), "
                        "COALESCE(p.postal_code, ''), COALESCE(p.city, '') "
                        "FROM referral r LEFT JOIN person p ON p.id = r.person_id "
                        "WHERE r.received_at IS NOT NULL AND r.received_at < :p1 AND "
                        "NOT (r.status = 'closed' AND r.closed_at < :p0) AND "
                        "NOT (r.status IN ('not_receivable', 'redirected', 'withdrawn') AND "
                        "r.received_at < :p0_again)" +
                        ScopeSql(scope, kCaseWorker) + " ORDER BY r.id");
      q.Into(id).Into(person).Into(status).Into(reason).Into(received);
      q.Into(contact, contact_ind).Into(honoured, honoured_ind);
      q.Into(intervention, intervention_ind).Into(bilan, bilan_ind);
      q.Into(initial_level).Into(initial_on, initial_on_ind).Into(final_level);
      q.Into(birth_date, birth_date_ind).Into(birth_year, birth_year_ind);
      q.Into(gender).Into(postal_code).Into(city);
      q.Use(to).Use(from).Use(from);
      BindScope(q, scope, sv);
      q.ForEach([&] {
        domain::CaseFacts f;
        f.referral_id = id;
        f.person_key = person;
        f.status = status;
        f.decision_reason = reason;
        f.received_on = paris::Today(FromEpoch(received));
        f.first_contact_on = LocalDay(contact, contact_ind);
        f.first_session_on = Earliest(
            Earliest(LocalDay(honoured, honoured_ind), TextDay(intervention, intervention_ind)),
            TextDay(bilan, bilan_ind));
        // A first session is also a first contact, when none was recorded before it.
        f.first_contact_on = Earliest(f.first_contact_on, f.first_session_on);
        f.initial_level = initial_level;
        f.initial_on = TextDay(initial_on, initial_on_ind);
        f.final_level = final_level;
        f.birth_date = TextDay(birth_date, birth_date_ind);
        if (birth_year_ind != soci::i_null) {
          f.birth_year = birth_year;
        }
        f.gender = gender;
        f.postal_code = postal_code;
        f.city = city;
        index[id] = out.size();
        out.push_back(std::move(f));
      });
    }
    if (out.empty()) {
      return out;
    }
    long long referral = 0;
    long long at = 0;
    std::string to_status;
    Query q(sql_,
            "SELECT e.referral_id, e.at, e.to_status FROM referral_event e JOIN referral r ON "
            "r.id = e.referral_id WHERE (e.to_status = 'closed' OR e.from_status = 'closed') "
            "AND e.at < :p1 AND r.received_at < :p1_again" +
                ScopeSql(scope, kCaseWorker) + " ORDER BY e.referral_id, e.at, e.id");
    q.Into(referral).Into(at).Into(to_status).Use(to).Use(to);
    BindScope(q, scope, sv);
    q.ForEach([&] {
      const auto it = index.find(referral);
      if (it != index.end()) {
        out[it->second].closures.push_back({paris::Today(FromEpoch(at)), to_status != "closed"});
      }
    });
    return out;
  }

  service::ActivityAggregates Activity(const IndicatorScope& scope, const domain::Period& period,
                                       Instant p0, Instant p1, Instant now) override {
    const ScopeValues sv(scope);
    const std::string from = ToIso(period.from);
    const std::string to = ToIso(period.to);
    const long long t0 = ToEpoch(p0);
    const long long t1 = ToEpoch(p1);
    service::ActivityAggregates out;
    // The period's interventions of the scope are read once, with the distinct person of
    // each; the totals and the groupings are counted here. Five GROUP BY statements over the
    // same rows cost five scans and five sorts of the distinct persons (docs/performance.md).
    const std::string interventions =
        std::string(
            " FROM intervention i JOIN referral r ON r.id = i.referral_id LEFT JOIN "
            "person p ON p.id = r.person_id WHERE i.occurred_on >= :from AND "
            "i.occurred_on <= :to") +
        ScopeSql(scope, kInterventionWorker, "i.operator_id");
    struct Seen {
      long long person = 0;
      long long minutes = 0;
    };
    std::unordered_map<long long, Seen> seen;
    Groups places;
    Groups modalities;
    Groups digital;
    Groups administrative;
    Groups workers;
    std::unordered_set<long long> met;  // the distinct persons
    {
      long long id = 0;
      Seen row;
      std::string place;
      std::string modality;
      Query q(sql_, std::string("SELECT i.id, ") + kPersonKey +
                        ", i.duration_minutes, i.place, i.modality" + interventions);
      q.Into(id).Into(row.person).Into(row.minutes).Into(place).Into(modality);
      q.Use(from).Use(to);
      BindScope(q, scope, sv);
      q.ForEach([&] {
        seen.emplace(id, row);
        ++out.interventions;
        out.minutes += row.minutes;
        met.insert(row.person);
        places.Add(place, row.person, row.minutes);
        modalities.Add(modality, row.person, row.minutes);
      });
    }
    out.persons = static_cast<long long>(met.size());
    if (!seen.empty()) {
      // The themes and the intervenants present, of the same interventions: the referral is
      // joined only to keep a team's or a territory's rows; the person is known already.
      const std::string same = std::string(scope.structure || !scope.territory.empty()
                                               ? " JOIN referral r ON r.id = i.referral_id"
                                               : "") +
                               " WHERE i.occurred_on >= :from AND i.occurred_on <= :to" +
                               ScopeSql(scope, kInterventionWorker, "i.operator_id");
      long long id = 0;
      std::string kind;
      std::string code;
      Query items(sql_,
                  "SELECT it.intervention_id, it.kind, it.code FROM intervention i JOIN "
                  "intervention_item it ON it.intervention_id = i.id AND it.kind <> "
                  "'equipment'" +
                      same);
      items.Into(id).Into(kind).Into(code).Use(from).Use(to);
      BindScope(items, scope, sv);
      items.ForEach([&] {
        if (const auto it = seen.find(id); it != seen.end()) {
          (kind == "digital_theme" ? digital : administrative)
              .Add(code, it->second.person, it->second.minutes);
        }
      });
      long long user = 0;
      Query present(sql_,
                    "SELECT w.intervention_id, w.user_id FROM intervention i JOIN "
                    "intervention_worker w ON w.intervention_id = i.id" +
                        same);
      present.Into(id).Into(user).Use(from).Use(to);
      BindScope(present, scope, sv);
      present.ForEach([&] {
        if (const auto it = seen.find(id); it != seen.end()) {
          workers.Add(std::to_string(user), it->second.person, it->second.minutes);
        }
      });
    }
    out.by_place = places.Rows();
    out.by_modality = modalities.Rows();
    out.by_digital_theme = digital.Rows();
    out.by_administrative_theme = administrative.Rows();
    if (!workers.empty()) {
      long long id = 0;
      std::string name;
      double fte = 0;
      soci::indicator fte_ind = soci::i_null;
      Query q(sql_, "SELECT id, display_name, fte FROM app_user");
      q.Into(id).Into(name).Into(fte, fte_ind);
      q.ForEach([&] {
        if (const auto* g = workers.Find(std::to_string(id))) {
          service::WorkerRow row;
          row.user_id = id;
          row.name = name;
          row.fte = fte_ind == soci::i_null ? std::nullopt : std::optional<double>(fte);
          row.n = g->n;
          row.minutes = g->minutes;
          row.persons = static_cast<long long>(g->persons.size());
          out.per_worker.push_back(std::move(row));
        }
      });
      // By name as a reader expects it, « Élodie » before « Zoé » on every database.
      std::sort(out.per_worker.begin(), out.per_worker.end(), [](const auto& a, const auto& b) {
        return std::make_tuple(text::FoldForSearch(a.name), a.user_id) <
               std::make_tuple(text::FoldForSearch(b.name), b.user_id);
      });
    }
    std::map<std::string, service::ProcedureRow> procedures;
    {
      std::string code;
      long long worked = 0;
      long long persons = 0;
      long long completed = 0;
      Query q(
          sql_,
          std::string("SELECT c.code, COUNT(*), COUNT(DISTINCT ") + kPersonKey +
              "), CAST(COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM case_procedure_event d "
              "WHERE d.procedure_id = c.id AND d.to_status = 'finalisee' AND d.at >= :d0 "
              "AND d.at < :d1) THEN 1 ELSE 0 END), 0) AS BIGINT) "
              "FROM case_procedure c JOIN referral r ON r.id = c.referral_id LEFT JOIN "
              "person p ON p.id = r.person_id WHERE " +
              // Every team: the period's procedures are found from its events and
              // interventions. One team or territory: from its referrals, each procedure
              // then checked (the whole country's list would be the longer way).
              (scope.operator_id || scope.filtered()
                   ? std::string("(EXISTS (SELECT 1 FROM case_procedure_event e WHERE "
                                 "e.procedure_id = c.id AND e.at >= :e0 AND e.at < :e1) OR EXISTS "
                                 "(SELECT 1 FROM intervention_procedure ip JOIN intervention i ON "
                                 "i.id = ip.intervention_id WHERE ip.procedure_id = c.id AND "
                                 "i.occurred_on >= :from AND i.occurred_on <= :to))")
                   : std::string("c.id IN (SELECT e.procedure_id FROM case_procedure_event e WHERE "
                                 "e.at >= :e0 AND e.at < :e1 UNION SELECT ip.procedure_id FROM "
                                 "intervention i JOIN intervention_procedure ip ON "
                                 "ip.intervention_id = i.id WHERE i.occurred_on >= :from AND "
                                 "i.occurred_on <= :to)")) +
              ScopeSql(scope, kCaseWorker) + " GROUP BY c.code");
      q.Into(code).Into(worked).Into(persons).Into(completed);
      q.Use(t0).Use(t1).Use(t0).Use(t1).Use(from).Use(to);
      BindScope(q, scope, sv);
      q.ForEach([&] {
        auto& row = procedures[code];
        row.code = code;
        row.worked = worked;
        row.persons = persons;
        row.completed = completed;
      });
    }
    {
      std::string code;
      long long n = 0;
      long long persons = 0;
      long long known = 0;
      long long cents = 0;
      Query q(sql_,
              std::string("SELECT c.code, COUNT(*), COUNT(DISTINCT ") + kPersonKey +
                  "), COUNT(c.monthly_amount_cents), CAST(COALESCE(SUM(c.monthly_amount_cents), "
                  "0) AS BIGINT) FROM case_procedure c JOIN referral r ON r.id = c.referral_id "
                  "LEFT JOIN person p ON p.id = r.person_id WHERE c.outcome = 'ouvert' AND "
                  "c.outcome_on >= :from AND c.outcome_on <= :to" +
                  ScopeSql(scope, kCaseWorker) + " GROUP BY c.code");
      q.Into(code).Into(n).Into(persons).Into(known).Into(cents).Use(from).Use(to);
      BindScope(q, scope, sv);
      q.ForEach([&] {
        auto& row = procedures[code];
        row.code = code;
        row.rights_opened = n;
        row.right_persons = persons;
        row.amounts_known = known;
        row.monthly_amount_cents = cents;
      });
    }
    for (auto& [code, row] : procedures) {
      out.procedures.push_back(std::move(row));
    }
    {
      std::string status;
      long long n = 0;
      Query q(sql_,
              "SELECT CASE WHEN a.status = 'planned' AND a.ends_at >= :now THEN 'upcoming' ELSE "
              "a.status END AS s, COUNT(*) FROM appointment a JOIN referral r ON r.id = "
              "a.referral_id WHERE a.starts_at >= :a0 AND a.starts_at < :a1" +
                  ScopeSql(scope, kAppointmentWorker, "a.operator_id") + " GROUP BY s");
      const long long at = ToEpoch(now);
      q.Into(status).Into(n).Use(at).Use(t0).Use(t1);
      BindScope(q, scope, sv);
      q.ForEach([&] { out.appointments[status] = n; });
    }
    {
      service::CountRow row;
      Query q(sql_,
              std::string("SELECT o.partner_kind, COUNT(*), COUNT(DISTINCT ") + kPersonKey +
                  ") FROM orientation o JOIN referral r ON r.id = o.referral_id LEFT JOIN "
                  "person p ON p.id = r.person_id WHERE o.created_at >= :o0 AND o.created_at < "
                  ":o1" +
                  ScopeSql(scope, kCaseWorker) +
                  " GROUP BY o.partner_kind ORDER BY o.partner_kind");
      q.Into(row.code).Into(row.n).Into(row.persons).Use(t0).Use(t1);
      BindScope(q, scope, sv);
      q.ForEach([&] { out.orientations.push_back(row); });
    }
    return out;
  }

  std::vector<service::CoopActivity> CoopActivities(domain::StructureId team,
                                                    std::optional<domain::UserId> worker,
                                                    const domain::Period& period, Instant p0,
                                                    Instant p1) override {
    const long long op = team;
    const long long who = worker.value_or(0);
    const std::string from = ToIso(period.from);
    const std::string to = ToIso(period.to);
    const std::string where =
        " WHERE r.operator_id = :op AND i.occurred_on >= :from AND i.occurred_on <= :to";
    std::vector<service::CoopActivity> out;
    std::map<long long, std::vector<std::size_t>> by_intervention;
    std::map<long long, std::vector<std::size_t>> by_referral;
    {
      service::CoopActivity a;
      long long id = 0;
      long long user = 0;
      long long referral = 0;
      std::string day;
      long long created = 0;
      long long updated = 0;
      std::string birth_date;
      soci::indicator birth_date_ind = soci::i_null;
      int birth_year = 0;
      soci::indicator birth_year_ind = soci::i_null;
      Query q(sql_,
              std::string("SELECT i.id, w.user_id, i.referral_id, i.occurred_on, i.created_at, "
                          "i.updated_at, i.place, i.duration_minutes, i.autonomy, "
                          "COALESCE(a.city, ''), COALESCE(a.postal_code, ''), COALESCE(p.city, "
                          "''), COALESCE(p.postal_code, ''), COALESCE(p.gender, ''), "
                          "p.birth_date, p.birth_year FROM intervention i JOIN "
                          "intervention_worker w ON w.intervention_id = i.id JOIN referral r ON "
                          "r.id = i.referral_id LEFT JOIN person p ON p.id = r.person_id LEFT "
                          "JOIN appointment a ON a.id = i.appointment_id") +
                  where + (worker ? " AND w.user_id = :worker" : "") +
                  " ORDER BY i.occurred_on, i.id, w.user_id");
      q.Into(id).Into(user).Into(referral).Into(day).Into(created).Into(updated).Into(a.place);
      q.Into(a.duration_minutes).Into(a.autonomy).Into(a.place_city).Into(a.place_postal_code);
      q.Into(a.person_city).Into(a.person_postal_code).Into(a.person_gender);
      q.Into(birth_date, birth_date_ind).Into(birth_year, birth_year_ind);
      q.Use(op).Use(from).Use(to);
      if (worker) {
        q.Use(who);
      }
      q.ForEach([&] {
        service::CoopActivity row = a;
        row.intervention_id = id;
        row.user_id = user;
        row.occurred_on = ParseIsoDate(day).value_or(LocalDate{});
        row.created_at = FromEpoch(created);
        row.updated_at = FromEpoch(updated);
        row.person_birth_date = TextDay(birth_date, birth_date_ind);
        row.person_birth_year =
            birth_year_ind == soci::i_null ? std::nullopt : std::optional<int>(birth_year);
        by_intervention[id].push_back(out.size());
        by_referral[referral].push_back(out.size());
        out.push_back(std::move(row));
      });
    }
    if (out.empty()) {
      return out;
    }
    {
      long long id = 0;
      std::string kind;
      std::string code;
      Query q(sql_,
              std::string("SELECT it.intervention_id, it.kind, it.code FROM intervention_item it "
                          "JOIN intervention i ON i.id = it.intervention_id JOIN referral r ON "
                          "r.id = i.referral_id") +
                  where + " ORDER BY it.intervention_id, it.kind, it.code");
      q.Into(id).Into(kind).Into(code).Use(op).Use(from).Use(to);
      q.ForEach([&] {
        const auto found = by_intervention.find(id);
        if (found == by_intervention.end()) {
          return;
        }
        for (const auto i : found->second) {
          auto& row = out[i];
          (kind == "equipment"       ? row.equipment
           : kind == "digital_theme" ? row.digital_themes
                                     : row.administrative_themes)
              .push_back(code);
        }
      });
    }
    {
      long long id = 0;
      std::string code;
      Query q(sql_,
              std::string("SELECT ip.intervention_id, c.code FROM intervention_procedure ip JOIN "
                          "case_procedure c ON c.id = ip.procedure_id JOIN intervention i ON "
                          "i.id = ip.intervention_id JOIN referral r ON r.id = i.referral_id") +
                  where + " ORDER BY ip.intervention_id, c.code");
      q.Into(id).Into(code).Use(op).Use(from).Use(to);
      q.ForEach([&] {
        if (const auto found = by_intervention.find(id); found != by_intervention.end()) {
          for (const auto i : found->second) {
            out[i].procedures.push_back(code);
          }
        }
      });
    }
    {
      // An orientation recorded the day of the intervention: the person was redirected then.
      long long referral = 0;
      long long at = 0;
      std::string kind;
      const long long t0 = ToEpoch(p0);
      const long long t1 = ToEpoch(p1);
      Query q(sql_,
              "SELECT o.referral_id, o.created_at, o.partner_kind FROM orientation o JOIN "
              "referral r ON r.id = o.referral_id WHERE r.operator_id = :op AND o.created_at >= "
              ":t0 AND o.created_at < :t1 ORDER BY o.created_at, o.id");
      q.Into(referral).Into(at).Into(kind).Use(op).Use(t0).Use(t1);
      q.ForEach([&] {
        const auto found = by_referral.find(referral);
        if (found == by_referral.end()) {
          return;
        }
        const LocalDate day = paris::Today(FromEpoch(at));
        for (const auto i : found->second) {
          if (out[i].occurred_on == day && !out[i].redirected_to) {
            out[i].redirected_to = kind;
          }
        }
      });
    }
    return out;
  }

  std::optional<service::SteeringRecord> Steering(domain::StructureId team, int year,
                                                  int quarter) override {
    const long long op = team;
    service::SteeringRecord r;
    long long at = 0;
    Query q(sql_,
            "SELECT s.highlights, s.difficulties, s.perspectives, COALESCE(u.display_name, ''), "
            "s.updated_at FROM steering_report s LEFT JOIN app_user u ON u.id = "
            "s.updated_by_user_id WHERE s.operator_id = :o AND s.year = :y AND s.quarter = :q");
    q.Into(r.texts.highlights).Into(r.texts.difficulties).Into(r.texts.perspectives);
    q.Into(r.updated_by).Into(at).Use(op).Use(year).Use(quarter);
    if (!q.One()) {
      return std::nullopt;
    }
    r.updated_at = FromEpoch(at);
    return r;
  }

  void SaveSteering(domain::StructureId team, int year, int quarter,
                    const domain::SteeringTexts& texts, std::optional<domain::UserId> by,
                    Instant now) override {
    const long long op = team;
    long long user = by.value_or(0);
    soci::indicator user_ind = by ? soci::i_ok : soci::i_null;
    const long long at = ToEpoch(now);
    Query q(sql_,
            "INSERT INTO steering_report (operator_id, year, quarter, highlights, difficulties, "
            "perspectives, updated_by_user_id, updated_at) VALUES (:o, :y, :q, :h, :d, :p, :u, "
            ":t) ON CONFLICT (operator_id, year, quarter) DO UPDATE SET highlights = "
            "excluded.highlights, difficulties = excluded.difficulties, perspectives = "
            "excluded.perspectives, updated_by_user_id = excluded.updated_by_user_id, "
            "updated_at = excluded.updated_at");
    q.Use(op).Use(year).Use(quarter).Use(texts.highlights).Use(texts.difficulties);
    q.Use(texts.perspectives).Use(user, user_ind).Use(at);
    q.Run();
  }

 private:
  soci::session& sql_;
};

}  // namespace

std::unique_ptr<service::IndicatorRepository> MakeIndicatorRepository(soci::session& sql) {
  return std::make_unique<SqlIndicatorRepository>(sql);
}

}  // namespace allervers::storage
