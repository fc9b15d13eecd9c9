#include "domain/appointment.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "common/time.hpp"
#include "domain/letter.hpp"

namespace allervers::domain {
namespace {

Instant At(int y, int mo, int d, int h, int mi) { return paris::FromLocal({y, mo, d}, h, mi); }

AppointmentInput GoodInput() {
  AppointmentInput in;
  in.date = "2026-12-01";
  in.start_time = "10:00";
  in.duration_minutes = "90";
  in.place = "domicile";
  in.workers = {"3"};
  in.purpose = "Faire la demande de RSA";
  return in;
}

Appointment Home() {
  Appointment h;
  h.address_line = "7 rue de l’Abondance";
  h.postal_code = "95800";
  h.city = "Cergy";
  return h;
}

const Instant kNow = At(2026, 11, 29, 9, 0);

TEST(AppointmentValidation, AHomeVisitTakesThePersonsAddressAndParisTime) {
  FieldErrors errors;
  const auto a = ValidateAppointment(GoodInput(), Home(), kNow, errors);
  ASSERT_TRUE(a) << (errors.empty() ? "" : errors[0].message);
  EXPECT_EQ(a->address_line, "7 rue de l’Abondance");
  EXPECT_EQ(a->city, "Cergy");
  // 1 December is winter time: 10:00 in Paris is 09:00 UTC.
  EXPECT_EQ(ToEpoch(a->starts_at), ToEpoch(At(2026, 12, 1, 10, 0)));
  EXPECT_EQ(a->ends_at - a->starts_at, std::chrono::minutes(90));
  EXPECT_EQ(a->workers, std::vector<UserId>{3});
}

TEST(AppointmentValidation, NamesEveryBadField) {
  AppointmentInput in;
  in.date = "2026-02-30";
  in.start_time = "25:00";
  in.duration_minutes = "5";
  in.place = "lune";
  in.workers = {"abc"};
  in.purpose = "";
  FieldErrors errors;
  EXPECT_FALSE(ValidateAppointment(in, Home(), kNow, errors));
  std::set<std::string> fields;
  for (const auto& e : errors) {
    fields.insert(e.field);
  }
  EXPECT_EQ(fields, (std::set<std::string>{"date", "start_time", "duration_minutes", "place",
                                           "workers", "purpose"}));
}

TEST(AppointmentValidation, AnAppointmentElsewhereNeedsItsAddress) {
  auto in = GoodInput();
  in.place = "partenaire";
  FieldErrors errors;
  EXPECT_FALSE(ValidateAppointment(in, Home(), kNow, errors));
  std::set<std::string> fields;
  for (const auto& e : errors) {
    fields.insert(e.field);
  }
  EXPECT_TRUE(fields.count("address_line") && fields.count("city") && fields.count("place_label"));
  in.place = "telephone";
  errors.clear();
  EXPECT_TRUE(ValidateAppointment(in, Home(), kNow, errors));
}

TEST(AppointmentValidation, RefusesATimeSkippedBySpringForwardAndKeepsDurationsAcrossIt) {
  // 29 March 2026: clocks go from 02:00 to 03:00. Appointments start from 7:00, so the
  // skipped hour cannot be typed; an appointment on that Sunday morning keeps its length.
  auto in = GoodInput();
  in.date = "2026-03-29";
  in.start_time = "08:00";
  FieldErrors errors;
  const auto a = ValidateAppointment(in, Home(), At(2026, 3, 1, 9, 0), errors);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->ends_at - a->starts_at, std::chrono::minutes(90));
  EXPECT_EQ(paris::ToLocal(a->starts_at).hour, 8);
  // Summer time: 08:00 in Paris is 06:00 UTC.
  EXPECT_EQ(ToEpoch(a->starts_at) % 86400, 6 * 3600);
}

TEST(AppointmentValidation, FarPastAndFarFutureAreRefused) {
  auto in = GoodInput();
  in.date = "2026-09-01";
  FieldErrors errors;
  EXPECT_FALSE(ValidateAppointment(in, Home(), kNow, errors));
  in.date = "2028-01-10";
  errors.clear();
  EXPECT_FALSE(ValidateAppointment(in, Home(), kNow, errors));
}

BusySlot Slot(AppointmentId id, Instant start, int minutes, bool in_person = true,
              std::string city = "Cergy") {
  return BusySlot{id,        start,   start + std::chrono::minutes(minutes),
                  in_person, "95000", std::move(city),
                  "B. M."};
}

TEST(Conflicts, OverlapsAreConflicts) {
  const auto busy = std::vector<BusySlot>{Slot(1, At(2026, 12, 1, 10, 0), 60)};
  const auto c = FindConflicts(Slot(0, At(2026, 12, 1, 10, 30), 60), 7, busy, 20);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].worker, 7);
  EXPECT_EQ(c[0].other, 1);
  EXPECT_NE(c[0].message.find("Chevauche"), std::string::npos);
}

TEST(Conflicts, TwoHomeVisitsNeedTheTravelTimeBetweenThem) {
  const auto busy = std::vector<BusySlot>{Slot(1, At(2026, 12, 1, 10, 0), 60)};
  // 11:10 is 10 minutes after the end: not enough with 20 minutes of travel.
  EXPECT_EQ(FindConflicts(Slot(0, At(2026, 12, 1, 11, 10), 60), 7, busy, 20).size(), 1u);
  // Before: ending at 9:50 leaves 10 minutes.
  EXPECT_EQ(FindConflicts(Slot(0, At(2026, 12, 1, 8, 50), 60), 7, busy, 20).size(), 1u);
  EXPECT_TRUE(FindConflicts(Slot(0, At(2026, 12, 1, 11, 20), 60), 7, busy, 20).empty());
  // A phone call right after a visit is fine: nobody travels.
  EXPECT_TRUE(FindConflicts(Slot(0, At(2026, 12, 1, 11, 0), 30, false), 7, busy, 20).empty());
  // Back to back is fine without a travel buffer.
  EXPECT_TRUE(FindConflicts(Slot(0, At(2026, 12, 1, 11, 0), 60), 7, busy, 0).empty());
}

TEST(Conflicts, AnAppointmentDoesNotConflictWithItself) {
  const auto busy = std::vector<BusySlot>{Slot(5, At(2026, 12, 1, 10, 0), 60)};
  EXPECT_TRUE(FindConflicts(Slot(5, At(2026, 12, 1, 10, 30), 60), 7, busy, 20).empty());
}

TEST(Travel, IsSymmetricAndGrowsWithDistance) {
  EXPECT_EQ(EstimatedTravelMinutes("95000", "Cergy", "95000", "CERGY"), 10);
  const int osny = EstimatedTravelMinutes("95000", "Cergy", "95520", "Osny");
  const int sarcelles = EstimatedTravelMinutes("95000", "Cergy", "95200", "Sarcelles");
  EXPECT_EQ(osny, EstimatedTravelMinutes("95520", "Osny", "95000", "Cergy"));
  EXPECT_GT(osny, 10);
  EXPECT_GT(sarcelles, osny);
  EXPECT_EQ(EstimatedTravelMinutes("95000", "Cergy", "75011", "Paris"), 45);
  EXPECT_EQ(EstimatedTravelMinutes("95000", "Saint-Ouen-l’Aumône", "95310", "saint ouen l'aumone"),
            10);
}

TEST(Slots, SuggestsFreeSlotsThatAddTheLeastTravel) {
  // A visit in Pontoise at 10:00 and another at 14:00: a new visit in Pontoise is best next to
  // them, and no suggestion overlaps or ignores the travel buffer.
  const LocalDate day{2026, 12, 1};
  const std::vector<BusySlot> busy = {
      BusySlot{1, At(2026, 12, 1, 10, 0), At(2026, 12, 1, 11, 0), true, "95300", "Pontoise", ""},
      BusySlot{2, At(2026, 12, 1, 14, 0), At(2026, 12, 1, 15, 0), true, "95300", "Pontoise", ""}};
  const auto slots =
      SuggestSlots(day, 60, "95300", "Pontoise", busy, 20, "95000", "Cergy", kNow, 5);
  ASSERT_FALSE(slots.empty());
  for (std::size_t i = 1; i < slots.size(); ++i) {
    EXPECT_LE(slots[i - 1].added_travel_minutes, slots[i].added_travel_minutes);
  }
  // Between the two Pontoise visits, the new one adds only the local hop.
  EXPECT_EQ(
      paris::ToLocal(slots[0].starts_at).hour >= 11 && paris::ToLocal(slots[0].starts_at).hour < 14,
      true);
  EXPECT_EQ(slots[0].added_travel_minutes, 10);
  for (const auto& s : slots) {
    BusySlot c{0, s.starts_at, s.ends_at, true, "95300", "Pontoise", ""};
    EXPECT_TRUE(FindConflicts(c, 1, busy, 20).empty());
  }
}

TEST(Slots, NoneInThePast) {
  const LocalDate day{2026, 11, 30};
  const auto slots = SuggestSlots(day, 60, "95000", "Cergy", {}, 20, "95000", "Cergy",
                                  At(2026, 11, 30, 15, 0), 10);
  for (const auto& s : slots) {
    EXPECT_GE(s.starts_at, At(2026, 11, 30, 15, 0));
  }
  EXPECT_FALSE(slots.empty());
}

TEST(Reminders, AtTenOnTheDaysBeforeInParisTimeEvenAcrossTheAutumnChange) {
  // Tuesday 27 October 2026 at 14:00; the clocks went back on Sunday 25.
  const auto times = ReminderTimes(At(2026, 10, 27, 14, 0), {2, 1}, At(2026, 10, 20, 9, 0));
  ASSERT_EQ(times.size(), 2u);
  EXPECT_EQ(paris::ToLocal(times[0]).date, (LocalDate{2026, 10, 25}));
  EXPECT_EQ(paris::ToLocal(times[0]).hour, 10);
  EXPECT_EQ(paris::ToLocal(times[1]).date, (LocalDate{2026, 10, 26}));
  EXPECT_EQ(paris::ToLocal(times[1]).hour, 10);
  // The clocks went back at 03:00 that Sunday: 10:00 is winter time, 09:00 UTC.
  EXPECT_EQ(ToEpoch(times[0]) % 86400, 9 * 3600);
}

TEST(Reminders, PastOnesAreDropped) {
  const auto times = ReminderTimes(At(2026, 12, 1, 14, 0), {2, 1}, At(2026, 11, 30, 12, 0));
  ASSERT_EQ(times.size(), 0u);
  EXPECT_EQ(ReminderTimes(At(2026, 12, 1, 14, 0), {2, 1}, At(2026, 11, 29, 12, 0)).size(), 1u);
}

TEST(Reminders, HomeVisitTimesAreApproximate) {
  EXPECT_EQ(ApproximateTime(At(2026, 12, 1, 14, 30), PlaceKind::kHome), "vers 14 h 30");
  EXPECT_EQ(ApproximateTime(At(2026, 12, 1, 14, 30), PlaceKind::kPhone), "à 14 h 30");
  Letterhead head;
  head.name = "L’équipe mobile";
  head.phone = "01 34 25 30 00";
  Appointment a;
  a.starts_at = At(2026, 12, 1, 14, 30);
  a.place = PlaceKind::kHome;
  const std::string sms = ReminderSms(head, a);
  EXPECT_NE(sms.find("vers 14 h 30"), std::string::npos);
  EXPECT_NE(sms.find("01 34 25 30 00"), std::string::npos);
  EXPECT_LE(sms.size(), 160u);
}

ContactAttempt Attempt(Instant at, ContactOutcome o) {
  ContactAttempt a;
  a.at = at;
  a.outcome = o;
  return a;
}

TEST(Unreachable, ThreeFailedAttemptsOverTenDays) {
  const UnreachableRule rule{3, 10};
  std::vector<ContactAttempt> v = {Attempt(At(2026, 11, 2, 10, 0), ContactOutcome::kNoAnswer),
                                   Attempt(At(2026, 11, 5, 10, 0), ContactOutcome::kMessageLeft)};
  EXPECT_FALSE(ShouldProposeUnreachable(v, rule));
  v.push_back(Attempt(At(2026, 11, 9, 10, 0), ContactOutcome::kWrongNumber));
  EXPECT_FALSE(ShouldProposeUnreachable(v, rule)) << "three attempts over 7 days only";
  v.push_back(Attempt(At(2026, 11, 12, 10, 0), ContactOutcome::kNoAnswer));
  EXPECT_TRUE(ShouldProposeUnreachable(v, rule));
}

TEST(Unreachable, ReachingThePersonStartsTheCountAgain) {
  const UnreachableRule rule{3, 10};
  const std::vector<ContactAttempt> v = {
      Attempt(At(2026, 11, 2, 10, 0), ContactOutcome::kNoAnswer),
      Attempt(At(2026, 11, 3, 10, 0), ContactOutcome::kNoAnswer),
      Attempt(At(2026, 11, 12, 10, 0), ContactOutcome::kReached),
      Attempt(At(2026, 11, 20, 10, 0), ContactOutcome::kNoAnswer),
      Attempt(At(2026, 11, 13, 10, 0), ContactOutcome::kNoAnswer),  // order does not matter
  };
  EXPECT_FALSE(ShouldProposeUnreachable(v, rule));
}

TEST(ContactValidation, RefusesTheFutureAndUnknownCodes) {
  FieldErrors errors;
  EXPECT_FALSE(
      ValidateContactAttempt({"2026-12-05", "10:00", "pigeon", "joint", ""}, kNow, errors));
  std::set<std::string> fields;
  for (const auto& e : errors) {
    fields.insert(e.field);
  }
  EXPECT_EQ(fields, (std::set<std::string>{"date", "channel"}));
  errors.clear();
  const auto ok = ValidateContactAttempt({"2026-11-28", "17:45", "sms", "message", "  rappeler  "},
                                         kNow, errors);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->channel, ContactChannel::kSms);
  EXPECT_EQ(ok->note, "rappeler");
}

// The lines of the letter's block under `heading` (none when it has no such block).
std::vector<std::string> Lines(const LetterText& t, std::string_view heading) {
  for (const auto& block : t.blocks) {
    if (block.heading == heading) {
      return block.lines;
    }
  }
  return {};
}

TEST(Letter, SaysWhoWhenWhereWhyAndWhatToPrepareInEasyFrench) {
  Procedure rsa;
  rsa.code = "CAF-RSA";
  rsa.organisation = "CAF";
  rsa.prerequisites = {"Compte CAF ou FranceConnect", "Carte Vitale"};
  rsa.documents = {"RIB", "Pièce d’identité ou titre de séjour"};
  LetterFacts f;
  f.head.name = "Équipe mobile numérique";
  f.head.phone = "01 34 25 30 00";
  f.gender = "femme";
  f.first_names = "Grâce";
  f.last_name = "Mabiala";
  f.address_line = "7 rue de l’Abondance";
  f.postal_code = "95800";
  f.city = "Cergy";
  f.appointment.starts_at = At(2026, 12, 1, 10, 0);
  f.appointment.ends_at = At(2026, 12, 1, 11, 30);
  f.appointment.place = PlaceKind::kHome;
  f.appointment.address_line = f.address_line;
  f.appointment.postal_code = f.postal_code;
  f.appointment.city = f.city;
  f.appointment.purpose = "Faire la demande de RSA";
  f.appointment.to_bring = "Le courrier de la CAF du 12 novembre\n\n";
  f.worker_names = {"Yanis Benali"};
  f.worker_roles = {"de l’équipe mobile numérique"};
  f.referrer_name = "Nadia Ouedraogo";
  f.referring_structure = "SSD de Cergy";
  f.procedures = {&rsa};
  f.today = At(2026, 11, 29, 9, 0);
  const auto t = ComposeAppointmentLetter(f);
  EXPECT_EQ(t.head.phone, "01 34 25 30 00");
  EXPECT_EQ(t.recipient_lines, (std::vector<std::string>{"Madame Grâce MABIALA",
                                                         "7 rue de l’Abondance", "95800 CERGY"}));
  EXPECT_EQ(t.salutation, "Madame Mabiala,");
  EXPECT_EQ(t.place_and_date, "Cergy, le 29 novembre 2026");
  // The headings the letter always had, in this order; only what to prepare is a checklist.
  std::vector<std::string> headings;
  for (const auto& block : t.blocks) {
    headings.push_back(block.heading);
    EXPECT_EQ(block.checklist, block.heading == "Ce qu’il faut préparer") << block.heading;
  }
  EXPECT_EQ(headings, (std::vector<std::string>{"Qui vient", "Quand", "Où", "Pourquoi",
                                                "Ce qu’il faut préparer",
                                                "Pour changer le rendez-vous", "Vos données"}));
  const auto who = Lines(t, "Qui vient");
  const auto when = Lines(t, "Quand");
  const auto why = Lines(t, "Pourquoi");
  const auto to_prepare = Lines(t, "Ce qu’il faut préparer");
  const auto change = Lines(t, "Pour changer le rendez-vous");
  EXPECT_EQ(when.front(), "Le mardi 1er décembre 2026, vers 10 h.");
  EXPECT_EQ(when.back(), "Le rendez-vous dure environ 1 heure 30.");
  EXPECT_EQ(Lines(t, "Où").front(), "Chez vous : 7 rue de l’Abondance, 95800 Cergy.");
  ASSERT_GE(who.size(), 2u);
  EXPECT_NE(who[1].find("Nadia Ouedraogo, du SSD de Cergy, sera là aussi."), std::string::npos);
  EXPECT_NE(std::find(why.begin(), why.end(), "Nous allons faire la demande de RSA avec vous."),
            why.end());
  const auto has = [&](const std::string& s) {
    return std::find(to_prepare.begin(), to_prepare.end(), s) != to_prepare.end();
  };
  EXPECT_TRUE(has("Votre carte Vitale."));
  EXPECT_TRUE(has("RIB."));
  EXPECT_TRUE(has("Le courrier de la CAF du 12 novembre."));
  EXPECT_TRUE(has("Les derniers courriers reçus de : CAF."));
  // The identity document is asked once, whatever the catalogue says.
  EXPECT_EQ(
      std::count_if(to_prepare.begin(), to_prepare.end(),
                    [](const std::string& s) { return s.find("identité") != std::string::npos; }),
      1);
  EXPECT_EQ(change.front(), "Appelez-nous au 01 34 25 30 00.");
  // Easy to read: short sentences.
  for (const char* heading :
       {"Qui vient", "Quand", "Pourquoi", "Pour changer le rendez-vous", "Vos données"}) {
    for (const auto& sentence : Lines(t, heading)) {
      EXPECT_LE(sentence.size(), 140u) << sentence;
    }
  }
}

}  // namespace
}  // namespace allervers::domain
