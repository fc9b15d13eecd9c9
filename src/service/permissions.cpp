#include "service/permissions.hpp"

#include <algorithm>
#include <array>
#include <initializer_list>

#include "common/error.hpp"

namespace allervers::service {
namespace {

using domain::Role;

struct Grant {
  Permission permission;
  std::string_view name;
  bool anonymous;
  std::initializer_list<Role> roles;
  std::initializer_list<std::string_view> api_scopes;  // API clients holding any of these
};

// The role-level permission table. One line per capability; a role not listed is denied.
const std::array<Grant, 26> kGrants = {{
    {Permission::kPublic, "public", true, {}, {}},
    {Permission::kSignedIn,
     "signed_in",
     false,
     {Role::kIntervenant, Role::kCoordinateur, Role::kPrescripteur, Role::kPilote, Role::kAdmin},
     {}},
    {Permission::kManageStructures, "manage_structures", false, {Role::kAdmin}, {}},
    {Permission::kManageUsers, "manage_users", false, {Role::kAdmin, Role::kCoordinateur}, {}},
    {Permission::kViewReferenceData,
     "view_reference_data",
     false,
     {Role::kAdmin, Role::kCoordinateur},
     {}},
    {Permission::kViewAudit, "view_audit", false, {Role::kAdmin}, {}},
    {Permission::kSubmitReferral,
     "submit_referral",
     false,
     {Role::kPrescripteur},
     {"referrals:write"}},
    {Permission::kReadOwnReferrals,
     "read_own_referrals",
     false,
     {Role::kPrescripteur},
     {"referrals:read", "referrals:write"}},
    {Permission::kViewCases, "view_cases", false, {Role::kIntervenant, Role::kCoordinateur}, {}},
    {Permission::kTriageReferrals, "triage_referrals", false, {Role::kCoordinateur}, {}},
    {Permission::kImportReferrals, "import_referrals", false, {Role::kCoordinateur}, {}},
    {Permission::kManageApiTokens, "manage_api_tokens", false, {Role::kAdmin}, {}},
    {Permission::kManageAppointments,
     "manage_appointments",
     false,
     {Role::kIntervenant, Role::kCoordinateur},
     {}},
    {Permission::kViewAgenda, "view_agenda", false, {Role::kIntervenant, Role::kCoordinateur}, {}},
    {Permission::kRespondTripartite, "respond_tripartite", false, {Role::kPrescripteur}, {}},
    {Permission::kRecordAccompaniment,
     "record_accompaniment",
     false,
     {Role::kIntervenant, Role::kCoordinateur},
     {}},
    {Permission::kViewPartners,
     "view_partners",
     false,
     {Role::kIntervenant, Role::kCoordinateur, Role::kAdmin},
     {}},
    {Permission::kReadQuarterlyReports, "read_quarterly_reports", false, {Role::kPilote}, {}},
    {Permission::kViewIndicators,
     "view_indicators",
     false,
     {Role::kCoordinateur, Role::kPilote},
     {"indicators:read"}},
    {Permission::kExportActivity,
     "export_activity",
     false,
     {Role::kIntervenant, Role::kCoordinateur},
     {}},
    {Permission::kWriteSteeringReport, "write_steering_report", false, {Role::kCoordinateur}, {}},
    {Permission::kRunRetention, "run_retention", false, {Role::kAdmin}, {}},
    {Permission::kResetTwoFactor, "reset_two_factor", false, {Role::kAdmin}, {}},
    {Permission::kViewCaseAccessLog, "view_case_access_log", false, {Role::kCoordinateur}, {}},
    {Permission::kRotateKeys, "rotate_keys", false, {}, {}},
    {Permission::kManagePartners,
     "manage_partners",
     false,
     {Role::kCoordinateur, Role::kAdmin},
     {}},
}};

const Grant* FindGrant(Permission p) {
  for (const auto& g : kGrants) {
    if (g.permission == p) {
      return &g;
    }
  }
  return nullptr;
}

}  // namespace

std::string_view PermissionName(Permission p) {
  const Grant* g = FindGrant(p);
  return g ? g->name : "unknown";
}

bool Allows(const Actor& actor, Permission p) {
  const Grant* g = FindGrant(p);
  if (g == nullptr) {
    return false;
  }
  if (g->anonymous) {
    return true;
  }
  if (actor.is_system()) {
    return true;
  }
  if (actor.is_api()) {
    return std::any_of(g->api_scopes.begin(), g->api_scopes.end(),
                       [&](std::string_view scope) { return actor.HasScope(scope); });
  }
  if (!actor.is_user()) {
    return false;
  }
  return std::find(g->roles.begin(), g->roles.end(), actor.role) != g->roles.end();
}

Access AccessReferral(const Actor& actor, const ReferralFacts& r) {
  if (actor.is_system()) {
    return Access::kAllow;
  }
  if (r.draft) {
    return actor.is_user() && r.created_by == actor.user_id ? Access::kAllow : Access::kNotFound;
  }
  if (actor.is_api()) {
    return actor.structure_id == r.structure_id ? Access::kAllow : Access::kNotFound;
  }
  if (!actor.is_user() || !actor.structure_id) {
    return Access::kNotFound;
  }
  switch (actor.role) {
    case Role::kPrescripteur:
      return *actor.structure_id == r.structure_id ? Access::kAllow : Access::kNotFound;
    case Role::kIntervenant:
    case Role::kCoordinateur:
      return *actor.structure_id == r.operator_id ? Access::kAllow : Access::kNotFound;
    case Role::kPilote:
    case Role::kAdmin:
      return Access::kNotFound;
  }
  return Access::kNotFound;
}

Access AccessUser(const Actor& actor, const domain::User& target) {
  if (actor.is_system()) {
    return Access::kAllow;
  }
  if (!actor.is_user()) {
    return Access::kDenied;
  }
  if (actor.role == Role::kAdmin) {
    return Access::kAllow;
  }
  if (actor.role == Role::kCoordinateur) {
    const bool same_structure = actor.structure_id && target.structure_id == actor.structure_id;
    if (!same_structure) {
      return Access::kNotFound;
    }
    return (target.role == Role::kIntervenant || target.role == Role::kCoordinateur)
               ? Access::kAllow
               : Access::kNotFound;
  }
  return actor.user_id == target.id ? Access::kDenied : Access::kNotFound;
}

bool MayAssignRole(const Actor& actor, Role role,
                   const std::optional<domain::Structure>& structure) {
  if (actor.is_system()) {
    return true;
  }
  if (!actor.is_user()) {
    return false;
  }
  if (actor.role == Role::kAdmin) {
    return true;
  }
  if (actor.role == Role::kCoordinateur) {
    return (role == Role::kIntervenant || role == Role::kCoordinateur) && structure &&
           actor.structure_id == structure->id;
  }
  return false;
}

void Require(Access access) {
  switch (access) {
    case Access::kAllow:
      return;
    case Access::kDenied:
      throw Error(ErrorCode::kPermissionDenied, "Vous n’avez pas accès à cette page.");
    case Access::kNotFound:
      throw Error(ErrorCode::kNotFound, "Cette page n’existe pas.");
  }
}

void Require(const Actor& actor, Permission p) {
  if (Allows(actor, p)) {
    return;
  }
  if (!actor.is_user() && !actor.is_system()) {
    throw Error(ErrorCode::kUnauthenticated, "Veuillez vous connecter.");
  }
  throw Error(ErrorCode::kPermissionDenied, "Vous n’avez pas accès à cette page.");
}

}  // namespace allervers::service
