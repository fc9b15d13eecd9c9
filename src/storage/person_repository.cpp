#include <soci/soci.h>

#include <sstream>

#include "storage/sql_query.hpp"
#include "storage/sql_tx.hpp"

namespace allervers::storage {
namespace {

using domain::PersonId;

std::string JoinCodes(const std::vector<std::string>& codes) {
  std::string out;
  for (const auto& c : codes) {
    out += (out.empty() ? "" : ",") + c;
  }
  return out;
}

std::vector<std::string> SplitCodes(const std::string& s) {
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

constexpr const char* kSelect =
    "SELECT id, birth_name, usage_name, first_names, birth_date, birth_year, gender, phone, email, "
    "address_line, "
    "postal_code, city, language, interpreter_needed, contact_preferences, availability, "
    "adaptations, carer, "
    "merged_into_id, privacy_notice_on, anonymized_at, created_at, updated_at FROM person ";

struct Row {
  long long id = 0;
  std::string birth_name, usage_name, first_names;
  std::string birth_date;
  soci::indicator birth_date_ind = soci::i_ok;
  int birth_year = 0;
  soci::indicator birth_year_ind = soci::i_ok;
  std::string gender, phone, email, address_line, postal_code, city, language;
  int interpreter = 0;
  std::string contact_preferences, availability, adaptations, carer;
  long long merged_into = 0;
  soci::indicator merged_ind = soci::i_ok;
  std::string notice_on;
  soci::indicator notice_ind = soci::i_ok;
  long long anonymized_at = 0;
  soci::indicator anonymized_ind = soci::i_ok;
  long long created_at = 0, updated_at = 0;

  void Bind(Query& q) {
    q.Into(id).Into(birth_name).Into(usage_name).Into(first_names).Into(birth_date, birth_date_ind);
    q.Into(birth_year, birth_year_ind)
        .Into(gender)
        .Into(phone)
        .Into(email)
        .Into(address_line)
        .Into(postal_code);
    q.Into(city)
        .Into(language)
        .Into(interpreter)
        .Into(contact_preferences)
        .Into(availability)
        .Into(adaptations);
    q.Into(carer).Into(merged_into, merged_ind).Into(notice_on, notice_ind);
    q.Into(anonymized_at, anonymized_ind).Into(created_at).Into(updated_at);
  }

  service::PersonRecord ToRecord() const {
    service::PersonRecord r;
    r.id = id;
    auto& p = r.data;
    p.birth_name = birth_name;
    p.usage_name = usage_name;
    p.first_names = first_names;
    if (birth_date_ind == soci::i_ok) {
      p.birth_date = ParseIsoDate(birth_date);
    }
    if (birth_year_ind == soci::i_ok) {
      p.birth_year = birth_year;
    }
    p.gender = gender;
    p.phone = phone;
    p.email = email;
    p.address_line = address_line;
    p.postal_code = postal_code;
    p.city = city;
    p.language = language;
    p.interpreter_needed = interpreter != 0;
    p.contact_preferences = SplitCodes(contact_preferences);
    p.availability = availability;
    p.adaptations = adaptations;
    p.carer = carer;
    r.merged_into = Nullable(merged_into, merged_ind);
    if (notice_ind == soci::i_ok) {
      r.privacy_notice_on = ParseIsoDate(notice_on);
    }
    if (anonymized_ind == soci::i_ok) {
      r.anonymized_at = FromEpoch(anonymized_at);
    }
    r.created_at = FromEpoch(created_at);
    r.updated_at = FromEpoch(updated_at);
    return r;
  }
};

// The columns written by Insert and Update, bound in one place.
struct Write {
  explicit Write(const domain::PersonData& p) : person(p) {
    birth_date = p.birth_date ? ToIso(*p.birth_date) : "";
    birth_date_ind = p.birth_date ? soci::i_ok : soci::i_null;
    birth_year = p.birth_year.value_or(0);
    birth_year_ind = p.birth_year ? soci::i_ok : soci::i_null;
    interpreter = p.interpreter_needed ? 1 : 0;
    contact_preferences = JoinCodes(p.contact_preferences);
  }
  void Bind(Query& q) {
    q.Use(person.birth_name)
        .Use(person.usage_name)
        .Use(person.first_names)
        .Use(birth_date, birth_date_ind);
    q.Use(birth_year, birth_year_ind)
        .Use(person.gender)
        .Use(person.phone)
        .Use(person.email)
        .Use(person.address_line);
    q.Use(person.postal_code)
        .Use(person.city)
        .Use(person.language)
        .Use(interpreter)
        .Use(contact_preferences);
    q.Use(person.availability).Use(person.adaptations).Use(person.carer);
  }

  const domain::PersonData& person;
  std::string birth_date;
  soci::indicator birth_date_ind;
  int birth_year;
  soci::indicator birth_year_ind;
  int interpreter;
  std::string contact_preferences;
};

class SqlPersonRepository final : public service::PersonRepository {
 public:
  explicit SqlPersonRepository(soci::session& sql) : sql_(sql) {}

  PersonId Insert(const domain::PersonData& p, const std::string& search_name,
                  Instant now) override {
    long long id = 0;
    const long long at = ToEpoch(now);
    Write w(p);
    Query q(
        sql_,
        "INSERT INTO person (birth_name, usage_name, first_names, birth_date, birth_year, gender, "
        "phone, email, "
        "address_line, postal_code, city, language, interpreter_needed, contact_preferences, "
        "availability, "
        "adaptations, carer, search_name, created_at, updated_at) VALUES (:a1, :a2, :a3, :a4, :a5, "
        ":a6, :a7, "
        ":a8, :a9, :a10, :a11, :a12, :a13, :a14, :a15, :a16, :a17, :search, :c, :u) RETURNING id");
    w.Bind(q);
    q.Use(search_name).Use(at).Use(at).Into(id);
    q.One();
    return id;
  }

  void Update(PersonId id, const domain::PersonData& p, const std::string& search_name,
              Instant now) override {
    const long long key = id;
    const long long at = ToEpoch(now);
    Write w(p);
    Query q(sql_,
            "UPDATE person SET birth_name = :a1, usage_name = :a2, first_names = :a3, birth_date = "
            ":a4, "
            "birth_year = :a5, gender = :a6, phone = :a7, email = :a8, address_line = :a9, "
            "postal_code = :a10, "
            "city = :a11, language = :a12, interpreter_needed = :a13, contact_preferences = :a14, "
            "availability = "
            ":a15, adaptations = :a16, carer = :a17, search_name = :search, updated_at = :u WHERE "
            "id = :id");
    w.Bind(q);
    q.Use(search_name).Use(at).Use(key);
    q.Run();
  }

  std::optional<service::PersonRecord> Find(PersonId id) override {
    const long long key = id;
    Row r;
    Query q(sql_, std::string(kSelect) + "WHERE id = :id");
    r.Bind(q);
    q.Use(key);
    return q.One() ? std::optional(r.ToRecord()) : std::nullopt;
  }

  std::vector<service::PersonRecord> FindMany(const std::vector<PersonId>& ids) override {
    std::vector<service::PersonRecord> out;
    if (ids.empty()) {
      return out;
    }
    // Ids are integers from our own queries: formatted here, never taken from input text.
    std::string list;
    for (auto id : ids) {
      list += (list.empty() ? "" : ",") + std::to_string(id);
    }
    Row r;
    Query q(sql_, std::string(kSelect) + "WHERE id IN (" + list + ")");
    r.Bind(q);
    q.ForEach([&] { out.push_back(r.ToRecord()); });
    return out;
  }

  void ReplaceKeys(PersonId id, const std::vector<std::string>& keys) override {
    const long long key = id;
    Query del(sql_, "DELETE FROM person_key WHERE person_id = :id");
    del.Use(key);
    del.Run();
    for (const auto& k : keys) {
      Query ins(sql_,
                "INSERT INTO person_key (key, person_id) VALUES (:k, :id) ON CONFLICT DO NOTHING");
      ins.Use(k).Use(key);
      ins.Run();
    }
  }

  std::vector<PersonId> FindByKeys(const std::vector<std::string>& keys, int limit) override {
    std::vector<PersonId> out;
    for (const auto& k : keys) {
      long long id = 0;
      Query q(sql_,
              "SELECT k.person_id FROM person_key k JOIN person p ON p.id = k.person_id "
              "WHERE k.key = :k AND p.merged_into_id IS NULL LIMIT :lim");
      q.Into(id).Use(k).Use(limit);
      q.ForEach([&] {
        if (std::find(out.begin(), out.end(), id) == out.end()) {
          out.push_back(id);
        }
      });
      if (static_cast<int>(out.size()) >= limit) {
        break;
      }
    }
    return out;
  }

  void AddChange(PersonId id, const service::PersonChange& c) override {
    const long long key = id;
    const long long at = ToEpoch(c.at);
    long long user = c.user_id.value_or(0);
    soci::indicator user_ind = c.user_id ? soci::i_ok : soci::i_null;
    Query q(sql_,
            "INSERT INTO person_change (person_id, at, user_id, actor_label, field, old_value, "
            "new_value) "
            "VALUES (:p, :at, :u, :label, :field, :old, :new)");
    q.Use(key)
        .Use(at)
        .Use(user, user_ind)
        .Use(c.actor_label)
        .Use(c.field)
        .Use(c.old_value)
        .Use(c.new_value);
    q.Run();
  }

  std::vector<service::PersonChange> Changes(PersonId id) override {
    std::vector<service::PersonChange> out;
    const long long key = id;
    service::PersonChange c;
    long long at = 0;
    long long user = 0;
    soci::indicator user_ind = soci::i_ok;
    Query q(sql_,
            "SELECT at, user_id, actor_label, field, old_value, new_value FROM person_change WHERE "
            "person_id = :p "
            "ORDER BY id");
    q.Into(at)
        .Into(user, user_ind)
        .Into(c.actor_label)
        .Into(c.field)
        .Into(c.old_value)
        .Into(c.new_value)
        .Use(key);
    q.ForEach([&] {
      c.at = FromEpoch(at);
      c.user_id = Nullable(user, user_ind);
      out.push_back(c);
    });
    return out;
  }

  void MarkMerged(PersonId from, PersonId into, Instant now) override {
    const long long f = from;
    const long long i = into;
    const long long at = ToEpoch(now);
    Query q(sql_, "UPDATE person SET merged_into_id = :into, updated_at = :at WHERE id = :from");
    q.Use(i).Use(at).Use(f);
    q.Run();
    Query re(sql_, "UPDATE person SET merged_into_id = :into WHERE merged_into_id = :from");
    re.Use(i).Use(f);
    re.Run();
    Query del(sql_, "DELETE FROM person_key WHERE person_id = :from");
    del.Use(f);
    del.Run();
  }

  void SetPrivacyNotice(PersonId id, const LocalDate& on, Instant now) override {
    const long long key = id;
    const std::string day = ToIso(on);
    const long long at = ToEpoch(now);
    Query q(sql_, "UPDATE person SET privacy_notice_on = :d, updated_at = :at WHERE id = :id");
    q.Use(day).Use(at).Use(key);
    q.Run();
  }

  std::int64_t InsertRightsRequest(const service::RightsRequest& r,
                                   std::optional<domain::UserId> author, Instant now) override {
    const long long person = r.person_id;
    const std::string received = ToIso(r.received_on);
    const std::string due = ToIso(r.due_on);
    long long user = author.value_or(0);
    soci::indicator user_ind = author ? soci::i_ok : soci::i_null;
    const long long at = ToEpoch(now);
    long long id = 0;
    Query q(sql_,
            "INSERT INTO rights_request (person_id, kind, received_on, due_on, status, "
            "created_by_user_id, created_at, updated_at) VALUES (:p, :k, :r, :d, 'ouverte', :u, "
            ":c, :m) RETURNING id");
    q.Use(person).Use(r.kind).Use(received).Use(due).Use(user, user_ind).Use(at).Use(at);
    q.Into(id);
    q.One();
    return id;
  }

  std::optional<service::RightsRequest> FindRightsRequest(std::int64_t id) override {
    auto found = LoadRightsRequests("id = :id", id);
    return found.empty() ? std::nullopt : std::optional(found.front());
  }

  std::vector<service::RightsRequest> RightsRequests(PersonId id) override {
    return LoadRightsRequests("person_id = :id", id);
  }

  void AnswerRightsRequest(std::int64_t id, const std::string& status, const LocalDate& on,
                           Instant now) override {
    const long long key = id;
    const std::string day = ToIso(on);
    const long long at = ToEpoch(now);
    Query q(sql_,
            "UPDATE rights_request SET status = :s, answered_on = :d, updated_at = :at WHERE id "
            "= :id");
    q.Use(status).Use(day).Use(at).Use(key);
    q.Run();
  }

 private:
  std::vector<service::RightsRequest> LoadRightsRequests(const std::string& where, long long key) {
    std::vector<service::RightsRequest> out;
    service::RightsRequest r;
    long long id = 0, person = 0;
    std::string received, due, answered;
    soci::indicator answered_ind = soci::i_null;
    Query q(sql_,
            "SELECT id, person_id, kind, received_on, due_on, status, answered_on FROM "
            "rights_request WHERE " +
                where + " ORDER BY received_on DESC, id DESC");
    q.Into(id).Into(person).Into(r.kind).Into(received).Into(due).Into(r.status);
    q.Into(answered, answered_ind).Use(key);
    q.ForEach([&] {
      service::RightsRequest row = r;
      row.id = id;
      row.person_id = person;
      row.received_on = ParseIsoDate(received).value_or(LocalDate{});
      row.due_on = ParseIsoDate(due).value_or(LocalDate{});
      if (answered_ind == soci::i_ok) {
        row.answered_on = ParseIsoDate(answered);
      }
      out.push_back(std::move(row));
    });
    return out;
  }

  soci::session& sql_;
};

}  // namespace

std::unique_ptr<service::PersonRepository> MakePersonRepository(soci::session& sql) {
  return std::make_unique<SqlPersonRepository>(sql);
}

}  // namespace allervers::storage
