#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/role.hpp"
#include "domain/structure.hpp"
#include "domain/user.hpp"

namespace allervers::service {

/// Who is acting, and from which request. Every service call takes one; the
/// permissions module decides from it, and audit rows record it.
struct Actor {
  enum class Kind { kAnonymous, kUser, kSystem, kApiClient };

  Kind kind = Kind::kAnonymous;
  domain::UserId user_id = 0;
  domain::Role role = domain::Role::kIntervenant;
  std::optional<domain::StructureId> structure_id;
  std::optional<domain::StructureKind> structure_kind;
  std::string display_name;
  std::string request_id;  // correlates logs, responses and audit rows
  std::string ip;
  std::int64_t token_id = 0;        // API clients: the token used
  std::vector<std::string> scopes;  // API clients: what the token allows

  bool is_user() const { return kind == Kind::kUser; }
  bool is_system() const { return kind == Kind::kSystem; }
  bool is_api() const { return kind == Kind::kApiClient; }
  bool HasScope(std::string_view scope) const {
    return std::find(scopes.begin(), scopes.end(), scope) != scopes.end();
  }

  static Actor Anonymous(std::string request_id, std::string ip) {
    Actor a;
    a.request_id = std::move(request_id);
    a.ip = std::move(ip);
    return a;
  }
  /// The command line and background jobs: trusted operators of the server itself.
  static Actor System(std::string label) {
    Actor a;
    a.kind = Kind::kSystem;
    a.display_name = std::move(label);
    a.request_id = "cli";
    return a;
  }
  /// A partner system calling the API with a token of `structure`.
  static Actor ForApiClient(std::int64_t token_id, domain::StructureId structure,
                            std::vector<std::string> scopes, std::string request_id,
                            std::string ip) {
    Actor a;
    a.kind = Kind::kApiClient;
    a.token_id = token_id;
    a.structure_id = structure;
    a.structure_kind = std::nullopt;
    a.scopes = std::move(scopes);
    a.display_name = "API";
    a.request_id = std::move(request_id);
    a.ip = std::move(ip);
    return a;
  }
  static Actor ForUser(const domain::User& u, std::string request_id, std::string ip) {
    Actor a;
    a.kind = Kind::kUser;
    a.user_id = u.id;
    a.role = u.role;
    a.structure_id = u.structure_id;
    a.structure_kind = u.structure_kind;
    a.display_name = u.display_name;
    a.request_id = std::move(request_id);
    a.ip = std::move(ip);
    return a;
  }
};

}  // namespace allervers::service
