#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>

#include "web/deps.hpp"

namespace httplib {
class Server;
struct Request;
}  // namespace httplib

namespace allervers::web {
class Router;
}

namespace allervers::web {

struct ServerOptions {
  std::filesystem::path static_dir;
  std::filesystem::path fonts_dir;  // the Atkinson Hyperlegible web fonts, mounted at /static/fonts
  int threads = 8;
  std::size_t max_body_bytes = 10 * 1024 * 1024;
  std::string tls_cert;
  std::string tls_key;
  /// The identity provider's origin (https://host[:port]), added to the CSP's form-action:
  /// signing out of a session opened through it redirects the sign-out form there.
  std::string identity_provider_origin;
};

/// The HTTP server: routes, static files, limits, security headers.
class WebServer {
 public:
  WebServer(Deps& deps, ServerOptions options);
  ~WebServer();

  /// Binds `host:port` (port 0: any free port). Returns the port, or throws
  /// Error(kUnavailable) with a clear message when the address is in use.
  int Bind(const std::string& host, int port);
  /// Serves until Stop(); returns false when the loop ended on an error. Returns at once when
  /// Stop() came first.
  bool Serve();
  /// Stops accepting connections; Serve() returns once the requests in flight are answered.
  /// May be called from any thread, before or while Serve() runs.
  void Stop();

 private:
  Deps& deps_;
  ServerOptions options_;
  std::unique_ptr<httplib::Server> server_;
  std::unique_ptr<Router> router_;  // its handlers are called by server_, so it lives as long
  std::atomic<bool> serving_{false};
  std::atomic<bool> stop_requested_{false};
};

/// Who may read /metrics: anyone on this machine (not through a proxy), or with the token.
/// Without a token configured, other hosts get a 404, as if there were no such page.
enum class MetricsAccess { kAllowed, kRefused, kHidden };
MetricsAccess CheckMetricsAccess(const httplib::Request& req, const std::string& token,
                                 const service::TokenService& tokens);

/// Security headers sent with every response: a strict CSP without inline script or style.
inline constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src "
    "'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// kContentSecurityPolicy, with `form_action_origin` allowed as a form's destination too.
std::string ContentSecurityPolicy(const std::string& form_action_origin);

}  // namespace allervers::web
