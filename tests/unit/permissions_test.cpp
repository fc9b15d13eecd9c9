#include "service/permissions.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "common/error.hpp"

namespace allervers::service {
namespace {

using domain::Role;

Actor UserActor(Role role, std::optional<domain::StructureId> structure = std::nullopt,
                domain::UserId id = 1) {
  domain::User u;
  u.id = id;
  u.role = role;
  u.structure_id = structure;
  return Actor::ForUser(u, "req", "127.0.0.1");
}

// The role-level table, spelled out: a change to permissions.cpp must change this test.
TEST(Allows, MatchesTheRoleTable) {
  const std::map<Permission, std::set<Role>> expected = {
      {Permission::kSignedIn,
       {Role::kIntervenant, Role::kCoordinateur, Role::kPrescripteur, Role::kPilote, Role::kAdmin}},
      {Permission::kManageStructures, {Role::kAdmin}},
      {Permission::kManageUsers, {Role::kAdmin, Role::kCoordinateur}},
      {Permission::kViewReferenceData, {Role::kAdmin, Role::kCoordinateur}},
      {Permission::kViewAudit, {Role::kAdmin}},
      {Permission::kSubmitReferral, {Role::kPrescripteur}},
      {Permission::kReadOwnReferrals, {Role::kPrescripteur}},
      {Permission::kViewCases, {Role::kIntervenant, Role::kCoordinateur}},
      {Permission::kTriageReferrals, {Role::kCoordinateur}},
      {Permission::kImportReferrals, {Role::kCoordinateur}},
      {Permission::kManageApiTokens, {Role::kAdmin}},
      {Permission::kRunRetention, {Role::kAdmin}},
      {Permission::kViewCaseAccessLog, {Role::kCoordinateur}},
      {Permission::kResetTwoFactor, {Role::kAdmin}},
      {Permission::kRotateKeys, {}},
  };
  for (const auto& [permission, roles] : expected) {
    for (auto role : {Role::kIntervenant, Role::kCoordinateur, Role::kPrescripteur, Role::kPilote,
                      Role::kAdmin}) {
      EXPECT_EQ(Allows(UserActor(role), permission), roles.contains(role))
          << PermissionName(permission) << " for " << domain::RoleCode(role);
    }
    EXPECT_FALSE(Allows(Actor::Anonymous("r", "ip"), permission)) << PermissionName(permission);
  }
  EXPECT_TRUE(Allows(Actor::Anonymous("r", "ip"), Permission::kPublic));
}

TEST(Allows, ApiClientsGetWhatTheirScopesSay) {
  const Actor writer = Actor::ForApiClient(1, 7, {"referrals:write"}, "r", "ip");
  const Actor reader = Actor::ForApiClient(2, 7, {"referrals:read"}, "r", "ip");
  EXPECT_TRUE(Allows(writer, Permission::kSubmitReferral));
  EXPECT_TRUE(Allows(writer, Permission::kReadOwnReferrals));
  EXPECT_FALSE(Allows(reader, Permission::kSubmitReferral));
  EXPECT_TRUE(Allows(reader, Permission::kReadOwnReferrals));
  for (auto p : {Permission::kSignedIn, Permission::kViewCases, Permission::kTriageReferrals,
                 Permission::kManageUsers, Permission::kManageApiTokens, Permission::kViewAudit}) {
    EXPECT_FALSE(Allows(writer, p)) << PermissionName(p);
  }
}

TEST(AccessReferral, FollowsStructureAndOperator) {
  const ReferralFacts sent{false, 20, 10, 99};
  EXPECT_EQ(AccessReferral(UserActor(Role::kPrescripteur, 20), sent), Access::kAllow);
  EXPECT_EQ(AccessReferral(UserActor(Role::kPrescripteur, 21), sent), Access::kNotFound);
  EXPECT_EQ(AccessReferral(UserActor(Role::kCoordinateur, 10), sent), Access::kAllow);
  EXPECT_EQ(AccessReferral(UserActor(Role::kIntervenant, 10), sent), Access::kAllow);
  EXPECT_EQ(AccessReferral(UserActor(Role::kCoordinateur, 11), sent), Access::kNotFound);
  EXPECT_EQ(AccessReferral(UserActor(Role::kPilote, 20), sent), Access::kNotFound);
  EXPECT_EQ(AccessReferral(UserActor(Role::kAdmin), sent), Access::kNotFound)
      << "no case content for admins";
  EXPECT_EQ(AccessReferral(Actor::ForApiClient(1, 20, {"referrals:read"}, "r", "ip"), sent),
            Access::kAllow);
  EXPECT_EQ(AccessReferral(Actor::ForApiClient(1, 21, {"referrals:read"}, "r", "ip"), sent),
            Access::kNotFound);
  EXPECT_EQ(AccessReferral(Actor::Anonymous("r", "ip"), sent), Access::kNotFound);
  const ReferralFacts draft{true, 20, 10, 99};
  EXPECT_EQ(AccessReferral(UserActor(Role::kPrescripteur, 20, 99), draft), Access::kAllow);
  EXPECT_EQ(AccessReferral(UserActor(Role::kPrescripteur, 20, 98), draft), Access::kNotFound);
  EXPECT_EQ(AccessReferral(UserActor(Role::kCoordinateur, 10), draft), Access::kNotFound);
}

TEST(Require, DistinguishesSignedOutFromForbidden) {
  try {
    Require(Actor::Anonymous("r", "ip"), Permission::kManageUsers);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnauthenticated);
  }
  try {
    Require(UserActor(Role::kIntervenant), Permission::kManageUsers);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kPermissionDenied);
  }
  EXPECT_NO_THROW(Require(UserActor(Role::kAdmin), Permission::kManageUsers));
}

TEST(AccessUser, CoordinatorSeesOnlyTheTeamOfTheirStructure) {
  const Actor coordinator = UserActor(Role::kCoordinateur, 10);
  domain::User teammate;
  teammate.id = 2;
  teammate.role = Role::kIntervenant;
  teammate.structure_id = 10;
  EXPECT_EQ(AccessUser(coordinator, teammate), Access::kAllow);

  domain::User elsewhere = teammate;
  elsewhere.structure_id = 11;
  EXPECT_EQ(AccessUser(coordinator, elsewhere), Access::kNotFound);

  domain::User referrer = teammate;
  referrer.role = Role::kPrescripteur;
  EXPECT_EQ(AccessUser(coordinator, referrer), Access::kNotFound);

  EXPECT_EQ(AccessUser(UserActor(Role::kAdmin), elsewhere), Access::kAllow);
  EXPECT_EQ(AccessUser(UserActor(Role::kIntervenant, 10, 5), teammate), Access::kNotFound);
}

TEST(MayAssignRole, CoordinatorCreatesOnlyTeamRolesInTheirStructure) {
  const Actor coordinator = UserActor(Role::kCoordinateur, 10);
  domain::Structure own;
  own.id = 10;
  domain::Structure other;
  other.id = 11;
  EXPECT_TRUE(MayAssignRole(coordinator, Role::kIntervenant, own));
  EXPECT_TRUE(MayAssignRole(coordinator, Role::kCoordinateur, own));
  EXPECT_FALSE(MayAssignRole(coordinator, Role::kAdmin, own));
  EXPECT_FALSE(MayAssignRole(coordinator, Role::kPrescripteur, own));
  EXPECT_FALSE(MayAssignRole(coordinator, Role::kIntervenant, other));
  EXPECT_FALSE(MayAssignRole(coordinator, Role::kIntervenant, std::nullopt));
  EXPECT_TRUE(MayAssignRole(UserActor(Role::kAdmin), Role::kAdmin, std::nullopt));
  EXPECT_FALSE(MayAssignRole(UserActor(Role::kIntervenant, 10), Role::kIntervenant, own));
}

}  // namespace
}  // namespace allervers::service
