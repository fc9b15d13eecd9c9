#include <gtest/gtest.h>

#include <set>

#include "common/error.hpp"
#include "common/time.hpp"
#include "support/helpers.hpp"
#include "support/services.hpp"
#include "support/test_db.hpp"

namespace allervers::testing {
namespace {

using domain::ReferralStatus;

class ReferralServiceTest : public ::testing::TestWithParam<TestBackend> {
 protected:
  void SetUp() override {
    db_ = TestDatabase::Create(GetParam());
    ALLERVERS_SKIP_IF_NO_DB(db_);
    s_ = std::make_unique<TestServices>(db_->db());
    s_->clock.Set(paris::FromLocal({2026, 11, 16}, 10, 0));  // a Monday
    for (const auto& in :
         std::vector<domain::StructureInput>{{"EMN", "Équipe mobile", "operateur", "Cergy"},
                                             {"SSD", "SSD Cergy", "ssd", "Cergy"},
                                             {"CCAS", "CCAS de Cergy", "partenaire", "Cergy"},
                                             {"FS", "France services", "partenaire", "Cergy"}}) {
      ASSERT_TRUE(s_->structures.Create(system_, in).errors.empty());
    }
    coordinator_ = User("coord@emn.example", "coordinateur", "EMN");
    worker_ = User("lea@emn.example", "intervenant", "EMN");
    referrer_ = User("as@ssd.example", "prescripteur", "SSD");
    other_referrer_ = User("ccas@ccas.example", "prescripteur", "CCAS");
    pilot_ = User("pilote@ssd.example", "pilote", "SSD");
  }

  service::Actor User(const std::string& email, const std::string& role,
                      const std::string& structure) {
    const auto r = s_->users.Create(
        system_, {email, email.substr(0, email.find('@')), role, structure, ""}, kGoodPassword);
    EXPECT_TRUE(r.errors.empty());
    return service::Actor::ForUser(s_->users.Get(system_, r.id), "req", "ip");
  }

  static domain::ReferralInput Input(const std::string& last, const std::string& first,
                                     const std::string& birth, const std::string& phone,
                                     int urgency = 1) {
    domain::ReferralInput in;
    in.referrer_name = "Nadia";
    in.referrer_email = "as@ssd.example";
    in.last_name = last;
    in.first_names = first;
    in.birth_date = birth;
    in.phone = phone;
    in.address_line = "1 rue de Pontoise";
    in.postal_code = "95000";
    in.city = "Cergy";
    in.procedures = {"CAF-RSA"};
    in.urgency = std::to_string(urgency);
    in.urgency_reason = urgency >= 2 ? "Droits coupés" : "";
    in.consent_given = true;
    in.consent_date = "2026-10-30";
    in.consent_how = "oral";
    return in;
  }

  service::SubmitResult Submit(const service::Actor& who, const domain::ReferralInput& in) {
    auto r = s_->referrals.Submit(who, std::nullopt, in);
    EXPECT_TRUE(r.errors.empty()) << (r.errors.empty()
                                          ? ""
                                          : r.errors[0].field + ": " + r.errors[0].message);
    return r;
  }

  service::Actor system_ = service::Actor::System("t");
  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<TestServices> s_;
  service::Actor coordinator_, worker_, referrer_, other_referrer_, pilot_;
};

TEST_P(ReferralServiceTest, SubmissionRecordsPersonNumberEventAuditAndAcknowledgement) {
  const auto first =
      Submit(referrer_, Input("Camara", "Fatoumata", "1961-04-17", "06 12 45 78 90"));
  const auto second =
      Submit(referrer_, Input("Nguyen", "Van Long", "1955-08-30", "06 98 76 54 32"));
  EXPECT_EQ(first.number, "FL-2026-00001");
  EXPECT_EQ(second.number, "FL-2026-00002");
  const auto r = s_->referrals.Get(referrer_, first.id);
  EXPECT_EQ(r.status, ReferralStatus::kReceived);
  EXPECT_EQ(r.source, "form");
  EXPECT_EQ(r.data.person.birth_name, "Camara");
  EXPECT_EQ(r.data.person.phone, "+33612457890");
  EXPECT_EQ(r.data.procedures, std::vector<std::string>{"CAF-RSA"});
  EXPECT_EQ(r.identity_status, "confirmed_new");
  ASSERT_TRUE(r.received_at.has_value());
  const auto history = s_->referrals.History(referrer_, first.id);
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].to_status, "received");
  std::vector<service::OutboxMessage> messages;
  db_->db().Read([&](service::Tx& tx) {
    messages = tx.outbox().ForRelated("referral", std::to_string(first.id));
  });
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].channel, "email");
  EXPECT_EQ(messages[0].recipient, "as@ssd.example");
  EXPECT_EQ(messages[0].status, "pending");
  EXPECT_NE(messages[0].subject.find("FL-2026-00001"), std::string::npos);
  EXPECT_EQ(messages[0].body.find("Camara"), std::string::npos) << "no identity in the e-mail";
  // The submission is audited, then the referrer's reading of her fiche, above.
  const auto audit = s_->audit.List(system_, {});
  ASSERT_GE(audit.size(), 2u);
  EXPECT_EQ(audit[0].action, "referral.read");
  EXPECT_EQ(audit[0].record_id, std::to_string(first.id));
  EXPECT_EQ(audit[1].action, "referral.submit");
}

TEST_P(ReferralServiceTest, InvalidInputCreatesNothing) {
  auto in = Input("", "", "", "");
  in.consent_given = false;
  const auto r = s_->referrals.Submit(referrer_, std::nullopt, in);
  EXPECT_FALSE(r.errors.empty());
  service::ReferralFilter all;
  long long count = -1;
  db_->db().Read([&](service::Tx& tx) { count = tx.referrals().Count(all); });
  EXPECT_EQ(count, 0);
}

TEST_P(ReferralServiceTest, OnlyTheRightPeopleSeeAReferral) {
  const auto r = Submit(referrer_, Input("Camara", "Fatoumata", "1961-04-17", "06 12 45 78 90"));
  EXPECT_NO_THROW(s_->referrals.Get(referrer_, r.id));
  EXPECT_NO_THROW(s_->referrals.Get(coordinator_, r.id));
  EXPECT_NO_THROW(s_->referrals.Get(worker_, r.id));
  EXPECT_EQ(CodeOf([&] { s_->referrals.Get(other_referrer_, r.id); }), ErrorCode::kNotFound);
  EXPECT_EQ(CodeOf([&] { s_->referrals.Get(pilot_, r.id); }), ErrorCode::kNotFound);
  EXPECT_EQ(CodeOf([&] { s_->referrals.Accept(referrer_, r.id, worker_.user_id); }),
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(CodeOf([&] { s_->referrals.Withdraw(other_referrer_, r.id, ""); }),
            ErrorCode::kNotFound);
}

TEST_P(ReferralServiceTest, DraftsBelongToTheirAuthor) {
  const auto id = s_->referrals.SaveDraft(referrer_, std::nullopt, R"({"last_name":"Durand"})");
  EXPECT_EQ(s_->referrals.LoadDraft(referrer_, id), R"({"last_name":"Durand"})");
  const auto colleague = User("as2@ssd.example", "prescripteur", "SSD");
  EXPECT_EQ(CodeOf([&] { s_->referrals.LoadDraft(colleague, id); }), ErrorCode::kNotFound);
  EXPECT_EQ(CodeOf([&] { s_->referrals.Get(coordinator_, id); }), ErrorCode::kNotFound);
  EXPECT_TRUE(s_->referrals.ForReferrer(colleague).empty());
  ASSERT_EQ(s_->referrals.ForReferrer(referrer_).size(), 1u);
  const auto sent =
      s_->referrals.Submit(referrer_, id, Input("Durand", "Gisèle", "", "06 11 11 11 11"));
  ASSERT_TRUE(sent.errors.empty());
  EXPECT_EQ(sent.id, id) << "the draft becomes the referral";
  EXPECT_EQ(s_->referrals.Get(referrer_, id).status, ReferralStatus::kReceived);
  EXPECT_EQ(CodeOf([&] { s_->referrals.SaveDraft(referrer_, id, "{}"); }), ErrorCode::kConflict);
}

TEST_P(ReferralServiceTest, TriageFollowsTheStatusMachine) {
  const auto a = Submit(referrer_, Input("Camara", "Fatoumata", "1961-04-17", "06 12 45 78 90"));
  EXPECT_EQ(CodeOf([&] { s_->referrals.Accept(coordinator_, a.id, referrer_.user_id); }),
            ErrorCode::kInvalidArgument)
      << "a referral is given to a member of the team only";
  s_->clock.Advance(std::chrono::hours(2));
  s_->referrals.Accept(coordinator_, a.id, worker_.user_id);
  auto r = s_->referrals.Get(coordinator_, a.id);
  EXPECT_EQ(r.status, ReferralStatus::kAccepted);
  EXPECT_EQ(r.assigned_user_id, worker_.user_id);
  ASSERT_TRUE(r.accepted_at.has_value());
  EXPECT_EQ(ToEpoch(*r.accepted_at) - ToEpoch(*r.received_at), 7200);
  EXPECT_EQ(CodeOf([&] { s_->referrals.Accept(coordinator_, a.id, worker_.user_id); }),
            ErrorCode::kConflict);
  EXPECT_EQ(CodeOf([&] {
              s_->referrals.DeclareNotReceivable(coordinator_, a.id, "hors_territoire", "x");
            }),
            ErrorCode::kConflict);

  const auto b = Submit(referrer_, Input("Nguyen", "Van Long", "1955-08-30", "06 98 76 54 32"));
  EXPECT_EQ(CodeOf([&] { s_->referrals.DeclareNotReceivable(coordinator_, b.id, "nope", "x"); }),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(CodeOf([&] {
              s_->referrals.DeclareNotReceivable(coordinator_, b.id, "hors_territoire", "  ");
            }),
            ErrorCode::kInvalidArgument);
  s_->referrals.DeclareNotReceivable(coordinator_, b.id, "hors_territoire", "Voir Pontoise.");
  r = s_->referrals.Get(referrer_, b.id);
  EXPECT_EQ(r.status, ReferralStatus::kNotReceivable);
  EXPECT_EQ(r.decision_reason, "hors_territoire");
  EXPECT_TRUE(r.closed_at.has_value());
  std::vector<service::OutboxMessage> messages;
  db_->db().Read([&](service::Tx& tx) {
    messages = tx.outbox().ForRelated("referral", std::to_string(b.id));
  });
  ASSERT_EQ(messages.size(), 2u) << "received, then not receivable";
  EXPECT_NE(messages[1].body.find("Voir Pontoise."), std::string::npos);

  const auto c = Submit(referrer_, Input("Yilmaz", "Elif", "1979-01-01", "07 61 23 45 67"));
  domain::StructureId fs = 0;
  for (const auto& s : s_->structures.List(system_)) {
    fs = s.code == "FS" ? s.id : fs;
  }
  s_->referrals.Redirect(coordinator_, c.id, fs, "");
  EXPECT_EQ(s_->referrals.Get(referrer_, c.id).redirected_to_name, "France services");

  const auto d = Submit(referrer_, Input("Moreau", "Josiane", "1944-12-05", "01 34 43 21 09"));
  s_->referrals.Withdraw(referrer_, d.id, "Aidée par sa fille.");
  EXPECT_EQ(s_->referrals.Get(referrer_, d.id).status, ReferralStatus::kWithdrawn);
  const auto events = s_->referrals.History(referrer_, d.id);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].from_status, "received");
  EXPECT_EQ(events[1].to_status, "withdrawn");
  EXPECT_EQ(events[1].user_id, referrer_.user_id);
}

TEST_P(ReferralServiceTest, InboxPutsUrgentThenOldestFirstAndFlagsLateOnes) {
  s_->clock.Set(paris::FromLocal({2026, 11, 2}, 9, 0));  // Monday
  const auto old_low =
      Submit(referrer_, Input("Ancien", "Paul", "1950-01-01", "06 00 00 00 01", 0));
  s_->clock.Set(paris::FromLocal({2026, 11, 9}, 9, 0));
  const auto mid_high =
      Submit(referrer_, Input("Urgent", "Marie", "1960-01-01", "06 00 00 00 02", 3));
  s_->clock.Set(paris::FromLocal({2026, 11, 13}, 9, 0));
  const auto new_high =
      Submit(referrer_, Input("Recent", "Luc", "1970-01-01", "06 00 00 00 03", 3));
  s_->clock.Set(paris::FromLocal({2026, 11, 16}, 9, 0));  // Monday
  const auto page = s_->referrals.Inbox(coordinator_, {});
  ASSERT_EQ(page.lines.size(), 3u);
  EXPECT_EQ(page.lines[0].summary.id, mid_high.id);
  EXPECT_EQ(page.lines[1].summary.id, new_high.id);
  EXPECT_EQ(page.lines[2].summary.id, old_low.id);
  // 2 → 16 November: 9 working days (the 11th is a holiday); 9 → 16: 4; 13 → 16: 1.
  EXPECT_EQ(page.lines[2].age_working_days, 9);
  EXPECT_EQ(page.lines[0].age_working_days, 4);
  EXPECT_EQ(page.lines[1].age_working_days, 1);
  EXPECT_TRUE(page.lines[2].overdue);
  EXPECT_FALSE(page.lines[0].overdue);
  db_->db().Write([&](service::Tx& tx) {
    tx.settings().Put("triage_flag_working_days", "3", s_->clock.Now(), "t");
  });
  EXPECT_TRUE(s_->referrals.Inbox(coordinator_, {}).lines[0].overdue);
  service::InboxQuery q;
  q.procedure = "CPAM-C2S";
  EXPECT_TRUE(s_->referrals.Inbox(coordinator_, q).lines.empty());
  q.procedure = "CAF-RSA";
  EXPECT_EQ(s_->referrals.Inbox(coordinator_, q).lines.size(), 3u);
  EXPECT_EQ(CodeOf([&] { s_->referrals.Inbox(referrer_, {}); }), ErrorCode::kPermissionDenied);
}

TEST_P(ReferralServiceTest, DuplicatesAreDetectedLinkedAndMerged) {
  const auto first = Submit(referrer_, Input("N'Diaye", "Aminata", "1958-03-12", "06 12 34 56 78"));
  auto again = Input("NDIAYE", "Aminatta", "1958-03-12", "+33 6 12 34 56 78");
  again.email = "aminata@exemple.fr";
  const auto second = Submit(other_referrer_, again);
  EXPECT_TRUE(second.visible_duplicates.empty()) << "the CCAS does not learn of the SSD's referral";
  const auto third = Submit(referrer_, Input("Ndiaye", "Aminata", "1958-03-12", "06 12 34 56 78"));
  ASSERT_EQ(third.visible_duplicates.size(), 1u)
      << "the SSD sees its own earlier referral, not the CCAS's";
  EXPECT_EQ(third.visible_duplicates[0].number, first.number);

  auto r = s_->referrals.Get(coordinator_, second.id);
  EXPECT_EQ(r.identity_status, "unchecked");
  const auto candidates = s_->referrals.Duplicates(coordinator_, second.id);
  ASSERT_FALSE(candidates.empty());
  EXPECT_TRUE(candidates[0].probable);
  EXPECT_FALSE(candidates[0].reasons.empty());
  const domain::PersonId kept = *s_->referrals.Get(coordinator_, first.id).person_id;
  ASSERT_EQ(candidates[0].person_id, kept);

  s_->referrals.LinkToPerson(coordinator_, second.id, kept);
  r = s_->referrals.Get(coordinator_, second.id);
  EXPECT_EQ(r.identity_status, "linked");
  EXPECT_EQ(r.person_id, kept);
  EXPECT_EQ(r.data.person.email, "aminata@exemple.fr")
      << "a contact the kept record lacked is taken over";
  bool merged = false;
  db_->db().Read([&](service::Tx& tx) {
    const auto people = tx.persons().FindByKeys({"p:+33612345678"}, 10);
    merged = std::find(people.begin(), people.end(), kept) != people.end();
    const auto changes = tx.persons().Changes(kept);
    EXPECT_FALSE(changes.empty());
  });
  EXPECT_TRUE(merged);
  EXPECT_EQ(LastChange(s_->audit.List(system_, {})).action, "referral.link_person");
  EXPECT_EQ(CodeOf([&] { s_->referrals.LinkToPerson(coordinator_, second.id, kept); }),
            ErrorCode::kInvalidArgument);
  s_->referrals.ConfirmNewPerson(coordinator_, third.id);
  EXPECT_EQ(s_->referrals.Get(coordinator_, third.id).identity_status, "confirmed_new");
}

TEST_P(ReferralServiceTest, CsvImportPreviewsThenImportsValidRowsTogether) {
  domain::StructureId ccas = 0;
  for (const auto& s : s_->structures.List(system_)) {
    ccas = s.code == "CCAS" ? s.id : ccas;
  }
  const std::string file =
      "\xEF\xBB\xBFnom;prenom;date_naissance;telephone;adresse;code_postal;commune;demarches;"
      "accord_date;inconnue\n"
      "L\xC3\xA9v\xC3\xAAque;H\xC3\xA9l\xC3\xA8ne;03/02/1950;06 21 43 65 87;1 rue "
      "Nationale;95000;Cergy;CAF-AL;15/11/2026;x\n"
      "Sans;Code;;06 00 00 00 01;2 rue;9500;Cergy;XYZ;15/11/2026;y\n"
      "Gu\xC3\xA9rin;Fran\xC3\xA7ois;;01 30 30 30 30;3 rue;95800;Cergy;DGFIP-DIR;15/11/2026;z\n";
  const auto preview = s_->imports.Preview(coordinator_, ccas, "export.csv", file);
  EXPECT_EQ(preview.encoding, "UTF-8 avec BOM");
  EXPECT_EQ(preview.valid, 2);
  EXPECT_EQ(preview.invalid, 1);
  EXPECT_EQ(preview.unknown_columns, std::vector<std::string>{"inconnue"});
  EXPECT_EQ(preview.rows[1].line, 3);
  const auto report = s_->imports.Import(coordinator_, preview.batch_id);
  EXPECT_EQ(report.imported.size(), 2u);
  EXPECT_EQ(report.rejected.size(), 1u);
  EXPECT_EQ(s_->referrals.Get(coordinator_, report.imported[0].id).source, "csv");
  EXPECT_EQ(s_->referrals.Get(coordinator_, report.imported[0].id).structure_name, "CCAS de Cergy");
  EXPECT_EQ(CodeOf([&] { s_->imports.Import(coordinator_, preview.batch_id); }),
            ErrorCode::kNotFound)
      << "imported once only";

  const auto missing = s_->imports.Preview(coordinator_, ccas, "x.csv", "nom;prenom\nA;B\n");
  EXPECT_FALSE(missing.missing_columns.empty());
  EXPECT_EQ(CodeOf([&] { s_->imports.Import(coordinator_, missing.batch_id); }),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(CodeOf([&] { s_->imports.Show(worker_, missing.batch_id); }),
            ErrorCode::kPermissionDenied);
}

TEST_P(ReferralServiceTest, CsvImportIsAllOrNothing) {
  domain::StructureId ccas = 0;
  for (const auto& s : s_->structures.List(system_)) {
    ccas = s.code == "CCAS" ? s.id : ccas;
  }
  const auto preview =
      s_->imports.Preview(coordinator_, ccas, "x.csv",
                          "nom;prenom;telephone;code_postal;commune;demarches;accord_date\n"
                          "A;B;06 00 00 00 01;95000;Cergy;CAF-RSA;2026-11-15\nC;D;06 00 00 00 "
                          "02;95000;Cergy;CAF-RSA;2026-11-15\n");
  ASSERT_EQ(preview.valid, 2);
  // The second insert fails in the database: the first one must not remain.
  if (GetParam() == TestBackend::kSqlite) {
    db_->Exec(
        "CREATE TRIGGER fail_second BEFORE INSERT ON referral WHEN (SELECT COUNT(*) FROM referral) "
        ">= 1 "
        "BEGIN SELECT RAISE(ABORT, 'disk full'); END;");
  } else {
    db_->Exec(
        "CREATE FUNCTION fail_second() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF (SELECT "
        "COUNT(*) FROM "
        "referral) >= 1 THEN RAISE EXCEPTION 'disk full'; END IF; RETURN NEW; END; $$; CREATE "
        "TRIGGER "
        "fail_second BEFORE INSERT ON referral FOR EACH ROW EXECUTE FUNCTION fail_second();");
  }
  EXPECT_THROW(s_->imports.Import(coordinator_, preview.batch_id), Error);
  long long count = -1;
  db_->db().Read([&](service::Tx& tx) { count = tx.referrals().Count({}); });
  EXPECT_EQ(count, 0);
  EXPECT_NO_THROW(s_->imports.Show(coordinator_, preview.batch_id))
      << "the file is kept for another try";
}

TEST_P(ReferralServiceTest, ApiSubmissionsAreIdempotent) {
  const auto token = s_->api_tokens.Create(system_, "ccas", {"referrals:write"}, "test");
  auto client = s_->api_tokens.Authenticate("Bearer " + token.token, "r", "ip");
  ASSERT_TRUE(client.has_value());
  EXPECT_FALSE(s_->api_tokens.Authenticate("Bearer av_nope", "r", "ip").has_value());
  EXPECT_FALSE(s_->api_tokens.Authenticate(token.token, "r", "ip").has_value())
      << "Bearer scheme required";
  int rendered = 0;
  auto render = [&](const service::SubmitResult& r) {
    ++rendered;
    return service::IdempotentResponse{"", 201, "{\"id\":" + std::to_string(r.id) + "}", "/x"};
  };
  const service::IdempotencyKey key{"abc", "digest-1"};
  const auto first =
      s_->referrals.SubmitIdempotent(*client, Input("A", "B", "", "06 00 00 00 01"), key, render);
  ASSERT_FALSE(first.replay.has_value());
  ASSERT_TRUE(first.result.errors.empty());
  const auto retry =
      s_->referrals.SubmitIdempotent(*client, Input("A", "B", "", "06 00 00 00 01"), key, render);
  ASSERT_TRUE(retry.replay.has_value());
  EXPECT_EQ(retry.replay->body, "{\"id\":" + std::to_string(first.result.id) + "}");
  EXPECT_EQ(rendered, 1);
  EXPECT_EQ(CodeOf([&] {
              s_->referrals.SubmitIdempotent(*client, Input("Z", "Z", "", "06 00 00 00 09"),
                                             {{"abc", "digest-2"}}, render);
            }),
            ErrorCode::kConflict);
  long long count = -1;
  db_->db().Read([&](service::Tx& tx) { count = tx.referrals().Count({}); });
  EXPECT_EQ(count, 1);
  s_->api_tokens.Revoke(system_, token.record.id);
  EXPECT_FALSE(s_->api_tokens.Authenticate("Bearer " + token.token, "r", "ip").has_value());
}

TEST_P(ReferralServiceTest, RectifyingAPersonKeepsTheOldValues) {
  const auto r = Submit(referrer_, Input("Camara", "Fatoumata", "1961-04-17", "06 12 45 78 90"));
  auto in = Input("Camara", "Fatoumata", "1961-04-17", "07 00 00 00 01");
  in.usage_name = "Diallo";
  EXPECT_EQ(CodeOf([&] { s_->referrals.UpdatePerson(referrer_, r.id, in); }),
            ErrorCode::kPermissionDenied);
  auto bad = in;
  bad.postal_code = "123";
  EXPECT_FALSE(s_->referrals.UpdatePerson(worker_, r.id, bad).empty());
  EXPECT_TRUE(s_->referrals.UpdatePerson(worker_, r.id, in).empty());
  const auto person = s_->referrals.Get(coordinator_, r.id).data.person;
  EXPECT_EQ(person.phone, "+33700000001");
  EXPECT_EQ(person.usage_name, "Diallo");
  const auto changes = s_->referrals.PersonHistory(coordinator_, r.id);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].field, "usage_name");
  EXPECT_EQ(changes[1].field, "phone");
  EXPECT_EQ(changes[1].old_value, "+33612457890");
  EXPECT_EQ(changes[1].new_value, "+33700000001");
  EXPECT_EQ(changes[1].user_id, worker_.user_id);
  EXPECT_TRUE(s_->referrals.UpdatePerson(worker_, r.id, in).empty());
  EXPECT_EQ(s_->referrals.PersonHistory(coordinator_, r.id).size(), 2u) << "no change, no history";
  // The new phone is now what duplicate detection matches.
  const auto again = Submit(referrer_, Input("Diallo", "Fatoumata", "", "07 00 00 00 01"));
  EXPECT_EQ(s_->referrals.Get(coordinator_, again.id).identity_status, "unchecked");
}

INSTANTIATE_TEST_SUITE_P(Backends, ReferralServiceTest,
                         ::testing::Values(TestBackend::kSqlite, TestBackend::kPostgres),
                         BackendName);

}  // namespace
}  // namespace allervers::testing
