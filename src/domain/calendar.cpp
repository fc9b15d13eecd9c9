#include "domain/calendar.hpp"

namespace allervers::domain {

LocalDate EasterSunday(int year) {
  const int a = year % 19;
  const int b = year / 100;
  const int c = year % 100;
  const int d = b / 4;
  const int e = b % 4;
  const int f = (b + 8) / 25;
  const int g = (b - f + 1) / 3;
  const int h = (19 * a + b - d - g + 15) % 30;
  const int i = c / 4;
  const int k = c % 4;
  const int l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int m = (a + 11 * h + 22 * l) / 451;
  const int month = (h + l - 7 * m + 114) / 31;
  const int day = ((h + l - 7 * m + 114) % 31) + 1;
  return LocalDate{year, month, day};
}

bool IsPublicHoliday(const LocalDate& d) {
  static constexpr int kFixed[][2] = {{1, 1},  {5, 1},  {5, 8},   {7, 14},
                                      {8, 15}, {11, 1}, {11, 11}, {12, 25}};
  for (const auto& md : kFixed) {
    if (d.month == md[0] && d.day == md[1]) {
      return true;
    }
  }
  const LocalDate easter = EasterSunday(d.year);
  for (int offset : {1, 39, 50}) {  // lundi de Pâques, Ascension, lundi de Pentecôte
    if (AddDays(easter, offset) == d) {
      return true;
    }
  }
  return false;
}

bool IsWorkingDay(const LocalDate& d) { return Weekday(d) <= 5 && !IsPublicHoliday(d); }

int WorkingDaysBetween(const LocalDate& from, const LocalDate& to) {
  int count = 0;
  // Bounded loop: ages of referrals are days to months, never centuries.
  for (LocalDate d = AddDays(from, 1); d <= to && count < 100000; d = AddDays(d, 1)) {
    if (IsWorkingDay(d)) {
      ++count;
    }
  }
  return count;
}

}  // namespace allervers::domain
