#pragma once

#include <string_view>

#include "domain/role.hpp"
#include "domain/structure.hpp"
#include "domain/user.hpp"
#include "service/actor.hpp"

namespace allervers::service {

/// Capabilities a page, an API endpoint or an export may require. Deny by default:
/// a capability not granted in the table of permissions.cpp is refused to everyone.
enum class Permission {
  kPublic,               // reachable without signing in (sign-in page, legal pages)
  kSignedIn,             // any signed-in account (home, own password)
  kManageStructures,     // create and edit structures
  kManageUsers,          // manage accounts (admin: all; coordinateur: the operator's team)
  kViewReferenceData,    // catalogues and grids, read-only
  kViewAudit,            // the audit trail
  kSubmitReferral,       // write and send fiches de liaison (referrers; API: scope referrals:write)
  kReadOwnReferrals,     // follow one's structure's referrals (referrers; API: referrals:read or
                         // write)
  kViewCases,            // the team's referrals and cases (intervenants, coordinators)
  kTriageReferrals,      // accept, assign, declare not receivable, redirect, resolve duplicates
  kImportReferrals,      // CSV import of referrals
  kManageApiTokens,      // API tokens of partner systems
  kManageAppointments,   // contact attempts, appointments, letters of the team's cases
  kViewAgenda,           // the team's agendas and day sheets, one's calendar feed
  kRespondTripartite,    // a referrer's invitations to tripartite appointments
  kRecordAccompaniment,  // bilans, interventions and notes of the team's cases
  kViewPartners,         // search the directory of partner structures and services
  kManagePartners,       // import the directory of partner structures and services
  kViewIndicators,       // the dashboard and the quarterly figures (team: its own; Département:
                         // all)
  kExportActivity,       // one's activity in La Coop's layout (intervenant: own; coordinator: team)
  kWriteSteeringReport,  // the written parts of the team's quarterly report (coordinator)
  kReadQuarterlyReports,  // the quarterly reports on delegated cases of one's structure (pilote)
  kRunRetention,          // run the retention purge and read its reports (admin)
  kResetTwoFactor,        // remove an account's second factor so that it enrols again (admin)
  kViewCaseAccessLog,     // who consulted the team's case files (coordinator)
  kRotateKeys,            // seal the notes and secrets again with a new key (command line only)
};

/// What the permissions module needs to know about a referral to decide on it.
struct ReferralFacts {
  bool draft = false;
  domain::StructureId structure_id = 0;  // referring structure
  domain::StructureId operator_id = 0;   // the team that handles it
  std::optional<domain::UserId> created_by;
};

/// Stable name of a permission, for logs and for the permission-matrix test.
std::string_view PermissionName(Permission p);

/// The single decision point for role-level access. Pages and API endpoints declare the
/// permission they need; the web layer asks this function and never decides itself.
bool Allows(const Actor& actor, Permission p);

/// Record-level decisions, taken by services before touching a record.
/// The answer `kNotFound` hides records of other structures so nothing can be enumerated.
enum class Access { kAllow, kDenied, kNotFound };

/// May `actor` see this referral? Drafts belong to their author; a referrer sees their
/// structure's referrals, the team its operator's; everyone else gets kNotFound.
Access AccessReferral(const Actor& actor, const ReferralFacts& referral);

/// May `actor` see and edit the account `target`?
Access AccessUser(const Actor& actor, const domain::User& target);

/// May `actor` give `role` in `structure` (absent: none)? Coordinators may only create
/// intervenants and coordinators of their own structure.
bool MayAssignRole(const Actor& actor, domain::Role role,
                   const std::optional<domain::Structure>& structure);

/// Throws Error(kPermissionDenied / kNotFound) unless `access` is kAllow.
void Require(Access access);
void Require(const Actor& actor, Permission p);

}  // namespace allervers::service
