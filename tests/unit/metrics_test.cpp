#include "common/metrics.hpp"

#include <gtest/gtest.h>

namespace allervers {
namespace {

TEST(Metrics, HistogramBucketsAreCumulativeAndEndWithTheCount) {
  Metrics m;
  m.ObserveRequest("case.show", "GET", 200, 0.003);
  m.ObserveRequest("case.show", "GET", 200, 0.04);
  m.ObserveRequest("case.show", "GET", 500, 20);
  const std::string text = m.Render({});
  EXPECT_NE(
      text.find(
          R"(allervers_http_request_duration_seconds_bucket{route="case.show",le="0.005"} 1)"),
      std::string::npos)
      << text;
  EXPECT_NE(
      text.find(R"(allervers_http_request_duration_seconds_bucket{route="case.show",le="0.05"} 2)"),
      std::string::npos);
  EXPECT_NE(
      text.find(R"(allervers_http_request_duration_seconds_bucket{route="case.show",le="10"} 2)"),
      std::string::npos);
  EXPECT_NE(
      text.find(R"(allervers_http_request_duration_seconds_bucket{route="case.show",le="+Inf"} 3)"),
      std::string::npos);
  EXPECT_NE(text.find(R"(allervers_http_request_duration_seconds_count{route="case.show"} 3)"),
            std::string::npos);
  EXPECT_NE(text.find(R"(allervers_http_request_duration_seconds_sum{route="case.show"} 20.043)"),
            std::string::npos);
  EXPECT_NE(
      text.find(R"(allervers_http_requests_total{route="case.show",method="GET",status="500"} 1)"),
      std::string::npos);
}

TEST(Metrics, AnUntimedAnswerIsCountedWithoutADuration) {
  Metrics m;
  m.ObserveRequest("fallback", "GET", 404, -1);
  const std::string text = m.Render({});
  EXPECT_NE(
      text.find(R"(allervers_http_requests_total{route="fallback",method="GET",status="404"} 1)"),
      std::string::npos);
  EXPECT_EQ(text.find(R"(route="fallback",le=)"), std::string::npos);
}

TEST(Metrics, JobsDeliveriesAndGaugesAreWrittenWithTheirTypes) {
  Metrics m;
  m.ObserveJob("outbox", true, 1800000000);
  m.ObserveJob("outbox", false, 1800000010);
  m.CountDelivery("email", "sent", 3);
  m.CountDelivery("sms", "failed", 0);  // nothing to count: no series
  const std::string text = m.Render({{"allervers_outbox_messages",
                                      "Messages.",
                                      MetricFamily::Type::kGauge,
                                      {{R"(status="pending")", 4}, {R"(status="failed")", 0}}}});
  EXPECT_NE(text.find(R"(allervers_job_runs_total{job="outbox",outcome="ok"} 1)"),
            std::string::npos);
  EXPECT_NE(text.find(R"(allervers_job_runs_total{job="outbox",outcome="error"} 1)"),
            std::string::npos);
  EXPECT_NE(text.find(R"(allervers_job_last_success_timestamp_seconds{job="outbox"} 1800000000)"),
            std::string::npos);
  EXPECT_NE(text.find(R"(allervers_outbox_deliveries_total{channel="email",outcome="sent"} 3)"),
            std::string::npos);
  EXPECT_EQ(text.find(R"(channel="sms")"), std::string::npos);
  EXPECT_NE(text.find("# TYPE allervers_outbox_messages gauge\n"), std::string::npos);
  EXPECT_NE(text.find(R"(allervers_outbox_messages{status="pending"} 4)"), std::string::npos);
  // Every line is a comment or `name{labels} value`, and the text ends with a newline.
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
}

TEST(Metrics, LabelValuesAreEscaped) {
  EXPECT_EQ(MetricLabelValue("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  Metrics m;
  m.ObserveRequest("x\"y", "GET", 200, 0.1);
  EXPECT_NE(m.Render({}).find(R"(route="x\"y")"), std::string::npos);
}

}  // namespace
}  // namespace allervers
