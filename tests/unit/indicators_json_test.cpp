#include "web/indicators_json.hpp"

#include <gtest/gtest.h>

#include "storage/reference_loader.hpp"
#include "support/test_db.hpp"

namespace allervers::web {
namespace {

const domain::ReferenceData& Reference() {
  static const domain::ReferenceData ref =
      storage::LoadReferenceData(testing::SourceDir() / "data");
  return ref;
}

service::Indicators Quarter() {
  service::Indicators ind;
  ind.period = {{2026, 10, 1}, {2026, 12, 31}};
  ind.cases.follow_ups = 21;
  ind.cases.exits = 21;
  ind.cases.exits_by_reason = {{"objectifs_atteints", 12}, {"demenagement", 2}, {"refus", 7}};
  ind.cases.genders = {{"femme", 11}, {"homme", 10}};
  return ind;
}

TEST(IndicatorsJsonTest, ASmallCellAloneTakesTheSmallestOtherWithItOutsideTheTeam) {
  const auto out = IndicatorsJson(Quarter(), Reference(), true);
  const auto& reasons = out.at("exits").at("by_reason");
  ASSERT_EQ(reasons.size(), 3u);
  // by code: demenagement, objectifs_atteints, refus
  EXPECT_EQ(reasons[0].at("n"), "< 5");
  EXPECT_EQ(reasons[1].at("n"), 12);
  EXPECT_EQ(reasons[2].at("n"), "< 5");  // 7 would give the 2 back from the total of 21
  EXPECT_EQ(out.at("exits").at("total"), 21);
  // No small cell: nothing hidden.
  EXPECT_EQ(out.at("profile").at("genders")[0].at("n"), 11);
  // The team sees every figure.
  const auto team = IndicatorsJson(Quarter(), Reference(), false);
  EXPECT_EQ(team.at("exits").at("by_reason")[0].at("n"), 2);
  EXPECT_EQ(team.at("exits").at("by_reason")[2].at("n"), 7);
}

TEST(IndicatorsJsonTest, TheCsvNeutralisesFormulasAndKeepsNumbersReadable) {
  auto ind = Quarter();
  ind.activity.interventions = 1234;
  const std::string csv = IndicatorsCsv(IndicatorsJson(ind, Reference(), true));
  EXPECT_NE(csv.find(";Interventions;Nombre;1234\r\n"), std::string::npos);
  EXPECT_EQ(csv.rfind("\xEF\xBB\xBF", 0), 0u);
}

}  // namespace
}  // namespace allervers::web
