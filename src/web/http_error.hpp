#pragma once

#include "common/error.hpp"

namespace allervers::web {

/// The one mapping from error codes to HTTP statuses.
int HttpStatus(ErrorCode code);

/// French title of an error page for a status ("Page introuvable").
const char* StatusTitle(int status);

}  // namespace allervers::web
