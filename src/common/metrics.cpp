#include "common/metrics.hpp"

#include <fmt/format.h>

#include <cmath>

namespace allervers {
namespace {

std::string Number(double value) {
  if (std::isinf(value)) {
    return value > 0 ? "+Inf" : "-Inf";
  }
  if (std::isnan(value)) {
    return "NaN";
  }
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    return fmt::format("{:.0f}", value);
  }
  return fmt::format("{}", value);
}

void Header(std::string& out, std::string_view name, std::string_view help, std::string_view type) {
  fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

void Sample(std::string& out, std::string_view name, std::string_view labels, double value) {
  if (labels.empty()) {
    fmt::format_to(std::back_inserter(out), "{} {}\n", name, Number(value));
  } else {
    fmt::format_to(std::back_inserter(out), "{}{{{}}} {}\n", name, labels, Number(value));
  }
}

}  // namespace

std::string MetricLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char ch : value) {
    if (ch == '\\') {
      out += "\\\\";
    } else if (ch == '"') {
      out += "\\\"";
    } else if (ch == '\n') {
      out += "\\n";
    } else {
      out += ch;
    }
  }
  return out;
}

void Metrics::ObserveRequest(std::string_view route, std::string_view method, int status,
                             double seconds) {
  const std::string route_label = MetricLabelValue(route.empty() ? "unknown" : route);
  const std::string labels = fmt::format(R"(route="{}",method="{}",status="{}")", route_label,
                                         MetricLabelValue(method), status);
  std::lock_guard lock(mutex_);
  ++requests_[labels];
  if (seconds < 0) {
    return;
  }
  Histogram& h = durations_[route_label];
  for (std::size_t i = 0; i < std::size(kBuckets); ++i) {
    if (seconds <= kBuckets[i]) {
      ++h.buckets[i];
    }
  }
  ++h.count;
  h.sum += seconds;
}

void Metrics::ObserveJob(std::string_view job, bool ok, double unix_seconds) {
  const std::string job_label = MetricLabelValue(job);
  std::lock_guard lock(mutex_);
  ++job_runs_[fmt::format(R"(job="{}",outcome="{}")", job_label, ok ? "ok" : "error")];
  if (ok) {
    job_last_success_[job_label] = unix_seconds;
  }
}

void Metrics::CountDelivery(std::string_view channel, std::string_view outcome, int count) {
  if (count <= 0) {
    return;
  }
  const std::string labels = fmt::format(R"(channel="{}",outcome="{}")", MetricLabelValue(channel),
                                         MetricLabelValue(outcome));
  std::lock_guard lock(mutex_);
  deliveries_[labels] += static_cast<std::uint64_t>(count);
}

std::string Metrics::Render(const std::vector<MetricFamily>& extra) const {
  std::string out;
  Header(out, "allervers_build_info", "Version of the running server.", "gauge");
  Sample(out, "allervers_build_info", R"(version=")" ALLERVERS_VERSION R"(")", 1);
  {
    std::lock_guard lock(mutex_);
    Header(out, "allervers_http_requests_total", "HTTP requests answered, by route and status.",
           "counter");
    for (const auto& [labels, count] : requests_) {
      Sample(out, "allervers_http_requests_total", labels, static_cast<double>(count));
    }
    Header(out, "allervers_http_request_duration_seconds",
           "Time to answer an HTTP request, by route.", "histogram");
    for (const auto& [route, h] : durations_) {
      for (std::size_t i = 0; i < std::size(kBuckets); ++i) {
        Sample(out, "allervers_http_request_duration_seconds_bucket",
               fmt::format(R"(route="{}",le="{}")", route, Number(kBuckets[i])),
               static_cast<double>(h.buckets[i]));
      }
      Sample(out, "allervers_http_request_duration_seconds_bucket",
             fmt::format(R"(route="{}",le="+Inf")", route), static_cast<double>(h.count));
      Sample(out, "allervers_http_request_duration_seconds_sum",
             fmt::format(R"(route="{}")", route), h.sum);
      Sample(out, "allervers_http_request_duration_seconds_count",
             fmt::format(R"(route="{}")", route), static_cast<double>(h.count));
    }
    Header(out, "allervers_job_runs_total", "Runs of the background jobs, by outcome.", "counter");
    for (const auto& [labels, count] : job_runs_) {
      Sample(out, "allervers_job_runs_total", labels, static_cast<double>(count));
    }
    Header(out, "allervers_job_last_success_timestamp_seconds",
           "When each background job last ran without error (Unix time).", "gauge");
    for (const auto& [job, when] : job_last_success_) {
      Sample(out, "allervers_job_last_success_timestamp_seconds", fmt::format(R"(job="{}")", job),
             when);
    }
    Header(out, "allervers_outbox_deliveries_total",
           "Messages handed to a carrier by this process, by channel and outcome.", "counter");
    for (const auto& [labels, count] : deliveries_) {
      Sample(out, "allervers_outbox_deliveries_total", labels, static_cast<double>(count));
    }
  }
  for (const MetricFamily& family : extra) {
    Header(out, family.name, family.help,
           family.type == MetricFamily::Type::kCounter ? "counter" : "gauge");
    for (const auto& [labels, value] : family.samples) {
      Sample(out, family.name, labels, value);
    }
  }
  return out;
}

}  // namespace allervers
