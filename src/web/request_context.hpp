#pragma once

#include <httplib.h>

#include <optional>
#include <string>

#include "service/actor.hpp"
#include "service/auth_service.hpp"

namespace allervers::web {

/// Everything a handler knows about the request it serves, built by the router.
struct RequestContext {
  RequestContext(const httplib::Request& request, httplib::Response& response)
      : req(request), res(response) {}

  const httplib::Request& req;
  httplib::Response& res;
  std::string route;       // route name, for logs ("admin.users.list")
  std::string request_id;  // also sent as X-Request-Id and shown on error pages
  std::string ip;
  bool secure = false;  // served over HTTPS, directly or behind a trusted proxy
  service::Actor actor;
  /// A signed-in session; or, on the pages of the step it waits for (second factor,
  /// enrolment), a session at that stage. Elsewhere such a session is not set here.
  std::optional<service::SessionContext> session;
  /// The stage of a session that is not signed in yet, when this page is not its step's.
  std::optional<service::SessionStage> pending_stage;
  std::string csrf_token;  // the token forms must carry
  std::string flash;       // message code set by the previous redirect, consumed
};

}  // namespace allervers::web
