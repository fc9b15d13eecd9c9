#include <soci/soci.h>

#include <map>

#include "storage/case_milestones.hpp"
#include "storage/sql_query.hpp"
#include "storage/sql_tx.hpp"

namespace allervers::storage {
namespace {

using domain::ReferralId;

// Optional values bound to nullable columns.
struct NullableInt {
  int value = 0;
  soci::indicator ind = soci::i_null;
  explicit NullableInt(const std::optional<int>& v)
      : value(v.value_or(0)), ind(v ? soci::i_ok : soci::i_null) {}
};
struct NullableDouble {
  double value = 0;
  soci::indicator ind = soci::i_null;
  explicit NullableDouble(const std::optional<double>& v)
      : value(v.value_or(0)), ind(v ? soci::i_ok : soci::i_null) {}
};
struct NullableText {
  std::string value;
  soci::indicator ind = soci::i_null;
  explicit NullableText(const std::optional<LocalDate>& d)
      : value(d ? ToIso(*d) : std::string()), ind(d ? soci::i_ok : soci::i_null) {}
};

std::optional<LocalDate> DateOrNone(const std::string& s, soci::indicator ind) {
  return ind == soci::i_null ? std::nullopt : ParseIsoDate(s);
}

constexpr const char* kAssessmentColumns =
    "a.id, a.referral_id, a.kind, a.grid_version, a.status, a.conducted_on, a.score_access, "
    "a.score_accounts, a.score_skills, a.level, a.abc_diag_score, a.abc_diag_on, a.pix_score, "
    "a.pix_on, a.created_by_user_id, COALESCE(u.display_name, ''), a.created_at, a.updated_at, "
    "a.completed_at FROM assessment a LEFT JOIN app_user u ON u.id = a.created_by_user_id ";

class SqlAssessmentRepository final : public service::AssessmentRepository {
 public:
  explicit SqlAssessmentRepository(soci::session& sql) : sql_(sql) {}

  domain::AssessmentId Insert(const domain::Assessment& a, Instant now) override {
    const long long referral = a.referral_id;
    const std::string kind(domain::AssessmentKindCode(a.kind));
    const std::string day = ToIso(a.conducted_on);
    long long by = a.created_by.value_or(0);
    soci::indicator by_ind = a.created_by ? soci::i_ok : soci::i_null;
    const long long at = ToEpoch(now);
    long long id = 0;
    Query q(sql_,
            "INSERT INTO assessment (referral_id, kind, grid_version, status, conducted_on, "
            "created_by_user_id, created_at, updated_at) VALUES (:r, :k, :v, 'draft', :d, :by, "
            ":c, :u) RETURNING id");
    q.Use(referral).Use(kind).Use(a.grid_version).Use(day).Use(by, by_ind).Use(at).Use(at).Into(id);
    q.One();
    return id;
  }

  std::optional<domain::Assessment> Find(domain::AssessmentId id) override {
    auto list = Select("WHERE a.id = :id", id);
    if (list.empty()) {
      return std::nullopt;
    }
    return std::move(list.front());
  }

  std::vector<domain::Assessment> ForReferral(ReferralId referral) override {
    return Select("WHERE a.referral_id = :id", referral);
  }

  void Save(const domain::Assessment& a, Instant now) override {
    const long long id = a.id;
    {
      // Through Query, as everywhere: soci's one-off `sql <<` statements need RTTI that the
      // sanitizer build's vptr check cannot find in Debian's libsoci.
      Query del(sql_, "DELETE FROM assessment_answer WHERE assessment_id = :id");
      del.Use(id);
      del.Run();
    }
    for (const auto& [item, value] : a.answers) {
      Query q(sql_,
              "INSERT INTO assessment_answer (assessment_id, item, value) VALUES (:a, :i, :v)");
      q.Use(id).Use(item).Use(value);
      q.Run();
    }
    const std::string status = a.completed ? "completed" : "draft";
    const std::string day = ToIso(a.conducted_on);
    NullableDouble access(a.score_access);
    NullableDouble accounts(a.score_accounts);
    NullableDouble skills(a.score_skills);
    const std::string level = a.level ? std::string(domain::LevelCode(*a.level)) : std::string();
    NullableInt abc(a.abc_diag_score);
    NullableText abc_on(a.abc_diag_on);
    NullableInt pix(a.pix_score);
    NullableText pix_on(a.pix_on);
    long long completed = a.completed_at ? ToEpoch(*a.completed_at) : 0;
    soci::indicator completed_ind = a.completed_at ? soci::i_ok : soci::i_null;
    const long long at = ToEpoch(now);
    Query q(sql_,
            "UPDATE assessment SET status = :s, conducted_on = :d, score_access = :sa, "
            "score_accounts = :sc, score_skills = :sk, level = :l, abc_diag_score = :abc, "
            "abc_diag_on = :abco, pix_score = :pix, pix_on = :pixo, completed_at = :ca, "
            "updated_at = :u WHERE id = :id");
    q.Use(status)
        .Use(day)
        .Use(access.value, access.ind)
        .Use(accounts.value, accounts.ind)
        .Use(skills.value, skills.ind)
        .Use(level)
        .Use(abc.value, abc.ind)
        .Use(abc_on.value, abc_on.ind)
        .Use(pix.value, pix.ind)
        .Use(pix_on.value, pix_on.ind)
        .Use(completed, completed_ind)
        .Use(at)
        .Use(id);
    q.Run();
    RefreshCaseMilestones(sql_, a.referral_id);
  }

 private:
  std::vector<domain::Assessment> Select(const std::string& where, long long key) {
    std::vector<domain::Assessment> out;
    long long id = 0;
    long long referral = 0;
    std::string kind;
    std::string version;
    std::string status;
    std::string day;
    double access = 0;
    double accounts = 0;
    double skills = 0;
    soci::indicator access_ind{};
    soci::indicator accounts_ind{};
    soci::indicator skills_ind{};
    std::string level;
    int abc = 0;
    soci::indicator abc_ind{};
    std::string abc_on;
    soci::indicator abc_on_ind{};
    int pix = 0;
    soci::indicator pix_ind{};
    std::string pix_on;
    soci::indicator pix_on_ind{};
    long long by = 0;
    soci::indicator by_ind{};
    std::string by_name;
    long long created = 0;
    long long updated = 0;
    long long completed = 0;
    soci::indicator completed_ind{};
    Query q(sql_, std::string("SELECT ") + kAssessmentColumns + where +
                      " ORDER BY CASE a.kind WHEN 'initial' THEN 0 ELSE 1 END, a.id");
    q.Into(id)
        .Into(referral)
        .Into(kind)
        .Into(version)
        .Into(status)
        .Into(day)
        .Into(access, access_ind)
        .Into(accounts, accounts_ind)
        .Into(skills, skills_ind)
        .Into(level)
        .Into(abc, abc_ind)
        .Into(abc_on, abc_on_ind)
        .Into(pix, pix_ind)
        .Into(pix_on, pix_on_ind)
        .Into(by, by_ind)
        .Into(by_name)
        .Into(created)
        .Into(updated)
        .Into(completed, completed_ind)
        .Use(key);
    q.ForEach([&] {
      domain::Assessment a;
      a.id = id;
      a.referral_id = referral;
      a.kind = domain::ParseAssessmentKind(kind).value_or(domain::AssessmentKind::kInitial);
      a.grid_version = version;
      a.completed = status == "completed";
      a.conducted_on = ParseIsoDate(day).value_or(LocalDate{});
      a.score_access = Nullable(access, access_ind);
      a.score_accounts = Nullable(accounts, accounts_ind);
      a.score_skills = Nullable(skills, skills_ind);
      a.level = domain::ParseLevel(level);
      a.abc_diag_score = Nullable(abc, abc_ind);
      a.abc_diag_on = DateOrNone(abc_on, abc_on_ind);
      a.pix_score = Nullable(pix, pix_ind);
      a.pix_on = DateOrNone(pix_on, pix_on_ind);
      a.created_by = Nullable(by, by_ind);
      a.created_by_name = by_name;
      a.created_at = FromEpoch(created);
      a.updated_at = FromEpoch(updated);
      if (completed_ind != soci::i_null) {
        a.completed_at = FromEpoch(completed);
      }
      out.push_back(std::move(a));
    });
    for (auto& a : out) {
      LoadAnswers(a);
    }
    return out;
  }

  void LoadAnswers(domain::Assessment& a) {
    const long long id = a.id;
    std::string item;
    std::string value;
    Query q(sql_, "SELECT item, value FROM assessment_answer WHERE assessment_id = :id");
    q.Into(item).Into(value).Use(id);
    q.ForEach([&] { a.answers[item] = value; });
  }

  soci::session& sql_;
};

class SqlInterventionRepository final : public service::InterventionRepository {
 public:
  explicit SqlInterventionRepository(soci::session& sql) : sql_(sql) {}

  domain::InterventionId Insert(const domain::Intervention& i, Instant now) override {
    const long long referral = i.referral_id;
    const std::string day = ToIso(i.occurred_on);
    const int minutes = i.duration_minutes;
    long long appointment = i.appointment_id.value_or(0);
    soci::indicator appointment_ind = i.appointment_id ? soci::i_ok : soci::i_null;
    long long by = i.created_by.value_or(0);
    soci::indicator by_ind = i.created_by ? soci::i_ok : soci::i_null;
    const long long at = ToEpoch(now);
    long long id = 0;
    Query q(sql_,
            "INSERT INTO intervention (referral_id, operator_id, occurred_on, duration_minutes, "
            "place, modality, autonomy, summary, appointment_id, created_by_user_id, "
            "created_at, updated_at) VALUES (:r, (SELECT operator_id FROM referral WHERE id = "
            ":r_again), :d, :m, :p, :mo, :a, :s, :ap, :by, :c, :u) RETURNING id");
    q.Use(referral)
        .Use(referral)
        .Use(day)
        .Use(minutes)
        .Use(i.place)
        .Use(i.modality)
        .Use(i.autonomy)
        .Use(i.summary)
        .Use(appointment, appointment_ind)
        .Use(by, by_ind)
        .Use(at)
        .Use(at)
        .Into(id);
    q.One();
    auto items = [&](const char* kind, const std::vector<std::string>& codes) {
      const std::string k(kind);
      for (const auto& code : codes) {
        Query ins(
            sql_,
            "INSERT INTO intervention_item (intervention_id, kind, code) VALUES (:i, :k, :c)");
        ins.Use(id).Use(k).Use(code);
        ins.Run();
      }
    };
    items("digital_theme", i.digital_themes);
    items("administrative_theme", i.administrative_themes);
    items("equipment", i.equipment);
    for (const auto p : i.procedures) {
      const long long procedure = p;
      Query ins(
          sql_,
          "INSERT INTO intervention_procedure (intervention_id, procedure_id) VALUES (:i, :p)");
      ins.Use(id).Use(procedure);
      ins.Run();
    }
    for (const auto w : i.workers) {
      const long long user = w;
      Query ins(sql_, "INSERT INTO intervention_worker (intervention_id, user_id) VALUES (:i, :u)");
      ins.Use(id).Use(user);
      ins.Run();
    }
    RefreshCaseMilestones(sql_, i.referral_id);
    return id;
  }

  std::vector<domain::Intervention> ForReferral(ReferralId referral_id) override {
    std::vector<domain::Intervention> out;
    std::map<long long, std::size_t> index;
    const long long referral = referral_id;
    long long id = 0;
    std::string day;
    int minutes = 0;
    std::string place;
    std::string modality;
    std::string autonomy;
    std::string summary;
    long long appointment = 0;
    soci::indicator appointment_ind{};
    long long by = 0;
    soci::indicator by_ind{};
    long long created = 0;
    {
      Query q(sql_,
              "SELECT id, occurred_on, duration_minutes, place, modality, autonomy, summary, "
              "appointment_id, created_by_user_id, created_at FROM intervention WHERE "
              "referral_id = :r ORDER BY occurred_on DESC, id DESC");
      q.Into(id)
          .Into(day)
          .Into(minutes)
          .Into(place)
          .Into(modality)
          .Into(autonomy)
          .Into(summary)
          .Into(appointment, appointment_ind)
          .Into(by, by_ind)
          .Into(created)
          .Use(referral);
      q.ForEach([&] {
        domain::Intervention i;
        i.id = id;
        i.referral_id = referral;
        i.occurred_on = ParseIsoDate(day).value_or(LocalDate{});
        i.duration_minutes = minutes;
        i.place = place;
        i.modality = modality;
        i.autonomy = autonomy;
        i.summary = summary;
        i.appointment_id = Nullable(appointment, appointment_ind);
        i.created_by = Nullable(by, by_ind);
        i.created_at = FromEpoch(created);
        index[id] = out.size();
        out.push_back(std::move(i));
      });
    }
    if (out.empty()) {
      return out;
    }
    std::string kind;
    std::string code;
    {
      Query q(sql_,
              "SELECT ii.intervention_id, ii.kind, ii.code FROM intervention_item ii JOIN "
              "intervention i ON i.id = ii.intervention_id WHERE i.referral_id = :r ORDER BY "
              "ii.kind, ii.code");
      q.Into(id).Into(kind).Into(code).Use(referral);
      q.ForEach([&] {
        auto& i = out[index.at(id)];
        (kind == "digital_theme"          ? i.digital_themes
         : kind == "administrative_theme" ? i.administrative_themes
                                          : i.equipment)
            .push_back(code);
      });
    }
    {
      long long procedure = 0;
      Query q(sql_,
              "SELECT ip.intervention_id, ip.procedure_id FROM intervention_procedure ip JOIN "
              "intervention i ON i.id = ip.intervention_id WHERE i.referral_id = :r ORDER BY "
              "ip.procedure_id");
      q.Into(id).Into(procedure).Use(referral);
      q.ForEach([&] { out[index.at(id)].procedures.push_back(procedure); });
    }
    long long user = 0;
    std::string name;
    Query q(sql_,
            "SELECT w.intervention_id, w.user_id, u.display_name FROM intervention_worker w JOIN "
            "intervention i ON i.id = w.intervention_id JOIN app_user u ON u.id = w.user_id "
            "WHERE i.referral_id = :r ORDER BY u.display_name");
    q.Into(id).Into(user).Into(name).Use(referral);
    q.ForEach([&] {
      auto& i = out[index.at(id)];
      i.workers.push_back(user);
      i.worker_names.push_back(name);
    });
    return out;
  }

 private:
  soci::session& sql_;
};

class SqlNoteRepository final : public service::NoteRepository {
 public:
  explicit SqlNoteRepository(soci::session& sql) : sql_(sql) {}

  domain::NoteId Insert(const domain::Note& n, Instant now) override {
    const long long referral = n.referral_id;
    const long long author = n.author;
    const int is_private = n.is_private ? 1 : 0;
    const long long at = ToEpoch(now);
    long long id = 0;
    Query q(sql_,
            "INSERT INTO case_note (referral_id, author_user_id, private, body, created_at, "
            "updated_at) VALUES (:r, :a, :p, :b, :c, :u) RETURNING id");
    q.Use(referral).Use(author).Use(is_private).Use(n.body).Use(at).Use(at).Into(id);
    q.One();
    return id;
  }

  std::vector<domain::Note> ForReferral(ReferralId referral_id, domain::UserId reader) override {
    std::vector<domain::Note> out;
    const long long referral = referral_id;
    const long long me = reader;
    long long id = 0;
    long long author = 0;
    std::string name;
    int is_private = 0;
    std::string body;
    long long created = 0;
    long long updated = 0;
    Query q(sql_,
            "SELECT n.id, n.author_user_id, u.display_name, CASE WHEN n.private THEN 1 ELSE 0 "
            "END, n.body, n.created_at, n.updated_at FROM case_note n JOIN app_user u ON u.id = "
            "n.author_user_id WHERE n.referral_id = :r AND (NOT n.private OR n.author_user_id = "
            ":me) ORDER BY n.created_at, n.id");
    q.Into(id)
        .Into(author)
        .Into(name)
        .Into(is_private)
        .Into(body)
        .Into(created)
        .Into(updated)
        .Use(referral)
        .Use(me);
    q.ForEach([&] {
      domain::Note n;
      n.id = id;
      n.referral_id = referral;
      n.author = author;
      n.author_name = name;
      n.is_private = is_private != 0;
      n.body = body;
      n.created_at = FromEpoch(created);
      n.updated_at = FromEpoch(updated);
      out.push_back(std::move(n));
    });
    return out;
  }

 private:
  soci::session& sql_;
};

constexpr const char* kProcedureColumns =
    "id, referral_id, code, status, modality, CASE WHEN aidants_connect THEN 1 ELSE 0 END, "
    "due_on, renewal_on, outcome, monthly_amount_cents, outcome_on, note, created_at, "
    "updated_at FROM case_procedure ";

class SqlProcedureRepository final : public service::ProcedureRepository {
 public:
  explicit SqlProcedureRepository(soci::session& sql) : sql_(sql) {}

  domain::CaseProcedureId Insert(const domain::CaseProcedure& p,
                                 std::optional<domain::UserId> created_by, Instant now) override {
    const long long referral = p.referral_id;
    const std::string status(domain::ProcedureStatusCode(p.status));
    long long by = created_by.value_or(0);
    soci::indicator by_ind = created_by ? soci::i_ok : soci::i_null;
    const long long at = ToEpoch(now);
    long long id = 0;
    Query q(sql_,
            "INSERT INTO case_procedure (referral_id, code, status, created_by_user_id, "
            "created_at, updated_at) VALUES (:r, :c, :s, :by, :ca, :ua) RETURNING id");
    q.Use(referral).Use(p.code).Use(status).Use(by, by_ind).Use(at).Use(at).Into(id);
    q.One();
    int position = 0;
    for (const auto& d : p.documents) {
      const int gathered = d.gathered ? 1 : 0;
      Query ins(sql_,
                "INSERT INTO case_procedure_document (procedure_id, position, label, gathered) "
                "VALUES (:p, :n, :l, :g)");
      ins.Use(id).Use(position).Use(d.label).Use(gathered);
      ins.Run();
      ++position;
    }
    return id;
  }

  std::optional<domain::CaseProcedure> Find(domain::CaseProcedureId id) override {
    auto list = Select("WHERE id = :k", id);
    if (list.empty()) {
      return std::nullopt;
    }
    return std::move(list.front());
  }

  std::vector<domain::CaseProcedure> ForReferral(ReferralId referral) override {
    return Select("WHERE referral_id = :k", referral);
  }

  void Update(const domain::CaseProcedure& p, Instant now) override {
    const long long id = p.id;
    const std::string status(domain::ProcedureStatusCode(p.status));
    const int ac = p.aidants_connect ? 1 : 0;
    NullableText due(p.due_on);
    NullableText renewal(p.renewal_on);
    const std::string outcome(domain::RightOutcomeCode(p.outcome));
    long long amount = p.monthly_amount_cents.value_or(0);
    soci::indicator amount_ind = p.monthly_amount_cents ? soci::i_ok : soci::i_null;
    NullableText outcome_on(p.outcome_on);
    const long long at = ToEpoch(now);
    Query q(sql_,
            "UPDATE case_procedure SET status = :s, modality = :m, aidants_connect = :ac, "
            "due_on = :d, renewal_on = :r, outcome = :o, monthly_amount_cents = :a, "
            "outcome_on = :oo, note = :n, updated_at = :u WHERE id = :id");
    q.Use(status)
        .Use(p.modality)
        .Use(ac)
        .Use(due.value, due.ind)
        .Use(renewal.value, renewal.ind)
        .Use(outcome)
        .Use(amount, amount_ind)
        .Use(outcome_on.value, outcome_on.ind)
        .Use(p.note)
        .Use(at)
        .Use(id);
    q.Run();
    int position = 0;
    for (const auto& d : p.documents) {
      const int gathered = d.gathered ? 1 : 0;
      Query up(sql_,
               "UPDATE case_procedure_document SET gathered = :g WHERE procedure_id = :p AND "
               "position = :n");
      up.Use(gathered).Use(id).Use(position);
      up.Run();
      ++position;
    }
  }

  void AddEvent(domain::CaseProcedureId id, std::optional<domain::UserId> user,
                const std::string& from, const std::string& to, Instant at) override {
    const long long procedure = id;
    long long by = user.value_or(0);
    soci::indicator by_ind = user ? soci::i_ok : soci::i_null;
    const long long when = ToEpoch(at);
    Query q(sql_,
            "INSERT INTO case_procedure_event (procedure_id, at, user_id, from_status, "
            "to_status) VALUES (:p, :a, :u, :f, :t)");
    q.Use(procedure).Use(when).Use(by, by_ind).Use(from).Use(to);
    q.Run();
  }

 private:
  std::vector<domain::CaseProcedure> Select(const std::string& where, long long key) {
    std::vector<domain::CaseProcedure> out;
    std::map<long long, std::size_t> index;
    long long id = 0;
    long long referral = 0;
    std::string code;
    std::string status;
    std::string modality;
    int ac = 0;
    std::string due;
    soci::indicator due_ind{};
    std::string renewal;
    soci::indicator renewal_ind{};
    std::string outcome;
    long long amount = 0;
    soci::indicator amount_ind{};
    std::string outcome_on;
    soci::indicator outcome_on_ind{};
    std::string note;
    long long created = 0;
    long long updated = 0;
    {
      Query q(sql_, std::string("SELECT ") + kProcedureColumns + where + " ORDER BY id");
      q.Into(id)
          .Into(referral)
          .Into(code)
          .Into(status)
          .Into(modality)
          .Into(ac)
          .Into(due, due_ind)
          .Into(renewal, renewal_ind)
          .Into(outcome)
          .Into(amount, amount_ind)
          .Into(outcome_on, outcome_on_ind)
          .Into(note)
          .Into(created)
          .Into(updated)
          .Use(key);
      q.ForEach([&] {
        domain::CaseProcedure p;
        p.id = id;
        p.referral_id = referral;
        p.code = code;
        p.status = domain::ParseProcedureStatus(status).value_or(domain::ProcedureStatus::kTodo);
        p.modality = modality;
        p.aidants_connect = ac != 0;
        p.due_on = DateOrNone(due, due_ind);
        p.renewal_on = DateOrNone(renewal, renewal_ind);
        p.outcome = domain::ParseRightOutcome(outcome).value_or(domain::RightOutcome::kNone);
        p.monthly_amount_cents = Nullable(amount, amount_ind);
        p.outcome_on = DateOrNone(outcome_on, outcome_on_ind);
        p.note = note;
        p.created_at = FromEpoch(created);
        p.updated_at = FromEpoch(updated);
        index[id] = out.size();
        out.push_back(std::move(p));
      });
    }
    if (out.empty()) {
      return out;
    }
    // Documents and events of the same procedures: one query each.
    const std::string owners = std::string("SELECT id FROM case_procedure ") + where;
    {
      std::string label;
      int gathered = 0;
      Query q(sql_,
              "SELECT procedure_id, label, CASE WHEN gathered THEN 1 ELSE 0 END FROM "
              "case_procedure_document WHERE procedure_id IN (" +
                  owners + ") ORDER BY procedure_id, position");
      q.Into(id).Into(label).Into(gathered).Use(key);
      q.ForEach([&] { out[index.at(id)].documents.push_back({label, gathered != 0}); });
    }
    long long at = 0;
    std::string name;
    std::string from;
    std::string to;
    Query q(sql_,
            "SELECT e.procedure_id, e.at, COALESCE(u.display_name, ''), e.from_status, "
            "e.to_status FROM case_procedure_event e LEFT JOIN app_user u ON u.id = "
            "e.user_id WHERE e.procedure_id IN (" +
                owners + ") ORDER BY e.at, e.id");
    q.Into(id).Into(at).Into(name).Into(from).Into(to).Use(key);
    q.ForEach([&] { out[index.at(id)].events.push_back({FromEpoch(at), name, from, to}); });
    return out;
  }

  soci::session& sql_;
};

class SqlMandateRepository final : public service::MandateRepository {
 public:
  explicit SqlMandateRepository(soci::session& sql) : sql_(sql) {}

  domain::MandateId Insert(const domain::Mandate& m, std::optional<domain::UserId> created_by,
                           Instant now) override {
    const long long referral = m.referral_id;
    const int days = m.duration_days;
    const std::string starts = ToIso(m.starts_on);
    const std::string ends = ToIso(m.ends_on);
    std::string domains;
    for (const auto& d : m.domains) {
      domains += (domains.empty() ? "" : ",") + d;
    }
    long long by = created_by.value_or(0);
    soci::indicator by_ind = created_by ? soci::i_ok : soci::i_null;
    const long long at = ToEpoch(now);
    long long id = 0;
    Query q(sql_,
            "INSERT INTO mandate (referral_id, duration_days, starts_on, ends_on, domains, "
            "created_by_user_id, created_at) VALUES (:r, :d, :s, :e, :dom, :by, :c) RETURNING id");
    q.Use(referral).Use(days).Use(starts).Use(ends).Use(domains).Use(by, by_ind).Use(at).Into(id);
    q.One();
    return id;
  }

  std::optional<domain::Mandate> Find(domain::MandateId id) override {
    auto list = Select("WHERE id = :k", id);
    if (list.empty()) {
      return std::nullopt;
    }
    return list.front();
  }

  std::vector<domain::Mandate> ForReferral(ReferralId referral) override {
    return Select("WHERE referral_id = :k", referral);
  }

  void Revoke(domain::MandateId id, const LocalDate& on) override {
    const long long key = id;
    const std::string day = ToIso(on);
    Query q(sql_, "UPDATE mandate SET revoked_on = :d WHERE id = :id AND revoked_on IS NULL");
    q.Use(day).Use(key);
    q.Run();
  }

 private:
  std::vector<domain::Mandate> Select(const std::string& where, long long key) {
    std::vector<domain::Mandate> out;
    long long id = 0;
    long long referral = 0;
    int days = 0;
    std::string starts;
    std::string ends;
    std::string domains;
    std::string revoked;
    soci::indicator revoked_ind{};
    long long created = 0;
    Query q(sql_,
            "SELECT id, referral_id, duration_days, starts_on, ends_on, domains, "
            "revoked_on, created_at FROM mandate " +
                where + " ORDER BY starts_on DESC, id DESC");
    q.Into(id)
        .Into(referral)
        .Into(days)
        .Into(starts)
        .Into(ends)
        .Into(domains)
        .Into(revoked, revoked_ind)
        .Into(created)
        .Use(key);
    q.ForEach([&] {
      domain::Mandate m;
      m.id = id;
      m.referral_id = referral;
      m.duration_days = days;
      m.starts_on = ParseIsoDate(starts).value_or(LocalDate{});
      m.ends_on = ParseIsoDate(ends).value_or(LocalDate{});
      m.domains = domain::MultiCodes(domains);
      m.revoked_on = DateOrNone(revoked, revoked_ind);
      m.created_at = FromEpoch(created);
      out.push_back(std::move(m));
    });
    return out;
  }

  soci::session& sql_;
};

}  // namespace

std::unique_ptr<service::AssessmentRepository> MakeAssessmentRepository(soci::session& sql) {
  return std::make_unique<SqlAssessmentRepository>(sql);
}
std::unique_ptr<service::InterventionRepository> MakeInterventionRepository(soci::session& sql) {
  return std::make_unique<SqlInterventionRepository>(sql);
}
std::unique_ptr<service::NoteRepository> MakeNoteRepository(soci::session& sql) {
  return std::make_unique<SqlNoteRepository>(sql);
}
std::unique_ptr<service::ProcedureRepository> MakeProcedureRepository(soci::session& sql) {
  return std::make_unique<SqlProcedureRepository>(sql);
}
std::unique_ptr<service::MandateRepository> MakeMandateRepository(soci::session& sql) {
  return std::make_unique<SqlMandateRepository>(sql);
}

}  // namespace allervers::storage
