#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "service/actor.hpp"
#include "service/ports.hpp"
#include "service/repositories.hpp"

namespace allervers::service {

struct CreatedToken {
  ApiTokenRecord record;
  std::string token;  // shown once; only its digest is stored
};

/// API tokens of partner systems: each belongs to one structure and carries scopes.
class ApiTokenService {
 public:
  static constexpr const char* kKnownScopes[] = {"referrals:write", "referrals:read",
                                                 "indicators:read"};

  ApiTokenService(Store& store, const Clock& clock, const TokenService& tokens)
      : store_(store), clock_(clock), tokens_(tokens) {}

  /// Throws Error(kInvalidArgument) for an unknown structure or scope.
  CreatedToken Create(const Actor& actor, const std::string& structure_code,
                      const std::vector<std::string>& scopes, const std::string& label);
  std::vector<ApiTokenRecord> List(const Actor& actor);
  void Revoke(const Actor& actor, std::int64_t id);

  /// The API client behind an Authorization header value ("Bearer …"), or nothing when the
  /// token is unknown, revoked or its structure disabled.
  std::optional<Actor> Authenticate(std::string_view authorization, const std::string& request_id,
                                    const std::string& ip);

 private:
  Store& store_;
  const Clock& clock_;
  const TokenService& tokens_;
};

}  // namespace allervers::service
