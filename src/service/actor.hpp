#pragma once

#include <optional>
#include <string>

#include "domain/role.hpp"
#include "domain/structure.hpp"
#include "domain/user.hpp"

namespace allervers::service {

/// Who is acting, and from which request. Every service call takes one; the
/// permissions module decides from it, and audit rows record it.
struct Actor {
  enum class Kind { kAnonymous, kUser, kSystem };

  Kind kind = Kind::kAnonymous;
  domain::UserId user_id = 0;
  domain::Role role = domain::Role::kIntervenant;
  std::optional<domain::StructureId> structure_id;
  std::optional<domain::StructureKind> structure_kind;
  std::string display_name;
  std::string request_id;  // correlates logs, responses and audit rows
  std::string ip;

  bool is_user() const { return kind == Kind::kUser; }
  bool is_system() const { return kind == Kind::kSystem; }

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
