#pragma once

#include <exception>

namespace allervers::storage {

/// Rethrows the exception in flight as allervers::Error: unique and foreign-key
/// violations become kConflict, lost connections and busy databases kUnavailable,
/// anything else kInternal with the driver text kept for the logs only.
[[noreturn]] void RethrowAsAppError(std::exception_ptr ep);

}  // namespace allervers::storage
