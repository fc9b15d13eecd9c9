#pragma once

#include <httplib.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "render/template_engine.hpp"
#include "support/services.hpp"
#include "web/server.hpp"

namespace allervers::testing {

/// The real web server on 127.0.0.1 and an ephemeral port, over a test database, with the
/// services of TestServices (fake clock, cheap hashing).
class TestServer {
 public:
  struct Options {
    bool trust_proxy = false;
    std::size_t max_body_bytes = 1024 * 1024;
    std::string metrics_token;
    std::function<bool()> health_check;  // none: the database always answers
  };

  explicit TestServer(service::Store& store) : TestServer(store, Options{}) {}
  TestServer(service::Store& store, Options options);
  ~TestServer();

  TestServices& services() { return services_; }
  int port() const { return port_; }
  std::unique_ptr<httplib::Client> Client() const;
  Metrics& metrics() { return metrics_; }

 private:
  TestServices services_;
  render::TemplateEngine templates_;
  Metrics metrics_;
  std::unique_ptr<web::Deps> deps_;
  std::unique_ptr<web::WebServer> server_;
  std::thread thread_;
  int port_ = 0;
};

/// A browser-like client: keeps cookies, reads the CSRF token from forms.
class Browser {
 public:
  explicit Browser(const TestServer& server) : client_(server.Client()) {}

  httplib::Result Get(const std::string& path, const httplib::Headers& extra = {});
  /// Posts url-encoded `fields`, adding the CSRF token of the last page seen unless `csrf` is
  /// false.
  httplib::Result Post(const std::string& path, httplib::Params fields, bool csrf = true,
                       const httplib::Headers& extra = {});
  /// Signs in through the form; returns the final status (303 on success).
  int SignIn(const std::string& email, const std::string& password);

  std::string Cookie(const std::string& name) const;
  void SetCookie(const std::string& name, const std::string& value) { cookies_[name] = value; }
  const std::string& last_csrf() const { return csrf_; }

 private:
  void Absorb(const httplib::Result& res);
  httplib::Headers CookieHeader(const httplib::Headers& extra) const;

  std::unique_ptr<httplib::Client> client_;
  std::map<std::string, std::string> cookies_;
  std::string csrf_;
};

}  // namespace allervers::testing
