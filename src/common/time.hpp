#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "common/clock.hpp"

namespace allervers {

/// A calendar date without time zone (a birth date, a due date).
struct LocalDate {
  int year = 0;
  int month = 0;  // 1..12
  int day = 0;    // 1..31

  auto operator<=>(const LocalDate&) const = default;
};

/// Parses "YYYY-MM-DD" and checks that the date exists (no 31 February).
std::optional<LocalDate> ParseIsoDate(std::string_view s);
std::string ToIso(const LocalDate& d);
/// A date as a browser's date field sends it ("2026-12-01") or as a person types it where no
/// date picker is shown ("01/12/2026"); surrounding spaces ignored.
std::optional<LocalDate> ParseTypedDate(std::string_view s);
/// "14:30" → {14, 30}; exactly HH:MM, a real time of day.
std::optional<std::pair<int, int>> ParseHourMinute(std::string_view s);

/// Wall-clock time in Europe/Paris, the only time zone of the product's users.
struct ParisDateTime {
  LocalDate date;
  int hour = 0;
  int minute = 0;
  int weekday = 1;  // 1 = lundi … 7 = dimanche
};

namespace paris {

ParisDateTime ToLocal(Instant t);

/// Instant of a wall-clock time in Europe/Paris. A time skipped by the spring change
/// (02:30 on the last Sunday of March) moves forward by the gap; a time repeated by the
/// autumn change takes its first occurrence (summer time).
Instant FromLocal(const LocalDate& date, int hour, int minute);

LocalDate Today(Instant now);

std::string FormatDate(Instant t);      // 28/11/2026
std::string FormatTime(Instant t);      // 14 h 30
std::string FormatDateTime(Instant t);  // 28/11/2026 à 14 h 30
std::string FormatLongDate(Instant t);  // samedi 28 novembre 2026
std::string FormatLongDate(const LocalDate& d);
std::string FormatDate(const LocalDate& d);

}  // namespace paris

/// Day of the week of a date, 1 = Monday … 7 = Sunday.
int Weekday(const LocalDate& d);
LocalDate AddDays(const LocalDate& d, int days);
/// The same day `months` later (earlier when negative); the month's last day when it has no
/// such day (31 August + 1 month = 30 September).
LocalDate AddMonths(const LocalDate& d, int months);
/// Days from a to b (b - a).
int DaysBetween(const LocalDate& a, const LocalDate& b);

}  // namespace allervers
