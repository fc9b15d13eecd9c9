#include "render/report.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "common/error.hpp"
#include "support/test_db.hpp"

namespace allervers::render {
namespace {

using nlohmann::json;

std::filesystem::path Fonts() {
  return testing::SourceDir() / "node_modules" / "@fontsource" / "atkinson-hyperlegible" / "files";
}

std::string Shell(const std::string& command) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  std::string out;
  char buffer[4096];
  for (std::size_t n = 0; pipe && (n = fread(buffer, 1, sizeof buffer, pipe.get())) > 0;) {
    out.append(buffer, n);
  }
  return out;
}

// The bytes in a temporary file, removed at the end of the test.
class TempFile {
 public:
  TempFile(const std::string& bytes, const std::string& ext)
      : path_(std::filesystem::temp_directory_path() /
              ("allervers-report-test-" + std::to_string(getpid()) + "-" +
               std::to_string(counter_++) + ext)) {
    std::ofstream(path_, std::ios::binary) << bytes;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  std::string path() const { return path_.string(); }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

json Model(std::string highlights = "La tournée du mardi couvre désormais Cergy-le-Haut.") {
  return {
      {"title", "Bilan trimestriel de l’équipe mobile numérique"},
      {"team", "Équipe mobile numérique de Cergy"},
      {"period_label", "4e trimestre 2026, du 01/10/2026 au 31/12/2026"},
      {"generated_label", "Établi le 05/01/2027."},
      {"notice", "Secret statistique : un effectif de 1 à 4 personnes est écrit « < 5 »."},
      {"targets",
       json::array({{{"label", "Suivis"}, {"target", 90}, {"actual", 42}, {"pro_rata", 90.0}}})},
      {"sections",
       json::array(
           {{{"title", "Chiffres clés"},
             {"tables",
              json::array(
                  {{{"title", "Chiffres clés"},
                    {"columns", {"Nombre"}},
                    {"rows", json::array({{{"label", "Interventions"}, {"cells", {1234}}},
                                          {{"label", "Sorties"}, {"cells", {"< 5"}}},
                                          {{"label", "Délai médian"}, {"cells", {nullptr}}}})}}})}},
            {{"title", "Accès aux droits et montants mensuels estimés"},
             {"tables", json::array({{{"title", "Droits ouverts"},
                                      {"columns", {"Droits", "Montant mensuel estimé (€)"}},
                                      {"rows", json::array({{{"label", "RSA"},
                                                             {"cells", {7, 2451.44}}}})}}})}}})},
      {"texts", json::array({{{"title", "Faits marquants"}, {"text", highlights}},
                             {{"title", "Difficultés"}, {"text", ""}}})},
      {"annex", json::array({{{"title", "Annexe méthodologique"},
                              {"paragraphs",
                               {"Accueils : personnes dont la première séance "
                                "a eu lieu dans la période."}}}})}};
}

TEST(ReportTest, CellsAreWrittenTheFrenchWay) {
  EXPECT_EQ(FormatCell(3), "3");
  EXPECT_EQ(FormatCell(12.5), "12,5");
  EXPECT_EQ(FormatCell(2451.44), "2\u202F451,44");
  EXPECT_EQ(FormatCell(1234567), "1\u202F234\u202F567");
  EXPECT_EQ(FormatCell(0.05), "0,05");
  EXPECT_EQ(FormatCell(-3.5), "-3,5");
  EXPECT_EQ(FormatCell(nullptr), "non calculé");
  EXPECT_EQ(FormatCell("< 5"), "< 5");
}

TEST(ReportTest, ThePdfHasTheCoverTheTablesTheTextsAndTheAnnex) {
  const TempFile pdf(RenderReportPdf(Model(), Fonts()), ".pdf");
  const std::string text = Shell("pdftotext -layout '" + pdf.path() + "' -");
  for (const char* expected :
       {"Bilan trimestriel de l’équipe mobile numérique", "4e trimestre 2026",
        "Objectifs de l’année", "42 / 90", "Interventions", "< 5", "non calculé",
        "2. Accès aux droits", "Faits marquants", "La tournée du mardi", "Non renseigné.",
        "Annexe méthodologique", "page 1 / "}) {
    EXPECT_NE(text.find(expected), std::string::npos) << expected;
  }
  // pdftotext writes the narrow no-break space as a plain space.
  EXPECT_NE(text.find("1 234"), std::string::npos) << text;
  EXPECT_NE(text.find("2 451,44"), std::string::npos);
  EXPECT_NE(Shell("pdffonts '" + pdf.path() + "'").find("AtkinsonHyperlegible"), std::string::npos);
  // The same model gives the same bytes.
  EXPECT_EQ(RenderReportPdf(Model(), Fonts()), RenderReportPdf(Model(), Fonts()));
}

TEST(ReportTest, ALongTextFlowsOverSeveralPages) {
  std::string longest;
  while (longest.size() < 7900) {
    longest += "Une phrase de faits sur l’action, sans retour à la ligne. ";
  }
  const TempFile pdf(RenderReportPdf(Model(longest), Fonts()), ".pdf");
  const std::string info = Shell("pdfinfo '" + pdf.path() + "'");
  const auto at = info.find("Pages:");
  ASSERT_NE(at, std::string::npos);
  EXPECT_GE(std::stoi(info.substr(at + 6)), 4) << info;
}

TEST(ReportTest, AMalformedModelOrInvalidTextIsRefused) {
  auto model = Model();
  model.erase("sections");
  try {
    RenderReportPdf(model, Fonts());
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
  }
  model = Model();
  model["team"] = "\xff\xfe";
  EXPECT_THROW(RenderReportPdf(model, Fonts()), Error);
  model.erase("texts");
  EXPECT_THROW(RenderReportXlsx(model), Error);
}

TEST(ReportTest, TheWorkbookStoresNumbersAsNumbersOneSheetPerSection) {
  const TempFile xlsx(RenderReportXlsx(Model()), ".xlsx");
  const std::string workbook = Shell("unzip -p '" + xlsx.path() + "' xl/workbook.xml");
  EXPECT_NE(workbook.find("name=\"Synthèse\""), std::string::npos);
  EXPECT_NE(workbook.find("name=\"Chiffres clés\""), std::string::npos);
  // 47 characters cut to Excel's 31.
  EXPECT_NE(workbook.find("name=\"Accès aux droits et montants m…\""), std::string::npos)
      << workbook;
  EXPECT_NE(workbook.find("name=\"Méthodologie\""), std::string::npos);
  const std::string rights = Shell("unzip -p '" + xlsx.path() + "' xl/worksheets/sheet3.xml");
  EXPECT_NE(rights.find("<v>2451.44</v>"), std::string::npos) << rights;
  EXPECT_NE(rights.find("<v>7</v>"), std::string::npos);
  const std::string strings = Shell("unzip -p '" + xlsx.path() + "' xl/sharedStrings.xml");
  EXPECT_NE(strings.find("&lt; 5"), std::string::npos);
  EXPECT_NE(strings.find("La tournée du mardi"), std::string::npos);
}

}  // namespace
}  // namespace allervers::render
