#pragma once

#include "web/deps.hpp"
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

}  // namespace allervers::web
