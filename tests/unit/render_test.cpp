#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <kainjow/mustache.hpp>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/error.hpp"
#include "render/template_engine.hpp"
#include "support/test_db.hpp"
#include "web/forms.hpp"
#include "web/http_error.hpp"
#include "web/view.hpp"

namespace allervers {
namespace {

// kainjow never throws on a bad template: every file is parsed here so that a typo fails
// the build's tests rather than rendering an empty page in production.
TEST(Templates, EveryTemplateParses) {
  int count = 0;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(testing::SourceDir() / "templates")) {
    if (entry.path().extension() != ".mustache") {
      continue;
    }
    std::ifstream in(entry.path());
    std::stringstream ss;
    ss << in.rdbuf();
    kainjow::mustache::mustache tmpl{ss.str()};
    EXPECT_TRUE(tmpl.is_valid()) << entry.path() << ": " << tmpl.error_message();
    ++count;
  }
  EXPECT_GT(count, 10);
}

TEST(TemplateEngine, EscapesVariablesAndRendersInsideTheLayout) {
  render::TemplateEngine engine(testing::SourceDir() / "templates");
  nlohmann::json data;
  data["page_title"] = "Essai";
  data["message"] = "<script>alert(1)</script> & \"x\"";
  data["title"] = "Titre";
  data["request_id"] = "abc";
  const std::string html = engine.RenderPage("error", data);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;"),
            std::string::npos);
  EXPECT_EQ(html.find("<script>alert(1)"), std::string::npos);
  EXPECT_NE(html.find("<html lang=\"fr\">"), std::string::npos);
  EXPECT_NE(html.find("Essai – Allervers"), std::string::npos);
}

TEST(TemplateEngine, EmptyStringsAreFalseInSections) {
  testing::TempDir dir;
  std::filesystem::create_directories(dir.path() / "pages");
  std::ofstream(dir.path() / "pages" / "t.mustache")
      << "[{{e}}][{{#e}}shown{{/e}}][{{^e}}empty{{/e}}][{{#s}}{{s}}{{/s}}]";
  render::TemplateEngine engine(dir.path());
  EXPECT_EQ(engine.Render("pages", "t", {{"e", ""}, {"s", "x"}}), "[][][empty][x]");
}

TEST(TemplateEngine, MissingTemplateIsAnInternalError) {
  render::TemplateEngine engine(testing::SourceDir() / "templates");
  try {
    engine.RenderPage("does_not_exist", nlohmann::json::object());
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInternal);
  }
}

TEST(TemplateEngine, RefusesAnInvalidTemplateAtLoad) {
  testing::TempDir dir;
  std::filesystem::create_directories(dir.path() / "pages");
  std::ofstream(dir.path() / "pages" / "bad.mustache") << "{{#open}} never closed";
  EXPECT_THROW(render::TemplateEngine engine(dir.path()), Error);
}

TEST(HttpStatus, OneStatusPerErrorCode) {
  EXPECT_EQ(web::HttpStatus(ErrorCode::kInvalidArgument), 400);
  EXPECT_EQ(web::HttpStatus(ErrorCode::kNotFound), 404);
  EXPECT_EQ(web::HttpStatus(ErrorCode::kConflict), 409);
  EXPECT_EQ(web::HttpStatus(ErrorCode::kUnauthenticated), 401);
  EXPECT_EQ(web::HttpStatus(ErrorCode::kPermissionDenied), 403);
  EXPECT_EQ(web::HttpStatus(ErrorCode::kPayloadTooLarge), 413);
  EXPECT_EQ(web::HttpStatus(ErrorCode::kUnavailable), 503);
  EXPECT_EQ(web::HttpStatus(ErrorCode::kInternal), 500);
}

TEST(ErrorSummary, LinksEachErrorToItsField) {
  const auto summary =
      web::ErrorSummary({{"person.last_name", "Indiquez le nom."}, {"email", "Adresse invalide."}});
  EXPECT_EQ(summary["errors"][0]["anchor"], "#f-person-last_name");
  EXPECT_EQ(summary["field_errors"]["email"], "Adresse invalide.");
  EXPECT_EQ(summary["field_errors"]["person-last_name"], "Indiquez le nom.");
  EXPECT_TRUE(summary["has_errors"].get<bool>());
  EXPECT_TRUE(summary["error_count_plural"].get<bool>());
}

TEST(UrlEncode, KeepsUnreservedAndEncodesTheRest) {
  EXPECT_EQ(web::UrlEncode("/admin/utilisateurs"), "/admin/utilisateurs");
  EXPECT_EQ(web::UrlEncode("a b&c=é"), "a%20b%26c%3D%C3%A9");
}

}  // namespace
}  // namespace allervers
