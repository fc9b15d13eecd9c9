#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace allervers {

/// A metric read at scrape time (pool use, outbox depth, memory), in Prometheus's terms.
struct MetricFamily {
  enum class Type { kGauge, kCounter };
  std::string name;  // allervers_…, [a-z_]
  std::string help;
  Type type = Type::kGauge;
  /// (labels, value); labels as written between braces, e.g. `status="pending"`, or empty.
  std::vector<std::pair<std::string, double>> samples;
};

/// The server's own counters and latency histograms, written out in Prometheus's text exposition
/// format (0.0.4) with any families read at scrape time. Thread-safe; one mutex, held for a few
/// map operations per request.
///
/// Label values come from bounded sets only (route names, methods, status codes, job names,
/// outbox channels), never from what a client sent: no personal data, no unbounded series.
class Metrics {
 public:
  /// Upper bounds, in seconds, of the request-duration histogram's buckets (+Inf implied).
  static constexpr double kBuckets[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

  /// Counts one answer; `seconds` < 0 (not timed) counts it without a duration.
  void ObserveRequest(std::string_view route, std::string_view method, int status, double seconds);
  /// One run of a background job (`outbox`, `sessions_purge`…); `ok` false when it threw.
  void ObserveJob(std::string_view job, bool ok, double unix_seconds);
  /// Messages handed to a carrier, by channel and outcome (sent, retry, failed).
  void CountDelivery(std::string_view channel, std::string_view outcome, int count = 1);

  /// The text exposition: build info, then this registry, then `extra`.
  std::string Render(const std::vector<MetricFamily>& extra) const;

 private:
  struct Histogram {
    std::vector<std::uint64_t> buckets = std::vector<std::uint64_t>(std::size(kBuckets), 0);
    std::uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::string, std::uint64_t> requests_;  // labels → count
  std::map<std::string, Histogram> durations_;     // route label → histogram
  std::map<std::string, std::uint64_t> job_runs_;  // labels → count
  std::map<std::string, double> job_last_success_;
  std::map<std::string, std::uint64_t> deliveries_;
};

/// Escapes a label value for the text format (backslash, double quote, newline).
std::string MetricLabelValue(std::string_view value);

}  // namespace allervers
