#include "storage/scale_generator.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "common/text.hpp"
#include "domain/identity.hpp"
#include "service/scale_demo.hpp"
#include "support/helpers.hpp"
#include "support/services.hpp"
#include "support/test_db.hpp"

namespace allervers::testing {
namespace {

constexpr long long kPersons = 300;

// `allervers demo --scale` at a small N, generated on 1 January 2027 at 10:00 (Paris): the
// data must be consistent enough for every screen and for the indicators.
class ScaleGeneratorTest : public ::testing::TestWithParam<TestBackend> {
 protected:
  void SetUp() override {
    db_ = TestDatabase::Create(GetParam());
    ALLERVERS_SKIP_IF_NO_DB(db_);
    s_ = std::make_unique<TestServices>(db_->db());
    s_->clock.Set(paris::FromLocal({2027, 1, 1}, 10, 0));
    generator_ = storage::MakeScaleGenerator(db_->db());
    demo_ = std::make_unique<service::ScaleDemo>(*generator_, s_->hasher, s_->clock);
  }

  long long Count(const std::string& query) {
    long long n = 0;
    db_->db().WithSession([&](soci::session& sql) { sql << query, soci::into(n); });
    return n;
  }

  service::Actor UserActor(const std::string& email) {
    for (const auto& u : s_->users.List(service::Actor::System("t"))) {
      if (u.email == email) {
        return service::Actor::ForUser(u, "req", "ip");
      }
    }
    ADD_FAILURE() << "no account " << email;
    return service::Actor::System("t");
  }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<TestServices> s_;
  std::unique_ptr<service::ScaleGenerator> generator_;
  std::unique_ptr<service::ScaleDemo> demo_;
};

TEST_P(ScaleGeneratorTest, RefusesABadCountAndADatabaseWithData) {
  for (const long long bad : {0LL, -1LL, service::ScaleDemo::kMaxPersons + 1}) {
    try {
      demo_->Run(bad, {});
      ADD_FAILURE() << bad << " accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    }
  }
  ASSERT_TRUE(s_->structures.Create(service::Actor::System("t"), {"SSD-X", "SSD X", "ssd", "Cergy"})
                  .errors.empty());
  EXPECT_EQ(demo_->Run(10, {}).outcome, service::DemoOutcome::kDatabaseNotEmpty);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM person"), 0);
}

// Referral numbers carry the person's index on 5 digits at least: past 99 999 persons they
// grow, never cut (PostgreSQL's lpad cut them, and 1 000 000 persons failed on a duplicate).
TEST_P(ScaleGeneratorTest, ZeroPaddingNeverCutsALongerNumber) {
  const auto backend = GetParam() == TestBackend::kPostgres ? storage::Backend::kPostgres
                                                            : storage::Backend::kSqlite;
  for (const auto& [value, expected] : std::vector<std::pair<std::string, std::string>>{
           {"42", "00042"}, {"99999", "99999"}, {"100000", "100000"}, {"1234567", "1234567"}}) {
    std::string padded;
    db_->db().WithSession([&](soci::session& sql) {
      sql << "SELECT " + storage::ZeroPadSql(backend, value, 5), soci::into(padded);
    });
    EXPECT_EQ(padded, expected) << value;
  }
}

TEST_P(ScaleGeneratorTest, GeneratesAConsistentActivity) {
  int steps = 0;
  const auto result = demo_->Run(kPersons, [&](const service::ScaleStep&) { ++steps; });
  ASSERT_EQ(result.outcome, service::DemoOutcome::kSeeded);
  EXPECT_GT(steps, 20);

  // Counts.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM structure"), 200);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM app_user"), 502);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM person"), kPersons);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM referral"), kPersons);
  // The milestones written with the referrals are those of the rows written after them.
  EXPECT_EQ(db_->StaleCaseMilestones(), std::vector<std::string>{});
  EXPECT_GT(Count("SELECT COUNT(*) FROM intervention"), 5 * kPersons);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM intervention i WHERE NOT EXISTS (SELECT 1 FROM "
                  "intervention_worker w WHERE w.intervention_id = i.id)"),
            0);
  EXPECT_GT(Count("SELECT COUNT(*) FROM case_procedure WHERE outcome = 'ouvert'"), 0);
  EXPECT_GT(Count("SELECT COUNT(*) FROM orientation"), 0);
  // Every referral has its person, its operator and, once accepted, an intervenant of it.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM referral r LEFT JOIN person p ON p.id = r.person_id "
                  "WHERE p.id IS NULL"),
            0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM referral r JOIN app_user u ON u.id = "
                  "r.assigned_user_id WHERE u.structure_id <> r.operator_id OR u.role <> "
                  "'intervenant'"),
            0);
  // The state is the last event's, and agrees with the milestones.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM referral r WHERE r.status <> (SELECT e.to_status FROM "
                  "referral_event e WHERE e.referral_id = r.id ORDER BY e.at DESC, e.id DESC "
                  "LIMIT 1)"),
            0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM referral WHERE (status = 'closed') <> (closed_at IS "
                  "NOT NULL)"),
            0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM referral r WHERE r.status IN ('in_progress', 'closed') "
                  "AND (r.first_visit_at IS NULL OR NOT EXISTS (SELECT 1 FROM appointment a "
                  "WHERE a.referral_id = r.id AND a.status = 'honoured' AND a.starts_at = "
                  "r.first_visit_at) OR NOT EXISTS (SELECT 1 FROM intervention i WHERE "
                  "i.referral_id = r.id))"),
            0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM referral r WHERE r.status IN ('received', 'accepted', "
                  "'contact', 'appointment_set', 'not_receivable') AND (r.first_visit_at IS NOT "
                  "NULL OR EXISTS (SELECT 1 FROM intervention i WHERE i.referral_id = r.id))"),
            0);
  EXPECT_GT(Count("SELECT COUNT(*) FROM referral WHERE status = 'in_progress'"), 0);
  EXPECT_GT(Count("SELECT COUNT(*) FROM referral WHERE status = 'closed'"), 0);
  // Nothing happened on or after today but the appointments still planned.
  const long long now = ToEpoch(s_->clock.Now());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM intervention WHERE occurred_on >= '2027-01-01'"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM referral_event WHERE at >= " + std::to_string(now)), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM appointment WHERE status <> 'planned' AND starts_at >= " +
                  std::to_string(now)),
            0);
  EXPECT_GT(Count("SELECT COUNT(*) FROM appointment WHERE status = 'planned' AND starts_at >= " +
                  std::to_string(now)),
            0);
  // A local date and its instant agree: appointments fall on the day of their intervention.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM intervention i JOIN appointment a ON a.id = "
                  "i.appointment_id WHERE a.status <> 'honoured'"),
            0);

  // Search names are folded as the services fold them.
  db_->db().WithSession([&](soci::session& sql) {
    std::string birth_name, first_names, search_name;
    soci::statement st = (sql.prepare << "SELECT birth_name, first_names, search_name FROM "
                                         "person ORDER BY id",
                          soci::into(birth_name), soci::into(first_names), soci::into(search_name));
    st.execute(false);
    while (st.fetch()) {
      EXPECT_EQ(search_name, text::FoldForSearch(fmt::format("{}  {}", birth_name, first_names)));
    }
  });

  // Every person is indexed for duplicate detection under the keys ReferralService gives a
  // person it records (domain::IndexKeys of the identity the repository reads back).
  std::map<long long, std::set<std::string>> stored_keys;
  db_->db().WithSession([&](soci::session& sql) {
    long long id = 0;
    std::string key;
    soci::statement st =
        (sql.prepare << "SELECT person_id, key FROM person_key", soci::into(id), soci::into(key));
    st.execute(false);
    while (st.fetch()) {
      stored_keys[id].insert(key);
    }
  });
  EXPECT_EQ(static_cast<long long>(stored_keys.size()), kPersons);
  std::vector<domain::PersonId> ids;
  for (long long id = 1; id <= kPersons; ++id) {
    ids.push_back(id);
  }
  db_->db().Read([&](service::Tx& tx) {
    for (const auto& p : tx.persons().FindMany(ids)) {
      const auto expected = domain::IndexKeys(p.data.Identity());
      EXPECT_EQ(stored_keys[p.id], std::set<std::string>(expected.begin(), expected.end()))
          << "person " << p.id;
      EXPECT_TRUE(p.data.phone.starts_with("+336")) << p.data.phone;
    }
  });

  // The screens: sign-in, the triage inbox, a case page, the agenda of the coming two weeks,
  // for a team with a case in progress and its next visit to come.
  const long long fortnight = now + 14LL * 24 * 3600;
  const long long team = Count(
      "SELECT COALESCE(MIN(a.operator_id), 0) FROM appointment a JOIN referral r ON r.id = "
      "a.referral_id WHERE r.status = 'in_progress' AND a.status = 'planned' AND a.starts_at >= " +
      std::to_string(now) + " AND a.starts_at < " + std::to_string(fortnight));
  ASSERT_GT(team, 0);
  const auto coordinator = UserActor(service::ScaleDemo::CoordinatorEmail(static_cast<int>(team)));
  EXPECT_EQ(s_->auth
                .SignIn(service::ScaleDemo::CoordinatorEmail(static_cast<int>(team)),
                        service::DemoSeeder::kPassword, service::Actor::Anonymous("req", "ip"))
                .status,
            service::SignInStatus::kSuccess);
  const auto inbox = s_->referrals.Inbox(coordinator, {});
  EXPECT_EQ(inbox.total,
            Count("SELECT COUNT(*) FROM referral WHERE operator_id = " + std::to_string(team) +
                  " AND status IN ('received', 'accepted', 'contact', "
                  "'appointment_set')"));
  const long long person =
      Count("SELECT MIN(person_id) FROM referral WHERE operator_id = " + std::to_string(team) +
            " AND status = 'in_progress'");
  const auto file = s_->cases.Open(coordinator, person);
  ASSERT_EQ(file.cases.size(), 1U);
  EXPECT_FALSE(file.timeline.empty());
  service::AgendaQuery week;
  week.from = s_->clock.Now();
  week.to = s_->clock.Now() + std::chrono::hours(24 * 14);
  const auto agenda = s_->appointments.Agenda(coordinator, week);
  EXPECT_FALSE(agenda.empty());
  EXPECT_EQ(static_cast<long long>(agenda.size()),
            Count("SELECT COUNT(*) FROM appointment WHERE operator_id = " + std::to_string(team) +
                  " AND starts_at >= " + std::to_string(now) + " AND starts_at < " +
                  std::to_string(fortnight)));

  // The indicators of the last quarter: not zero, and the Département's activity is the sum
  // of its teams'.
  const service::IndicatorQuery q4{"2026-10-01", "2026-12-31", "", "", ""};
  const auto all = s_->indicators.Compute(service::Actor::System("t"), q4, false);
  ASSERT_TRUE(all.errors.empty());
  const auto& d = *all.current;
  EXPECT_GT(d.cases.referrals_received, 0);
  EXPECT_GT(d.cases.receptions, 0);
  EXPECT_GT(d.cases.follow_ups, 0);
  EXPECT_GT(d.cases.exits, 0);
  EXPECT_GT(d.activity.interventions, 0);
  EXPECT_EQ(d.activity.interventions,
            Count("SELECT COUNT(*) FROM intervention WHERE occurred_on BETWEEN '2026-10-01' AND "
                  "'2026-12-31'"));
  EXPECT_EQ(d.cases.referrals_received,
            Count("SELECT COUNT(*) FROM referral WHERE received_at >= " +
                  std::to_string(ToEpoch(paris::FromLocal({2026, 10, 1}, 0, 0))) +
                  " AND received_at < " + std::to_string(now - 10LL * 3600)));
  long long team_interventions = 0;
  long long team_received = 0;
  for (int t = 1; t <= service::ScaleDemo::kTeams; ++t) {
    const auto coord = UserActor(service::ScaleDemo::CoordinatorEmail(t));
    const auto one = s_->indicators.Compute(coord, q4, false);
    ASSERT_TRUE(one.errors.empty());
    team_interventions += one.current->activity.interventions;
    team_received += one.current->cases.referrals_received;
  }
  EXPECT_EQ(team_interventions, d.activity.interventions);
  EXPECT_EQ(team_received, d.cases.referrals_received);

  // A new fiche for a generated woman, her names typed without accents nor capitals and no
  // phone: the duplicate check finds her, and the coordinator links the fiche to her.
  long long her = 0;
  std::string birth_name, first_names, birth_date, postal_code, city, address_line;
  db_->db().WithSession([&](soci::session& sql) {
    sql << "SELECT id, birth_name, first_names, birth_date, postal_code, city, address_line "
           "FROM person WHERE gender = 'femme' AND birth_date IS NOT NULL ORDER BY id LIMIT 1",
        soci::into(her), soci::into(birth_name), soci::into(first_names), soci::into(birth_date),
        soci::into(postal_code), soci::into(city), soci::into(address_line);
  });
  ASSERT_GT(her, 0);
  const int her_team = static_cast<int>(
      Count("SELECT operator_id FROM referral WHERE person_id = " + std::to_string(her)));
  auto in = SampleReferral();
  in.last_name = text::FoldForSearch(birth_name);
  in.first_names = text::FoldForSearch(first_names);
  in.birth_date = birth_date;
  in.phone = "";
  in.address_line = address_line;
  in.postal_code = postal_code;
  in.city = city;
  in.consent_date = "2026-12-30";
  const auto referrer = UserActor(fmt::format("prescripteur.t{:03}@ssd.example", her_team));
  const auto sent = s_->referrals.Submit(referrer, std::nullopt, in);
  ASSERT_TRUE(sent.errors.empty());
  const auto her_coordinator = UserActor(service::ScaleDemo::CoordinatorEmail(her_team));
  EXPECT_EQ(s_->referrals.Get(her_coordinator, sent.id).identity_status, "unchecked");
  const auto candidates = s_->referrals.Duplicates(her_coordinator, sent.id);
  ASSERT_FALSE(candidates.empty()) << in.last_name << " " << in.first_names << " " << birth_date;
  EXPECT_EQ(candidates[0].person_id, her);
  EXPECT_TRUE(candidates[0].probable);
  EXPECT_FALSE(candidates[0].referrals.empty()) << "her generated fiche, seen by her team";
  s_->referrals.LinkToPerson(her_coordinator, sent.id, her);
  const auto linked = s_->referrals.Get(her_coordinator, sent.id);
  EXPECT_EQ(linked.identity_status, "linked");
  EXPECT_EQ(linked.person_id, her);
}

INSTANTIATE_TEST_SUITE_P(Backends, ScaleGeneratorTest,
                         ::testing::Values(TestBackend::kSqlite, TestBackend::kPostgres),
                         BackendName);

}  // namespace
}  // namespace allervers::testing
