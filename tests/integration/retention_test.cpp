#include <gtest/gtest.h>
#include <soci/soci.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "common/time.hpp"
#include "domain/letter.hpp"
#include "support/helpers.hpp"
#include "support/services.hpp"
#include "support/test_db.hpp"
#include "support/test_server.hpp"
#include "web/indicators_json.hpp"

namespace allervers::testing {
namespace {

// Every text the tests give the expired person contains "ZQ" (or "zq"), her phone number
// ends in 61 72 83 94 and she was born on 21/06/1958: after the purge, none of it may remain
// in any column of any table — whatever tables and columns the schema has by then.
constexpr const char* kPhoneDigits = "661728394";
constexpr const char* kBirthDate = "1958-06-21";

// The text of a PDF (pdftotext, Debian's poppler-utils), its line breaks made spaces.
std::string PdfText(const std::string& pdf) {
  TempDir dir;
  const auto path = dir.path() / "copy.pdf";
  std::ofstream(path, std::ios::binary) << pdf;
  std::string out;
  if (FILE* p = popen(("pdftotext '" + path.string() + "' -").c_str(), "r")) {
    char buf[4096];
    for (std::size_t n = 0; (n = fread(buf, 1, sizeof buf, p)) > 0;) {
      out.append(buf, n);
    }
    pclose(p);
  }
  std::replace(out.begin(), out.end(), '\n', ' ');
  return out;
}

class RetentionTest : public ::testing::TestWithParam<TestBackend> {
 protected:
  void SetUp() override {
    db_ = TestDatabase::Create(GetParam());
    ALLERVERS_SKIP_IF_NO_DB(db_);
    s_ = std::make_unique<TestServices>(db_->db());
    At({2024, 3, 4}, 9);
    for (const auto& in :
         std::vector<domain::StructureInput>{{"EMN", "Équipe mobile", "operateur", "Cergy"},
                                             {"SSD", "SSD Cergy", "ssd", "Cergy"}}) {
      ASSERT_TRUE(s_->structures.Create(system_, in).errors.empty());
    }
    coordinator_ = CreateUser(*s_, "coord@emn.example", "coordinateur", "EMN");
    worker_ = CreateUser(*s_, "lea@emn.example", "intervenant", "EMN");
    referrer_ = CreateUser(*s_, "as@ssd.example", "prescripteur", "SSD");
    admin_ = CreateUser(*s_, "admin@emn.example", "admin", "");
  }

  void At(LocalDate d, int hour) { s_->clock.Set(paris::FromLocal(d, hour, 0)); }

  domain::ReferralInput Identity(const std::string& marker) {
    auto in = SampleReferral();
    in.last_name = marker + "nom";
    in.first_names = marker + "prenom";
    in.consent_date = ToIso(paris::Today(s_->clock.Now()));
    return in;
  }

  // A whole accompaniment from March to May 2024, every free-text field filled, then closed.
  domain::ReferralId BuildExpiredCase() {
    auto in = Identity("Zq");
    in.referrer_name = "Zq Référente";
    in.referrer_function = "ZQ assistante sociale";
    in.usage_name = "Zqusage";
    in.birth_date = kBirthDate;
    in.gender = "femme";
    in.phone = "06 61 72 83 94";
    in.email = "zqmail@example.org";
    in.address_line = "3 rue ZQ des Marqueurs";
    in.postal_code = "95000";
    in.availability = "ZQ le matin";
    in.adaptations = "ZQ parler lentement";
    in.carer = "ZQ sa fille";
    in.difficulties = "ZQ difficultés";
    in.reason = "ZQ motif";
    in.urgency_reason = "ZQ urgence";
    in.tripartite_requested = true;
    in.tripartite_availability = "ZQ mardi";
    const auto r = s_->referrals.Submit(referrer_, std::nullopt, in);
    EXPECT_TRUE(r.errors.empty()) << (r.errors.empty() ? "" : r.errors.front().message);
    s_->referrals.Accept(coordinator_, r.id, worker_.user_id);
    const auto id = r.id;

    At({2024, 3, 5}, 10);
    EXPECT_TRUE(
        s_->appointments
            .RecordContact(worker_, id,
                           {"2024-03-05", "09:30", "telephone", "joint", "ZQ rappeler après 17 h"})
            .empty());
    domain::AppointmentInput a;
    a.date = "2024-03-12";
    a.start_time = "14:00";
    a.duration_minutes = "60";
    a.place = "domicile";
    a.workers = {std::to_string(worker_.user_id)};
    a.purpose = "ZQ objet de la visite";
    a.to_bring = "ZQ carte Vitale";
    const auto visit = s_->appointments.Create(worker_, id, a, false);
    EXPECT_NE(visit.id, 0);
    At({2024, 3, 12}, 16);
    s_->appointments.SetOutcome(worker_, visit.id, domain::AppointmentStatus::kHonoured,
                                "ZQ résultat");
    domain::InterventionInput v;
    v.date = "2024-03-12";
    v.duration = "90";
    v.place = "domicile";
    v.modality = "faire_avec";
    v.digital_themes = {"demarches"};
    v.administrative_themes = {"social"};
    v.workers = {std::to_string(worker_.user_id)};
    v.summary = "ZQ résumé de la visite";
    EXPECT_TRUE(s_->cases.RecordIntervention(worker_, id, v).errors.empty());
    const auto bilan = s_->cases.StartAssessment(worker_, id, domain::AssessmentKind::kInitial);
    EXPECT_TRUE(
        s_->cases.SaveSection(worker_, bilan, "A", {{"A.personne_presente", "ZQ la voisine"}})
            .empty());
    EXPECT_TRUE(s_->cases
                    .SaveSection(worker_, bilan, "F",
                                 {{"F.lecture_ecriture", "oui"},
                                  {"F.lecture_ecriture/adaptation", "ZQ lire à voix haute"}})
                    .empty());
    const auto c2s = s_->cases.AddProcedure(worker_, id, "CPAM-C2S");
    domain::ProcedureInput p;
    p.status = "finalisee";
    p.outcome = "ouvert";
    p.monthly_amount = "32,50";
    p.outcome_on = "2024-03-12";
    p.note = "ZQ dossier complet";
    EXPECT_TRUE(s_->cases.UpdateProcedure(worker_, c2s, p).empty());
    EXPECT_TRUE(s_->cases.RecordMandate(worker_, id, {"2024-03-12", "31", {"social"}}).empty());
    domain::OrientationInput o;
    o.partner_name = "CCAS de Cergy";
    o.partner_kind = "aide_sociale";
    o.reason = "ZQ colis alimentaire";
    o.status = "proposee";
    o.note = "ZQ note d’orientation";
    EXPECT_TRUE(s_->cases.RecordOrientation(worker_, id, o).errors.empty());
    EXPECT_TRUE(s_->cases.AddNote(worker_, id, {"ZQ note de suivi", false}).empty());
    domain::ReviewInput review;
    review.date = "2024-03-20";
    review.time = "14:00";
    review.place = "ZQ maison des solidarités";
    review.participants = {"personne", "prescripteur"};
    review.status = "prevu";
    EXPECT_TRUE(s_->cases.PlanReview(worker_, id, review).empty());
    EXPECT_TRUE(s_->cases.SetFollowMode(worker_, id, "delegation").empty());

    At({2024, 4, 2}, 10);
    const auto reviews = s_->cases.SharedWithReferrer(referrer_, id).reviews;
    EXPECT_EQ(reviews.size(), 1u);
    review.status = "tenu";
    review.minutes = "ZQ compte rendu";
    review.decisions = "ZQ décisions";
    if (!reviews.empty()) {
      EXPECT_TRUE(s_->cases.UpdateReview(worker_, reviews[0].id, review).empty());
    }
    EXPECT_TRUE(
        s_->cases.SendQuarterly(worker_, id, {2024, 1}, "ZQ observations", "ZQ perspectives")
            .empty());
    const auto form = s_->cases.FeedbackDraft(worker_, id);
    std::vector<std::string> keys;
    for (const auto& c : form.choices) {
      keys.push_back(c.key);
    }
    EXPECT_TRUE(s_->cases.SendFeedback(worker_, id, keys, "ZQ la suite").empty());
    auto rectified = in;
    rectified.email = "zqautre@example.org";
    rectified.availability = "ZQ l’après-midi";
    EXPECT_TRUE(s_->referrals.UpdatePerson(worker_, id, rectified).empty());

    At({2024, 5, 15}, 11);
    EXPECT_TRUE(s_->cases.Close(worker_, id, {"objectifs_atteints", "ZQ clôture", true}).empty());
    return id;
  }

  // Every column of every table whose text contains `needle` (case-insensitive): "table.column".
  std::vector<std::string> Find(const std::string& needle) {
    std::vector<std::string> hits;
    db_->db().WithSession([&](soci::session& sql) {
      std::vector<std::pair<std::string, std::string>> columns;
      if (GetParam() == TestBackend::kSqlite) {
        std::vector<std::string> tables;
        soci::rowset<std::string> rs =
            (sql.prepare << "SELECT name FROM sqlite_master WHERE "
                            "type = 'table' AND name NOT LIKE 'sqlite_%'");
        tables.assign(rs.begin(), rs.end());
        for (const auto& t : tables) {
          soci::rowset<soci::row> cols = (sql.prepare << "PRAGMA table_info(" + t + ")");
          for (const auto& c : cols) {
            columns.emplace_back(t, c.get<std::string>(1));
          }
        }
      } else {
        soci::rowset<soci::row> rs =
            (sql.prepare << "SELECT table_name, column_name FROM information_schema.columns "
                            "WHERE table_schema = current_schema()");
        for (const auto& r : rs) {
          columns.emplace_back(r.get<std::string>(0), r.get<std::string>(1));
        }
      }
      EXPECT_GT(columns.size(), 100u);
      // Random secrets and digests (base64 or hex), which may hold "zq" by chance and are
      // never personal data.
      static const std::set<std::string> kRandom = {"app_user.password_hash",
                                                    "user_session.id_digest",
                                                    "user_session.csrf_token",
                                                    "api_token.token_digest",
                                                    "api_token.token_hint",
                                                    "calendar_feed.token_digest",
                                                    "idempotency_record.request_digest",
                                                    "audit_event.request_id"};
      for (const auto& [table, column] : columns) {
        if (kRandom.contains(table + "." + column)) {
          continue;
        }
        long long n = 0;
        const std::string pattern = "%" + needle + "%";
        sql << "SELECT COUNT(*) FROM " + table + " WHERE LOWER(CAST(" + column +
                   " AS TEXT)) LIKE LOWER(:p)",
            soci::use(pattern), soci::into(n);
        if (n > 0) {
          hits.push_back(table + "." + column);
        }
      }
    });
    return hits;
  }

  long long Count(const std::string& query) {
    long long n = 0;
    db_->db().WithSession([&](soci::session& sql) { sql << query, soci::into(n); });
    return n;
  }

  // The indicators of the periods the purge must leave as they were, as the API gives them.
  std::vector<std::string> Figures() {
    std::vector<std::string> out;
    for (const auto& [from, to] :
         std::vector<std::pair<std::string, std::string>>{{"2024-01-01", "2024-03-31"},
                                                          {"2024-01-01", "2024-12-31"},
                                                          {"2025-01-01", "2025-12-31"},
                                                          {"2024-01-01", "2026-05-31"}}) {
      const auto r = s_->indicators.Compute(coordinator_, {from, to, "", "", ""}, false);
      EXPECT_TRUE(r.errors.empty());
      out.push_back(web::IndicatorsJson(*r.current, s_->reference, false).dump());
    }
    return out;
  }

  service::Actor system_ = service::Actor::System("t");
  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<TestServices> s_;
  service::Actor coordinator_, worker_, referrer_, admin_;
};

TEST_P(RetentionTest, AnExpiredPersonLeavesNoPersonalDataAndTheFiguresStay) {
  const auto expired = BuildExpiredCase();
  const auto expired_person = *s_->cases.PersonOf(coordinator_, expired);

  // Another person: a fiche declared not receivable in August 2025, then a new one in 2026
  // still open. Her old fiche is anonymised on its own; she and her open case stay.
  At({2025, 8, 4}, 9);
  auto kept = Identity("Zk");
  kept.reason = "ZQ motif de l’ancienne fiche";
  const auto refused = s_->referrals.Submit(referrer_, std::nullopt, kept);
  ASSERT_TRUE(refused.errors.empty());
  s_->referrals.DeclareNotReceivable(coordinator_, refused.id, "hors_public", "ZQ réponse");
  const auto kept_person = *s_->cases.PersonOf(coordinator_, refused.id);
  At({2026, 1, 12}, 9);
  kept = Identity("Zk");
  kept.reason = "ZK motif de la nouvelle fiche";
  const auto current = s_->referrals.Submit(referrer_, std::nullopt, kept);
  ASSERT_TRUE(current.errors.empty());
  s_->referrals.LinkToPerson(coordinator_, current.id, kept_person);
  s_->referrals.Accept(coordinator_, current.id, worker_.user_id);

  // An accompaniment left open without any contact since January 2024: not anonymised while
  // open, but counted so that the team closes it.
  At({2024, 1, 8}, 9);
  const auto stale = s_->referrals.Submit(referrer_, std::nullopt, Identity("Zs"));
  ASSERT_TRUE(stale.errors.empty());
  s_->referrals.Accept(coordinator_, stale.id, worker_.user_id);

  // A draft the referrer never sent.
  At({2025, 9, 1}, 9);
  s_->referrals.SaveDraft(referrer_, std::nullopt, R"({"last_name":"ZQ brouillon"})");

  At({2026, 6, 1}, 3);
  const auto before = Figures();
  ASSERT_FALSE(Find("zq").empty());
  ASSERT_FALSE(Find(kPhoneDigits).empty());

  // Only the administrator (and the system) may run it.
  EXPECT_EQ(CodeOf([&] { s_->retention.Run(coordinator_, true, "admin"); }),
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(CodeOf([&] { s_->retention.Runs(worker_); }), ErrorCode::kPermissionDenied);

  // A dry run finds what the run will do, and changes nothing.
  const auto dry = s_->retention.Run(admin_, true, "admin");
  EXPECT_EQ(dry.persons, 1);
  EXPECT_EQ(dry.referrals, 1);
  EXPECT_EQ(dry.drafts, 1);
  EXPECT_EQ(dry.stale_open, 1);
  EXPECT_EQ(paris::ToLocal(dry.person_cutoff).date, (LocalDate{2024, 6, 1}));
  EXPECT_EQ(paris::ToLocal(dry.unaccepted_cutoff).date, (LocalDate{2025, 12, 1}));
  EXPECT_FALSE(Find("zq").empty());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM person WHERE anonymized_at IS NOT NULL"), 0);
  EXPECT_TRUE(s_->retention.DueToday(s_->clock.Now())) << "a dry run is not the day's run";

  const auto run = s_->retention.Run(system_, false, "daily", 1);  // batches of one
  EXPECT_EQ(run.persons, dry.persons);
  EXPECT_EQ(run.referrals, dry.referrals);
  EXPECT_EQ(run.drafts, dry.drafts);
  EXPECT_EQ(run.stale_open, dry.stale_open);
  EXPECT_FALSE(s_->retention.DueToday(s_->clock.Now()));

  // Nothing of the expired person, nor of the old fiche, anywhere.
  EXPECT_EQ(Find("zq"), std::vector<std::string>{});
  EXPECT_EQ(Find(kPhoneDigits), std::vector<std::string>{});
  EXPECT_EQ(Find(kBirthDate), std::vector<std::string>{});
  EXPECT_EQ(
      Count("SELECT COUNT(*) FROM person_key WHERE person_id = " + std::to_string(expired_person)),
      0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM person_change WHERE person_id = " +
                  std::to_string(expired_person)),
            0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM referral WHERE status = 'draft'"), 0);
  // What the statistics count stays: birth year, gender, commune.
  EXPECT_EQ(Count("SELECT birth_year FROM person WHERE id = " + std::to_string(expired_person)),
            1958);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM person WHERE gender = 'femme' AND postal_code = '95000' "
                  "AND city = 'Cergy' AND id = " +
                  std::to_string(expired_person)),
            1);
  EXPECT_EQ(Figures(), before);

  // The kept person and the stale open case are untouched.
  EXPECT_FALSE(Find("zknom").empty());
  EXPECT_FALSE(Find("zk motif de la nouvelle fiche").empty());
  EXPECT_FALSE(Find("zsnom").empty());
  EXPECT_EQ(s_->referrals.Get(coordinator_, current.id).data.person.birth_name, "Zknom");

  // The anonymised case still opens, nameless.
  EXPECT_EQ(service::DisplayName(s_->referrals.Get(coordinator_, expired).data.person.birth_name,
                                 s_->referrals.Get(coordinator_, expired).data.person.first_names),
            "Personne anonymisée");

  // Each anonymisation is audited; a second run finds nothing more.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_event WHERE action = 'person.anonymise'"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_event WHERE action = 'referral.anonymise'"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_event WHERE action = 'referral.draft_expire'"), 1);
  const auto again = s_->retention.Run(system_, false, "command");
  EXPECT_EQ(again.persons + again.referrals + again.drafts, 0);
  const auto runs = s_->retention.Runs(admin_);
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0].run_by, "command");
  EXPECT_EQ(runs[1].run_by, "daily");
  EXPECT_EQ(runs[1].persons, 1);
  EXPECT_TRUE(runs[2].dry_run);
}

// The daily job of serve: from 2 a.m. Paris time, once a day; a dry run does not count.
TEST_P(RetentionTest, TheDailyJobRunsOnceADayFromTwoInTheMorning) {
  BuildExpiredCase();
  At({2026, 6, 1}, 1);  // 1 a.m.: not yet
  EXPECT_FALSE(s_->retention.RunIfDue().has_value());
  s_->retention.Run(admin_, true, "admin");
  At({2026, 6, 1}, 2);
  const auto run = s_->retention.RunIfDue();
  ASSERT_TRUE(run.has_value());
  EXPECT_EQ(run->run_by, "daily");
  EXPECT_EQ(run->persons, 1);
  At({2026, 6, 1}, 23);
  EXPECT_FALSE(s_->retention.RunIfDue().has_value()) << "once a day";
  At({2026, 6, 2}, 3);
  EXPECT_TRUE(s_->retention.RunIfDue().has_value()) << "the next day again";
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_event WHERE action = 'retention.run' AND "
                  "actor_label = 'system:retention'"),
            2);
}

TEST_P(RetentionTest, TheDurationsAreSettings) {
  BuildExpiredCase();
  At({2026, 6, 1}, 3);
  ASSERT_TRUE(s_->settings.SetMany(admin_, {{"retention.months", "36"}}).empty());
  auto dry = s_->retention.Run(admin_, true, "admin");
  EXPECT_EQ(dry.persons, 0) << "closed in May 2024: kept three years";
  EXPECT_EQ(paris::ToLocal(dry.person_cutoff).date, (LocalDate{2023, 6, 1}));
  ASSERT_TRUE(s_->settings.SetMany(admin_, {{"retention.months", "12"}}).empty());
  dry = s_->retention.Run(admin_, true, "admin");
  EXPECT_EQ(dry.persons, 1);
  EXPECT_FALSE(s_->settings.SetMany(admin_, {{"retention.months", "3"}}).empty())
      << "less than six months is refused";
  const auto policy = s_->retention.Policy();
  EXPECT_EQ(policy.months, 12);
  EXPECT_EQ(domain::MonthsInWords(policy.months), "1 an");
  EXPECT_EQ(domain::MonthsInWords(18), "18 mois");
  EXPECT_EQ(domain::MonthsInWords(24), "2 ans");
}

TEST_P(RetentionTest, ACaseWithARecentContactIsKept) {
  const auto id = BuildExpiredCase();
  // The person came back in February 2025: reopened, a phone call, closed again. The last
  // contact is then February 2025.
  At({2025, 2, 3}, 10);
  s_->cases.Reopen(worker_, id);
  ASSERT_TRUE(
      s_->appointments.RecordContact(worker_, id, {"2025-02-03", "09:30", "telephone", "joint", ""})
          .empty());
  ASSERT_TRUE(s_->cases.Close(worker_, id, {"objectifs_atteints", "", true}).empty());
  At({2026, 6, 1}, 3);
  EXPECT_EQ(s_->retention.Run(admin_, false, "admin").persons, 0);
  At({2027, 2, 4}, 3);
  EXPECT_EQ(s_->retention.Run(admin_, false, "admin").persons, 1);
}

// The person's rights: requests with their deadline, shown until answered; the notice; the
// copy of her data; erasure on request, by the coordinator, once every case is closed.
TEST_P(RetentionTest, ThePersonsRequestsNoticeCopyAndErasure) {
  const auto referral = BuildExpiredCase();
  const auto person = *s_->cases.PersonOf(coordinator_, referral);
  ASSERT_TRUE(s_->structures.Create(system_, {"EMN2", "Autre équipe", "operateur", "Pontoise"})
                  .errors.empty());
  const auto stranger = CreateUser(*s_, "x@emn2.example", "coordinateur", "EMN2");
  At({2024, 5, 21}, 10);

  // A request of access, received yesterday: due in one month, on the case's to-do list.
  EXPECT_EQ(s_->cases.AddRightsRequest(worker_, person, "tout", "20/05/2024").at(0).field, "kind");
  EXPECT_EQ(s_->cases.AddRightsRequest(worker_, person, "acces", "22/05/2024").at(0).field,
            "received_on");
  EXPECT_EQ(s_->cases.AddRightsRequest(worker_, person, "acces", "31/02/2024").at(0).field,
            "received_on");
  EXPECT_EQ(CodeOf([&] { s_->cases.AddRightsRequest(stranger, person, "acces", "20/05/2024"); }),
            ErrorCode::kNotFound);
  ASSERT_TRUE(s_->cases.AddRightsRequest(worker_, person, "acces", "20/05/2024").empty());
  auto view = s_->cases.PersonData(worker_, person);
  ASSERT_EQ(view.requests.size(), 1u);
  EXPECT_EQ(view.requests[0].due_on, (LocalDate{2024, 6, 20}));
  EXPECT_FALSE(view.may_erase) << "an intervenant does not erase";
  const auto due_label = "Répondre à sa demande sur ses données reçue le 20/05/2024";
  const auto has_action = [&](const std::string& label) {
    const auto file = s_->cases.Open(worker_, person);
    return std::any_of(file.next_actions.begin(), file.next_actions.end(),
                       [&](const service::NextAction& a) { return a.label == label; });
  };
  EXPECT_TRUE(has_action(due_label));

  // Answered: not before it was received, once only.
  const auto id = view.requests[0].id;
  EXPECT_EQ(
      s_->cases.AnswerRightsRequest(worker_, person, id, "repondue", "19/05/2024").at(0).field,
      "answered_on");
  EXPECT_EQ(
      s_->cases.AnswerRightsRequest(worker_, person, id, "peut-etre", "21/05/2024").at(0).field,
      "status");
  ASSERT_TRUE(s_->cases.AnswerRightsRequest(worker_, person, id, "repondue", "21/05/2024").empty());
  EXPECT_EQ(
      CodeOf([&] { s_->cases.AnswerRightsRequest(worker_, person, id, "repondue", "21/05/2024"); }),
      ErrorCode::kConflict);
  EXPECT_FALSE(has_action(due_label));

  // The notice: its date, its PDF.
  EXPECT_EQ(s_->cases.RecordPrivacyNotice(worker_, person, "22/05/2024").at(0).field, "notice_on");
  ASSERT_TRUE(s_->cases.RecordPrivacyNotice(worker_, person, "12/03/2024").empty());
  EXPECT_EQ(s_->cases.PersonData(worker_, person).person.privacy_notice_on,
            (LocalDate{2024, 3, 12}));
  EXPECT_EQ(s_->cases.PrivacyNoticePdf(worker_, person).rfind("%PDF-", 0), 0u);

  // The copy of her data holds her identity, her history, her requests; every text of her file
  // is in the PDF letter.
  const auto pdf = PdfText(s_->cases.AccessCopyPdf(worker_, person));
  EXPECT_NE(pdf.find("Demande d’accès à ses données reçue le 20/05/2024, répondue le 21/05/2024."),
            std::string::npos);
  for (const char* text : {"ZQ la voisine", "ZQ lire à voix haute", "ZQ carte Vitale",
                           "ZQ résultat", "ZQ dossier complet", "ZQ note d’orientation",
                           "ZQ compte rendu", "ZQ décisions", "ZQ la suite", "ZQ observations",
                           "ZQ mardi", "ZQ note de suivi", "ZQ rappeler après 17 h"}) {
    EXPECT_NE(pdf.find(text), std::string::npos) << text;
  }
  const auto copy = s_->cases.ExportPersonData(worker_, person);
  EXPECT_EQ(copy.file.person.data.birth_name, "Zqnom");
  EXPECT_FALSE(copy.history.empty()) << "the rectification of April";
  EXPECT_EQ(copy.requests.size(), 1u);
  EXPECT_EQ(CodeOf([&] { s_->cases.ExportPersonData(stranger, person); }), ErrorCode::kNotFound);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_event WHERE action = 'person.access_export'"), 2);

  // Erasure: the coordinator, every case closed; then nothing of her remains, the register
  // of her requests does.
  EXPECT_EQ(CodeOf([&] { s_->cases.ErasePerson(worker_, person); }), ErrorCode::kPermissionDenied);
  EXPECT_TRUE(s_->cases.PersonData(coordinator_, person).may_erase);
  s_->cases.ErasePerson(coordinator_, person);
  EXPECT_EQ(Find("zq"), std::vector<std::string>{});
  EXPECT_EQ(Find(kPhoneDigits), std::vector<std::string>{});
  view = s_->cases.PersonData(coordinator_, person);
  EXPECT_TRUE(view.person.anonymized_at.has_value());
  EXPECT_EQ(view.person_name, "Personne anonymisée");
  EXPECT_EQ(view.requests.size(), 1u);
  EXPECT_FALSE(view.may_erase);
  EXPECT_EQ(CodeOf([&] { s_->cases.ErasePerson(coordinator_, person); }), ErrorCode::kConflict);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_event WHERE action = 'person.erase'"), 1);
  // Nothing is written back into an anonymised person.
  EXPECT_EQ(CodeOf([&] { s_->referrals.UpdatePerson(worker_, referral, Identity("Zr")); }),
            ErrorCode::kConflict);
  At({2024, 5, 22}, 10);
  const auto again = s_->referrals.Submit(referrer_, std::nullopt, Identity("Zr"));
  ASSERT_TRUE(again.errors.empty());
  EXPECT_EQ(CodeOf([&] { s_->referrals.LinkToPerson(coordinator_, again.id, person); }),
            ErrorCode::kConflict);
  EXPECT_EQ(Find("zrnom").size(), 2u) << "only the new referral's person and its search name";
}

// The person record is shared between teams: an open case at another team blocks erasure.
TEST_P(RetentionTest, AnOpenCaseAtAnotherTeamBlocksErasure) {
  const auto closed = BuildExpiredCase();
  const auto person = *s_->cases.PersonOf(coordinator_, closed);
  ASSERT_TRUE(s_->structures.Create(system_, {"EMN2", "Autre équipe", "operateur", "Pontoise"})
                  .errors.empty());
  const auto r = s_->referrals.Submit(referrer_, std::nullopt, Identity("Zq"));
  ASSERT_TRUE(r.errors.empty());
  s_->referrals.LinkToPerson(coordinator_, r.id, person);
  s_->referrals.Accept(coordinator_, r.id, worker_.user_id);
  db_->Exec(
      "UPDATE referral SET operator_id = (SELECT id FROM structure WHERE code = 'EMN2') "
      "WHERE id = " +
      std::to_string(r.id));
  EXPECT_FALSE(s_->cases.PersonData(coordinator_, person).may_erase);
  EXPECT_EQ(CodeOf([&] { s_->cases.ErasePerson(coordinator_, person); }), ErrorCode::kConflict);
  EXPECT_FALSE(Find("zqnom").empty());
}

// A request about her data not answered yet keeps the file until it is.
TEST_P(RetentionTest, AnOpenRequestKeepsTheFile) {
  const auto referral = BuildExpiredCase();
  const auto person = *s_->cases.PersonOf(coordinator_, referral);
  At({2026, 5, 30}, 10);
  ASSERT_TRUE(s_->cases.AddRightsRequest(worker_, person, "acces", "30/05/2026").empty());
  At({2026, 6, 1}, 3);
  EXPECT_EQ(s_->retention.Run(admin_, false, "admin").persons, 0);
  const auto id = s_->cases.PersonData(worker_, person).requests.at(0).id;
  ASSERT_TRUE(s_->cases.AnswerRightsRequest(worker_, person, id, "repondue", "01/06/2026").empty());
  EXPECT_EQ(s_->retention.Run(admin_, false, "admin").persons, 1);
}

TEST_P(RetentionTest, AnOpenCaseIsNotErased) {
  const auto r = s_->referrals.Submit(referrer_, std::nullopt, Identity("Zo"));
  ASSERT_TRUE(r.errors.empty());
  s_->referrals.Accept(coordinator_, r.id, worker_.user_id);
  const auto person = *s_->cases.PersonOf(coordinator_, r.id);
  EXPECT_FALSE(s_->cases.PersonData(coordinator_, person).may_erase);
  EXPECT_EQ(CodeOf([&] { s_->cases.ErasePerson(coordinator_, person); }), ErrorCode::kConflict);
  EXPECT_FALSE(Find("zonom").empty());
}

// The administrator's page: the rule in force, a dry run then a run on demand, their reports.
TEST(RetentionWebTest, TheAdministratorSeesTheRuleAndRunsThePurge) {
  auto db = TestDatabase::Create(TestBackend::kSqlite);
  TestServer server(db->db());
  auto& s = server.services();
  const auto system = service::Actor::System("t");
  s.clock.Set(paris::FromLocal({2026, 6, 1}, 10, 0));
  ASSERT_TRUE(s.structures.Create(system, {"EMN", "Équipe", "operateur", "Cergy"}).errors.empty());
  for (const auto& [email, role, structure] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"admin@x.example", "admin", ""}, {"coord@x.example", "coordinateur", "EMN"}}) {
    ASSERT_TRUE(
        s.users.Create(system, {email, "X", role, structure, ""}, kGoodPassword).errors.empty());
  }
  Browser admin(server);
  ASSERT_EQ(admin.SignIn("admin@x.example", kGoodPassword), 303);
  auto page = admin.Get("/admin/conservation");
  ASSERT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("<strong>2 ans</strong>"), std::string::npos);
  EXPECT_NE(page->body.find("avant le 01/06/2024"), std::string::npos);
  EXPECT_NE(page->body.find("Aucune purge n’a encore eu lieu."), std::string::npos);
  EXPECT_NE(page->body.find("href=\"/admin/conservation\""), std::string::npos) << "in the menu";
  EXPECT_EQ(admin.Post("/admin/conservation/simulation", {})->status, 303);
  EXPECT_EQ(admin.Post("/admin/conservation/purge", {})->status, 303);
  EXPECT_EQ(admin.Post("/admin/conservation/purge", {}, false)->status, 403) << "CSRF";
  page = admin.Get("/admin/conservation");
  EXPECT_NE(page->body.find("simulation"), std::string::npos);
  EXPECT_NE(page->body.find("Administrateur"), std::string::npos);
  EXPECT_EQ(s.retention.Runs(system).size(), 2u);

  // The privacy notice says the durations in force.
  ASSERT_TRUE(s.settings.SetMany(system, {{"retention.months", "18"}}).empty());
  const auto privacy = server.Client()->Get("/confidentialite");
  ASSERT_EQ(privacy->status, 200);
  EXPECT_NE(privacy->body.find("conservées 18 mois après le dernier contact"), std::string::npos);
  EXPECT_NE(privacy->body.find("anonyme après 6 mois"), std::string::npos);

  Browser coord(server);
  ASSERT_EQ(coord.SignIn("coord@x.example", kGoodPassword), 303);
  EXPECT_EQ(coord.Get("/admin/conservation")->status, 403);
  EXPECT_EQ(coord.Post("/admin/conservation/purge", {})->status, 403);
  EXPECT_EQ(s.retention.Runs(system).size(), 2u);
}

// Several servers on one database (issue 9 §4): the daily purge runs once, whichever server
// gets there first; a server that died holding the job's lease holds it an hour at most.
TEST_P(RetentionTest, TwoServersOnOneDatabaseRunTheDailyPurgeOnce) {
  BuildExpiredCase();
  At({2026, 6, 1}, 3);
  // A second server: its own connection pool and services, the same database.
  storage::Database other_db(storage::DatabaseUrl::Parse(db_->url()), storage::DatabaseOptions{4});
  TestServices other(other_db);
  other.clock.Set(s_->clock.Now());
  std::optional<service::RetentionRun> a;
  std::optional<service::RetentionRun> b;
  std::thread first([&] { a = s_->retention.RunIfDue("server-a"); });
  std::thread second([&] { b = other.retention.RunIfDue("server-b"); });
  first.join();
  second.join();
  EXPECT_NE(a.has_value(), b.has_value()) << "exactly one of the two ran it";
  EXPECT_EQ(Count("SELECT COUNT(*) FROM retention_run WHERE run_by = 'daily'"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM job_lease WHERE owner <> ''"), 0) << "given back";

  // The next day, server A dies holding the lease: B waits for the lease to lapse.
  At({2026, 6, 2}, 3);
  other.clock.Set(s_->clock.Now());
  db_->db().Write([&](service::Tx& tx) {
    EXPECT_TRUE(tx.job_leases().TryTake("retention", "server-a", s_->clock.Now(),
                                        s_->clock.Now() + service::RetentionService::kLease));
  });
  EXPECT_FALSE(other.retention.RunIfDue("server-b").has_value());
  other.clock.Advance(service::RetentionService::kLease);
  EXPECT_TRUE(other.retention.RunIfDue("server-b").has_value());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM retention_run WHERE run_by = 'daily'"), 2);
}

INSTANTIATE_TEST_SUITE_P(Backends, RetentionTest,
                         ::testing::Values(TestBackend::kSqlite, TestBackend::kPostgres),
                         BackendName);

}  // namespace
}  // namespace allervers::testing
