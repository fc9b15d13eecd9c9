// Graceful shutdown of `allervers serve` on SIGTERM, with the real binary on a SQLite file.
//
// Nothing here depends on timing. The request in flight is held open by the test itself: it
// sends its headers with "Expect: 100-continue", waits for the server's "100 Continue" (a
// worker is then inside that request), sends SIGTERM, waits for the server to log that it
// stopped listening, and only then sends the body. The outbox pass in flight is held the same
// way, by a fake SMS provider that does not answer until the server has logged its stop.

#include <gtest/gtest.h>
#include <httplib.h>
#include <poll.h>
#include <signal.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "common/clock.hpp"
#include "common/time.hpp"
#include "storage/database.hpp"
#include "support/process.hpp"
#include "support/services.hpp"
#include "support/test_db.hpp"
#include "web/server.hpp"

namespace allervers::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

// Reads from `fd` until `done(received)` or the peer closes; bounded by a generous deadline.
std::string ReadUntil(int fd, const std::function<bool(const std::string&)>& done) {
  std::string received;
  const auto until = std::chrono::steady_clock::now() + seconds(60);
  while (!done(received) && std::chrono::steady_clock::now() < until) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) {
      continue;
    }
    char buffer[4096];
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) {
      break;
    }
    received.append(buffer, static_cast<std::size_t>(n));
  }
  return received;
}

bool SendAll(int fd, const std::string& data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) {
      return false;
    }
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

std::size_t Count(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

class ShutdownTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto r = RunAllervers({"--database", Database(), "migrate"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  std::string Database() const { return "sqlite:" + DbPath().string(); }
  fs::path DbPath() const { return dir_.path() / "allervers.db"; }

  TempDir dir_;
};

TEST_F(ShutdownTest, ARequestInFlightIsAnsweredAndTheProcessExitsZero) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"structure", "add", "--code", "EMN", "--name", "Équipe", "--kind", "operateur",
            "--territory", "Cergy"},
           {"structure", "add", "--code", "CCAS", "--name", "CCAS de Cergy", "--kind", "partenaire",
            "--territory", "Cergy"}}) {
    std::vector<std::string> all{"--database", Database()};
    all.insert(all.end(), args.begin(), args.end());
    ASSERT_EQ(RunAllervers(all).exit_code, 0);
  }
  const auto created = RunAllervers({"--database", Database(), "token", "create", "--structure",
                                     "CCAS", "--scope", "referrals:write"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  const std::string token = created.out.substr(0, created.out.find('\n'));

  ServerProcess server({"--database", Database()});
  ASSERT_NE(server.port(), 0) << server.err();

  const std::string today = ToIso(paris::Today(SystemClock().Now()));
  const std::string body =
      nlohmann::json{
          {"referrer", {{"name", "Isabelle Moreau"}, {"email", "accueil@ccas.example"}}},
          {"person",
           {{"last_name", "Lefebvre"},
            {"first_name", "Jean-Pierre"},
            {"birth_date", "1948-11-02"},
            {"phone", "01 30 38 22 41"},
            {"address",
             {{"line", "4 place des Touleuses"}, {"postal_code", "95000"}, {"city", "Cergy"}}},
            {"contact_preferences", {"telephone"}}}},
          {"reasons", {{"procedures", {"RET-ASPA"}}}},
          {"urgency", 1},
          {"consent", {{"given", true}, {"date", today}, {"how", "oral"}}}}
          .dump();

  const int fd = ConnectLoopback(server.port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(SendAll(fd,
                      "POST /api/v1/referrals HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      "Authorization: Bearer " +
                          token + "\r\nContent-Type: application/json\r\nContent-Length: " +
                          std::to_string(body.size()) + "\r\nExpect: 100-continue\r\n\r\n"));
  const std::string interim =
      ReadUntil(fd, [](const std::string& s) { return s.find("\r\n\r\n") != std::string::npos; });
  ASSERT_TRUE(interim.starts_with("HTTP/1.1 100 Continue")) << interim;

  // A worker is inside the request. Stop the server, and wait until it no longer listens.
  server.Signal(SIGTERM);
  ASSERT_TRUE(server.WaitForLog("event=server.stopping signal=15")) << server.err();
  EXPECT_EQ(ConnectLoopback(server.port()), -1) << "no new connection once stopping";

  ASSERT_TRUE(SendAll(fd, body));
  const std::string response = ReadUntil(fd, [](const std::string&) { return false; });
  ::close(fd);
  ASSERT_TRUE(response.starts_with("HTTP/1.1 201 ")) << response;
  const auto json = nlohmann::json::parse(response.substr(response.find("\r\n\r\n") + 4));
  const std::string number = json.at("number");

  EXPECT_EQ(server.WaitForExit(), std::optional<int>(0)) << server.err();
  EXPECT_NE(server.err().find("event=server.stopped"), std::string::npos);

  soci::session sql(*soci::factory_sqlite3(), "db=" + DbPath().string());
  long long stored = 0;
  sql << "SELECT COUNT(*) FROM referral WHERE number = :n", soci::use(number), soci::into(stored);
  EXPECT_EQ(stored, 1) << "the answered request's write is committed";
}

// A fake SMS provider that holds each request until the test lets it answer 200.
class HeldSmsProvider {
 public:
  HeldSmsProvider() {
    server_.Post("/sms", [this](const httplib::Request& req, httplib::Response& res) {
      std::unique_lock lock(mutex_);
      keys_.push_back(req.get_header_value("Idempotency-Key"));
      changed_.notify_all();
      changed_.wait(lock, [&] { return answering_; });
      res.set_content(R"({"status":"accepted"})", "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~HeldSmsProvider() {
    Answer();
    server_.stop();
    thread_.join();
  }
  HeldSmsProvider(const HeldSmsProvider&) = delete;
  HeldSmsProvider& operator=(const HeldSmsProvider&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/sms"; }

  /// Waits (60 s at most) until `n` requests have arrived; the Idempotency-Keys received.
  std::vector<std::string> WaitForRequests(std::size_t n) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, seconds(60), [&] { return keys_.size() >= n; });
    return keys_;
  }
  void Answer() {
    std::lock_guard lock(mutex_);
    answering_ = true;
    changed_.notify_all();
  }
  std::vector<std::string> keys() {
    std::lock_guard lock(mutex_);
    return keys_;
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> keys_;
  bool answering_ = false;
};

TEST_F(ShutdownTest, OutboxMessagesLeasedButNotSentAreReleasedAndNothingIsSentTwice) {
  HeldSmsProvider provider;
  std::vector<std::int64_t> ids;
  {
    storage::Database db(storage::DatabaseUrl::Parse(Database()), {1});
    const Instant due = SystemClock().Now() - std::chrono::minutes(1);
    db.Write([&](service::Tx& tx) {
      for (int i = 0; i < 3; ++i) {
        service::OutboxMessage m;
        m.channel = "sms";
        m.recipient = "+3361234567" + std::to_string(i);
        m.body = "Rappel de rendez-vous";
        m.dedupe_key = "shutdown-" + std::to_string(i);
        m.next_attempt_at = due;
        m.related_type = "appointment";
        m.related_id = std::to_string(i + 1);
        m.created_at = due;
        ASSERT_TRUE(tx.outbox().Enqueue(m));
      }
    });
    db.Read([&](service::Tx& tx) {
      for (const auto& m : tx.outbox().List("", 10)) {
        ids.push_back(m.id);
      }
    });
  }
  ASSERT_EQ(ids.size(), 3U);
  const fs::path config = dir_.path() / "allervers.toml";
  std::ofstream(config) << "[sms]\nurl = \"" << provider.url()
                        << "\"\n\n[outbox]\ninterval_seconds = 1\n";

  {
    ServerProcess server({"--database", Database(), "--config", config.string()});
    ASSERT_NE(server.port(), 0) << server.err();
    // The first pass leases the three messages and is sending the first one.
    ASSERT_EQ(provider.WaitForRequests(1).size(), 1U) << server.err();
    server.Signal(SIGTERM);
    ASSERT_TRUE(server.WaitForLog("event=server.stopping")) << server.err();
    provider.Answer();
    EXPECT_EQ(server.WaitForExit(), std::optional<int>(0)) << server.err();
    EXPECT_EQ(Count(server.err(), "event=outbox.sent "), 1U) << server.err();
    EXPECT_EQ(Count(server.err(), "event=outbox.released "), 2U) << server.err();
  }
  ASSERT_EQ(provider.keys().size(), 1U) << "the pass stopped after the message being sent";
  const std::string first = provider.keys().front();

  {
    storage::Database db(storage::DatabaseUrl::Parse(Database()), {1});
    db.Read([&](service::Tx& tx) {
      for (const auto id : ids) {
        const auto m = tx.outbox().Find(id);
        ASSERT_TRUE(m.has_value());
        if ("outbox-" + std::to_string(id) == first) {
          EXPECT_EQ(m->status, "sent");
          EXPECT_EQ(m->attempts, 1);
        } else {
          EXPECT_EQ(m->status, "pending") << "released, not marked sent";
          EXPECT_EQ(m->attempts, 0) << "its attempt given back";
          EXPECT_EQ(m->lease_owner, "") << "free for the next server at once";
        }
      }
    });
  }

  // The next server sends the two released messages, and not the sent one again.
  {
    ServerProcess server({"--database", Database(), "--config", config.string()});
    ASSERT_NE(server.port(), 0) << server.err();
    ASSERT_EQ(provider.WaitForRequests(3).size(), 3U) << server.err();
    server.Signal(SIGTERM);
    EXPECT_EQ(server.WaitForExit(), std::optional<int>(0)) << server.err();
  }
  const auto keys = provider.keys();
  ASSERT_EQ(keys.size(), 3U);
  std::set<std::string> expected;
  for (const auto id : ids) {
    expected.insert("outbox-" + std::to_string(id));
  }
  EXPECT_EQ(std::set<std::string>(keys.begin(), keys.end()), expected) << "each one sent once";
  storage::Database db(storage::DatabaseUrl::Parse(Database()), {1});
  service::OutboxCounts counts;
  db.Read([&](service::Tx& tx) { counts = tx.outbox().Counts(); });
  EXPECT_EQ(counts.sent, 3);
  EXPECT_EQ(counts.pending + counts.sending, 0);
}

TEST(WebServerStop, AStopBeforeTheLoopStartsIsNotLost) {
  // httplib's stop() does nothing until its loop has started. A SIGTERM received between the
  // "prêt" line and that moment used to be lost, and the server served on until SIGKILL.
  auto db = TestDatabase::Create(TestBackend::kSqlite);
  TestServices s(db->db());
  render::TemplateEngine templates(SourceDir() / "templates");
  web::Deps deps{
      s.auth,         s.users,  s.structures, s.audit,      s.referrals, s.api_tokens, s.imports,
      s.appointments, s.cases,  s.partners,   s.indicators, s.settings,  s.retention,  s.two_factor,
      s.reference,    s.tokens, templates,    s.clock,      {},          false,        false,
      "test",         {},       nullptr,      {},           ""};
  web::ServerOptions options;
  options.static_dir = SourceDir() / "static";
  options.threads = 2;
  web::WebServer server(deps, options);
  server.Bind("127.0.0.1", 0);
  server.Stop();
  auto served = std::async(std::launch::async, [&] { return server.Serve(); });
  const bool returned = served.wait_for(seconds(60)) == std::future_status::ready;
  if (!returned) {
    server.Stop();  // the loop runs now: this one is heard, so that the test can end
  }
  EXPECT_TRUE(returned) << "Serve() kept serving after Stop()";
  EXPECT_TRUE(served.get());
}

TEST_F(ShutdownTest, ASignalRightAfterTheReadyLineStopsTheServer) {
  // The same window, through the binary: each run must end by itself, with 0.
  for (int i = 0; i < 5; ++i) {
    ServerProcess server({"--database", Database()});
    ASSERT_NE(server.port(), 0) << server.err();
    server.Signal(SIGTERM);
    ASSERT_EQ(server.WaitForExit(), std::optional<int>(0)) << "run " << i << "\n" << server.err();
  }
}

}  // namespace
}  // namespace allervers::testing
