#pragma once

#include <nlohmann/json.hpp>

#include "web/deps.hpp"
#include "web/request_context.hpp"
#include "web/router.hpp"

namespace allervers::web {

/// Each function declares one resource's routes, with the permission each requires.
void RegisterAuthPages(Router& router, Deps& deps);
void RegisterInfoPages(Router& router, Deps& deps);
void RegisterAdminPages(Router& router, Deps& deps);
void RegisterReferralPages(Router& router, Deps& deps);
void RegisterImportPages(Router& router, Deps& deps);
void RegisterReferenceAdminPages(Router& router, Deps& deps);
void RegisterReferralApi(Router& router, Deps& deps);
void RegisterAppointmentPages(Router& router, Deps& deps);
void RegisterCasePages(Router& router, Deps& deps);
void RegisterPartnerPages(Router& router, Deps& deps);

/// The contacts and appointments of a case, for the referral page (team only).
nlohmann::json CaseAppointmentsJson(RequestContext& ctx, Deps& deps, domain::ReferralId referral);

}  // namespace allervers::web
