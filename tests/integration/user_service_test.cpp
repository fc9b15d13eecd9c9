#include <gtest/gtest.h>

#include <set>

#include "common/error.hpp"
#include "support/helpers.hpp"
#include "support/services.hpp"
#include "support/test_db.hpp"

namespace allervers::testing {
namespace {

bool HasError(const domain::FieldErrors& errors, const std::string& field) {
  for (const auto& e : errors) {
    if (e.field == field) {
      return true;
    }
  }
  return false;
}

class UserServiceTest : public ::testing::TestWithParam<TestBackend> {
 protected:
  void SetUp() override {
    db_ = TestDatabase::Create(GetParam());
    ALLERVERS_SKIP_IF_NO_DB(db_);
    s_ = std::make_unique<TestServices>(db_->db());
    for (const auto& in :
         std::vector<domain::StructureInput>{{"EMN", "Équipe mobile", "operateur", ""},
                                             {"EMN-2", "Autre opérateur", "operateur", ""},
                                             {"SSD", "SSD Cergy", "ssd", ""}}) {
      ASSERT_TRUE(s_->structures.Create(system_, in).errors.empty());
    }
    coordinator_id_ = Create({"coord@emn.example", "Claire", "coordinateur", "EMN", "0,5"});
    worker_id_ = Create({"lea@emn.example", "Léa", "intervenant", "EMN", "1"});
    other_worker_id_ = Create({"paul@emn2.example", "Paul", "intervenant", "EMN-2", "1"});
    referrer_id_ = Create({"as@ssd.example", "Nadia", "prescripteur", "SSD", ""});
  }

  domain::UserId Create(domain::UserInput in) {
    auto r = s_->users.Create(system_, in, kGoodPassword);
    EXPECT_TRUE(r.errors.empty()) << (r.errors.empty() ? "" : r.errors[0].message);
    return r.id;
  }

  service::Actor As(domain::UserId id) {
    return service::Actor::ForUser(s_->users.Get(system_, id), "r", "ip");
  }

  service::Actor system_ = service::Actor::System("t");
  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<TestServices> s_;
  domain::UserId coordinator_id_ = 0, worker_id_ = 0, other_worker_id_ = 0, referrer_id_ = 0;
};

TEST_P(UserServiceTest, CoordinatorListsOnlyTheirTeam) {
  std::set<std::string> emails;
  for (const auto& u : s_->users.List(As(coordinator_id_))) {
    emails.insert(u.email);
  }
  EXPECT_EQ(emails, (std::set<std::string>{"coord@emn.example", "lea@emn.example"}));
}

TEST_P(UserServiceTest, AnotherStructuresAccountIsNotFoundForACoordinator) {
  EXPECT_EQ(CodeOf([&] { s_->users.Get(As(coordinator_id_), other_worker_id_); }),
            ErrorCode::kNotFound);
  EXPECT_EQ(CodeOf([&] { s_->users.SetActive(As(coordinator_id_), other_worker_id_, false); }),
            ErrorCode::kNotFound);
  EXPECT_EQ(CodeOf([&] { s_->users.ResetPassword(As(coordinator_id_), referrer_id_); }),
            ErrorCode::kNotFound);
  EXPECT_TRUE(s_->users.Get(system_, other_worker_id_).active) << "nothing changed";
}

TEST_P(UserServiceTest, WorkersAndReferrersCannotManageAccounts) {
  EXPECT_EQ(CodeOf([&] { s_->users.List(As(worker_id_)); }), ErrorCode::kPermissionDenied);
  EXPECT_EQ(
      CodeOf([&] {
        s_->users.Create(As(referrer_id_), {"x@y.fr", "X", "intervenant", "EMN", ""}, std::nullopt);
      }),
      ErrorCode::kPermissionDenied);
}

TEST_P(UserServiceTest, CoordinatorCreatesAWorkerWithATemporaryPassword) {
  const auto r =
      s_->users.Create(As(coordinator_id_),
                       {"new@emn.example", "Nouvelle", "intervenant", "EMN", "0,8"}, std::nullopt);
  ASSERT_TRUE(r.errors.empty());
  EXPECT_EQ(r.temporary_password.size(), 19u);
  EXPECT_TRUE(s_->users.Get(system_, r.id).must_change_password);
  const auto events = s_->audit.List(system_, {});
  EXPECT_EQ(events[0].action, "user.create");
  EXPECT_EQ(events[0].actor_user_id, coordinator_id_);
}

TEST_P(UserServiceTest, CoordinatorCannotCreateAdminsOrAccountsElsewhere) {
  auto admin = s_->users.Create(As(coordinator_id_), {"a@emn.example", "A", "admin", "EMN", ""},
                                std::nullopt);
  EXPECT_TRUE(HasError(admin.errors, "role"));
  auto elsewhere = s_->users.Create(
      As(coordinator_id_), {"b@emn.example", "B", "intervenant", "EMN-2", ""}, std::nullopt);
  EXPECT_TRUE(HasError(elsewhere.errors, "role"));
  auto referrer = s_->users.Create(As(coordinator_id_),
                                   {"c@emn.example", "C", "prescripteur", "SSD", ""}, std::nullopt);
  EXPECT_FALSE(referrer.errors.empty());
  EXPECT_EQ(s_->users.List(system_).size(), 4u) << "nothing created";
}

TEST_P(UserServiceTest, CreationChecksEmailStructureAndPassword) {
  auto dup = s_->users.Create(system_, {"LEA@emn.example", "Léa bis", "intervenant", "EMN", ""},
                              std::nullopt);
  EXPECT_TRUE(HasError(dup.errors, "email"));
  auto missing =
      s_->users.Create(system_, {"z@emn.example", "Z", "intervenant", "NOPE", ""}, std::nullopt);
  EXPECT_TRUE(HasError(missing.errors, "structure"));
  auto misfit =
      s_->users.Create(system_, {"z@emn.example", "Z", "intervenant", "SSD", ""}, std::nullopt);
  EXPECT_TRUE(HasError(misfit.errors, "structure"));
  auto weak = s_->users.Create(system_, {"z@emn.example", "Z", "intervenant", "EMN", ""},
                               std::string("motdepasse123"));
  EXPECT_TRUE(HasError(weak.errors, "password"));
}

TEST_P(UserServiceTest, AdminCannotDisableThemselves) {
  const auto admin = Create({"root@allervers.example", "Admin", "admin", "", ""});
  EXPECT_EQ(CodeOf([&] { s_->users.SetActive(As(admin), admin, false); }),
            ErrorCode::kInvalidArgument);
}

TEST_P(UserServiceTest, UpdateKeepsEmailsUniqueAndEndsSessionsOnRoleChange) {
  auto clash =
      s_->users.Update(system_, worker_id_, {"coord@emn.example", "Léa", "intervenant", "EMN", ""});
  EXPECT_TRUE(HasError(clash.errors, "email"));
  const auto token =
      s_->auth.SignIn("lea@emn.example", kGoodPassword, service::Actor::Anonymous("r", "ip"))
          .session_token;
  ASSERT_TRUE(s_->auth.Authenticate(token).has_value());
  auto promoted = s_->users.Update(system_, worker_id_,
                                   {"lea@emn.example", "Léa N.", "coordinateur", "EMN", "1"});
  ASSERT_TRUE(promoted.errors.empty());
  EXPECT_EQ(s_->users.Get(system_, worker_id_).role, domain::Role::kCoordinateur);
  EXPECT_FALSE(s_->auth.Authenticate(token).has_value());
}

INSTANTIATE_TEST_SUITE_P(Backends, UserServiceTest,
                         ::testing::Values(TestBackend::kSqlite, TestBackend::kPostgres),
                         BackendName);

}  // namespace
}  // namespace allervers::testing
