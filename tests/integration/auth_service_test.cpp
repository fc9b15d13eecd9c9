#include <gtest/gtest.h>

#include "common/error.hpp"
#include "support/services.hpp"
#include "support/test_db.hpp"

namespace allervers::testing {
namespace {

using service::SignInStatus;

class AuthServiceTest : public ::testing::TestWithParam<TestBackend> {
 protected:
  void SetUp() override {
    db_ = TestDatabase::Create(GetParam());
    ALLERVERS_SKIP_IF_NO_DB(db_);
    s_ = std::make_unique<TestServices>(db_->db());
    const auto system = service::Actor::System("t");
    ASSERT_TRUE(s_->structures.Create(system, {"EMN", "Équipe", "operateur", ""}).errors.empty());
    const auto u = s_->users.Create(
        system, {"lea@emn.example", "Léa Nguyen", "intervenant", "EMN", ""}, kGoodPassword);
    ASSERT_TRUE(u.errors.empty());
    user_id_ = u.id;
  }

  service::Actor Visitor(const std::string& ip = "10.0.0.1") {
    return service::Actor::Anonymous("req", ip);
  }

  std::vector<service::AuditEvent> Audit() {
    return s_->audit.List(service::Actor::System("t"), {});
  }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<TestServices> s_;
  domain::UserId user_id_ = 0;
};

TEST_P(AuthServiceTest, SignInOpensASessionAndAuditsIt) {
  const auto out = s_->auth.SignIn("  LEA@emn.example ", kGoodPassword, Visitor());
  ASSERT_EQ(out.status, SignInStatus::kSuccess);
  EXPECT_EQ(out.user.id, user_id_);
  const auto session = s_->auth.Authenticate(out.session_token);
  ASSERT_TRUE(session.has_value());
  EXPECT_EQ(session->user.id, user_id_);
  EXPECT_FALSE(session->csrf_token.empty());
  EXPECT_TRUE(s_->users.Get(service::Actor::System("t"), user_id_).last_sign_in_at.has_value());
  const auto events = Audit();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0].action, "auth.sign_in");
  EXPECT_EQ(events[0].outcome, "success");
  EXPECT_EQ(events[0].actor_user_id, user_id_);
}

TEST_P(AuthServiceTest, TheSessionCookieIsNotStoredInClear) {
  const auto out = s_->auth.SignIn("lea@emn.example", kGoodPassword, Visitor());
  bool stored_in_clear = true;
  db_->db().Read([&](service::Tx& tx) {
    stored_in_clear = tx.sessions().Find(out.session_token).has_value();
  });
  EXPECT_FALSE(stored_in_clear);
}

TEST_P(AuthServiceTest, WrongPasswordUnknownAccountAndDisabledAccountLookAlike) {
  EXPECT_EQ(s_->auth.SignIn("lea@emn.example", "mauvais mot de passe", Visitor()).status,
            SignInStatus::kInvalidCredentials);
  EXPECT_EQ(s_->auth.SignIn("personne@nulle.part", kGoodPassword, Visitor("10.0.0.2")).status,
            SignInStatus::kInvalidCredentials);
  s_->users.SetActive(service::Actor::System("t"), user_id_, false);
  EXPECT_EQ(s_->auth.SignIn("lea@emn.example", kGoodPassword, Visitor("10.0.0.3")).status,
            SignInStatus::kInvalidCredentials);
  int failures = 0;
  for (const auto& e : Audit()) {
    failures += (e.action == "auth.sign_in" && e.outcome == "failure") ? 1 : 0;
  }
  EXPECT_EQ(failures, 3) << "failed sign-ins are audited";
}

TEST_P(AuthServiceTest, AccountIsThrottledAfterFiveFailuresEvenWithTheRightPassword) {
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(s_->auth
                  .SignIn("lea@emn.example", "essai " + std::to_string(i),
                          Visitor("10.0.1." + std::to_string(i)))
                  .status,
              SignInStatus::kInvalidCredentials);
  }
  EXPECT_EQ(s_->auth.SignIn("lea@emn.example", kGoodPassword, Visitor("10.0.2.1")).status,
            SignInStatus::kThrottled);
  // Unknown accounts are throttled the same way, so throttling reveals nothing.
  for (int i = 0; i < 5; ++i) {
    (void)s_->auth.SignIn("inconnu@emn.example", "x", Visitor("10.0.3." + std::to_string(i)));
  }
  EXPECT_EQ(s_->auth.SignIn("inconnu@emn.example", "x", Visitor("10.0.4.1")).status,
            SignInStatus::kThrottled);
  s_->clock.Advance(std::chrono::minutes(16));
  EXPECT_EQ(s_->auth.SignIn("lea@emn.example", kGoodPassword, Visitor("10.0.2.1")).status,
            SignInStatus::kSuccess);
}

TEST_P(AuthServiceTest, AddressIsThrottledAcrossAccounts) {
  for (int i = 0; i < 30; ++i) {
    (void)s_->auth.SignIn("compte" + std::to_string(i) + "@emn.example", "x", Visitor("192.0.2.7"));
  }
  EXPECT_EQ(s_->auth.SignIn("lea@emn.example", kGoodPassword, Visitor("192.0.2.7")).status,
            SignInStatus::kThrottled);
  EXPECT_EQ(s_->auth.SignIn("lea@emn.example", kGoodPassword, Visitor("192.0.2.8")).status,
            SignInStatus::kSuccess);
}

TEST_P(AuthServiceTest, SessionsExpireWhenIdleAndAfterTwelveHours) {
  const auto token = s_->auth.SignIn("lea@emn.example", kGoodPassword, Visitor()).session_token;
  s_->clock.Advance(std::chrono::minutes(29));
  ASSERT_TRUE(s_->auth.Authenticate(token).has_value());
  s_->clock.Advance(std::chrono::minutes(29));
  ASSERT_TRUE(s_->auth.Authenticate(token).has_value()) << "activity extends the idle timeout";
  s_->clock.Advance(std::chrono::minutes(31));
  EXPECT_FALSE(s_->auth.Authenticate(token).has_value()) << "idle for more than 30 minutes";

  // Active every 15 minutes: valid until the twelfth hour, then refused however active.
  const auto active = s_->auth.SignIn("lea@emn.example", kGoodPassword, Visitor()).session_token;
  for (int i = 1; i < 12 * 4; ++i) {
    s_->clock.Advance(std::chrono::minutes(15));
    ASSERT_TRUE(s_->auth.Authenticate(active).has_value())
        << "expired early, after " << i * 15 << " minutes";
  }
  s_->clock.Advance(std::chrono::minutes(15));
  EXPECT_FALSE(s_->auth.Authenticate(active).has_value()) << "absolute timeout of twelve hours";
}

TEST_P(AuthServiceTest, SignOutEndsTheSession) {
  const auto token = s_->auth.SignIn("lea@emn.example", kGoodPassword, Visitor()).session_token;
  const auto session = s_->auth.Authenticate(token);
  s_->auth.SignOut(token, service::Actor::ForUser(session->user, "r", "ip"));
  EXPECT_FALSE(s_->auth.Authenticate(token).has_value());
  EXPECT_EQ(Audit()[0].action, "auth.sign_out");
}

TEST_P(AuthServiceTest, PasswordChangeRevokesEveryOtherSession) {
  const auto first = s_->auth.SignIn("lea@emn.example", kGoodPassword, Visitor()).session_token;
  const auto second = s_->auth.SignIn("lea@emn.example", kGoodPassword, Visitor()).session_token;
  const auto session = s_->auth.Authenticate(first);
  const auto actor = service::Actor::ForUser(session->user, "r", "ip");

  auto refused = s_->auth.ChangePassword(actor, "faux", "court", "autre");
  EXPECT_EQ(refused.errors.size(), 3u);
  EXPECT_TRUE(s_->auth.Authenticate(second).has_value()) << "nothing changed on error";

  const std::string next = "un nouveau jardin plein de tulipes";
  auto changed = s_->auth.ChangePassword(actor, kGoodPassword, next, next);
  ASSERT_TRUE(changed.errors.empty());
  EXPECT_FALSE(s_->auth.Authenticate(first).has_value());
  EXPECT_FALSE(s_->auth.Authenticate(second).has_value());
  EXPECT_TRUE(s_->auth.Authenticate(changed.session_token).has_value());
  EXPECT_EQ(s_->auth.SignIn("lea@emn.example", kGoodPassword, Visitor("10.9.9.9")).status,
            SignInStatus::kInvalidCredentials);
  EXPECT_EQ(s_->auth.SignIn("lea@emn.example", next, Visitor("10.9.9.8")).status,
            SignInStatus::kSuccess);
}

TEST_P(AuthServiceTest, DisablingAnAccountEndsItsSessionsAtOnce) {
  const auto token = s_->auth.SignIn("lea@emn.example", kGoodPassword, Visitor()).session_token;
  s_->users.SetActive(service::Actor::System("t"), user_id_, false);
  EXPECT_FALSE(s_->auth.Authenticate(token).has_value());
}

TEST_P(AuthServiceTest, ResetGivesATemporaryPasswordToChange) {
  const std::string temporary = s_->users.ResetPassword(service::Actor::System("t"), user_id_);
  const auto out = s_->auth.SignIn("lea@emn.example", temporary, Visitor());
  ASSERT_EQ(out.status, SignInStatus::kSuccess);
  EXPECT_TRUE(out.user.must_change_password);
}

TEST_P(AuthServiceTest, GarbageTokensAreRejected) {
  EXPECT_FALSE(s_->auth.Authenticate("").has_value());
  EXPECT_FALSE(s_->auth.Authenticate(std::string(5000, 'a')).has_value());
  EXPECT_FALSE(s_->auth.Authenticate("'; DROP TABLE app_user; --").has_value());
}

INSTANTIATE_TEST_SUITE_P(Backends, AuthServiceTest,
                         ::testing::Values(TestBackend::kSqlite, TestBackend::kPostgres),
                         BackendName);

}  // namespace
}  // namespace allervers::testing
