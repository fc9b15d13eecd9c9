#include "config/config.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "common/error.hpp"
#include "support/helpers.hpp"
#include "support/test_db.hpp"

namespace allervers::config {
namespace {

using allervers::testing::CodeOf;

GetEnv FakeEnv(std::map<std::string, std::string> values) {
  return [values](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    return it == values.end() ? std::nullopt : std::optional(it->second);
  };
}

TEST(ConfigLoad, HasSafeDefaults) {
  const Config c = Load({}, FakeEnv({}));
  EXPECT_EQ(c.database_url, "sqlite:var/allervers.db");
  EXPECT_EQ(c.listen_host, "127.0.0.1");
  EXPECT_EQ(c.listen_port, 8080);
  EXPECT_EQ(c.session_idle_minutes, 30);
  EXPECT_EQ(c.session_absolute_hours, 12);
  EXPECT_FALSE(c.trust_proxy);
  EXPECT_FALSE(c.fast_password_hashing);
}

TEST(ConfigLoad, FileThenEnvironmentThenFlags) {
  testing::TempDir dir;
  const auto file = dir.path() / "allervers.toml";
  std::ofstream(file) << "[server]\nlisten = \"0.0.0.0:9000\"\nthreads = 4\n[database]\n"
                         "url = \"sqlite:/file.db\"\n[session]\nidle_minutes = 20\n";
  Overrides flags;
  flags.config_file = file.string();
  Config c = Load(flags, FakeEnv({}));
  EXPECT_EQ(c.listen_port, 9000);
  EXPECT_EQ(c.http_threads, 4);
  EXPECT_EQ(c.database_url, "sqlite:/file.db");
  EXPECT_EQ(c.session_idle_minutes, 20);

  c = Load(flags, FakeEnv({{"ALLERVERS_DATABASE_URL", "sqlite:/env.db"}}));
  EXPECT_EQ(c.database_url, "sqlite:/env.db");

  flags.database_url = "sqlite:/flag.db";
  c = Load(flags, FakeEnv({{"ALLERVERS_DATABASE_URL", "sqlite:/env.db"}}));
  EXPECT_EQ(c.database_url, "sqlite:/flag.db");
}

TEST(ConfigLoad, RefusesBadInputWithClearErrors) {
  testing::TempDir dir;
  const auto broken = dir.path() / "broken.toml";
  std::ofstream(broken) << "[server\nlisten = 1\n";
  Overrides flags;
  flags.config_file = broken.string();
  EXPECT_EQ(CodeOf([&] { Load(flags, FakeEnv({})); }), ErrorCode::kInvalidArgument);

  const auto wrong_type = dir.path() / "wrong.toml";
  std::ofstream(wrong_type) << "[server]\nthreads = \"many\"\n";
  flags.config_file = wrong_type.string();
  EXPECT_EQ(CodeOf([&] { Load(flags, FakeEnv({})); }), ErrorCode::kInvalidArgument);

  flags.config_file = (dir.path() / "missing.toml").string();
  EXPECT_EQ(CodeOf([&] { Load(flags, FakeEnv({})); }), ErrorCode::kInvalidArgument);

  Overrides listen;
  listen.listen = "localhost";
  EXPECT_EQ(CodeOf([&] { Load(listen, FakeEnv({})); }), ErrorCode::kInvalidArgument);
  listen.listen = "127.0.0.1:99999";
  EXPECT_EQ(CodeOf([&] { Load(listen, FakeEnv({})); }), ErrorCode::kInvalidArgument);
  EXPECT_EQ(CodeOf([&] {
              Load({}, FakeEnv({{"ALLERVERS_HTTP_THREADS", "0"}}));
            }),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(CodeOf([&] {
              Load({}, FakeEnv({{"ALLERVERS_TRUST_PROXY", "peut-être"}}));
            }),
            ErrorCode::kInvalidArgument);
}

TEST(ConfigLoad, TheMetricsTokenComesFromTheFileOrTheEnvironmentAndMustBeLong) {
  testing::TempDir dir;
  const auto file = dir.path() / "allervers.toml";
  std::ofstream(file) << "[server]\nmetrics_token = \"from-the-file-0123456789abcdef\"\n";
  Overrides flags;
  flags.config_file = file.string();
  EXPECT_EQ(Load(flags, FakeEnv({})).metrics_token, "from-the-file-0123456789abcdef");
  EXPECT_EQ(Load(flags, FakeEnv({{"ALLERVERS_METRICS_TOKEN", "from-the-environment-0123456789"}}))
                .metrics_token,
            "from-the-environment-0123456789");
  EXPECT_EQ(Load({}, FakeEnv({})).metrics_token, "");
  for (const char* bad :
       {"short", "has a space in it 0123456789", "line\nbreak-0123456789abcdef"}) {
    EXPECT_EQ(CodeOf([&] {
                Load({}, FakeEnv({{"ALLERVERS_METRICS_TOKEN", bad}}));
              }),
              ErrorCode::kInvalidArgument)
        << bad;
  }
}

TEST(ParseListen, AcceptsIpv4AndIpv6) {
  std::string host;
  int port = 0;
  ParseListen("[::1]:8443", host, port);
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 8443);
  ParseListen("0.0.0.0:0", host, port);
  EXPECT_EQ(port, 0);
}

}  // namespace
}  // namespace allervers::config
