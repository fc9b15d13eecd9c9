#pragma once

#include <nlohmann/json.hpp>

#include "web/deps.hpp"
#include "web/request_context.hpp"
#include "web/router.hpp"

namespace allervers::web {

/// Each function declares one resource's routes, with the permission each requires.
void RegisterAuthPages(Router& router, Deps& deps);
void RegisterTwoFactorPages(Router& router, Deps& deps);

/// `next` when it is a path of this site, "/" otherwise (the page to go to after sign-in).
std::string SafeNext(const std::string& next);
void RegisterInfoPages(Router& router, Deps& deps);
void RegisterAdminPages(Router& router, Deps& deps);
void RegisterReferralPages(Router& router, Deps& deps);
void RegisterImportPages(Router& router, Deps& deps);
void RegisterReferenceAdminPages(Router& router, Deps& deps);
void RegisterReferralApi(Router& router, Deps& deps);
void RegisterAppointmentPages(Router& router, Deps& deps);
void RegisterCasePages(Router& router, Deps& deps);
void RegisterPersonPages(Router& router, Deps& deps);
void RegisterPartnerPages(Router& router, Deps& deps);
void RegisterFeedbackPages(Router& router, Deps& deps);
void RegisterIndicatorPages(Router& router, Deps& deps);

/// Retours sent to a referrer and co-accompaniment reviews, for the case page and the fiche
/// (`links`: to each review's page, for the team).
nlohmann::json FeedbacksJson(const std::vector<domain::Feedback>& feedbacks);
nlohmann::json ReviewsJson(const std::vector<domain::CaseReview>& reviews,
                           const domain::ReferenceData& ref, bool links);

/// The contacts and appointments of a case, for the referral page (team only).
nlohmann::json CaseAppointmentsJson(RequestContext& ctx, Deps& deps, domain::ReferralId referral);

/// The `intervenant` parameter of the agenda and the team's lists: a user id or "equipe"; an
/// intervenant sees their own by default, a coordinator the team's. `raw` receives the value
/// to show back. Error(kInvalidArgument) on anything else.
std::optional<domain::UserId> WorkerParam(const RequestContext& ctx, std::string& raw);
/// The choices of that parameter: the team, then each active member.
nlohmann::json WorkerChoices(RequestContext& ctx, Deps& deps, const std::string& raw);

/// What is due on the team's cases, for the home page and « Échéances ».
nlohmann::json DueItemsJson(const std::vector<service::DueItem>& items);

}  // namespace allervers::web
