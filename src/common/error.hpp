#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace allervers {

/// Canonical outcome codes. The web layer maps each to exactly one HTTP status
/// (web/http_error.cpp); nothing else decides statuses.
enum class ErrorCode {
  kInvalidArgument,
  kNotFound,
  kConflict,
  kUnauthenticated,
  kPermissionDenied,
  kPayloadTooLarge,
  kUnavailable,
  kInternal,
};

/// Machine-readable name of a code, as used in JSON error bodies ("not_found").
std::string_view ErrorCodeName(ErrorCode code) noexcept;

/// The one exception type of the project: a failure to do the task.
/// what() carries internal detail for logs only; public_message() is safe to show.
class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, std::string public_message, const std::string& internal_detail = {});

  ErrorCode code() const noexcept { return code_; }
  const std::string& public_message() const noexcept { return public_message_; }

 private:
  ErrorCode code_;
  std::string public_message_;
};

}  // namespace allervers
