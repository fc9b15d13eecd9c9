#include "domain/indicators.hpp"

#include <gtest/gtest.h>

namespace allervers::domain {
namespace {

// The fourth quarter of 2026: 1 October to 31 December.
const Period kQ4{{2026, 10, 1}, {2026, 12, 31}};

CaseFacts Case(std::int64_t referral, std::int64_t person, LocalDate received) {
  CaseFacts f;
  f.referral_id = referral;
  f.person_key = person;
  f.status = "in_progress";
  f.received_on = received;
  return f;
}

TEST(IndicatorsTest, APersonReferredTwiceCountsTwoFichesAndOnePerson) {
  auto a = Case(1, 100, {2026, 10, 5});
  a.first_session_on = LocalDate{2026, 10, 12};
  auto b = Case(2, 100, {2026, 11, 20});
  b.first_session_on = LocalDate{2026, 11, 25};
  const auto r = ComputeCaseIndicators({a, b}, kQ4);
  EXPECT_EQ(r.referrals_received, 2);
  EXPECT_EQ(r.referral_persons, 1);
  EXPECT_EQ(r.receptions, 1);  // received twice in the period: once
  EXPECT_EQ(r.follow_ups, 1);
  EXPECT_EQ(r.follow_ups_new, 1);
  EXPECT_EQ(r.follow_ups_continuing, 0);
}

TEST(IndicatorsTest, AReceptionIsTheFirstSessionAndAFollowUpAnOpenAccompaniment) {
  auto before = Case(1, 1, {2026, 9, 1});
  before.first_session_on = LocalDate{2026, 9, 10};  // received in Q3, still followed in Q4
  auto never_met = Case(2, 2, {2026, 10, 2});        // accepted, never met: neither
  never_met.status = "accepted";
  auto closed_before = Case(3, 3, {2026, 6, 1});
  closed_before.first_session_on = LocalDate{2026, 6, 10};
  closed_before.status = "closed";
  closed_before.closures = {{{2026, 9, 30}, false}};  // closed the day before Q4: not followed
  auto next_quarter = Case(4, 4, {2026, 12, 20});
  next_quarter.first_session_on = LocalDate{2027, 1, 4};
  const auto r = ComputeCaseIndicators({before, never_met, closed_before, next_quarter}, kQ4);
  EXPECT_EQ(r.referrals_received, 2);
  EXPECT_EQ(r.receptions, 0);
  EXPECT_EQ(r.follow_ups, 1);
  EXPECT_EQ(r.follow_ups_continuing, 1);
}

TEST(IndicatorsTest, AReopenedCaseIsFollowedAgainAndItsFirstClosureIsNotAnExitOfThisPeriod) {
  auto f = Case(1, 1, {2026, 5, 1});
  f.first_session_on = LocalDate{2026, 5, 10};
  f.status = "closed";
  f.decision_reason = "objectifs_atteints";
  // Closed in Q3, reopened in Q4, closed again in Q4.
  f.closures = {{{2026, 9, 15}, false}, {{2026, 10, 20}, true}, {{2026, 12, 1}, false}};
  auto r = ComputeCaseIndicators({f}, kQ4);
  EXPECT_EQ(r.follow_ups, 1);
  EXPECT_EQ(r.exits, 1);
  EXPECT_EQ(r.exits_by_reason.at("objectifs_atteints"), 1);
  // Q3: the first closure was an exit; its reason was replaced by the later one.
  r = ComputeCaseIndicators({f}, {{2026, 7, 1}, {2026, 9, 30}});
  EXPECT_EQ(r.exits, 1);
  EXPECT_EQ(r.exits_by_reason.at(kUnknownClosureReason), 1);
  // Closed and reopened within the same period: no exit, still followed.
  f.status = "in_progress";
  f.closures = {{{2026, 10, 5}, false}, {{2026, 10, 6}, true}};
  r = ComputeCaseIndicators({f}, kQ4);
  EXPECT_EQ(r.exits, 0);
  EXPECT_EQ(r.follow_ups, 1);
}

TEST(IndicatorsTest, PeriodBoundsAreWholeLocalDays) {
  auto first = Case(1, 1, {2026, 10, 1});  // first day: in
  auto last = Case(2, 2, {2026, 12, 31});  // last day: in
  auto after = Case(3, 3, {2027, 1, 1});   // next day: out
  auto before = Case(4, 4, {2026, 9, 30});
  const auto r = ComputeCaseIndicators({first, last, after, before}, kQ4);
  EXPECT_EQ(r.referrals_received, 2);
}

TEST(IndicatorsTest, DelaysAreMediansAndNinetiethPercentilesByNearestRank) {
  auto s = Summarise({});
  EXPECT_EQ(s.n, 0);
  EXPECT_FALSE(s.median_days.has_value());
  s = Summarise({4, 1, 3});
  EXPECT_EQ(s.median_days, 3.0);
  EXPECT_EQ(s.p90_days, 4.0);  // rank ceil(2.7) = 3
  s = Summarise({1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
  EXPECT_EQ(s.median_days, 5.5);
  EXPECT_EQ(s.p90_days, 9.0);  // rank 9
  s = Summarise({10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11});
  EXPECT_EQ(s.median_days, 6.0);
  EXPECT_EQ(s.p90_days, 10.0);  // rank ceil(9.9) = 10

  auto f = Case(1, 1, {2026, 10, 1});
  f.first_contact_on = LocalDate{2026, 10, 3};
  f.first_session_on = LocalDate{2026, 10, 10};
  const auto r = ComputeCaseIndicators({f}, kQ4);
  EXPECT_EQ(r.referral_to_contact.median_days, 2.0);
  EXPECT_EQ(r.contact_to_visit.median_days, 7.0);
  EXPECT_EQ(r.referral_to_visit.median_days, 9.0);
}

TEST(IndicatorsTest, AutonomyAtEntryAndLevelChangesAtExit) {
  auto f = Case(1, 1, {2026, 9, 1});
  f.first_session_on = LocalDate{2026, 9, 5};
  f.initial_level = "N0";
  f.initial_on = LocalDate{2026, 10, 2};
  f.final_level = "N2";
  f.status = "closed";
  f.decision_reason = "objectifs_atteints";
  f.closures = {{{2026, 12, 10}, false}};
  auto g = Case(2, 2, {2026, 9, 1});
  g.first_session_on = LocalDate{2026, 9, 6};
  g.initial_level = "N1";
  g.initial_on = LocalDate{2026, 9, 6};  // before the period: not an entry of Q4
  const auto r = ComputeCaseIndicators({f, g}, kQ4);
  EXPECT_EQ(r.entry_levels.size(), 1u);
  EXPECT_EQ(r.entry_levels.at("N0"), 1);
  EXPECT_EQ(r.exits_with_levels, 1);
  EXPECT_EQ(r.exits_improved, 1);
}

TEST(IndicatorsTest, AgeBandsFollowLaCoopAndTheEndOfThePeriod) {
  const LocalDate on{2026, 12, 31};
  EXPECT_EQ(AgeBand(LocalDate{1966, 12, 31}, std::nullopt, on), "60 - 69 ans");
  EXPECT_EQ(AgeBand(LocalDate{1967, 1, 1}, std::nullopt, on), "40 - 59 ans");
  EXPECT_EQ(AgeBand(std::nullopt, 1950, on), "70 ans et plus");
  EXPECT_EQ(AgeBand(std::nullopt, std::nullopt, on), "Non communiqué");
  EXPECT_EQ(AgeBand(LocalDate{2015, 6, 1}, std::nullopt, on), "Moins de 12 ans");
}

// The age is the year of `on` minus the birth year, whatever the day: a birth date and its
// year alone (all the retention purge keeps) fall in the same band.
TEST(IndicatorsTest, AgeBandsUseTheBirthYearOnly) {
  const LocalDate on{2026, 3, 31};
  EXPECT_EQ(AgeBand(LocalDate{1966, 12, 31}, std::nullopt, on), "60 - 69 ans");
  EXPECT_EQ(AgeBand(std::nullopt, 1966, on), "60 - 69 ans");
  EXPECT_EQ(AgeBand(LocalDate{2001, 11, 2}, std::nullopt, on), "25 - 39 ans");
  EXPECT_EQ(AgeBand(std::nullopt, 2001, on), "25 - 39 ans");
}

TEST(IndicatorsTest, TargetsHaveAProRataLine) {
  auto t = Progress(90, 20, {2026, 3, 31});
  EXPECT_NEAR(t.pro_rata, 90.0 * 90 / 365, 1e-9);
  t = Progress(200, 10, {2028, 12, 31});  // a leap year, its last day: the whole target
  EXPECT_NEAR(t.pro_rata, 200.0, 1e-9);
}

TEST(IndicatorsTest, PeriodsAreCheckedAndThePreviousOneHasTheSameShape) {
  Period p;
  EXPECT_TRUE(ParsePeriod("2026-10-01", "31/12/2026", p).empty());
  EXPECT_EQ(p.to, (LocalDate{2026, 12, 31}));
  EXPECT_FALSE(ParsePeriod("2026-02-30", "2026-03-01", p).empty());
  EXPECT_FALSE(ParsePeriod("2026-10-01", "2026-09-01", p).empty());
  EXPECT_FALSE(ParsePeriod("2020-01-01", "2026-01-01", p).empty());
  EXPECT_FALSE(ParsePeriod("", "", p).empty());
  EXPECT_EQ(PreviousPeriod(QuarterPeriod(2026, 1)).from, (LocalDate{2025, 10, 1}));
  EXPECT_EQ(PreviousPeriod({{2026, 1, 1}, {2026, 12, 31}}).to, (LocalDate{2025, 12, 31}));
  const auto custom = PreviousPeriod({{2026, 3, 10}, {2026, 3, 19}});
  EXPECT_EQ(custom.from, (LocalDate{2026, 2, 28}));
  EXPECT_EQ(custom.to, (LocalDate{2026, 3, 9}));
}

TEST(IndicatorsTest, SmallCells) {
  EXPECT_FALSE(IsSmallCell(0));
  EXPECT_TRUE(IsSmallCell(1));
  EXPECT_TRUE(IsSmallCell(4));
  EXPECT_FALSE(IsSmallCell(5));
}

}  // namespace
}  // namespace allervers::domain
