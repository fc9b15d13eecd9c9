#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "support/test_server.hpp"

namespace allervers::testing {
namespace {

using nlohmann::json;

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = TestDatabase::Create(TestBackend::kSqlite);
    server_ = std::make_unique<TestServer>(db_->db());
    auto& s = server_->services();
    s.clock.Set(FromEpoch(1795000000));  // 2026-11-18 11:06:40 UTC
    const auto system = service::Actor::System("t");
    ASSERT_TRUE(s.structures.Create(system, {"EMN", "Équipe", "operateur", ""}).errors.empty());
    ASSERT_TRUE(
        s.structures.Create(system, {"CCAS", "CCAS de Cergy", "partenaire", ""}).errors.empty());
    ASSERT_TRUE(
        s.structures.Create(system, {"CAF", "CAF du Val-d’Oise", "partenaire", ""}).errors.empty());
    write_ = "Bearer " + s.api_tokens.Create(system, "CCAS", {"referrals:write"}, "").token;
    read_ = "Bearer " + s.api_tokens.Create(system, "CCAS", {"referrals:read"}, "").token;
    other_ = "Bearer " + s.api_tokens.Create(system, "CAF", {"referrals:write"}, "").token;
  }

  static json Body() {
    return json::parse(R"({
      "referrer": {"name": "Isabelle Moreau", "email": "accueil@ccas.example", "phone": "01 30 38 22 41"},
      "person": {"last_name": "Lefebvre", "first_name": "Jean-Pierre", "birth_date": "1948-11-02",
                 "phone": "01 30 38 22 41", "address": {"line": "4 place des Touleuses", "postal_code": "95000",
                 "city": "Cergy"}, "language": "fr", "interpreter_needed": false, "contact_preferences": ["telephone"]},
      "reasons": {"procedures": ["RET-ASPA"], "difficulties": "Pas d’ordinateur", "presumed_unclaimed_rights": ["RET-ASPA"]},
      "urgency": 1, "urgency_reason": "", "tripartite_requested": false,
      "consent": {"given": true, "date": "2026-11-18", "how": "oral"}})");
  }

  httplib::Result Post(const std::string& auth, const std::string& body,
                       const std::string& key = "", const std::string& type = "application/json") {
    httplib::Headers h{{"Authorization", auth}};
    if (!key.empty()) {
      h.emplace("Idempotency-Key", key);
    }
    return server_->Client()->Post("/api/v1/referrals", h, body, type.c_str());
  }

  httplib::Result Get(const std::string& auth, const std::string& path) {
    return server_->Client()->Get(path, {{"Authorization", auth}});
  }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<TestServer> server_;
  std::string write_, read_, other_;
};

TEST_F(ApiTest, CreatesAReferral) {
  auto res = Post(write_, Body().dump());
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 201) << res->body;
  const auto body = json::parse(res->body);
  EXPECT_EQ(body["status"], "received");
  EXPECT_TRUE(body["number"].get<std::string>().starts_with("FL-2026-"));
  EXPECT_TRUE(body["possible_duplicates"].is_array());
  EXPECT_EQ(res->get_header_value("Location"),
            "/api/v1/referrals/" + std::to_string(body["id"].get<long long>()));
  auto shown = Get(write_, res->get_header_value("Location"));
  ASSERT_EQ(shown->status, 200);
  EXPECT_EQ(json::parse(shown->body)["number"], body["number"]);
  EXPECT_EQ(json::parse(shown->body)["received_at"], "2026-11-18T11:06:40Z");
}

TEST_F(ApiTest, ListsEveryBadFieldWith422) {
  json body = Body();
  body["person"]["last_name"] = "";
  body["person"]["birth_date"] = "1948-02-30";
  body["person"]["address"]["postal_code"] = "ABCDE";
  body["reasons"]["procedures"] = {"CAF-RSA", "NOPE-1"};
  body["consent"]["given"] = false;
  body["urgency"] = "très";
  auto res = Post(write_, body.dump());
  ASSERT_EQ(res->status, 422);
  const auto error = json::parse(res->body)["error"];
  EXPECT_EQ(error["code"], "invalid_argument");
  std::set<std::string> fields;
  for (const auto& f : error["fields"]) {
    fields.insert(f["field"].get<std::string>());
    EXPECT_FALSE(f["message"].get<std::string>().empty());
  }
  EXPECT_TRUE(fields.contains("urgency")) << "type error reported as a field";
  body["urgency"] = 1;
  res = Post(write_, body.dump());
  ASSERT_EQ(res->status, 422);
  fields.clear();
  const json second = json::parse(res->body);
  for (const auto& f : second["error"]["fields"]) {
    fields.insert(f["field"].get<std::string>());
  }
  for (const char* f : {"person.last_name", "person.birth_date", "person.address.postal_code",
                        "reasons.procedures", "consent.given"}) {
    EXPECT_TRUE(fields.contains(f)) << f;
  }
}

TEST_F(ApiTest, AnswersBadRequestsWithClearStatuses) {
  EXPECT_EQ(Post(write_, "{\"person\": ")->status, 400);
  EXPECT_EQ(Post(write_, "")->status, 400);
  EXPECT_EQ(Post(write_, "[1,2,3]")->status, 422);
  EXPECT_EQ(Post(write_, Body().dump(), "", "text/plain")->status, 415);
  EXPECT_EQ(Post(write_, std::string("{\"a\":\"\xff\xfe\"}"))->status, 400);
  EXPECT_EQ(Post("", Body().dump())->status, 401);
  EXPECT_EQ(Post("Bearer av_forged_token_value_xxxxxxxxxx", Body().dump())->status, 401);
  auto unauth = Post("Basic dXNlcjpwYXNz", Body().dump());
  EXPECT_EQ(unauth->status, 401);
  EXPECT_EQ(unauth->get_header_value("WWW-Authenticate"), "Bearer");
  EXPECT_EQ(json::parse(unauth->body)["error"]["code"], "unauthenticated");
  auto forbidden = Post(read_, Body().dump());
  EXPECT_EQ(forbidden->status, 403);
  EXPECT_EQ(json::parse(forbidden->body)["error"]["code"], "permission_denied");
  json huge = Body();
  huge["reasons"]["difficulties"] = std::string(300 * 1024, 'x');
  EXPECT_EQ(Post(write_, huge.dump())->status, 413);
  EXPECT_EQ(Post(write_, Body().dump(), std::string(300, 'k'))->status, 400)
      << "over-long idempotency key";
}

TEST_F(ApiTest, IdempotencyKeyReplaysTheFirstAnswer) {
  auto first = Post(write_, Body().dump(), "retry-42");
  ASSERT_EQ(first->status, 201);
  auto again = Post(write_, Body().dump(), "retry-42");
  ASSERT_EQ(again->status, 201);
  EXPECT_EQ(again->body, first->body);
  EXPECT_EQ(again->get_header_value("Location"), first->get_header_value("Location"));
  EXPECT_EQ(again->get_header_value("Idempotent-Replayed"), "true");
  json other = Body();
  other["person"]["first_name"] = "Paul";
  EXPECT_EQ(Post(write_, other.dump(), "retry-42")->status, 409);
  auto list = Get(read_, "/api/v1/referrals");
  ASSERT_EQ(list->status, 200);
  EXPECT_EQ(json::parse(list->body)["referrals"].size(), 1u) << "one referral despite three calls";
}

TEST_F(ApiTest, ShowsOnlyTheTokensStructure) {
  auto mine = Post(write_, Body().dump());
  const auto id = json::parse(mine->body)["id"].get<long long>();
  EXPECT_EQ(Get(other_, "/api/v1/referrals/" + std::to_string(id))->status, 404);
  EXPECT_EQ(Get(other_, "/api/v1/referrals/999999")->status, 404);
  EXPECT_EQ(json::parse(Get(other_, "/api/v1/referrals")->body)["referrals"].size(), 0u);
  EXPECT_EQ(json::parse(Get(read_, "/api/v1/referrals?status=received")->body)["referrals"].size(),
            1u);
  EXPECT_EQ(json::parse(Get(read_, "/api/v1/referrals?status=closed")->body)["referrals"].size(),
            0u);
  EXPECT_EQ(Get(read_, "/api/v1/referrals?status=draft")->status, 400);
  EXPECT_EQ(Get(read_, "/api/v1/referrals?status=%27%3B")->status, 400);
  EXPECT_EQ(Get(read_, "/api/v1/nulle-part")->status, 404);
}

}  // namespace
}  // namespace allervers::testing
