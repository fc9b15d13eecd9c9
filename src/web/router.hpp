#pragma once

#include <httplib.h>

#include <functional>
#include <string>

#include "service/permissions.hpp"
#include "web/deps.hpp"
#include "web/request_context.hpp"

namespace allervers::web {

using Handler = std::function<void(RequestContext&)>;

enum class Method { kGet, kPost };

/// Declares routes and runs every request through the same pipeline: request id, client
/// address, session, forced password change, CSRF check, permission check (the permissions
/// module decides), the handler, error mapping and the access log. A route cannot be
/// declared without the permission it requires.
class Router {
 public:
  Router(httplib::Server& server, Deps& deps) : server_(server), deps_(deps) {}

  void Page(Method method, const std::string& pattern, std::string name,
            service::Permission permission, Handler handler);

  /// An API endpoint: Bearer token instead of session and CSRF, JSON errors. The token's
  /// scopes are checked against `permission` by the permissions module.
  void Api(Method method, const std::string& pattern, std::string name,
           service::Permission permission, Handler handler);

  /// Sets the handlers for unmatched routes, exceptions escaping httplib, and responses
  /// httplib produced itself (400, 413…).
  void InstallFallbacks();

 private:
  struct Route {
    std::string name;
    service::Permission permission;
    Handler handler;
  };
  void Handle(const httplib::Request& req, httplib::Response& res, const Route& route);
  void HandleApi(const httplib::Request& req, httplib::Response& res, const Route& route);
  void Log(const RequestContext& ctx, std::chrono::steady_clock::time_point started);
  void Prepare(RequestContext& ctx);

  httplib::Server& server_;
  Deps& deps_;
};

/// The page of the step a session waits for (second factor, or enrolment).
std::string StagePath(service::SessionStage stage);

/// Parses a decimal id taken from a route pattern; throws kNotFound when it is not one.
long long ParseId(const std::string& digits);

}  // namespace allervers::web
