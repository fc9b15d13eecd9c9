#include "web/server.hpp"

#include <httplib.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/error.hpp"
#include "web/pages/pages.hpp"
#include "web/router.hpp"

namespace allervers::web {

MetricsAccess CheckMetricsAccess(const httplib::Request& req, const std::string& token,
                                 const service::TokenService& tokens) {
  // A request relayed by a reverse proxy comes from the loopback too: it is not local.
  const bool loopback = (req.remote_addr == "127.0.0.1" || req.remote_addr == "::1" ||
                         req.remote_addr == "::ffff:127.0.0.1") &&
                        !req.has_header("X-Forwarded-For") && !req.has_header("Forwarded");
  if (loopback) {
    return MetricsAccess::kAllowed;
  }
  if (token.empty()) {
    return MetricsAccess::kHidden;
  }
  const std::string authorization = req.get_header_value("Authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.starts_with(kBearer) &&
      tokens.Equal(authorization.substr(kBearer.size()), token)) {
    return MetricsAccess::kAllowed;
  }
  return MetricsAccess::kRefused;
}

std::string ContentSecurityPolicy(const std::string& form_action_origin) {
  std::string csp = kContentSecurityPolicy;
  if (!form_action_origin.empty()) {
    const std::string self = "form-action 'self'";
    csp.replace(csp.find(self), self.size(), self + " " + form_action_origin);
  }
  return csp;
}

WebServer::WebServer(Deps& deps, ServerOptions options)
    : deps_(deps), options_(std::move(options)) {
  if (!options_.tls_cert.empty()) {
    server_ =
        std::make_unique<httplib::SSLServer>(options_.tls_cert.c_str(), options_.tls_key.c_str());
    if (!server_->is_valid()) {
      throw Error(ErrorCode::kInvalidArgument,
                  "Certificat ou clé TLS illisible : " + options_.tls_cert);
    }
  } else {
    server_ = std::make_unique<httplib::Server>();
  }
  httplib::Server& svr = *server_;

  const int threads = std::max(2, options_.threads);
  svr.new_task_queue = [threads] {
    return new httplib::ThreadPool(static_cast<std::size_t>(threads));
  };
  svr.set_payload_max_length(options_.max_body_bytes);
  svr.set_read_timeout(10, 0);
  svr.set_write_timeout(10, 0);
  svr.set_keep_alive_timeout(3);
  svr.set_keep_alive_max_count(100);
  svr.set_default_headers({
      {"Content-Security-Policy", ContentSecurityPolicy(options_.identity_provider_origin)},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "same-origin"},
      {"X-Frame-Options", "DENY"},
      {"Permissions-Policy", "camera=(), microphone=(), geolocation=()"},
      {"Cross-Origin-Opener-Policy", "same-origin"},
  });

  // httplib's default sets SO_REUSEPORT, which lets a second server bind a port already in use
  // and silently share its traffic. Only SO_REUSEADDR: a busy port is then an error.
  svr.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });

  svr.set_file_extension_and_mimetype_mapping("woff2", "font/woff2");
  svr.set_file_extension_and_mimetype_mapping("svg", "image/svg+xml");
  // Static URLs carry ?v=<content hash>, so browsers may keep them for a day without asking.
  const httplib::Headers cache{{"Cache-Control", "public, max-age=86400"}};
  if (!options_.fonts_dir.empty()) {
    svr.set_mount_point("/static/fonts", options_.fonts_dir.string(), cache);
  }
  svr.set_mount_point("/static", options_.static_dir.string(), cache);

  // Liveness: the process answers. Unauthenticated by design, holds no data, touches nothing
  // else, so that a database outage does not get a healthy process restarted.
  svr.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_header("Cache-Control", "no-store");
    res.set_content(R"({"status":"ok"})", "application/json");
  });
  // Readiness: the database answers too. A load balancer sends no traffic here until it does.
  svr.Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
    bool ok = true;
    try {
      ok = deps_.health_check ? deps_.health_check() : true;
    } catch (const std::exception&) {
      ok = false;
    }
    res.status = ok ? 200 : 503;
    res.set_header("Cache-Control", "no-store");
    res.set_content(ok ? R"({"status":"ready"})" : R"({"status":"unavailable"})",
                    "application/json");
  });
  // Prometheus metrics: from this machine, or with the metrics token (MetricsAccess).
  svr.Get("/metrics", [this](const httplib::Request& req, httplib::Response& res) {
    res.set_header("Cache-Control", "no-store");
    const MetricsAccess access = CheckMetricsAccess(req, deps_.metrics_token, deps_.tokens);
    if (deps_.metrics == nullptr || access == MetricsAccess::kHidden) {
      res.status = 404;
      res.set_content("Not found\n", "text/plain; charset=utf-8");
      return;
    }
    if (access == MetricsAccess::kRefused) {
      res.status = 401;
      res.set_header("WWW-Authenticate", "Bearer");
      res.set_content("Metrics token missing or wrong\n", "text/plain; charset=utf-8");
      return;
    }
    std::vector<MetricFamily> gauges;
    if (deps_.metric_gauges) {
      gauges = deps_.metric_gauges();
    }
    res.set_content(deps_.metrics->Render(gauges), "text/plain; version=0.0.4; charset=utf-8");
  });

  router_ = std::make_unique<Router>(svr, deps_);
  RegisterAuthPages(*router_, deps_);
  RegisterTwoFactorPages(*router_, deps_);
  RegisterInfoPages(*router_, deps_);
  RegisterAdminPages(*router_, deps_);
  RegisterReferralPages(*router_, deps_);
  RegisterImportPages(*router_, deps_);
  RegisterReferenceAdminPages(*router_, deps_);
  RegisterReferralApi(*router_, deps_);
  RegisterAppointmentPages(*router_, deps_);
  RegisterCasePages(*router_, deps_);
  RegisterPersonPages(*router_, deps_);
  RegisterPartnerPages(*router_, deps_);
  RegisterFeedbackPages(*router_, deps_);
  RegisterIndicatorPages(*router_, deps_);
  router_->InstallFallbacks();
}

WebServer::~WebServer() = default;

int WebServer::Bind(const std::string& host, int port) {
  int bound = port;
  if (port == 0) {
    bound = server_->bind_to_any_port(host);
    if (bound < 0) {
      bound = -1;
    }
  } else if (!server_->bind_to_port(host, port)) {
    bound = -1;
  }
  if (bound < 0) {
    throw Error(ErrorCode::kUnavailable, "Impossible d’écouter sur " + host + ":" +
                                             std::to_string(port) +
                                             " : adresse déjà utilisée ou non autorisée");
  }
  return bound;
}

bool WebServer::Serve() {
  serving_.store(true);
  if (stop_requested_.load()) {
    serving_.store(false);
    return true;
  }
  const bool ok = server_->listen_after_bind();
  serving_.store(false);
  return ok;
}

void WebServer::Stop() {
  stop_requested_.store(true);
  // httplib's stop() does nothing until listen_after_bind() has marked the server running: a
  // signal received just before that would be lost, and the process would serve on. Serve()
  // either sees stop_requested_ and returns at once, or is already in (or entering) the loop,
  // which is then waited for here, briefly.
  while (serving_.load() && !server_->is_running()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  server_->stop();
}

}  // namespace allervers::web
