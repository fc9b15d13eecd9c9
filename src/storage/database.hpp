#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "service/repositories.hpp"

namespace soci {
class connection_pool;
class session;
}  // namespace soci

namespace allervers::storage {

enum class Backend { kSqlite, kPostgres };

/// A parsed `--database` URL: `sqlite:PATH` or `postgresql://user:pass@host:port/db`.
struct DatabaseUrl {
  Backend backend = Backend::kSqlite;
  std::string target;  // SQLite file path, or the libpq connection URI

  /// Throws Error(kInvalidArgument) with a French message on anything else.
  static DatabaseUrl Parse(std::string_view url);
  /// The URL with any password masked, safe to print.
  std::string Redacted() const;
};

struct DatabaseOptions {
  int pool_size = 4;
  std::chrono::milliseconds lease_timeout{5000};
  int sqlite_busy_timeout_seconds = 5;
};

/// The connection pool and the implementation of service::Store. Thread-safe.
/// Every SOCI error is translated to allervers::Error here and only here.
class Database final : public service::Store {
 public:
  /// Opens every connection of the pool; throws Error(kUnavailable) when the database
  /// cannot be reached, with a message naming the URL (password masked).
  Database(const DatabaseUrl& url, DatabaseOptions options);
  ~Database() override;

  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  void Write(const std::function<void(service::Tx&)>& fn) override;
  void Read(const std::function<void(service::Tx&)>& fn) override;

  Backend backend() const { return url_.backend; }
  const DatabaseUrl& url() const { return url_; }

  /// Runs `fn` with a leased session, translating errors. For storage-internal use
  /// (migrations, health checks, tests).
  void WithSession(const std::function<void(soci::session&)>& fn);

  /// Executes a script of several SQL statements with the driver's native API.
  void ExecuteScript(soci::session& sql, const std::string& script);

  /// True when a trivial query succeeds.
  bool Ping();

  struct PoolStats {
    int size = 0;
    int in_use = 0;
    std::uint64_t lease_timeouts = 0;  // requests that found no free connection in time
  };
  PoolStats pool_stats() const {
    return {options_.pool_size < 1 ? 1 : options_.pool_size,
            in_use_.load(std::memory_order_relaxed),
            lease_timeouts_.load(std::memory_order_relaxed)};
  }

 private:
  class Lease;
  void Transaction(const std::function<void(service::Tx&)>& fn, bool write);

  DatabaseUrl url_;
  DatabaseOptions options_;
  std::unique_ptr<soci::connection_pool> pool_;
  std::atomic<int> in_use_{0};
  std::atomic<std::uint64_t> lease_timeouts_{0};
};

}  // namespace allervers::storage
