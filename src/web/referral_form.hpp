#pragma once

#include <nlohmann/json.hpp>

#include "domain/reference.hpp"
#include "domain/referral.hpp"
#include "web/forms.hpp"

namespace allervers::web {

/// The fiche de liaison as form fields: parsing a submitted form, saving and restoring a draft,
/// and the view model that renders the form with its values and choices.
domain::ReferralInput ReadReferralForm(const Form& form);
nlohmann::json ReferralInputToJson(const domain::ReferralInput& in);
domain::ReferralInput ReferralInputFromJson(const nlohmann::json& j);

/// Values and choices for templates/pages/referral_form.mustache.
nlohmann::json ReferralFormView(const domain::ReferralInput& in, const domain::ReferenceData& ref);

/// Parses the JSON body of POST /api/v1/referrals. Type errors (a string where a number is
/// expected…) are reported as field errors, like validation errors.
domain::ReferralInput ReferralInputFromApi(const nlohmann::json& body, domain::FieldErrors& errors);

}  // namespace allervers::web
