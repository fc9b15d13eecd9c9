#include <soci/soci.h>

#include <map>
#include <sstream>

#include "common/error.hpp"
#include "storage/case_milestones.hpp"
#include "storage/sql_query.hpp"
#include "storage/sql_tx.hpp"

namespace allervers::storage {
namespace {

using domain::AppointmentId;
using domain::ReferralId;

std::vector<std::string> SplitComma(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (!item.empty()) {
      out.push_back(item);
    }
  }
  return out;
}

class SqlContactAttemptRepository final : public service::ContactAttemptRepository {
 public:
  explicit SqlContactAttemptRepository(soci::session& sql) : sql_(sql) {}

  std::int64_t Insert(ReferralId referral, const domain::ContactAttempt& a,
                      std::optional<domain::UserId> user, Instant now) override {
    const long long ref = referral;
    const long long at = ToEpoch(a.at);
    const long long created = ToEpoch(now);
    const std::string channel(domain::ChannelCode(a.channel));
    const std::string outcome(domain::OutcomeCode(a.outcome));
    long long uid = user.value_or(0);
    soci::indicator uind = user ? soci::i_ok : soci::i_null;
    long long id = 0;
    Query q(sql_,
            "INSERT INTO contact_attempt (referral_id, at, channel, outcome, note, user_id, "
            "author_name, created_at) VALUES (:r, :at, :c, :o, :n, :u, :a, :cr) RETURNING id");
    q.Use(ref)
        .Use(at)
        .Use(channel)
        .Use(outcome)
        .Use(a.note)
        .Use(uid, uind)
        .Use(a.author_name)
        .Use(created)
        .Into(id);
    q.One();
    RefreshCaseMilestones(sql_, referral);
    return id;
  }

  std::vector<domain::ContactAttempt> ForReferral(ReferralId referral) override {
    std::vector<domain::ContactAttempt> out;
    const long long ref = referral;
    long long id = 0;
    long long at = 0;
    std::string channel, outcome, note, author;
    Query q(sql_,
            "SELECT id, at, channel, outcome, note, author_name FROM contact_attempt "
            "WHERE referral_id = :r ORDER BY at, id");
    q.Into(id).Into(at).Into(channel).Into(outcome).Into(note).Into(author).Use(ref);
    q.ForEach([&] {
      domain::ContactAttempt a;
      a.id = id;
      a.at = FromEpoch(at);
      a.channel = domain::ParseChannel(channel).value_or(domain::ContactChannel::kPhone);
      a.outcome = domain::ParseOutcome(outcome).value_or(domain::ContactOutcome::kNoAnswer);
      a.note = note;
      a.author_name = author;
      out.push_back(std::move(a));
    });
    return out;
  }

  void MarkFirstContact(ReferralId referral, Instant at) override {
    Mark("first_contact_at", referral, at);
  }
  void MarkFirstVisit(ReferralId referral, Instant at) override {
    Mark("first_visit_at", referral, at);
  }

  std::optional<Instant> UnreachableProposedAt(ReferralId referral) override {
    const long long ref = referral;
    long long at = 0;
    soci::indicator ind = soci::i_null;
    Query q(sql_, "SELECT unreachable_proposed_at FROM referral WHERE id = :r");
    q.Into(at, ind).Use(ref);
    if (!q.One() || ind != soci::i_ok) {
      return std::nullopt;
    }
    return FromEpoch(at);
  }

  void SetUnreachableProposed(ReferralId referral, std::optional<Instant> at) override {
    const long long ref = referral;
    long long v = at ? ToEpoch(*at) : 0;
    soci::indicator ind = at ? soci::i_ok : soci::i_null;
    Query q(sql_, "UPDATE referral SET unreachable_proposed_at = :at WHERE id = :r");
    q.Use(v, ind).Use(ref);
    q.Run();
  }

 private:
  void Mark(const char* column, ReferralId referral, Instant at) {
    const long long ref = referral;
    const long long v = ToEpoch(at);
    // Column names come from this file only.
    Query q(sql_, std::string("UPDATE referral SET ") + column + " = :at WHERE id = :r AND (" +
                      column + " IS NULL OR " + column + " > :at2)");
    q.Use(v).Use(ref).Use(v);
    q.Run();
  }

  soci::session& sql_;
};

constexpr const char* kSelectAppointment =
    "SELECT a.id, a.referral_id, a.operator_id, a.starts_at, a.ends_at, a.place_kind, "
    "a.place_label, a.address_line, a.postal_code, a.city, a.purpose, a.to_bring, a.status, "
    "a.outcome_note, a.rescheduled_to_id, a.tripartite, a.referrer_user_id, a.referrer_response, "
    "a.sequence, a.updated_at, "
    "r.number, r.status, r.structure_id, s.name, r.created_by_user_id, r.referrer_name, "
    "r.referrer_email, "
    "p.id, p.gender, p.first_names, CASE WHEN p.usage_name <> '' THEN p.usage_name ELSE "
    "p.birth_name END, p.phone, p.email, p.address_line, p.postal_code, p.city, "
    "p.contact_preferences, "
    "(SELECT MIN(o.id) FROM appointment o WHERE o.rescheduled_to_id = a.id) "
    "FROM appointment a JOIN referral r ON r.id = a.referral_id "
    "JOIN structure s ON s.id = r.structure_id JOIN person p ON p.id = r.person_id ";

struct AppointmentRow {
  long long id = 0, referral_id = 0, operator_id = 0, starts = 0, ends = 0;
  std::string place, place_label, address, postal, city, purpose, to_bring, status, note;
  long long rescheduled_to = 0;
  soci::indicator rescheduled_ind = soci::i_null;
  int tripartite = 0;
  long long referrer_user = 0;
  soci::indicator referrer_user_ind = soci::i_null;
  std::string referrer_response;
  int sequence = 0;
  long long updated = 0;
  std::string number;
  soci::indicator number_ind = soci::i_null;
  std::string referral_status;
  long long structure_id = 0;
  std::string structure_name;
  long long created_by = 0;
  soci::indicator created_by_ind = soci::i_null;
  std::string referrer_name, referrer_email;
  long long person_id = 0;
  std::string gender, first_names, last_name, phone, email, p_address, p_postal, p_city, prefs;
  long long rescheduled_from = 0;
  soci::indicator rescheduled_from_ind = soci::i_null;

  void Bind(Query& q) {
    q.Into(id)
        .Into(referral_id)
        .Into(operator_id)
        .Into(starts)
        .Into(ends)
        .Into(place)
        .Into(place_label)
        .Into(address)
        .Into(postal)
        .Into(city)
        .Into(purpose)
        .Into(to_bring)
        .Into(status)
        .Into(note)
        .Into(rescheduled_to, rescheduled_ind)
        .Into(tripartite)
        .Into(referrer_user, referrer_user_ind)
        .Into(referrer_response)
        .Into(sequence)
        .Into(updated)
        .Into(number, number_ind)
        .Into(referral_status)
        .Into(structure_id)
        .Into(structure_name)
        .Into(created_by, created_by_ind)
        .Into(referrer_name)
        .Into(referrer_email)
        .Into(person_id)
        .Into(gender)
        .Into(first_names)
        .Into(last_name)
        .Into(phone)
        .Into(email)
        .Into(p_address)
        .Into(p_postal)
        .Into(p_city)
        .Into(prefs)
        .Into(rescheduled_from, rescheduled_from_ind);
  }

  service::AppointmentRecord ToRecord() const {
    service::AppointmentRecord r;
    auto& a = r.appointment;
    a.id = id;
    a.referral_id = referral_id;
    a.starts_at = FromEpoch(starts);
    a.ends_at = FromEpoch(ends);
    a.place = domain::ParsePlace(place).value_or(domain::PlaceKind::kHome);
    a.place_label = place_label;
    a.address_line = address;
    a.postal_code = postal;
    a.city = city;
    a.purpose = purpose;
    a.to_bring = to_bring;
    a.status = domain::ParseAppointmentStatus(status).value_or(domain::AppointmentStatus::kPlanned);
    a.outcome_note = note;
    a.rescheduled_to = Nullable<long long>(rescheduled_to, rescheduled_ind);
    a.rescheduled_from = Nullable<long long>(rescheduled_from, rescheduled_from_ind);
    a.tripartite = tripartite != 0;
    a.referrer_user_id = Nullable<long long>(referrer_user, referrer_user_ind);
    a.referrer_response =
        domain::ParseReferrerResponse(referrer_response).value_or(domain::ReferrerResponse::kNone);
    a.sequence = sequence;
    a.updated_at = FromEpoch(updated);
    r.operator_id = operator_id;
    r.referral_id = referral_id;
    r.referral_number = number_ind == soci::i_ok ? number : "";
    r.referral_status =
        domain::ParseStatus(referral_status).value_or(domain::ReferralStatus::kAccepted);
    r.referring_structure_id = structure_id;
    r.referring_structure_name = structure_name;
    r.referral_created_by = Nullable<long long>(created_by, created_by_ind);
    r.referrer_name = referrer_name;
    r.referrer_email = referrer_email;
    r.person_id = person_id;
    r.person_gender = gender;
    r.person_first_names = first_names;
    r.person_last_name = last_name;
    r.person_phone = phone;
    r.person_email = email;
    r.person_address_line = p_address;
    r.person_postal_code = p_postal;
    r.person_city = p_city;
    r.person_contact_preferences = SplitComma(prefs);
    return r;
  }
};

class SqlAppointmentRepository final : public service::AppointmentRepository {
 public:
  explicit SqlAppointmentRepository(soci::session& sql) : sql_(sql) {}

  AppointmentId Insert(const domain::Appointment& a, domain::StructureId operator_id,
                       std::optional<domain::UserId> created_by, Instant now) override {
    const long long ref = a.referral_id;
    const long long op = operator_id;
    const long long starts = ToEpoch(a.starts_at);
    const long long ends = ToEpoch(a.ends_at);
    const std::string place(domain::PlaceCode(a.place));
    const int tripartite = a.tripartite ? 1 : 0;
    long long referrer = a.referrer_user_id.value_or(0);
    soci::indicator referrer_ind = a.referrer_user_id ? soci::i_ok : soci::i_null;
    const std::string response(domain::ReferrerResponseCode(a.referrer_response));
    long long by = created_by.value_or(0);
    soci::indicator by_ind = created_by ? soci::i_ok : soci::i_null;
    const long long at = ToEpoch(now);
    long long id = 0;
    Query q(sql_,
            "INSERT INTO appointment (referral_id, operator_id, starts_at, ends_at, place_kind, "
            "place_label, address_line, postal_code, city, purpose, to_bring, tripartite, "
            "referrer_user_id, referrer_response, created_by_user_id, created_at, updated_at) "
            "VALUES (:r, :op, :s, :e, :pk, :pl, :al, :pc, :c, :pu, :tb, :t, :ru, :rr, :by, :ca, "
            ":ua) RETURNING id");
    q.Use(ref)
        .Use(op)
        .Use(starts)
        .Use(ends)
        .Use(place)
        .Use(a.place_label)
        .Use(a.address_line)
        .Use(a.postal_code)
        .Use(a.city)
        .Use(a.purpose)
        .Use(a.to_bring)
        .Use(tripartite)
        .Use(referrer, referrer_ind)
        .Use(response)
        .Use(by, by_ind)
        .Use(at)
        .Use(at)
        .Into(id);
    q.One();
    ReplaceWorkers(id, a.workers);
    return id;
  }

  void Update(const domain::Appointment& a, Instant now) override {
    const long long id = a.id;
    const long long starts = ToEpoch(a.starts_at);
    const long long ends = ToEpoch(a.ends_at);
    const std::string place(domain::PlaceCode(a.place));
    const int tripartite = a.tripartite ? 1 : 0;
    long long referrer = a.referrer_user_id.value_or(0);
    soci::indicator referrer_ind = a.referrer_user_id ? soci::i_ok : soci::i_null;
    const std::string response(domain::ReferrerResponseCode(a.referrer_response));
    const long long at = ToEpoch(now);
    Query q(sql_,
            "UPDATE appointment SET starts_at = :s, ends_at = :e, place_kind = :pk, "
            "place_label = :pl, address_line = :al, postal_code = :pc, city = :c, purpose = :pu, "
            "to_bring = :tb, tripartite = :t, referrer_user_id = :ru, referrer_response = :rr, "
            "sequence = sequence + 1, updated_at = :ua WHERE id = :id");
    q.Use(starts)
        .Use(ends)
        .Use(place)
        .Use(a.place_label)
        .Use(a.address_line)
        .Use(a.postal_code)
        .Use(a.city)
        .Use(a.purpose)
        .Use(a.to_bring)
        .Use(tripartite)
        .Use(referrer, referrer_ind)
        .Use(response)
        .Use(at)
        .Use(id);
    q.Run();
    ReplaceWorkers(a.id, a.workers);
    RefreshCaseMilestones(sql_, a.referral_id);
  }

  void SetOutcome(AppointmentId id, domain::AppointmentStatus status, const std::string& note,
                  std::optional<AppointmentId> rescheduled_to, Instant now) override {
    const long long key = id;
    const std::string code(domain::AppointmentStatusCode(status));
    long long to = rescheduled_to.value_or(0);
    soci::indicator to_ind = rescheduled_to ? soci::i_ok : soci::i_null;
    const long long at = ToEpoch(now);
    Query q(sql_,
            "UPDATE appointment SET status = :s, outcome_note = :n, rescheduled_to_id = :t, "
            "sequence = sequence + 1, updated_at = :u WHERE id = :id");
    q.Use(code).Use(note).Use(to, to_ind).Use(at).Use(key);
    q.Run();
    long long referral = 0;
    Query r(sql_, "SELECT referral_id FROM appointment WHERE id = :id");
    r.Into(referral).Use(key);
    if (r.One()) {
      RefreshCaseMilestones(sql_, referral);
    }
  }

  void SetReferrerResponse(AppointmentId id, domain::ReferrerResponse r, Instant now) override {
    const long long key = id;
    const std::string code(domain::ReferrerResponseCode(r));
    const long long at = ToEpoch(now);
    Query q(sql_, "UPDATE appointment SET referrer_response = :r, updated_at = :u WHERE id = :id");
    q.Use(code).Use(at).Use(key);
    q.Run();
  }

  std::optional<service::AppointmentRecord> Find(AppointmentId id) override {
    service::AppointmentFilter f;
    const long long key = id;
    AppointmentRow row;
    Query q(sql_, std::string(kSelectAppointment) + "WHERE a.id = :id");
    row.Bind(q);
    q.Use(key);
    if (!q.One()) {
      return std::nullopt;
    }
    auto rec = row.ToRecord();
    LoadWorkers({&rec});
    return rec;
  }

  std::vector<service::AppointmentRecord> List(const service::AppointmentFilter& f) override {
    std::string where = "WHERE 1 = 1";
    long long op = f.operator_id.value_or(0);
    long long worker = f.worker.value_or(0);
    long long referrer = f.referrer_user.value_or(0);
    long long referral = f.referral.value_or(0);
    long long from = f.from ? ToEpoch(*f.from) : 0;
    long long to = f.to ? ToEpoch(*f.to) : 0;
    const int limit = f.limit;
    if (f.operator_id) {
      where += " AND a.operator_id = :op";
    }
    if (f.worker) {
      where += " AND a.id IN (SELECT appointment_id FROM appointment_worker WHERE user_id = :w)";
    }
    if (f.referrer_user) {
      where += " AND a.referrer_user_id = :ru";
    }
    if (f.referral) {
      where += " AND a.referral_id = :ref";
    }
    if (f.from) {
      where += " AND a.starts_at >= :from";
    }
    if (f.to) {
      where += " AND a.starts_at < :to";
    }
    if (f.planned_only) {
      where += " AND a.status = 'planned'";
    }
    AppointmentRow row;
    Query q(sql_,
            std::string(kSelectAppointment) + where + " ORDER BY a.starts_at, a.id LIMIT :lim");
    row.Bind(q);
    if (f.operator_id) {
      q.Use(op);
    }
    if (f.worker) {
      q.Use(worker);
    }
    if (f.referrer_user) {
      q.Use(referrer);
    }
    if (f.referral) {
      q.Use(referral);
    }
    if (f.from) {
      q.Use(from);
    }
    if (f.to) {
      q.Use(to);
    }
    q.Use(limit);
    std::vector<service::AppointmentRecord> out;
    q.ForEach([&] { out.push_back(row.ToRecord()); });
    std::vector<service::AppointmentRecord*> ptrs;
    for (auto& r : out) {
      ptrs.push_back(&r);
    }
    LoadWorkers(ptrs);
    return out;
  }

  std::vector<domain::BusySlot> Busy(domain::UserId worker, Instant from, Instant to) override {
    const long long w = worker;
    const long long f = ToEpoch(from);
    const long long t = ToEpoch(to);
    long long id = 0, starts = 0, ends = 0;
    std::string place, postal, city, first, last;
    Query q(
        sql_,
        "SELECT a.id, a.starts_at, a.ends_at, a.place_kind, a.postal_code, a.city, "
        "p.first_names, CASE WHEN p.usage_name <> '' THEN p.usage_name ELSE p.birth_name END "
        "FROM appointment a JOIN appointment_worker aw ON aw.appointment_id = a.id "
        "JOIN referral r ON r.id = a.referral_id JOIN person p ON p.id = r.person_id "
        "WHERE aw.user_id = :w AND a.status = 'planned' AND a.ends_at > :f AND a.starts_at < :t "
        "ORDER BY a.starts_at");
    q.Into(id)
        .Into(starts)
        .Into(ends)
        .Into(place)
        .Into(postal)
        .Into(city)
        .Into(first)
        .Into(last)
        .Use(w)
        .Use(f)
        .Use(t);
    std::vector<domain::BusySlot> out;
    q.ForEach([&] {
      domain::BusySlot b;
      b.id = id;
      b.starts_at = FromEpoch(starts);
      b.ends_at = FromEpoch(ends);
      b.in_person =
          domain::IsInPerson(domain::ParsePlace(place).value_or(domain::PlaceKind::kHome));
      b.postal_code = postal;
      b.city = city;
      b.label = first + " " + last;
      out.push_back(std::move(b));
    });
    return out;
  }

 private:
  void ReplaceWorkers(AppointmentId id, const std::vector<domain::UserId>& workers) {
    const long long key = id;
    Query del(sql_, "DELETE FROM appointment_worker WHERE appointment_id = :id");
    del.Use(key);
    del.Run();
    for (const auto w : workers) {
      const long long user = w;
      Query ins(sql_, "INSERT INTO appointment_worker (appointment_id, user_id) VALUES (:a, :u)");
      ins.Use(key).Use(user);
      ins.Run();
    }
  }

  void LoadWorkers(const std::vector<service::AppointmentRecord*>& records) {
    if (records.empty()) {
      return;
    }
    std::map<long long, service::AppointmentRecord*> by_id;
    std::string list;
    for (auto* r : records) {
      by_id[r->appointment.id] = r;
      // Ids are integers from our own query: formatted here, never taken from input text.
      list += (list.empty() ? "" : ",") + std::to_string(r->appointment.id);
    }
    long long appointment = 0;
    long long user = 0;
    std::string name;
    Query q(sql_,
            "SELECT aw.appointment_id, aw.user_id, u.display_name FROM appointment_worker aw "
            "JOIN app_user u ON u.id = aw.user_id WHERE aw.appointment_id IN (" +
                list + ") ORDER BY aw.appointment_id, u.display_name");
    q.Into(appointment).Into(user).Into(name);
    q.ForEach([&] {
      auto* r = by_id[appointment];
      r->appointment.workers.push_back(user);
      r->appointment.worker_names.push_back(name);
    });
  }

  soci::session& sql_;
};

class SqlCalendarFeedRepository final : public service::CalendarFeedRepository {
 public:
  explicit SqlCalendarFeedRepository(soci::session& sql) : sql_(sql) {}

  void Put(domain::UserId user, const std::string& digest, Instant now) override {
    Delete(user);
    const long long u = user;
    const long long at = ToEpoch(now);
    Query q(sql_,
            "INSERT INTO calendar_feed (user_id, token_digest, created_at) VALUES (:u, :d, :at)");
    q.Use(u).Use(digest).Use(at);
    q.Run();
  }

  void Delete(domain::UserId user) override {
    const long long u = user;
    Query q(sql_, "DELETE FROM calendar_feed WHERE user_id = :u");
    q.Use(u);
    q.Run();
  }

  bool Exists(domain::UserId user) override {
    const long long u = user;
    long long n = 0;
    Query q(sql_, "SELECT COUNT(*) FROM calendar_feed WHERE user_id = :u");
    q.Into(n).Use(u);
    q.One();
    return n > 0;
  }

  std::optional<domain::UserId> FindByDigest(const std::string& digest) override {
    long long u = 0;
    Query q(sql_, "SELECT user_id FROM calendar_feed WHERE token_digest = :d");
    q.Into(u).Use(digest);
    if (!q.One()) {
      return std::nullopt;
    }
    return u;
  }

 private:
  soci::session& sql_;
};

}  // namespace

std::unique_ptr<service::ContactAttemptRepository> MakeContactAttemptRepository(
    soci::session& sql) {
  return std::make_unique<SqlContactAttemptRepository>(sql);
}
std::unique_ptr<service::AppointmentRepository> MakeAppointmentRepository(soci::session& sql) {
  return std::make_unique<SqlAppointmentRepository>(sql);
}
std::unique_ptr<service::CalendarFeedRepository> MakeCalendarFeedRepository(soci::session& sql) {
  return std::make_unique<SqlCalendarFeedRepository>(sql);
}

}  // namespace allervers::storage
