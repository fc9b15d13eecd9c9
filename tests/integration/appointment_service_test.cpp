#include <gtest/gtest.h>

#include <algorithm>

#include "common/error.hpp"
#include "common/time.hpp"
#include "support/helpers.hpp"
#include "support/services.hpp"
#include "support/test_db.hpp"

namespace allervers::testing {
namespace {

using domain::AppointmentStatus;
using domain::ReferralStatus;

class AppointmentServiceTest : public ::testing::TestWithParam<TestBackend> {
 protected:
  void SetUp() override {
    db_ = TestDatabase::Create(GetParam());
    ALLERVERS_SKIP_IF_NO_DB(db_);
    s_ = std::make_unique<TestServices>(db_->db());
    s_->clock.Set(paris::FromLocal({2026, 11, 16}, 9, 0));  // a Monday
    for (const auto& in :
         std::vector<domain::StructureInput>{{"EMN", "Équipe mobile", "operateur", "Cergy"},
                                             {"SSD", "SSD Cergy", "ssd", "Cergy"},
                                             {"CCAS", "CCAS de Cergy", "partenaire", "Cergy"}}) {
      ASSERT_TRUE(s_->structures.Create(system_, in).errors.empty());
    }
    coordinator_ = User("coord@emn.example", "coordinateur", "EMN");
    worker_ = User("lea@emn.example", "intervenant", "EMN");
    other_worker_ = User("yanis@emn.example", "intervenant", "EMN");
    referrer_ = User("as@ssd.example", "prescripteur", "SSD");
    other_referrer_ = User("ccas@ccas.example", "prescripteur", "CCAS");
    referral_ = NewCase("Mabiala", "Grâce", "06 21 45 78 90", {"telephone", "sms"});
  }

  service::Actor User(const std::string& email, const std::string& role,
                      const std::string& structure) {
    const auto r = s_->users.Create(
        system_, {email, email.substr(0, email.find('@')), role, structure, ""}, kGoodPassword);
    EXPECT_TRUE(r.errors.empty());
    return service::Actor::ForUser(s_->users.Get(system_, r.id), "req", "ip");
  }

  // A referral from the SSD, accepted and assigned to Léa.
  domain::ReferralId NewCase(const std::string& last, const std::string& first,
                             const std::string& phone, std::vector<std::string> prefs) {
    auto in = SampleReferral(std::move(prefs));
    in.last_name = last;
    in.first_names = first;
    in.phone = phone;
    const auto r = s_->referrals.Submit(referrer_, std::nullopt, in);
    EXPECT_TRUE(r.errors.empty());
    s_->referrals.Accept(coordinator_, r.id, worker_.user_id);
    return r.id;
  }

  domain::AppointmentInput Input(const std::string& date, const std::string& time,
                                 std::vector<domain::UserId> workers = {}) {
    domain::AppointmentInput in;
    in.date = date;
    in.start_time = time;
    in.duration_minutes = "60";
    in.place = "domicile";
    for (auto w : workers.empty() ? std::vector<domain::UserId>{worker_.user_id} : workers) {
      in.workers.push_back(std::to_string(w));
    }
    in.purpose = "Faire la demande de RSA";
    return in;
  }

  std::vector<service::OutboxMessage> Outbox(const std::string& type, domain::AppointmentId id) {
    std::vector<service::OutboxMessage> out;
    db_->db().Read(
        [&](service::Tx& tx) { out = tx.outbox().ForRelated(type, std::to_string(id)); });
    return out;
  }

  static int CountWith(const std::vector<service::OutboxMessage>& v, const std::string& channel,
                       const std::string& status) {
    return static_cast<int>(std::count_if(v.begin(), v.end(), [&](const auto& m) {
      return m.channel == channel && m.status == status;
    }));
  }

  domain::FieldErrors Contact(const std::string& date, const std::string& outcome) {
    s_->clock.Set(paris::FromLocal(*ParseIsoDate(date), 17, 0));
    return s_->appointments.RecordContact(worker_, referral_,
                                          {date, "10:00", "telephone", outcome, ""});
  }

  service::Actor system_ = service::Actor::System("t");
  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<TestServices> s_;
  service::Actor coordinator_, worker_, other_worker_, referrer_, other_referrer_;
  domain::ReferralId referral_ = 0;
};

TEST_P(AppointmentServiceTest, ContactAttemptsMoveTheCaseAndDateTheFirstContact) {
  EXPECT_TRUE(Contact("2026-11-16", "sans_reponse").empty());
  auto r = s_->referrals.Get(coordinator_, referral_);
  EXPECT_EQ(r.status, ReferralStatus::kContact);
  EXPECT_FALSE(r.first_contact_at.has_value()) << "not reached yet";
  EXPECT_TRUE(Contact("2026-11-17", "joint").empty());
  r = s_->referrals.Get(coordinator_, referral_);
  ASSERT_TRUE(r.first_contact_at.has_value());
  EXPECT_EQ(paris::FormatDateTime(*r.first_contact_at), "17/11/2026 à 10 h");
  const auto contacts = s_->appointments.Contacts(worker_, referral_);
  ASSERT_EQ(contacts.attempts.size(), 2u);
  EXPECT_EQ(contacts.failed_since_reached, 0);
  EXPECT_EQ(LastChange(s_->audit.List(system_, {})).action, "contact.record");
  // Bad input: nothing saved, every field named.
  const auto errors =
      s_->appointments.RecordContact(worker_, referral_, {"hier", "", "pigeon", "", ""});
  EXPECT_EQ(errors.size(), 4u);
  EXPECT_EQ(s_->appointments.Contacts(worker_, referral_).attempts.size(), 2u);
}

TEST_P(AppointmentServiceTest, ThreeFailedAttemptsOverTenDaysProposeClosureAndTellTheReferrer) {
  Contact("2026-11-16", "sans_reponse");
  Contact("2026-11-20", "message");
  EXPECT_FALSE(s_->appointments.Contacts(worker_, referral_).unreachable_proposed_at);
  Contact("2026-11-26", "sans_reponse");
  const auto contacts = s_->appointments.Contacts(worker_, referral_);
  ASSERT_TRUE(contacts.unreachable_proposed_at.has_value());
  EXPECT_EQ(contacts.failed_since_reached, 3);
  const auto messages = Outbox("referral", referral_);
  const auto told = std::find_if(messages.begin(), messages.end(), [](const auto& m) {
    return m.subject.find("injoignable") != std::string::npos;
  });
  ASSERT_NE(told, messages.end());
  EXPECT_EQ(told->recipient, "as@ssd.example");
  EXPECT_EQ(told->body.find("Mabiala"), std::string::npos) << "no identity in the e-mail";
  // Told once only.
  Contact("2026-11-27", "sans_reponse");
  const auto again = Outbox("referral", referral_);
  EXPECT_EQ(std::count_if(
                again.begin(), again.end(),
                [](const auto& m) { return m.subject.find("injoignable") != std::string::npos; }),
            1);
  // Reaching the person withdraws the proposal.
  Contact("2026-11-28", "joint");
  EXPECT_FALSE(s_->appointments.Contacts(worker_, referral_).unreachable_proposed_at);
}

TEST_P(AppointmentServiceTest, AnAppointmentSetsTheStatusAndQueuesRemindersOnAgreedChannels) {
  const auto r = s_->appointments.Create(worker_, referral_, Input("2026-11-25", "14:30"), false);
  ASSERT_TRUE(r.errors.empty());
  ASSERT_NE(r.id, 0);
  EXPECT_EQ(s_->referrals.Get(coordinator_, referral_).status, ReferralStatus::kAppointmentSet);
  const auto a = s_->appointments.Get(worker_, r.id);
  EXPECT_EQ(a.appointment.address_line, "7 rue de l’Abondance") << "home by default";
  EXPECT_EQ(a.appointment.worker_names, std::vector<std::string>{"lea"});
  const auto messages = Outbox("appointment", r.id);
  // SMS agreed and a mobile number: J-2 and J-1; no e-mail (not agreed, none known).
  EXPECT_EQ(CountWith(messages, "sms", "pending"), 2);
  EXPECT_EQ(CountWith(messages, "email", "pending"), 1) << "the referrer is told";
  for (const auto& m : messages) {
    if (m.channel == "sms") {
      EXPECT_NE(m.body.find("vers 14 h 30"), std::string::npos) << m.body;
      EXPECT_EQ(paris::ToLocal(m.next_attempt_at).hour, 10);
    }
  }
}

TEST_P(AppointmentServiceTest, NoReminderWithoutTheAgreementOfThePerson) {
  const auto other = NewCase("Lefort", "Gérard", "06 30 32 45 67", {"telephone"});
  const auto r = s_->appointments.Create(worker_, other, Input("2026-11-25", "10:00"), false);
  ASSERT_NE(r.id, 0);
  EXPECT_EQ(CountWith(Outbox("appointment", r.id), "sms", "pending"), 0);
}

TEST_P(AppointmentServiceTest, ConflictsAreShownAndNothingIsSavedUnlessForced) {
  ASSERT_NE(s_->appointments.Create(worker_, referral_, Input("2026-11-25", "10:00"), false).id, 0);
  const auto other = NewCase("Lefort", "Gérard", "06 30 32 45 67", {"telephone"});
  // 11:10: ten minutes after the first home visit, with twenty minutes of travel.
  const auto r = s_->appointments.Create(worker_, other, Input("2026-11-25", "11:10"), false);
  EXPECT_EQ(r.id, 0);
  ASSERT_EQ(r.conflicts.size(), 1u);
  EXPECT_EQ(r.conflicts[0].worker, worker_.user_id);
  EXPECT_TRUE(s_->appointments.ForReferral(worker_, other).empty());
  // Another worker is free then.
  EXPECT_NE(
      s_->appointments
          .Create(worker_, other, Input("2026-11-25", "11:10", {other_worker_.user_id}), false)
          .id,
      0);
  // Forced: kept, and the audit says so.
  const auto forced = s_->appointments.Create(worker_, other, Input("2026-11-25", "11:10"), true);
  EXPECT_NE(forced.id, 0);
  EXPECT_NE(s_->audit.List(system_, {})[0].detail.find("conflicts_forced=1"), std::string::npos);
}

TEST_P(AppointmentServiceTest, MovingCancelsTheOldRemindersAndQueuesNewOnes) {
  const auto r = s_->appointments.Create(worker_, referral_, Input("2026-11-25", "10:00"), false);
  const auto moved = s_->appointments.Move(worker_, r.id, Input("2026-11-27", "15:00"), false);
  ASSERT_TRUE(moved.errors.empty());
  const auto a = s_->appointments.Get(worker_, r.id);
  EXPECT_EQ(a.appointment.sequence, 1) << "calendars see the change";
  EXPECT_EQ(paris::FormatDateTime(a.appointment.starts_at), "27/11/2026 à 15 h");
  const auto messages = Outbox("appointment", r.id);
  EXPECT_EQ(CountWith(messages, "sms", "cancelled"), 2);
  EXPECT_EQ(CountWith(messages, "sms", "pending"), 2);
}

TEST_P(AppointmentServiceTest, OutcomesMoveTheCaseAndRecordTheFirstVisit) {
  const auto r = s_->appointments.Create(worker_, referral_, Input("2026-11-18", "10:00"), false);
  // Not yet happened: cannot be honoured.
  EXPECT_EQ(
      CodeOf([&] { s_->appointments.SetOutcome(worker_, r.id, AppointmentStatus::kHonoured, ""); }),
      ErrorCode::kConflict);
  s_->clock.Set(paris::FromLocal({2026, 11, 18}, 12, 0));
  s_->appointments.SetOutcome(worker_, r.id, AppointmentStatus::kAbsent, "Avis de passage");
  EXPECT_EQ(s_->referrals.Get(coordinator_, referral_).status, ReferralStatus::kContact)
      << "no other appointment planned: back to contact";
  EXPECT_EQ(CountWith(Outbox("appointment", r.id), "sms", "cancelled"), 2)
      << "reminders not sent yet are cancelled: a late one would mislead";
  const auto second =
      s_->appointments.Create(worker_, referral_, Input("2026-11-20", "10:00"), false);
  s_->clock.Set(paris::FromLocal({2026, 11, 20}, 12, 0));
  s_->appointments.SetOutcome(worker_, second.id, AppointmentStatus::kHonoured, "");
  const auto ref = s_->referrals.Get(coordinator_, referral_);
  EXPECT_EQ(ref.status, ReferralStatus::kInProgress);
  ASSERT_TRUE(ref.first_visit_at.has_value());
  EXPECT_EQ(paris::FormatDateTime(*ref.first_visit_at), "20/11/2026 à 10 h");
  ASSERT_TRUE(ref.first_contact_at.has_value()) << "an honoured visit is a contact";
  // An outcome is final.
  EXPECT_EQ(CodeOf([&] {
              s_->appointments.SetOutcome(worker_, second.id, AppointmentStatus::kAbsent, "");
            }),
            ErrorCode::kConflict);
}

TEST_P(AppointmentServiceTest, PostponingLinksTheNewAppointmentOrChangesNothing) {
  const auto first =
      s_->appointments.Create(worker_, referral_, Input("2026-11-25", "10:00"), false);
  const auto blocker = NewCase("Lefort", "Gérard", "06 30 32 45 67", {"telephone"});
  ASSERT_NE(s_->appointments.Create(worker_, blocker, Input("2026-11-26", "10:00"), false).id, 0);
  // The new date clashes: nothing is changed.
  const auto clash =
      s_->appointments.Postpone(worker_, first.id, Input("2026-11-26", "10:30"), "malade", false);
  EXPECT_EQ(clash.id, 0);
  EXPECT_FALSE(clash.conflicts.empty());
  EXPECT_EQ(s_->appointments.Get(worker_, first.id).appointment.status,
            AppointmentStatus::kPlanned);
  // Bad input: nothing is changed either.
  const auto bad = s_->appointments.Postpone(worker_, first.id, Input("", "10:30"), "", false);
  EXPECT_EQ(bad.id, 0);
  EXPECT_FALSE(bad.errors.empty());
  EXPECT_EQ(s_->appointments.Get(worker_, first.id).appointment.status,
            AppointmentStatus::kPlanned);
  const auto next =
      s_->appointments.Postpone(worker_, first.id, Input("2026-11-27", "10:00"), "malade", false);
  ASSERT_NE(next.id, 0);
  const auto old = s_->appointments.Get(worker_, first.id);
  EXPECT_EQ(old.appointment.status, AppointmentStatus::kPostponed);
  EXPECT_EQ(old.appointment.rescheduled_to, next.id);
  EXPECT_EQ(s_->appointments.Get(worker_, next.id).appointment.rescheduled_from, first.id);
  EXPECT_EQ(CountWith(Outbox("appointment", first.id), "sms", "cancelled"), 2);
}

TEST_P(AppointmentServiceTest, TheReferrerIsInvitedToATripartiteMeetingAndAnswers) {
  auto in = Input("2026-11-25", "10:00");
  in.tripartite = true;
  const auto r = s_->appointments.Create(worker_, referral_, in, false);
  ASSERT_NE(r.id, 0);
  EXPECT_EQ(s_->appointments.Get(worker_, r.id).appointment.referrer_response,
            domain::ReferrerResponse::kPending);
  const auto invitations = s_->appointments.Invitations(referrer_, s_->clock.Now());
  ASSERT_EQ(invitations.size(), 1u);
  EXPECT_TRUE(s_->appointments.Invitations(other_referrer_, s_->clock.Now()).empty());
  EXPECT_EQ(CodeOf([&] { s_->appointments.Respond(other_referrer_, r.id, true); }),
            ErrorCode::kNotFound);
  s_->appointments.Respond(referrer_, r.id, false);
  EXPECT_EQ(s_->appointments.Get(referrer_, r.id).appointment.referrer_response,
            domain::ReferrerResponse::kDeclined);
  const auto messages = Outbox("appointment", r.id);
  EXPECT_TRUE(std::any_of(messages.begin(), messages.end(), [](const auto& m) {
    return m.recipient == "lea@emn.example" &&
           m.subject.find("ne viendra pas") != std::string::npos;
  }));
}

TEST_P(AppointmentServiceTest, OnlyTheTeamManagesAppointmentsAndOthersSeeNothing) {
  const auto r = s_->appointments.Create(worker_, referral_, Input("2026-11-25", "10:00"), false);
  EXPECT_EQ(CodeOf([&] {
              s_->appointments.Create(referrer_, referral_, Input("2026-11-26", "10:00"), false);
            }),
            ErrorCode::kPermissionDenied);
  // A referrer not invited does not see the appointment, even of their own structure.
  EXPECT_EQ(CodeOf([&] { s_->appointments.Get(referrer_, r.id); }), ErrorCode::kNotFound);
  EXPECT_EQ(CodeOf([&] { s_->appointments.Get(other_referrer_, r.id); }), ErrorCode::kNotFound);
  // The agenda of the team.
  service::AgendaQuery q;
  q.from = paris::FromLocal({2026, 11, 23}, 0, 0);
  q.to = paris::FromLocal({2026, 11, 30}, 0, 0);
  EXPECT_EQ(s_->appointments.Agenda(coordinator_, q).size(), 1u);
  q.worker = other_worker_.user_id;
  EXPECT_TRUE(s_->appointments.Agenda(coordinator_, q).empty());
  EXPECT_EQ(CodeOf([&] { s_->appointments.Agenda(referrer_, q); }), ErrorCode::kPermissionDenied);
}

TEST_P(AppointmentServiceTest, LettersAreAuditedOneByOne) {
  const auto a = s_->appointments.Create(worker_, referral_, Input("2026-11-25", "10:00"), false);
  const auto batch = s_->appointments.Letters(worker_, {a.id});
  ASSERT_EQ(batch.letters.size(), 1u);
  EXPECT_EQ(batch.letters[0].last_name, "Mabiala");
  ASSERT_EQ(batch.letters[0].procedures.size(), 1u);
  EXPECT_EQ(batch.letters[0].procedures[0]->code, "CAF-RSA");
  const auto audit = s_->audit.List(system_, {});
  EXPECT_EQ(audit[0].action, "appointment.letter");
  EXPECT_EQ(audit[0].record_id, std::to_string(a.id));
}

TEST_P(AppointmentServiceTest, ACalendarFeedWorksUntilRenewedOrRevoked) {
  ASSERT_NE(s_->appointments.Create(worker_, referral_, Input("2026-11-25", "10:00"), false).id, 0);
  const std::string token = s_->appointments.RenewFeed(worker_);
  std::string owner;
  EXPECT_EQ(s_->appointments.Feed(token, owner).size(), 1u);
  EXPECT_EQ(owner, "lea");
  const std::string renewed = s_->appointments.RenewFeed(worker_);
  EXPECT_EQ(CodeOf([&] { s_->appointments.Feed(token, owner); }), ErrorCode::kNotFound);
  EXPECT_EQ(s_->appointments.Feed(renewed, owner).size(), 1u);
  s_->appointments.RevokeFeed(worker_);
  EXPECT_EQ(CodeOf([&] { s_->appointments.Feed(renewed, owner); }), ErrorCode::kNotFound);
  EXPECT_EQ(CodeOf([&] { s_->appointments.Feed("short", owner); }), ErrorCode::kNotFound);
}

TEST_P(AppointmentServiceTest, SuggestionsAvoidTheWorkersAppointments) {
  ASSERT_NE(s_->appointments.Create(worker_, referral_, Input("2026-11-25", "10:00"), false).id, 0);
  const auto slots =
      s_->appointments.Suggest(worker_, referral_, worker_.user_id, {2026, 11, 25}, 60);
  ASSERT_FALSE(slots.empty());
  for (const auto& s : slots) {
    const auto l = paris::ToLocal(s.starts_at);
    const int start = l.hour * 60 + l.minute;
    EXPECT_TRUE(start + 60 + 20 <= 10 * 60 || start >= 11 * 60 + 20) << l.hour << ":" << l.minute;
  }
}

TEST_P(AppointmentServiceTest, LaterCallsDoNotMoveTheCaseBack) {
  const auto r = s_->appointments.Create(worker_, referral_, Input("2026-11-25", "10:00"), false);
  ASSERT_NE(r.id, 0);
  Contact("2026-11-24", "joint");  // a call to confirm the visit
  EXPECT_EQ(s_->referrals.Get(coordinator_, referral_).status, ReferralStatus::kAppointmentSet);
  s_->clock.Set(paris::FromLocal({2026, 11, 25}, 12, 0));
  s_->appointments.SetOutcome(worker_, r.id, AppointmentStatus::kHonoured, "");
  EXPECT_EQ(s_->referrals.Get(coordinator_, referral_).status, ReferralStatus::kInProgress);
}

TEST_P(AppointmentServiceTest, AVisitCountsAsReachingThePerson) {
  Contact("2026-11-16", "sans_reponse");
  Contact("2026-11-17", "sans_reponse");
  const auto r = s_->appointments.Create(worker_, referral_, Input("2026-11-20", "10:00"), false);
  s_->clock.Set(paris::FromLocal({2026, 11, 20}, 12, 0));
  s_->appointments.SetOutcome(worker_, r.id, AppointmentStatus::kHonoured, "");
  Contact("2026-11-30", "sans_reponse");
  const auto contacts = s_->appointments.Contacts(worker_, referral_);
  EXPECT_FALSE(contacts.unreachable_proposed_at.has_value())
      << "two failures before the visit and one after do not make the person injoignable";
  EXPECT_EQ(contacts.failed_since_reached, 1);
}

TEST_P(AppointmentServiceTest, TheReferrerHearsOfTheFirstAppointmentOnly) {
  const auto first =
      s_->appointments.Create(worker_, referral_, Input("2026-11-25", "10:00"), false);
  const auto second =
      s_->appointments.Create(worker_, referral_, Input("2026-11-27", "10:00"), false);
  const auto count = [&](domain::AppointmentId id) {
    const auto v = Outbox("appointment", id);
    return std::count_if(v.begin(), v.end(),
                         [](const auto& m) { return m.recipient == "as@ssd.example"; });
  };
  EXPECT_EQ(count(first.id), 1);
  EXPECT_EQ(count(second.id), 0);
  // Moving an appointment keeps its notices; only reminders are replaced.
  s_->appointments.Move(worker_, first.id, Input("2026-11-26", "10:00"), false);
  EXPECT_EQ(CountWith(Outbox("appointment", first.id), "email", "pending"), 1);
}

TEST_P(AppointmentServiceTest, ChangingAnAnswerTwiceStillTellsTheTeam) {
  auto in = Input("2026-11-25", "10:00");
  in.tripartite = true;
  const auto r = s_->appointments.Create(worker_, referral_, in, false);
  for (bool accept : {true, false, true}) {
    s_->clock.Advance(std::chrono::minutes(5));
    s_->appointments.Respond(referrer_, r.id, accept);
  }
  const auto v = Outbox("appointment", r.id);
  EXPECT_EQ(std::count_if(v.begin(), v.end(),
                          [](const auto& m) { return m.recipient == "lea@emn.example"; }),
            3);
}

TEST_P(AppointmentServiceTest, ACoordinatorWhoImportedTheFicheIsNotInvited) {
  domain::ReferralData data;
  data.referrer_name = "SSD";
  data.referrer_email = "as@ssd.example";
  data.person.birth_name = "Importée";
  data.person.first_names = "Personne";
  data.person.postal_code = "95000";
  data.person.city = "Cergy";
  data.person.address_line = "1 rue";
  data.urgency = 1;
  data.consent_date = {2026, 11, 10};
  data.consent_how = "oral";
  domain::StructureId ssd = 0;
  for (const auto& st : s_->structures.List(system_)) {
    if (st.code == "SSD") {
      ssd = st.id;
    }
  }
  const auto batch = s_->referrals.SubmitBatch(coordinator_, ssd, {data});
  ASSERT_EQ(batch.size(), 1u);
  s_->referrals.ConfirmNewPerson(coordinator_, batch[0].id);
  s_->referrals.Accept(coordinator_, batch[0].id, worker_.user_id);
  auto in = Input("2026-11-25", "14:00");
  in.tripartite = true;
  const auto r = s_->appointments.Create(worker_, batch[0].id, in, false);
  ASSERT_NE(r.id, 0);
  const auto a = s_->appointments.Get(worker_, r.id).appointment;
  EXPECT_FALSE(a.referrer_user_id.has_value());
  EXPECT_EQ(a.referrer_response, domain::ReferrerResponse::kNone);
}

INSTANTIATE_TEST_SUITE_P(Backends, AppointmentServiceTest,
                         ::testing::Values(TestBackend::kSqlite, TestBackend::kPostgres),
                         BackendName);

}  // namespace
}  // namespace allervers::testing
