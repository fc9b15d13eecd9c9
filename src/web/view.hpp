#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "domain/choice.hpp"
#include "domain/field_error.hpp"
#include "web/deps.hpp"
#include "web/request_context.hpp"

namespace allervers::web {

/// Renders a page inside the base layout, with the header, navigation, flash message and
/// CSRF token every page needs.
void RenderPage(RequestContext& ctx, const Deps& deps, std::string_view page,
                std::string_view title, nlohmann::json data, int status = 200);

/// An error page (HTML) or body (JSON under /api/), with the request id to quote.
void RenderError(RequestContext& ctx, const Deps& deps, int status, const std::string& message);

/// 303 See Other to `location`, optionally carrying a flash message code to the next page.
void Redirect(RequestContext& ctx, const std::string& location, std::string_view flash_code = {});

/// The error-summary view model: {"errors":[{field,message,anchor}], "field_errors":{…}}.
nlohmann::json ErrorSummary(const domain::FieldErrors& errors);

/// The items of a list as radio buttons or checkboxes: [{value, label, id: prefix-code,
/// checked}], checked when in `selected`.
nlohmann::json VocabularyChoices(const domain::Vocabulary& v,
                                 const std::vector<std::string>& selected,
                                 const std::string& prefix);

/// The id of a field's input element, for labels and error-summary links ("f-person-last_name").
std::string FieldId(std::string_view field);

}  // namespace allervers::web
