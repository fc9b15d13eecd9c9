#include "render/ics.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/time.hpp"

namespace allervers::render {
namespace {

// RFC 5545 §3.1: a content line SHOULD NOT be longer than 75 octets, excluding the line break.
constexpr std::size_t kMaxLineOctets = 75;
constexpr std::string_view kCrlf = "\r\n";

bool IsUtf8Continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0U) == 0x80U; }

// Appends `line` as one content line, folded (RFC 5545 §3.1): a CRLF followed by a single
// space is inserted so that no physical line exceeds 75 octets. The cut is moved back to the
// start of the UTF-8 sequence it would fall into, because clients decode each physical line
// and a split character would be replaced or rejected. Invalid UTF-8 (more than three
// continuation bytes in a row) is cut at the limit rather than overflowing it.
void AppendFolded(std::string& out, std::string_view line) {
  std::size_t limit = kMaxLineOctets;
  while (line.size() > limit) {
    std::size_t cut = limit;
    std::size_t back = cut;
    while (back > 0 && cut - back < 3 && IsUtf8Continuation(line[back])) {
      --back;
    }
    if (back > 0 && !IsUtf8Continuation(line[back])) {
      cut = back;
    }
    out.append(line.substr(0, cut));
    out.append(kCrlf);
    out.push_back(' ');
    line.remove_prefix(cut);
    // The leading space of a continuation line counts towards its 75 octets.
    limit = kMaxLineOctets - 1;
  }
  out.append(line);
  out.append(kCrlf);
}

// TEXT value escaping (RFC 5545 §3.3.11). CRLF, LF and a lone CR each become one "\n".
// Control characters other than HTAB are not allowed in TEXT, so they are dropped.
std::string EscapeText(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case ';':
        out += "\\;";
        break;
      case ',':
        out += "\\,";
        break;
      case '\r':
        if (i + 1 < s.size() && s[i + 1] == '\n') {
          ++i;
        }
        out += "\\n";
        break;
      case '\n':
        out += "\\n";
        break;
      default: {
        const auto u = static_cast<unsigned char>(c);
        if ((u < 0x20U && c != '\t') || u == 0x7FU) {
          break;
        }
        out.push_back(c);
        break;
      }
    }
  }
  return out;
}

void AppendProperty(std::string& out, std::string_view name, std::string_view value) {
  std::string line;
  line.reserve(name.size() + 1 + value.size());
  line.append(name);
  line.push_back(':');
  line.append(value);
  AppendFolded(out, line);
}

void AppendText(std::string& out, std::string_view name, std::string_view value) {
  AppendProperty(out, name, EscapeText(value));
}

// DATE-TIME in UTC form: 20261129T024200Z.
std::string FormatUtc(Instant t) {
  const auto days = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd{days};
  const std::chrono::hh_mm_ss hms{t - days};
  return fmt::format("{:04}{:02}{:02}T{:02}{:02}{:02}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count());
}

// DATE-TIME in local form, to be written with TZID=Europe/Paris: 20260329T090000.
std::string FormatParis(Instant t) {
  const ParisDateTime local = paris::ToLocal(t);
  // ToLocal has no seconds. Paris offsets are whole hours, so the local second is the UTC
  // second (floored modulo, for instants before 1970).
  const std::int64_t second = ((ToEpoch(t) % 60) + 60) % 60;
  return fmt::format("{:04}{:02}{:02}T{:02}{:02}{:02}", local.date.year, local.date.month,
                     local.date.day, local.hour, local.minute, second);
}

// The EU rules in force since 1996. No client needs older history for appointments, and a
// fixed block keeps the output identical whatever the ICU data version.
void AppendParisTimezone(std::string& out) {
  constexpr std::string_view kBlock =
      "BEGIN:VTIMEZONE\r\n"
      "TZID:Europe/Paris\r\n"
      "BEGIN:STANDARD\r\n"
      "TZNAME:CET\r\n"
      "TZOFFSETFROM:+0200\r\n"
      "TZOFFSETTO:+0100\r\n"
      "DTSTART:19701025T030000\r\n"
      "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"
      "END:STANDARD\r\n"
      "BEGIN:DAYLIGHT\r\n"
      "TZNAME:CEST\r\n"
      "TZOFFSETFROM:+0100\r\n"
      "TZOFFSETTO:+0200\r\n"
      "DTSTART:19700329T020000\r\n"
      "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"
      "END:DAYLIGHT\r\n"
      "END:VTIMEZONE\r\n";
  out.append(kBlock);
}

void AppendEvent(std::string& out, const CalendarEvent& event) {
  AppendProperty(out, "BEGIN", "VEVENT");
  AppendText(out, "UID", event.uid);
  AppendProperty(out, "SEQUENCE", std::to_string(event.sequence));
  AppendProperty(out, "DTSTAMP", FormatUtc(event.stamp));
  AppendProperty(out, "LAST-MODIFIED", FormatUtc(event.last_modified));
  AppendProperty(out, "DTSTART;TZID=Europe/Paris", FormatParis(event.start));
  // RFC 5545 §3.8.2.2: DTEND must be later than DTSTART. Without DTEND the event lasts no
  // time, which is the closest valid reading of an appointment whose end is not after its
  // start; one bad row must not make the whole feed unreadable.
  if (event.end > event.start) {
    AppendProperty(out, "DTEND;TZID=Europe/Paris", FormatParis(event.end));
  }
  AppendText(out, "SUMMARY", event.summary);
  if (!event.location.empty()) {
    AppendText(out, "LOCATION", event.location);
  }
  if (!event.description.empty()) {
    AppendText(out, "DESCRIPTION", event.description);
  }
  AppendProperty(out, "STATUS", event.cancelled ? "CANCELLED" : "CONFIRMED");
  AppendProperty(out, "TRANSP", "OPAQUE");
  AppendProperty(out, "END", "VEVENT");
}

}  // namespace

std::string RenderCalendar(const std::string& name, const std::vector<CalendarEvent>& events) {
  std::string out;
  out.reserve(1024 + events.size() * 512);
  AppendProperty(out, "BEGIN", "VCALENDAR");
  AppendProperty(out, "VERSION", "2.0");
  AppendProperty(out, "PRODID", "-//Allervers//Agenda//FR");
  AppendProperty(out, "CALSCALE", "GREGORIAN");
  AppendProperty(out, "METHOD", "PUBLISH");
  if (!name.empty()) {
    AppendText(out, "X-WR-CALNAME", name);
  }
  AppendProperty(out, "X-WR-TIMEZONE", "Europe/Paris");
  AppendParisTimezone(out);
  for (const CalendarEvent& event : events) {
    AppendEvent(out, event);
  }
  AppendProperty(out, "END", "VCALENDAR");
  return out;
}

}  // namespace allervers::render
