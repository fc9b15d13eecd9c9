// /healthz, /readyz and /metrics of the real server: who may read the metrics, what they count,
// and that they hold no personal data.
#include <gtest/gtest.h>

#include <atomic>

#include "support/test_server.hpp"

namespace allervers::testing {
namespace {

constexpr const char* kToken = "metrics-token-0123456789abcdef";

class MetricsTest : public ::testing::Test {
 protected:
  void Start(TestServer::Options options) {
    db_ = TestDatabase::Create(TestBackend::kSqlite);
    options.trust_proxy = true;
    server_ = std::make_unique<TestServer>(db_->db(), options);
    auto& s = server_->services();
    const auto system = service::Actor::System("t");
    ASSERT_TRUE(
        s.structures.Create(system, {"EMN", "Équipe mobile", "operateur", ""}).errors.empty());
    ASSERT_TRUE(s.users
                    .Create(system,
                            {"claire.secret@emn.example", "Claire", "coordinateur", "EMN", ""},
                            kGoodPassword)
                    .errors.empty());
  }

  httplib::Result Metrics(const httplib::Headers& headers = {}) {
    return server_->Client()->Get("/metrics", headers);
  }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<TestServer> server_;
};

TEST_F(MetricsTest, CountsRequestsByRouteAndStatusWithTheirDurations) {
  Start({});
  Browser b(*server_);
  ASSERT_EQ(b.SignIn("claire.secret@emn.example", kGoodPassword), 303);
  ASSERT_EQ(b.Get("/")->status, 200);
  ASSERT_EQ(b.Get("/personnes/999999")->status, 404);
  ASSERT_EQ(server_->Client()->Get("/nulle-part")->status, 404);

  auto res = Metrics();
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(res->get_header_value("Cache-Control"), "no-store");
  const std::string& body = res->body;
  EXPECT_NE(body.find("# TYPE allervers_http_requests_total counter"), std::string::npos);
  EXPECT_NE(body.find(R"(allervers_http_requests_total{route="home",method="GET",status="200"} 1)"),
            std::string::npos)
      << body;
  EXPECT_NE(
      body.find(
          R"(allervers_http_requests_total{route="auth.sign_in",method="POST",status="303"} 1)"),
      std::string::npos)
      << body;
  EXPECT_NE(
      body.find(R"(allervers_http_requests_total{route="fallback",method="GET",status="404"} 1)"),
      std::string::npos);
  // The histogram: cumulative buckets ending with +Inf equal to the count.
  EXPECT_NE(
      body.find(R"(allervers_http_request_duration_seconds_bucket{route="home",le="+Inf"} 1)"),
      std::string::npos);
  EXPECT_NE(body.find(R"(allervers_http_request_duration_seconds_count{route="home"} 1)"),
            std::string::npos);
  // Gauges read at scrape time are appended.
  EXPECT_NE(body.find("allervers_db_pool_in_use 1"), std::string::npos);
  // No personal data, no identifiers: not the e-mail, not the path asked for.
  EXPECT_EQ(body.find("claire"), std::string::npos);
  EXPECT_EQ(body.find("999999"), std::string::npos);
  EXPECT_EQ(body.find("nulle-part"), std::string::npos);
}

TEST_F(MetricsTest, OtherHostsNeedTheTokenAndWithoutOneTheyFindNothing) {
  Start({});
  // Through a reverse proxy (X-Forwarded-For), the request is not local: no token configured,
  // so nothing is there.
  auto proxied = Metrics({{"X-Forwarded-For", "203.0.113.9"}});
  ASSERT_TRUE(proxied);
  EXPECT_EQ(proxied->status, 404);
  EXPECT_EQ(proxied->body.find("allervers_"), std::string::npos);
  auto forwarded = Metrics({{"Forwarded", "for=203.0.113.9"}});
  ASSERT_TRUE(forwarded);
  EXPECT_EQ(forwarded->status, 404);
}

TEST_F(MetricsTest, WithATokenConfiguredAProxiedScrapeMustPresentIt) {
  TestServer::Options options;
  options.metrics_token = kToken;
  Start(options);
  auto missing = Metrics({{"X-Forwarded-For", "203.0.113.9"}});
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 401);
  EXPECT_EQ(missing->get_header_value("WWW-Authenticate"), "Bearer");
  EXPECT_EQ(missing->body.find("allervers_"), std::string::npos);
  auto wrong = Metrics({{"X-Forwarded-For", "203.0.113.9"},
                        {"Authorization", std::string("Bearer ") + kToken + "x"}});
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  auto basic = Metrics({{"X-Forwarded-For", "203.0.113.9"}, {"Authorization", kToken}});
  ASSERT_TRUE(basic);
  EXPECT_EQ(basic->status, 401);
  auto right = Metrics(
      {{"X-Forwarded-For", "203.0.113.9"}, {"Authorization", std::string("Bearer ") + kToken}});
  ASSERT_TRUE(right);
  EXPECT_EQ(right->status, 200);
  EXPECT_NE(right->body.find("allervers_build_info{version="), std::string::npos);
}

TEST_F(MetricsTest, ReadyzFailsWhileTheDatabaseIsDownAndHealthzDoesNot) {
  auto up = std::make_shared<std::atomic<bool>>(false);
  TestServer::Options options;
  options.health_check = [up] { return up->load(); };
  Start(options);
  auto ready = server_->Client()->Get("/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 503);
  EXPECT_EQ(ready->body, R"({"status":"unavailable"})");
  auto alive = server_->Client()->Get("/healthz");
  ASSERT_TRUE(alive);
  EXPECT_EQ(alive->status, 200);
  up->store(true);
  EXPECT_EQ(server_->Client()->Get("/readyz")->status, 200);
}

}  // namespace
}  // namespace allervers::testing
