#pragma once

#include <string_view>

namespace allervers::log {

/// Configures the process-wide logger: one line per event, logfmt style
/// (`ts=… level=info event=http.request status=200 …`) on stderr.
/// Call sites must never log personal data: no names, e-mails, addresses, free text,
/// query strings or request bodies; ids and codes only.
void Setup(std::string_view level);

}  // namespace allervers::log
