// Crash safety (issue 8, docs/architecture.md « Stopping »): the real server, killed with
// SIGKILL under concurrent writes, loses nothing it acknowledged and leaves an intact SQLite
// file; PostgreSQL restarted under load gives 503 meanwhile and the server reconnects by
// itself; a full disk gives a clear 503, and the file stays intact. No outcome depends on how
// long anything takes: the tests wait for progress, with generous deadlines against a hang.

#include <gtest/gtest.h>
#include <httplib.h>
#include <soci/soci.h>
#include <sys/resource.h>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "common/clock.hpp"
#include "common/time.hpp"
#include "security/secret_box.hpp"
#include "support/process.hpp"
#include "support/test_db.hpp"

namespace allervers::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string ReferralBody(int n) {
  return nlohmann::json{
      {"referrer", {{"name", "Isabelle Moreau"}, {"email", "accueil@ccas.example"}}},
      {"person",
       {{"last_name", "Personne" + std::to_string(n)},
        {"first_name", "Test"},
        {"birth_date", "1950-01-01"},
        {"phone", "01 30 38 22 41"},
        {"address",
         {{"line", "4 place des Touleuses"}, {"postal_code", "95000"}, {"city", "Cergy"}}},
        {"contact_preferences", {"telephone"}}}},
      {"reasons", {{"procedures", {"RET-ASPA"}}}},
      {"urgency", 1},
      {"consent",
       {{"given", true}, {"date", ToIso(paris::Today(SystemClock().Now()))}, {"how", "oral"}}}}
      .dump();
}

// Referrals posted through the API by a few threads until stopped; the ids the server
// acknowledged (201), and every status it answered.
class Writers {
 public:
  Writers(int port, std::string token, int threads = 3) {
    for (int t = 0; t < threads; ++t) {
      threads_.emplace_back([this, port, token, t] {
        httplib::Client client("127.0.0.1", port);
        client.set_connection_timeout(2);
        client.set_read_timeout(10);
        for (int i = 0; !stop_; ++i) {
          const auto res = client.Post("/api/v1/referrals", {{"Authorization", "Bearer " + token}},
                                       ReferralBody(t * 100000 + i), "application/json");
          std::lock_guard lock(mutex_);
          if (!res) {
            ++failures_;
            continue;
          }
          statuses_.insert(res->status);
          if (res->status == 201) {
            acked_.insert(nlohmann::json::parse(res->body)["id"].get<long long>());
          }
        }
      });
    }
  }
  ~Writers() { Stop(); }

  void Stop() {
    stop_ = true;
    for (auto& t : threads_) {
      if (t.joinable()) {
        t.join();
      }
    }
  }

  std::size_t acked() {
    std::lock_guard lock(mutex_);
    return acked_.size();
  }
  std::set<long long> acked_ids() {
    std::lock_guard lock(mutex_);
    return acked_;
  }
  std::set<int> statuses() {
    std::lock_guard lock(mutex_);
    return statuses_;
  }

  // Waits until `n` more writes are acknowledged; false after a minute without them.
  bool WaitForMore(std::size_t n) {
    const std::size_t target = acked() + n;
    const auto deadline = Clock::now() + std::chrono::seconds(60);
    while (acked() < target && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return acked() >= target;
  }

 private:
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::set<long long> acked_;
  std::set<int> statuses_;
  int failures_ = 0;
};

// The servers below do not log: their output goes to pipes that the test reads only when it
// waits for a line, and a flood of request lines (or of 503s) would fill them and block the
// server.

// A migrated database with a team, a partner and a write token for the API.
std::string Prepare(const std::string& database) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"migrate"},
           {"structure", "add", "--code", "EMN", "--name", "Équipe", "--kind", "operateur"},
           {"structure", "add", "--code", "CCAS", "--name", "CCAS", "--kind", "partenaire"}}) {
    std::vector<std::string> all{"--database", database};
    all.insert(all.end(), args.begin(), args.end());
    const auto r = RunAllervers(all);
    EXPECT_EQ(r.exit_code, 0) << r.err;
  }
  const auto created = RunAllervers({"--database", database, "token", "create", "--structure",
                                     "CCAS", "--scope", "referrals:write"});
  EXPECT_EQ(created.exit_code, 0) << created.err;
  return created.out.substr(0, created.out.find('\n'));
}

// The acknowledged ids missing from the database.
std::vector<long long> Missing(soci::session& sql, const std::set<long long>& ids) {
  std::vector<long long> missing;
  for (const long long id : ids) {
    long long n = 0;
    sql << "SELECT COUNT(*) FROM referral WHERE id = :id", soci::use(id), soci::into(n);
    if (n != 1) {
      missing.push_back(id);
    }
  }
  return missing;
}

std::string IntegrityCheck(const fs::path& db) {
  soci::session sql("sqlite3", "db=" + db.string());
  std::string result;
  sql << "PRAGMA integrity_check", soci::into(result);
  return result;
}

TEST(CrashTest, KilledUnderConcurrentWritesTheServerLosesNothingAcknowledged) {
  TempDir dir;
  const fs::path db = dir.path() / "allervers.db";
  const std::string database = "sqlite:" + db.string();
  const std::string token = Prepare(database);
  std::set<long long> acked;
  for (int round = 0; round < 3; ++round) {
    ServerProcess server({"--database", database, "--log-level", "off"});
    ASSERT_NE(server.port(), 0) << server.err();
    Writers writers(server.port(), token);
    ASSERT_TRUE(writers.WaitForMore(15)) << "round " << round;
    server.Signal(SIGKILL);  // in the middle of the writes
    EXPECT_FALSE(server.WaitForExit().has_value()) << "killed, not exited";
    writers.Stop();
    const auto ids = writers.acked_ids();
    acked.insert(ids.begin(), ids.end());
    EXPECT_FALSE(writers.statuses().contains(500));
  }
  EXPECT_EQ(IntegrityCheck(db), "ok");
  soci::session sql("sqlite3", "db=" + db.string());
  EXPECT_EQ(Missing(sql, acked), std::vector<long long>{});
  // And it starts again on the file as left.
  ServerProcess again({"--database", database});
  ASSERT_NE(again.port(), 0) << again.err();
  httplib::Client client("127.0.0.1", again.port());
  const auto ready = client.Get("/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200);
}

TEST(CrashTest, AFullDiskGivesAClearErrorAndNoCorruption) {
  TempDir dir;
  const fs::path db = dir.path() / "allervers.db";
  const std::string database = "sqlite:" + db.string();
  const std::string token = Prepare(database);
  // A file-size limit on the server stands for the full disk: a write past it fails with
  // EFBIG (SIGXFSZ ignored, which the child inherits) as a write to a full disk fails with
  // ENOSPC; SQLite reports both as a failed write.
  std::signal(SIGXFSZ, SIG_IGN);
  ServerProcess server({"--database", database, "--log-level", "off"});
  ASSERT_NE(server.port(), 0) << server.err();
  const auto size = fs::file_size(db);
  const rlimit limit{size + 64 * 1024, size + 64 * 1024};
  ASSERT_EQ(prlimit(server.pid(), RLIMIT_FSIZE, &limit, nullptr), 0);
  std::set<long long> acked;
  int refused = 0;
  std::string message;
  httplib::Client client("127.0.0.1", server.port());
  for (int i = 0; i < 2000 && refused < 3; ++i) {
    const auto res = client.Post("/api/v1/referrals", {{"Authorization", "Bearer " + token}},
                                 ReferralBody(i), "application/json");
    ASSERT_TRUE(res);
    ASSERT_NE(res->status, 500) << res->body;
    if (res->status == 201) {
      acked.insert(nlohmann::json::parse(res->body)["id"].get<long long>());
    } else {
      EXPECT_EQ(res->status, 503) << res->body;
      message = res->body;
      ++refused;
    }
  }
  ASSERT_EQ(refused, 3) << "the limit was never reached";
  EXPECT_NE(message.find("La base de données ne peut pas enregistrer pour l’instant."),
            std::string::npos)
      << message;
  EXPECT_FALSE(acked.empty());
  server.Signal(SIGTERM);
  server.WaitForExit();
  std::signal(SIGXFSZ, SIG_DFL);
  EXPECT_EQ(IntegrityCheck(db), "ok");
  soci::session sql("sqlite3", "db=" + db.string());
  EXPECT_EQ(Missing(sql, acked), std::vector<long long>{});
}

// A PostgreSQL server of its own (tools/pg_test_server.sh), since it is stopped meanwhile.
class PrivatePostgres {
 public:
  PrivatePostgres() {
    const auto out = Shell(Script() + " start");
    const auto space = out.find(' ');
    if (space != std::string::npos) {
      dir_ = out.substr(0, space);
      dsn_ = out.substr(space + 1);
      while (!dsn_.empty() && (dsn_.back() == '\n' || dsn_.back() == ' ')) {
        dsn_.pop_back();
      }
    }
  }
  ~PrivatePostgres() {
    if (!dir_.empty()) {
      Shell(Script() + " stop " + dir_);
    }
  }
  const std::string& dsn() const { return dsn_; }
  bool Pause() const { return std::system((Script() + " pause " + dir_).c_str()) == 0; }
  bool Resume() const { return std::system((Script() + " resume " + dir_).c_str()) == 0; }

 private:
  static std::string Script() { return (SourceDir() / "tools" / "pg_test_server.sh").string(); }
  static std::string Shell(const std::string& cmd) {
    std::string out;
    if (FILE* p = popen(cmd.c_str(), "r")) {
      char buf[512];
      while (fgets(buf, sizeof buf, p) != nullptr) {
        out += buf;
      }
      pclose(p);
    }
    return out;
  }
  std::string dir_;
  std::string dsn_;
};

TEST(CrashTest, PostgresRestartedUnderLoadGives503ThenTheServerReconnects) {
  PrivatePostgres pg;
  if (pg.dsn().empty()) {
    if (const char* required = std::getenv("ALLERVERS_TEST_PG_REQUIRED");
        required != nullptr && std::string(required) == "1") {
      FAIL() << "could not start a PostgreSQL server";
    }
    GTEST_SKIP() << "PostgreSQL server binaries not available";
  }
  const std::string token = Prepare(pg.dsn());
  // With PostgreSQL the server refuses to start without its secret key file.
  TempDir keys;
  const auto key_file = keys.path() / "secret.key";
  ASSERT_TRUE(security::CreateKeyFileIfMissing(key_file));
  ServerProcess server({"--database", pg.dsn(), "--log-level", "off"},
                       {{"ALLERVERS_SECRET_KEY_FILE", key_file.string()}});
  ASSERT_NE(server.port(), 0) << server.err();
  httplib::Client client("127.0.0.1", server.port());
  client.set_read_timeout(60);  // the writers keep the server busy meanwhile
  const auto ready = [&] {
    const auto res = client.Get("/readyz");
    return res ? res->status : -1;
  };
  std::set<long long> acked;
  {
    Writers writers(server.port(), token);
    ASSERT_TRUE(writers.WaitForMore(15));
    ASSERT_TRUE(pg.Pause());
    // Meanwhile: not ready, and a write is refused with 503, never 500.
    EXPECT_EQ(ready(), 503);
    const auto refused = client.Post("/api/v1/referrals", {{"Authorization", "Bearer " + token}},
                                     ReferralBody(-1), "application/json");
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 503) << refused->body;
    ASSERT_TRUE(pg.Resume());
    ASSERT_TRUE(writers.WaitForMore(15)) << "the server did not reconnect";
    writers.Stop();
    acked = writers.acked_ids();
    const auto statuses = writers.statuses();
    EXPECT_FALSE(statuses.contains(500));
  }
  EXPECT_EQ(ready(), 200);
  // SOCI takes libpq's keyword form: the port is the only part of the URI that varies.
  const std::string port =
      pg.dsn().substr(pg.dsn().rfind(':') + 1, pg.dsn().rfind('/') - pg.dsn().rfind(':') - 1);
  soci::session sql("postgresql",
                    "host=127.0.0.1 port=" + port + " user=allervers dbname=postgres");
  EXPECT_EQ(Missing(sql, acked), std::vector<long long>{});
}

}  // namespace
}  // namespace allervers::testing
