#include "support/test_server.hpp"

#include <regex>

namespace allervers::testing {

TestServer::TestServer(service::Store& store, Options options)
    : services_(store), templates_(SourceDir() / "templates") {
  deps_ = std::make_unique<web::Deps>(web::Deps{
      services_.auth,
      services_.users,
      services_.structures,
      services_.audit,
      services_.referrals,
      services_.api_tokens,
      services_.imports,
      services_.appointments,
      services_.cases,
      services_.partners,
      services_.indicators,
      services_.settings,
      services_.retention,
      services_.two_factor,
      services_.reference,
      services_.tokens,
      templates_,
      services_.clock,
      options.health_check ? options.health_check : [] { return true; },
      options.trust_proxy,
      false,
      "test",
      SourceDir() / "node_modules" / "@fontsource" / "atkinson-hyperlegible" / "files",
      &metrics_,
      [] {
        return std::vector<MetricFamily>{
            {"allervers_db_pool_in_use", "In use.", MetricFamily::Type::kGauge, {{"", 1}}}};
      },
      options.metrics_token});
  web::ServerOptions server_options;
  server_options.static_dir = SourceDir() / "static";
  server_options.threads = 4;
  server_options.max_body_bytes = options.max_body_bytes;
  server_ = std::make_unique<web::WebServer>(*deps_, server_options);
  port_ = server_->Bind("127.0.0.1", 0);
  thread_ = std::thread([this] { server_->Serve(); });
}

TestServer::~TestServer() {
  server_->Stop();
  thread_.join();
}

std::unique_ptr<httplib::Client> TestServer::Client() const {
  auto client = std::make_unique<httplib::Client>("127.0.0.1", port_);
  client->set_follow_location(false);
  client->set_read_timeout(10, 0);
  return client;
}

httplib::Headers Browser::CookieHeader(const httplib::Headers& extra) const {
  httplib::Headers headers = extra;
  std::string cookie;
  for (const auto& [name, value] : cookies_) {
    if (!value.empty()) {
      cookie += (cookie.empty() ? "" : "; ") + name + "=" + value;
    }
  }
  if (!cookie.empty()) {
    headers.emplace("Cookie", cookie);
  }
  return headers;
}

void Browser::Absorb(const httplib::Result& res) {
  if (!res) {
    return;
  }
  const auto count = res->get_header_value_count("Set-Cookie");
  for (std::size_t i = 0; i < count; ++i) {
    const std::string header = res->get_header_value("Set-Cookie", i);
    const auto eq = header.find('=');
    const auto semi = header.find(';');
    const std::string name = header.substr(0, eq);
    const std::string value = header.substr(eq + 1, semi - eq - 1);
    if (header.find("Max-Age=0") != std::string::npos) {
      cookies_.erase(name);
    } else {
      cookies_[name] = value;
    }
  }
  static const std::regex kCsrf(R"re(name="_csrf" value="([^"]+)")re");
  std::smatch m;
  if (std::regex_search(res->body, m, kCsrf)) {
    csrf_ = m[1];
  }
}

httplib::Result Browser::Get(const std::string& path, const httplib::Headers& extra) {
  auto res = client_->Get(path, CookieHeader(extra));
  Absorb(res);
  return res;
}

httplib::Result Browser::Post(const std::string& path, httplib::Params fields, bool csrf,
                              const httplib::Headers& extra) {
  if (csrf) {
    fields.emplace("_csrf", csrf_);
  }
  auto res = client_->Post(path, CookieHeader(extra), fields);
  Absorb(res);
  return res;
}

int Browser::SignIn(const std::string& email, const std::string& password) {
  Get("/connexion");
  auto res = Post("/connexion", {{"email", email}, {"password", password}});
  return res ? res->status : -1;
}

std::string Browser::Cookie(const std::string& name) const {
  auto it = cookies_.find(name);
  return it == cookies_.end() ? "" : it->second;
}

}  // namespace allervers::testing
