#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

#include "support/test_server.hpp"

namespace allervers::testing {
namespace {

class WebTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = TestDatabase::Create(TestBackend::kSqlite);
    TestServer::Options options;
    options.max_body_bytes = 64 * 1024;
    options.trust_proxy = true;
    server_ = std::make_unique<TestServer>(db_->db(), options);
    auto& s = server_->services();
    const auto system = service::Actor::System("t");
    ASSERT_TRUE(
        s.structures.Create(system, {"EMN", "Équipe mobile", "operateur", ""}).errors.empty());
    ASSERT_TRUE(s.structures.Create(system, {"SSD", "SSD Cergy", "ssd", ""}).errors.empty());
    ASSERT_TRUE(s.users.Create(system, {"admin@a.example", "Admin", "admin", "", ""}, kGoodPassword)
                    .errors.empty());
    ASSERT_TRUE(s.users
                    .Create(system, {"coord@emn.example", "Claire", "coordinateur", "EMN", ""},
                            kGoodPassword)
                    .errors.empty());
    ASSERT_TRUE(
        s.users.Create(system, {"lea@emn.example", "Léa", "intervenant", "EMN", ""}, kGoodPassword)
            .errors.empty());
    ASSERT_TRUE(
        s.users
            .Create(system, {"as@ssd.example", "Nadia", "prescripteur", "SSD", ""}, kGoodPassword)
            .errors.empty());
  }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<TestServer> server_;
};

TEST_F(WebTest, HealthzAnswersWithoutData) {
  auto res = server_->Client()->Get("/healthz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, R"({"status":"ok"})");
}

TEST_F(WebTest, EveryResponseCarriesSecurityHeaders) {
  for (const char* path : {"/connexion", "/", "/nulle-part", "/static/css/app.css"}) {
    auto res = server_->Client()->Get(path);
    ASSERT_TRUE(res) << path;
    const std::string csp = res->get_header_value("Content-Security-Policy");
    EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << path;
    EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << path;
    EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << path;
    EXPECT_EQ(res->get_header_value("X-Content-Type-Options"), "nosniff") << path;
    EXPECT_EQ(res->get_header_value("Referrer-Policy"), "same-origin") << path;
  }
}

TEST_F(WebTest, StaticFilesAreCacheable) {
  auto res = server_->Client()->Get("/static/css/app.css");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_NE(res->get_header_value("Cache-Control").find("max-age"), std::string::npos);
  EXPECT_NE(res->get_header_value("Content-Type").find("text/css"), std::string::npos);
}

TEST_F(WebTest, AnonymousVisitorsAreSentToSignIn) {
  auto res = server_->Client()->Get("/admin/utilisateurs");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 303);
  EXPECT_EQ(res->get_header_value("Location"), "/connexion?suite=/admin/utilisateurs");
  EXPECT_FALSE(res->get_header_value("X-Request-Id").empty());
}

TEST_F(WebTest, SignInSetsAProtectedSessionCookieAndFollowsSuite) {
  Browser b(*server_);
  b.Get("/connexion?suite=/admin/utilisateurs");
  auto res = b.Post("/connexion", {{"email", "admin@a.example"},
                                   {"password", kGoodPassword},
                                   {"suite", "/admin/utilisateurs"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 303);
  EXPECT_EQ(res->get_header_value("Location"), "/admin/utilisateurs");
  bool found = false;
  for (std::size_t i = 0; i < res->get_header_value_count("Set-Cookie"); ++i) {
    const std::string c = res->get_header_value("Set-Cookie", i);
    if (c.starts_with("allervers_session=")) {
      found = true;
      EXPECT_NE(c.find("HttpOnly"), std::string::npos);
      EXPECT_NE(c.find("SameSite=Lax"), std::string::npos);
      EXPECT_EQ(c.find("Secure"), std::string::npos) << "plain HTTP without a proxy saying https";
    }
  }
  EXPECT_TRUE(found);
  auto page = b.Get("/admin/utilisateurs");
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("lea@emn.example"), std::string::npos);
}

TEST_F(WebTest, SignInNeverRedirectsOffSite) {
  Browser b(*server_);
  b.Get("/connexion");
  auto res = b.Post(
      "/connexion",
      {{"email", "admin@a.example"}, {"password", kGoodPassword}, {"suite", "//evil.example/"}});
  EXPECT_EQ(res->get_header_value("Location"), "/");
}

TEST_F(WebTest, CookieIsSecureBehindAnHttpsProxy) {
  Browser b(*server_);
  b.Get("/connexion");
  auto res = b.Post("/connexion", {{"email", "admin@a.example"}, {"password", kGoodPassword}}, true,
                    {{"X-Forwarded-Proto", "https"}});
  bool secure = false;
  for (std::size_t i = 0; i < res->get_header_value_count("Set-Cookie"); ++i) {
    const std::string c = res->get_header_value("Set-Cookie", i);
    secure =
        secure || (c.starts_with("allervers_session=") && c.find("; Secure") != std::string::npos);
  }
  EXPECT_TRUE(secure);
  EXPECT_FALSE(res->get_header_value("Strict-Transport-Security").empty());
}

TEST_F(WebTest, EachSignInGetsANewSessionId) {
  Browser b(*server_);
  // A session id planted before sign-in (session fixation) is never kept.
  b.SetCookie("allervers_session", "planted-by-an-attacker");
  ASSERT_EQ(b.SignIn("lea@emn.example", kGoodPassword), 303);
  const std::string first = b.Cookie("allervers_session");
  EXPECT_NE(first, "planted-by-an-attacker");
  EXPECT_FALSE(first.empty());
  b.SetCookie("allervers_session", "");
  ASSERT_EQ(b.SignIn("lea@emn.example", kGoodPassword), 303);
  EXPECT_NE(first, b.Cookie("allervers_session"));
}

TEST_F(WebTest, PostsWithoutTheCsrfTokenAreRefused) {
  Browser b(*server_);
  b.Get("/connexion");
  auto anonymous =
      b.Post("/connexion", {{"email", "admin@a.example"}, {"password", kGoodPassword}}, false);
  EXPECT_EQ(anonymous->status, 403);
  EXPECT_TRUE(b.Cookie("allervers_session").empty());

  ASSERT_EQ(b.SignIn("admin@a.example", kGoodPassword), 303);
  auto forged =
      b.Post("/admin/structures/nouvelle",
             {{"code", "X1"}, {"name", "X"}, {"kind", "ssd"}, {"_csrf", "forged"}}, false);
  EXPECT_EQ(forged->status, 403);
  EXPECT_NE(forged->body.find("expiré"), std::string::npos);
  EXPECT_TRUE(server_->services().structures.List(service::Actor::System("t")).size() == 2u)
      << "nothing created";
}

TEST_F(WebTest, WrongCredentialsGiveOneMessageAndKeepTheEmail) {
  Browser b(*server_);
  b.Get("/connexion");
  auto wrong = b.Post("/connexion", {{"email", "lea@emn.example"}, {"password", "pas le bon"}});
  auto unknown =
      b.Post("/connexion", {{"email", "inconnu@emn.example"}, {"password", "pas le bon"}});
  EXPECT_EQ(wrong->status, 401);
  EXPECT_EQ(unknown->status, 401);
  EXPECT_NE(wrong->body.find("Adresse e-mail ou mot de passe incorrect."), std::string::npos);
  EXPECT_NE(unknown->body.find("Adresse e-mail ou mot de passe incorrect."), std::string::npos);
  EXPECT_NE(wrong->body.find("value=\"lea@emn.example\""), std::string::npos);
  auto empty = b.Post("/connexion", {{"email", ""}, {"password", ""}});
  EXPECT_EQ(empty->status, 422);
  EXPECT_NE(empty->body.find("href=\"#f-email\""), std::string::npos);
  EXPECT_NE(empty->body.find("href=\"#f-password\""), std::string::npos);
}

TEST_F(WebTest, TooManyFailuresAnswer429) {
  Browser b(*server_);
  b.Get("/connexion");
  for (int i = 0; i < 5; ++i) {
    b.Post("/connexion", {{"email", "lea@emn.example"}, {"password", "faux"}});
  }
  auto res = b.Post("/connexion", {{"email", "lea@emn.example"}, {"password", kGoodPassword}});
  EXPECT_EQ(res->status, 429);
}

TEST_F(WebTest, RolesSeeOnlyTheirPages) {
  struct Case {
    const char* email;
    const char* path;
    int status;
  };
  const Case cases[] = {
      {"admin@a.example", "/admin/structures", 200},
      {"admin@a.example", "/admin/journal", 200},
      {"coord@emn.example", "/admin/utilisateurs", 200},
      {"coord@emn.example", "/admin/structures", 403},
      {"coord@emn.example", "/admin/journal", 403},
      {"lea@emn.example", "/admin/utilisateurs", 403},
      {"as@ssd.example", "/admin/utilisateurs", 403},
      {"lea@emn.example", "/", 200},
  };
  for (const auto& c : cases) {
    Browser b(*server_);
    ASSERT_EQ(b.SignIn(c.email, kGoodPassword), 303) << c.email;
    auto res = b.Get(c.path);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, c.status) << c.email << " " << c.path;
  }
}

TEST_F(WebTest, AnotherStructuresAccountAnswers404ToACoordinator) {
  auto& s = server_->services();
  const auto prescripteur = s.users.List(service::Actor::System("t"));
  domain::UserId referrer_id = 0;
  for (const auto& u : prescripteur) {
    if (u.email == "as@ssd.example") {
      referrer_id = u.id;
    }
  }
  Browser b(*server_);
  ASSERT_EQ(b.SignIn("coord@emn.example", kGoodPassword), 303);
  EXPECT_EQ(b.Get("/admin/utilisateurs/" + std::to_string(referrer_id))->status, 404);
  EXPECT_EQ(b.Get("/admin/utilisateurs/999999")->status, 404);
  EXPECT_EQ(b.Get("/admin/utilisateurs/99999999999999999999999")->status, 404);
}

TEST_F(WebTest, FormErrorsAnswer422AndKeepWhatWasTyped) {
  Browser b(*server_);
  ASSERT_EQ(b.SignIn("admin@a.example", kGoodPassword), 303);
  b.Get("/admin/structures/nouvelle");
  auto res =
      b.Post("/admin/structures/nouvelle",
             {{"code", "bad code!"}, {"name", "Maison <b>France</b> services"}, {"kind", "x"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 422);
  EXPECT_NE(res->body.find("class=\"error-summary\""), std::string::npos);
  EXPECT_NE(res->body.find("value=\"bad code!\""), std::string::npos) << "as typed";
  EXPECT_NE(res->body.find("Maison &lt;b&gt;France&lt;/b&gt; services"), std::string::npos)
      << "kept and escaped";
  EXPECT_NE(res->body.find("Erreur : "), std::string::npos);
}

TEST_F(WebTest, CoordinatorCreatesATeammateAndSeesTheTemporaryPasswordOnce) {
  Browser b(*server_);
  ASSERT_EQ(b.SignIn("coord@emn.example", kGoodPassword), 303);
  b.Get("/admin/utilisateurs/nouveau");
  auto res = b.Post("/admin/utilisateurs/nouveau", {{"email", "nouveau@emn.example"},
                                                    {"display_name", "Nouvel Intervenant"},
                                                    {"role", "intervenant"},
                                                    {"structure", "EMN"},
                                                    {"fte", "0,5"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 201);
  EXPECT_NE(res->body.find("id=\"temporary-password\""), std::string::npos);
  EXPECT_EQ(res->get_header_value("Cache-Control"), "no-store");
}

TEST_F(WebTest, UnknownPagesAnswerAFrench404) {
  auto res = server_->Client()->Get("/nulle-part");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_NE(res->body.find("Page introuvable"), std::string::npos);
  EXPECT_NE(res->body.find("<html lang=\"fr\">"), std::string::npos);
}

TEST_F(WebTest, OversizedBodiesAnswer413WithoutCrashing) {
  Browser b(*server_);
  b.Get("/connexion");
  const std::string big(128 * 1024, 'x');
  auto res = b.Post("/connexion", {{"email", big}, {"password", "x"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  auto health = server_->Client()->Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
}

TEST_F(WebTest, ATamperedSessionCookieIsClearedAndRedirected) {
  Browser b(*server_);
  b.SetCookie("allervers_session", "forged-value");
  auto res = b.Get("/");
  EXPECT_EQ(res->status, 303);
  EXPECT_EQ(res->get_header_value("Location"), "/connexion");
}

TEST_F(WebTest, ForcedPasswordChangeBlocksOtherPages) {
  auto& s = server_->services();
  domain::UserId lea = 0;
  for (const auto& u : s.users.List(service::Actor::System("t"))) {
    lea = u.email == "lea@emn.example" ? u.id : lea;
  }
  const std::string temporary = s.users.ResetPassword(service::Actor::System("t"), lea);
  Browser b(*server_);
  ASSERT_EQ(b.SignIn("lea@emn.example", temporary), 303);
  auto home = b.Get("/");
  EXPECT_EQ(home->status, 303);
  EXPECT_EQ(home->get_header_value("Location"), "/mot-de-passe");
  b.Get("/mot-de-passe");
  auto weak = b.Post("/mot-de-passe", {{"current_password", temporary},
                                       {"new_password", "motdepasse12"},
                                       {"confirm_password", "motdepasse12"}});
  EXPECT_EQ(weak->status, 422);
  const std::string chosen = "des girafes dansent sous la pluie";
  auto ok = b.Post(
      "/mot-de-passe",
      {{"current_password", temporary}, {"new_password", chosen}, {"confirm_password", chosen}});
  EXPECT_EQ(ok->status, 303);
  EXPECT_EQ(b.Get("/")->status, 200);
}

TEST_F(WebTest, LogsHoldNoPersonalData) {
  std::ostringstream captured;
  auto previous = spdlog::default_logger();
  auto logger = std::make_shared<spdlog::logger>(
      "capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(captured));
  logger->set_level(spdlog::level::trace);
  spdlog::set_default_logger(logger);
  {
    Browser b(*server_);
    b.Get("/connexion?suite=/admin");
    b.Post("/connexion", {{"email", "lea@emn.example"}, {"password", "secret-mot-de-passe"}});
    b.SignIn("admin@a.example", kGoodPassword);
    b.Get("/admin/utilisateurs?recherche=Dupont");
  }
  spdlog::set_default_logger(previous);
  const std::string logs = captured.str();
  EXPECT_NE(logs.find("event=http.request"), std::string::npos);
  for (const char* personal :
       {"lea@emn.example", "secret-mot-de-passe", "admin@a.example", "Dupont", "Léa"}) {
    EXPECT_EQ(logs.find(personal), std::string::npos) << personal;
  }
}

// Several servers on one database (issue 9 §4): a session opened through one is valid on the
// other, and signing out on either ends it on both. Each server has its own connection pool,
// as two processes would.
class TwoServersTest : public ::testing::TestWithParam<TestBackend> {};

TEST_P(TwoServersTest, ASessionOpenedOnOneServerWorksOnTheOtherAndEndsOnBoth) {
  auto db = TestDatabase::Create(GetParam());
  ALLERVERS_SKIP_IF_NO_DB(db);
  storage::Database other_db(storage::DatabaseUrl::Parse(db->url()), storage::DatabaseOptions{4});
  TestServer one(db->db(), {});
  TestServer two(other_db, {});
  const auto system = service::Actor::System("t");
  auto& s = one.services();
  ASSERT_TRUE(s.structures.Create(system, {"EMN", "Équipe", "operateur", ""}).errors.empty());
  ASSERT_TRUE(
      s.users.Create(system, {"lea@emn.example", "Léa", "intervenant", "EMN", ""}, kGoodPassword)
          .errors.empty());

  Browser on_one(one);
  ASSERT_EQ(on_one.SignIn("lea@emn.example", kGoodPassword), 303);
  Browser on_two(two);
  on_two.SetCookie("allervers_session", on_one.Cookie("allervers_session"));
  auto home = on_two.Get("/");
  ASSERT_TRUE(home);
  EXPECT_EQ(home->status, 200) << "the session is in the database, not in a server";
  // Signed out through the second server: the first one no longer knows the session.
  ASSERT_TRUE(on_two.Post("/deconnexion", {}));
  auto after = on_one.Get("/");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 303);
  EXPECT_EQ(after->get_header_value("Location").rfind("/connexion", 0), 0u);
}

INSTANTIATE_TEST_SUITE_P(Backends, TwoServersTest,
                         ::testing::Values(TestBackend::kSqlite, TestBackend::kPostgres),
                         BackendName);

}  // namespace
}  // namespace allervers::testing
