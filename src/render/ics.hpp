#pragma once

#include <string>
#include <vector>

#include "common/clock.hpp"

namespace allervers::render {

/// One event of an iCalendar file (RFC 5545), times given as instants and written in
/// Europe/Paris local time with TZID=Europe/Paris.
struct CalendarEvent {
  std::string uid;   // stable, globally unique: "appointment-42@allervers"
  int sequence = 0;  // incremented on every change (RFC 5545 §3.8.7.4)
  Instant start{};
  Instant end{};
  Instant stamp{};          // DTSTAMP: when the calendar was generated
  Instant last_modified{};  // LAST-MODIFIED
  std::string summary;
  std::string location;
  std::string description;
  bool cancelled = false;  // STATUS:CANCELLED instead of CONFIRMED
};

/// A VCALENDAR with one VTIMEZONE for Europe/Paris (the EU rules in force since 1996: last
/// Sunday of March 01:00 UTC, last Sunday of October 01:00 UTC) and the events: CRLF line
/// ends, lines folded at 75 octets without cutting a UTF-8 sequence, TEXT values escaped
/// (backslash, semicolon, comma, newline). `name` becomes X-WR-CALNAME (may be empty).
std::string RenderCalendar(const std::string& name, const std::vector<CalendarEvent>& events);

}  // namespace allervers::render
