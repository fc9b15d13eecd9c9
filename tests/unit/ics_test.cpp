#include "render/ics.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/text.hpp"
#include "common/time.hpp"

namespace allervers {
namespace {

using render::CalendarEvent;
using render::RenderCalendar;

Instant Utc(int year, unsigned month, unsigned day, int hour, int minute, int second = 0) {
  const std::chrono::sys_days days{std::chrono::year{year} / std::chrono::month{month} /
                                   std::chrono::day{day}};
  return Instant{days} + std::chrono::hours{hour} + std::chrono::minutes{minute} +
         std::chrono::seconds{second};
}

Instant Paris(int year, int month, int day, int hour, int minute) {
  return paris::FromLocal(LocalDate{year, month, day}, hour, minute);
}

CalendarEvent SampleEvent() {
  CalendarEvent e;
  e.uid = "appointment-42@allervers";
  e.sequence = 3;
  e.start = Paris(2026, 1, 15, 14, 30);
  e.end = Paris(2026, 1, 15, 15, 30);
  e.stamp = Utc(2026, 1, 10, 8, 0);
  e.last_modified = Utc(2026, 1, 9, 17, 45);
  e.summary = "Visite à domicile";
  e.location = "12 rue de la Paix, 75002 Paris";
  e.description = "Aide à la déclaration en ligne";
  return e;
}

// Physical lines, without their CRLF. The text after the last CRLF (empty for valid output)
// is not a line.
std::vector<std::string> PhysicalLines(const std::string& ics) {
  std::vector<std::string> lines;
  std::size_t from = 0;
  for (std::size_t at = ics.find("\r\n"); at != std::string::npos; at = ics.find("\r\n", from)) {
    lines.push_back(ics.substr(from, at - from));
    from = at + 2;
  }
  return lines;
}

// RFC 5545 §3.1 unfolding: a CRLF immediately followed by a single space is removed.
std::string Unfold(const std::string& ics) {
  std::string out;
  for (std::size_t i = 0; i < ics.size(); ++i) {
    if (ics.compare(i, 3, "\r\n ") == 0) {
      i += 2;
      continue;
    }
    out.push_back(ics[i]);
  }
  return out;
}

std::vector<std::string> ContentLines(const std::string& ics) { return PhysicalLines(Unfold(ics)); }

// Values of every content line whose name (before ':' or ';') is `name`; for a line with
// parameters the value is what follows the parameters, e.g. "DTSTART;TZID=Europe/Paris".
std::vector<std::string> Values(const std::string& ics, std::string_view name) {
  std::vector<std::string> values;
  for (const std::string& line : ContentLines(ics)) {
    if (line.compare(0, name.size(), name) == 0 && line.size() > name.size() &&
        line[name.size()] == ':') {
      values.push_back(line.substr(name.size() + 1));
    }
  }
  return values;
}

std::string OnlyValue(const std::string& ics, std::string_view name) {
  const std::vector<std::string> values = Values(ics, name);
  EXPECT_EQ(values.size(), 1U) << name;
  return values.empty() ? std::string() : values.front();
}

std::size_t CountLines(const std::string& ics, std::string_view line) {
  std::size_t n = 0;
  for (const std::string& l : ContentLines(ics)) {
    if (l == line) {
      ++n;
    }
  }
  return n;
}

void ExpectWellFormedLines(const std::string& ics) {
  ASSERT_GE(ics.size(), 2U);
  EXPECT_EQ(ics.substr(ics.size() - 2), "\r\n");
  for (std::size_t i = 0; i < ics.size(); ++i) {
    if (ics[i] == '\n') {
      EXPECT_TRUE(i > 0 && ics[i - 1] == '\r') << "bare LF at octet " << i;
    }
    if (ics[i] == '\r') {
      EXPECT_TRUE(i + 1 < ics.size() && ics[i + 1] == '\n') << "bare CR at octet " << i;
    }
  }
  for (const std::string& line : PhysicalLines(ics)) {
    EXPECT_LE(line.size(), 75U) << line;
    // A fold inside a multi-byte sequence would leave invalid UTF-8 on both lines.
    EXPECT_TRUE(text::IsValidUtf8(line)) << line;
  }
}

TEST(IcsRender, EveryLineEndsWithCrlfAndFitsIn75Octets) {
  CalendarEvent e = SampleEvent();
  e.summary = std::string(120, 'S') + " Élodie N'Diaye-Bâ 😀";
  e.location = "Résidence « Les Églantiers », bâtiment C, escalier 4, 3ᵉ étage, porte gauche";
  std::string description;
  for (int i = 0; i < 40; ++i) {
    description += "Ligne " + std::to_string(i) + " : prévoir l'accès à l'équipement 📱, ";
  }
  e.description = description;
  const std::string ics = RenderCalendar("Agenda de l'équipe mobile numérique — Lyon 3ᵉ", {e});
  ExpectWellFormedLines(ics);
  EXPECT_GT(PhysicalLines(ics).size(), ContentLines(ics).size()) << "nothing was folded";
}

TEST(IcsFolding, UnfoldingRestoresDescriptionWhateverCharacterStraddlesTheLimit) {
  // "DESCRIPTION:" is 12 octets. Shifting the text by one octet at a time puts each octet of
  // 2-, 3- and 4-byte characters on the 75-octet boundary of the first and later lines.
  const std::vector<std::string> chars = {"é", "€", "😀", "ç", "🇫🇷"};
  for (std::size_t pad = 50; pad < 80; ++pad) {
    for (const std::string& ch : chars) {
      std::string description(pad, 'x');
      for (int i = 0; i < 60; ++i) {
        description += ch;
        description += (i % 7 == 0) ? "a" : "";
      }
      CalendarEvent e = SampleEvent();
      e.description = description;
      const std::string ics = RenderCalendar("", {e});
      ExpectWellFormedLines(ics);
      EXPECT_EQ(OnlyValue(ics, "DESCRIPTION"), description) << "pad " << pad << " " << ch;
    }
  }
}

TEST(IcsFolding, MovesTheCutBeforeAnAccentedCharacterOnTheBoundary) {
  // Octets 0..73 are "DESCRIPTION:" + 62 'x'; "é" occupies octets 74 and 75, so cutting at
  // 75 octets would split it. The first line must stop before it, at 74 octets.
  const std::string description = std::string(62, 'x') + "élodie" + std::string(100, 'y');
  CalendarEvent e = SampleEvent();
  e.description = description;
  const std::string ics = RenderCalendar("", {e});
  const std::string first_line = "DESCRIPTION:" + std::string(62, 'x');
  const std::size_t at = ics.find(first_line + "\r\n ");
  ASSERT_NE(at, std::string::npos) << ics;
  EXPECT_EQ(ics.compare(at + first_line.size() + 2, 1 + 7, " élodie"), 0);
  EXPECT_EQ(OnlyValue(ics, "DESCRIPTION"), description);
}

TEST(IcsFolding, AsciiLinesUseTheFull75Octets) {
  CalendarEvent e = SampleEvent();
  e.description = std::string(200, 'z');
  const std::string ics = RenderCalendar("", {e});
  const std::vector<std::string> lines = PhysicalLines(ics);
  bool found = false;
  for (std::size_t i = 0; i + 2 < lines.size(); ++i) {
    if (lines[i].rfind("DESCRIPTION:", 0) == 0) {
      found = true;
      EXPECT_EQ(lines[i].size(), 75U);
      EXPECT_EQ(lines[i + 1], " " + std::string(74, 'z'));
      EXPECT_EQ(lines[i + 2], " " + std::string(200 - 63 - 74, 'z'));
    }
  }
  EXPECT_TRUE(found);
}

TEST(IcsFolding, InvalidUtf8StillRespectsTheLineLimit) {
  // A long run of continuation bytes has no character boundary to cut at; the limit wins.
  CalendarEvent e = SampleEvent();
  e.description = std::string(300, '\x80');
  const std::string ics = RenderCalendar("", {e});
  for (const std::string& line : PhysicalLines(ics)) {
    EXPECT_LE(line.size(), 75U);
  }
  EXPECT_EQ(OnlyValue(ics, "DESCRIPTION"), e.description);
}

TEST(IcsText, EscapesBackslashSemicolonCommaAndNewlines) {
  CalendarEvent e = SampleEvent();
  e.summary = R"(C:\dossier; a, b)";
  e.location = "Bât. A\nporte 2\r\ncode: 1234";
  e.description = "un\r\ndeux\nfin\r";
  const std::string ics = RenderCalendar("Équipe; Nord, Sud", {e});
  EXPECT_EQ(OnlyValue(ics, "SUMMARY"), R"(C:\\dossier\; a\, b)");
  EXPECT_EQ(OnlyValue(ics, "LOCATION"), R"(Bât. A\nporte 2\ncode: 1234)");
  EXPECT_EQ(OnlyValue(ics, "DESCRIPTION"), R"(un\ndeux\nfin\n)");
  EXPECT_EQ(OnlyValue(ics, "X-WR-CALNAME"), R"(Équipe\; Nord\, Sud)");
  ExpectWellFormedLines(ics);
}

TEST(IcsText, DropsControlCharactersButKeepsTabs) {
  CalendarEvent e = SampleEvent();
  e.summary = std::string("a\tb") + '\x01' + "c" + '\x7f' + std::string(1, '\0') + "d";
  const std::string ics = RenderCalendar("", {e});
  EXPECT_EQ(OnlyValue(ics, "SUMMARY"), "a\tbcd");
}

TEST(IcsTime, LocalTimesInWinterAndSummer) {
  CalendarEvent winter = SampleEvent();
  CalendarEvent summer = SampleEvent();
  summer.uid = "appointment-43@allervers";
  summer.start = Utc(2026, 7, 14, 8, 0);  // 10:00 CEST
  summer.end = Utc(2026, 7, 14, 9, 15);
  const std::string ics = RenderCalendar("", {winter, summer});
  EXPECT_EQ(Values(ics, "DTSTART;TZID=Europe/Paris"),
            (std::vector<std::string>{"20260115T143000", "20260714T100000"}));
  EXPECT_EQ(Values(ics, "DTEND;TZID=Europe/Paris"),
            (std::vector<std::string>{"20260115T153000", "20260714T111500"}));
}

TEST(IcsTime, NineOClockOnTheDaylightSavingSundays) {
  CalendarEvent spring = SampleEvent();
  spring.start = Paris(2026, 3, 29, 9, 0);
  spring.end = Paris(2026, 3, 29, 10, 0);
  CalendarEvent autumn = SampleEvent();
  autumn.start = Paris(2026, 10, 25, 9, 0);
  autumn.end = Paris(2026, 10, 25, 10, 0);
  // The instants themselves: summer time (UTC+2) from 29 March, winter time (UTC+1) from
  // 25 October.
  EXPECT_EQ(spring.start, Utc(2026, 3, 29, 7, 0));
  EXPECT_EQ(autumn.start, Utc(2026, 10, 25, 8, 0));
  const std::string ics = RenderCalendar("", {spring, autumn});
  EXPECT_EQ(Values(ics, "DTSTART;TZID=Europe/Paris"),
            (std::vector<std::string>{"20260329T090000", "20261025T090000"}));
  EXPECT_EQ(Values(ics, "DTEND;TZID=Europe/Paris"),
            (std::vector<std::string>{"20260329T100000", "20261025T100000"}));
}

TEST(IcsTime, EventsSpanningTheChangeOfTime) {
  // 01:30 CET → 03:30 CEST is one hour of real time on 29 March 2026.
  CalendarEvent spring = SampleEvent();
  spring.start = Utc(2026, 3, 29, 0, 30);
  spring.end = Utc(2026, 3, 29, 1, 30);
  // 02:00 CEST → 03:00 CET is two hours of real time on 25 October 2026.
  CalendarEvent autumn = SampleEvent();
  autumn.start = Utc(2026, 10, 25, 0, 0);
  autumn.end = Utc(2026, 10, 25, 2, 0);
  const std::string ics = RenderCalendar("", {spring, autumn});
  EXPECT_EQ(Values(ics, "DTSTART;TZID=Europe/Paris"),
            (std::vector<std::string>{"20260329T013000", "20261025T020000"}));
  EXPECT_EQ(Values(ics, "DTEND;TZID=Europe/Paris"),
            (std::vector<std::string>{"20260329T033000", "20261025T030000"}));
}

TEST(IcsTime, DtstampAndLastModifiedAreUtc) {
  CalendarEvent e = SampleEvent();
  e.stamp = Utc(2026, 3, 29, 7, 0, 5);  // 09:00:05 in Paris: must not be converted
  e.last_modified = Utc(2025, 12, 31, 23, 59, 59);
  const std::string ics = RenderCalendar("", {e});
  EXPECT_EQ(OnlyValue(ics, "DTSTAMP"), "20260329T070005Z");
  EXPECT_EQ(OnlyValue(ics, "LAST-MODIFIED"), "20251231T235959Z");
}

TEST(IcsCalendar, HeaderAndOneParisTimezoneWithSeveralEvents) {
  std::vector<CalendarEvent> events;
  for (int i = 0; i < 3; ++i) {
    CalendarEvent e = SampleEvent();
    e.uid = "appointment-" + std::to_string(i) + "@allervers";
    events.push_back(e);
  }
  const std::string ics = RenderCalendar("Agenda EMN", events);
  const std::vector<std::string> lines = ContentLines(ics);
  ASSERT_GE(lines.size(), 2U);
  EXPECT_EQ(lines.front(), "BEGIN:VCALENDAR");
  EXPECT_EQ(lines.back(), "END:VCALENDAR");
  EXPECT_EQ(OnlyValue(ics, "VERSION"), "2.0");
  EXPECT_EQ(OnlyValue(ics, "PRODID"), "-//Allervers//Agenda//FR");
  EXPECT_EQ(OnlyValue(ics, "CALSCALE"), "GREGORIAN");
  EXPECT_EQ(OnlyValue(ics, "METHOD"), "PUBLISH");
  EXPECT_EQ(OnlyValue(ics, "X-WR-CALNAME"), "Agenda EMN");
  EXPECT_EQ(OnlyValue(ics, "X-WR-TIMEZONE"), "Europe/Paris");

  EXPECT_EQ(CountLines(ics, "BEGIN:VTIMEZONE"), 1U);
  EXPECT_EQ(CountLines(ics, "TZID:Europe/Paris"), 1U);
  EXPECT_EQ(CountLines(ics, "BEGIN:VEVENT"), 3U);
  EXPECT_EQ(Values(ics, "TZNAME"), (std::vector<std::string>{"CET", "CEST"}));
  EXPECT_EQ(Values(ics, "TZOFFSETFROM"), (std::vector<std::string>{"+0200", "+0100"}));
  EXPECT_EQ(Values(ics, "TZOFFSETTO"), (std::vector<std::string>{"+0100", "+0200"}));
  EXPECT_EQ(Values(ics, "DTSTART"),
            (std::vector<std::string>{"19701025T030000", "19700329T020000"}));
  EXPECT_EQ(Values(ics, "RRULE"), (std::vector<std::string>{"FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
                                                            "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU"}));
  EXPECT_EQ(Values(ics, "UID"),
            (std::vector<std::string>{"appointment-0@allervers", "appointment-1@allervers",
                                      "appointment-2@allervers"}));
  EXPECT_EQ(Values(ics, "SEQUENCE"), (std::vector<std::string>{"3", "3", "3"}));
  EXPECT_EQ(Values(ics, "TRANSP"), (std::vector<std::string>{"OPAQUE", "OPAQUE", "OPAQUE"}));
}

TEST(IcsCalendar, EmptyNameHasNoCalendarName) {
  const std::string ics = RenderCalendar("", {SampleEvent()});
  EXPECT_TRUE(Values(ics, "X-WR-CALNAME").empty());
  EXPECT_EQ(OnlyValue(ics, "X-WR-TIMEZONE"), "Europe/Paris");
}

TEST(IcsCalendar, CancelledEventsAreMarkedCancelled) {
  CalendarEvent confirmed = SampleEvent();
  CalendarEvent cancelled = SampleEvent();
  cancelled.uid = "appointment-43@allervers";
  cancelled.cancelled = true;
  const std::string ics = RenderCalendar("", {confirmed, cancelled});
  EXPECT_EQ(Values(ics, "STATUS"), (std::vector<std::string>{"CONFIRMED", "CANCELLED"}));
}

TEST(IcsCalendar, OmitsEmptyLocationAndDescription) {
  CalendarEvent e = SampleEvent();
  e.location.clear();
  e.description.clear();
  const std::string ics = RenderCalendar("", {e});
  EXPECT_TRUE(Values(ics, "LOCATION").empty());
  EXPECT_TRUE(Values(ics, "DESCRIPTION").empty());
  EXPECT_EQ(OnlyValue(ics, "SUMMARY"), "Visite à domicile");
}

TEST(IcsCalendar, EndNotAfterStartOmitsDtend) {
  // RFC 5545 requires DTEND after DTSTART; a bad row must not make the whole feed invalid.
  CalendarEvent e = SampleEvent();
  e.end = e.start;
  const std::string ics = RenderCalendar("", {e});
  EXPECT_TRUE(Values(ics, "DTEND;TZID=Europe/Paris").empty());
  EXPECT_EQ(OnlyValue(ics, "DTSTART;TZID=Europe/Paris"), "20260115T143000");
}

TEST(IcsCalendar, BeginAndEndAreBalanced) {
  CalendarEvent cancelled = SampleEvent();
  cancelled.cancelled = true;
  for (const std::vector<CalendarEvent>& events :
       {std::vector<CalendarEvent>{}, std::vector<CalendarEvent>{SampleEvent(), cancelled}}) {
    const std::string ics = RenderCalendar("Agenda", events);
    std::vector<std::string> open;
    for (const std::string& line : ContentLines(ics)) {
      if (line.rfind("BEGIN:", 0) == 0) {
        open.push_back(line.substr(6));
      } else if (line.rfind("END:", 0) == 0) {
        ASSERT_FALSE(open.empty()) << line;
        EXPECT_EQ(open.back(), line.substr(4));
        open.pop_back();
      }
    }
    EXPECT_TRUE(open.empty());
    EXPECT_EQ(CountLines(ics, "BEGIN:VEVENT"), events.size());
    ExpectWellFormedLines(ics);
  }
}

TEST(IcsCalendar, OutputIsDeterministic) {
  CalendarEvent other = SampleEvent();
  other.uid = "appointment-7@allervers";
  other.cancelled = true;
  const std::vector<CalendarEvent> events = {SampleEvent(), other};
  EXPECT_EQ(RenderCalendar("Agenda", events), RenderCalendar("Agenda", events));
}

}  // namespace
}  // namespace allervers
